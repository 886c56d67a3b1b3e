"""Treatment plans built, signed and followed through the JSON API: the same rules as the page
(complete before signing, the patient's own typed name, signed plans locked, a revision as a new
draft, objective progress and dated reviews on the active plan only), the plan `version` on
every change (409 when stale), bad input as 422 naming the field with nothing written, and
everyone outside the care team refused with 403 and an audit event."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from openiop.models import (
    AuditEvent,
    Enrollment,
    PlanGoal,
    PlanIntervention,
    PlanObjective,
    PlanProblem,
    PlanReview,
    TreatmentPlan,
)
from tests.db.support_clinical import complete_plan, events, freeze, signed_plan
from tests.db.test_patients_support import bearer
from tests.personas import build_world

API = "/api/v1"


@pytest.fixture
def world(db):
    freeze()  # today is 2026-11-16 in California
    return build_world(db)


def _as(db, world, persona):  # type: ignore[no-untyped-def]
    return bearer(db, world.user(persona))


def _counts(db) -> tuple[int, ...]:  # type: ignore[no-untyped-def]
    return tuple(
        db.scalar(select(func.count(model.id)))
        for model in (TreatmentPlan, PlanProblem, PlanGoal, PlanObjective, PlanIntervention)
    )


def _stored_version(db, plan_id: int) -> int:  # type: ignore[no-untyped-def]
    return db.scalar(select(TreatmentPlan.version).where(TreatmentPlan.id == plan_id))


def _objective(goal: int, version: int, **changes: object) -> dict[str, object]:
    return {
        "version": version,
        "goal_id": goal,
        "statement": "Attend 3 mutual-help meetings a week",
        "measure": "Meeting slips brought to group",
        "target_date": "2026-12-31",
    } | changes


def _intervention(objective: int, version: int, **changes: object) -> dict[str, object]:
    return {
        "version": version,
        "objective_id": objective,
        "description": "Review meeting slips",
        "modality": "group",
        "frequency": "Weekly",
    } | changes


# ---- building and signing ---------------------------------------------------------------


def test_an_integrator_builds_and_signs_a_plan(client, db, world):
    counselor = _as(db, world, "care_counselor")
    pid = world.patient.id
    enrollment_id = db.scalar(select(Enrollment.id).where(Enrollment.patient_id == pid))

    started = client.post(
        f"{API}/patients/{pid}/treatment-plans",
        json={"enrollment_id": enrollment_id},
        headers=counselor,
    )
    assert started.status_code == 201, started.text
    plan = started.json()
    assert (plan["status"], plan["enrollment_id"], plan["problems"]) == ("draft", enrollment_id, [])
    base = f"{API}/treatment-plans/{plan['id']}"

    def add(path: str, body: dict[str, object]) -> dict:  # type: ignore[type-arg]
        answer = client.post(f"{base}/{path}", json=body, headers=counselor)
        assert answer.status_code == 201, answer.text
        return answer.json()

    version = plan["version"]
    body = {"version": version, "statement": "Drinks daily to cope", "asam_dimension": 5}
    step = add("problems", body)
    assert step["plan"]["version"] > version  # every change raises the plan's version
    step = add(
        "goals",
        {"version": step["plan"]["version"], "problem_id": step["item_id"], "statement": "Sober"},
    )
    step = add("objectives", _objective(step["item_id"], step["plan"]["version"]))
    staff = world.user("care_counselor").staff_member_id
    step = add(
        "interventions",
        _intervention(step["item_id"], step["plan"]["version"], responsible_staff_id=staff),
    )
    [problem] = step["plan"]["problems"]
    intervention = problem["goals"][0]["objectives"][0]["interventions"][0]
    assert intervention == {
        "id": step["item_id"],
        "description": "Review meeting slips",
        "modality": "group",
        "frequency": "Weekly",
        "responsible_staff_id": staff,
    }

    version = step["plan"]["version"]
    signed = client.post(
        f"{base}/signatures",
        json={
            "version": version,
            "signer": "patient",
            "typed_name": "Pat Quillfeather",
            "agreed": True,
        },
        headers=counselor,
    )
    assert signed.status_code == 200, signed.text
    assert signed.json()["patient_signed_name"] == "Pat Quillfeather"
    version = signed.json()["version"]
    signed = client.post(
        f"{base}/signatures", json={"version": version, "signer": "counselor"}, headers=counselor
    )
    assert signed.json()["status"] == "draft"
    signed = client.post(
        f"{base}/signatures",
        json={"version": signed.json()["version"], "signer": "physician"},
        headers=_as(db, world, "care_physician"),
    )
    assert signed.status_code == 200, signed.text
    assert (signed.json()["status"], signed.json()["activated_on"]) == ("active", "2026-11-16")

    chart = client.get(f"{API}/patients/{pid}/treatment-plan", headers=counselor).json()
    assert chart["active"]["id"] == plan["id"] and chart["draft"] is None
    for action in ("plan.create", "plan.add_problem", "plan.add_intervention", "plan.activate"):
        assert {(e.channel, e.patient_id) for e in events(db, action)} == {("api", pid)}
    assert events(db, "plan.sign_physician")[-1].user_email == "care_physician@example.org"


def test_items_are_changed_and_removed_in_a_draft(client, db, world):
    plan = complete_plan(db, world)
    headers = _as(db, world, "care_counselor")
    base = f"{API}/treatment-plans/{plan.id}"
    problem = plan.problems[0]
    objective = problem.goals[0].objectives[0]
    intervention = objective.interventions[0]

    changed = client.patch(
        f"{base}/objectives/{objective.id}",
        json={"version": plan.version, "statement": "Name five coping skills"},
        headers=headers,
    )
    assert changed.status_code == 200, changed.text
    version = changed.json()["plan"]["version"]
    changed = client.patch(
        f"{base}/interventions/{intervention.id}",
        json={"version": version, "modality": "peer_support", "responsible_staff_id": None},
        headers=headers,
    )
    assert changed.status_code == 200, changed.text
    version = changed.json()["plan"]["version"]
    changed = client.patch(
        f"{base}/problems/{problem.id}",
        json={"version": version, "asam_dimension": None},
        headers=headers,
    )
    version = changed.json()["plan"]["version"]

    db.expire_all()
    stored = db.get(PlanObjective, objective.id)
    assert (stored.statement, stored.measure) == (
        "Name five coping skills",
        "Coping skills listed in individual session",  # not sent, kept
    )
    kept = db.get(PlanIntervention, intervention.id)
    assert (kept.modality, kept.responsible_staff_id, kept.frequency) == (
        "peer_support",
        None,
        "Weekly, 50 minutes",
    )
    assert db.get(PlanProblem, problem.id).asam_dimension is None
    assert [e.action for e in events(db, "plan.edit_objective")] == ["plan.edit_objective"]

    removed = client.delete(
        f"{base}/interventions/{intervention.id}?version={version}", headers=headers
    )
    assert removed.status_code == 200, removed.text
    assert removed.json()["problems"][0]["goals"][0]["objectives"][0]["interventions"] == []
    # an incomplete plan cannot be signed, through the API as on the page
    refused = client.post(
        f"{base}/signatures",
        json={"version": removed.json()["version"], "signer": "counselor"},
        headers=headers,
    )
    assert refused.status_code == 422 and "signer" in refused.json()["fields"]
    assert (
        client.delete(
            f"{base}/problems/{problem.id}?version={removed.json()['version']}", headers=headers
        ).json()["problems"]
        == []
    )
    assert _counts(db)[1:] == (0, 0, 0, 0)


def test_a_goal_moves_only_within_its_plan(client, db, world):
    plan = complete_plan(db, world)
    headers = _as(db, world, "care_counselor")
    base = f"{API}/treatment-plans/{plan.id}"
    second = client.post(
        f"{base}/problems", json={"version": plan.version, "statement": "Housing"}, headers=headers
    ).json()
    goal = plan.problems[0].goals[0]
    moved = client.patch(
        f"{base}/goals/{goal.id}",
        json={"version": second["plan"]["version"], "problem_id": second["item_id"]},
        headers=headers,
    )
    assert moved.status_code == 200, moved.text
    assert [len(p["goals"]) for p in moved.json()["plan"]["problems"]] == [0, 1]


def test_changing_a_partly_signed_draft_clears_its_signatures(client, db, world):
    plan = complete_plan(db, world)
    headers = _as(db, world, "care_counselor")
    base = f"{API}/treatment-plans/{plan.id}"
    signed = client.post(
        f"{base}/signatures", json={"version": plan.version, "signer": "counselor"}, headers=headers
    ).json()
    assert signed["counselor_signed_at"] is not None
    goal = plan.problems[0].goals[0]
    changed = client.patch(
        f"{base}/goals/{goal.id}",
        json={"version": signed["version"], "statement": "Sober and working"},
        headers=headers,
    )
    assert changed.json()["plan"]["counselor_signed_at"] is None


# ---- locked plans, revisions, versions --------------------------------------------------


def test_a_signed_plan_is_locked_and_revised_as_a_new_draft(client, db, world):
    plan = signed_plan(db, world)
    headers = _as(db, world, "care_counselor")
    base = f"{API}/treatment-plans/{plan.id}"
    objective = plan.problems[0].goals[0].objectives[0]
    before = _counts(db)
    locked = client.patch(
        f"{base}/objectives/{objective.id}",
        json={"version": plan.version, "statement": "Changed after signing"},
        headers=headers,
    )
    assert locked.status_code == 422 and "revise" in locked.json()["detail"]
    removed = client.delete(f"{base}/problems/{plan.problems[0].id}?version={plan.version}")
    assert removed.status_code == 401  # no token at all
    locked = client.delete(
        f"{base}/problems/{plan.problems[0].id}?version={plan.version}", headers=headers
    )
    assert locked.status_code == 422
    assert _counts(db) == before

    revision = client.post(
        f"{API}/patients/{world.patient.id}/treatment-plans", json={}, headers=headers
    )
    assert revision.status_code == 201, revision.text
    draft = revision.json()
    assert draft["status"] == "draft" and draft["id"] != plan.id
    copied = draft["problems"][0]["goals"][0]["objectives"][0]
    assert copied["statement"] == objective.statement and copied["id"] != objective.id
    again = client.post(
        f"{API}/patients/{world.patient.id}/treatment-plans", json={}, headers=headers
    )
    assert again.status_code == 409
    # the old plan's goal is not the revision's: 422 naming the field, nothing added
    before = _counts(db)
    stale_goal = client.post(
        f"{API}/treatment-plans/{draft['id']}/objectives",
        json=_objective(plan.problems[0].goals[0].id, draft["version"]),
        headers=headers,
    )
    assert stale_goal.status_code == 422 and "goal_id" in stale_goal.json()["fields"]
    assert _counts(db) == before


def test_a_stale_version_is_a_conflict_and_changes_nothing(client, db, world):
    plan = complete_plan(db, world)
    headers = _as(db, world, "care_counselor")
    base = f"{API}/treatment-plans/{plan.id}"
    read = client.get(base, headers=headers).json()
    first = client.post(
        f"{base}/problems",
        json={"version": read["version"], "statement": "Housing"},
        headers=headers,
    )
    assert first.status_code == 201
    before, version = _counts(db), _stored_version(db, plan.id)
    for method, path, body in (
        ("post", "problems", {"version": read["version"], "statement": "Work stress"}),
        (
            "patch",
            f"problems/{plan.problems[0].id}",
            {"version": read["version"], "statement": "x"},
        ),
        ("post", "signatures", {"version": read["version"], "signer": "counselor"}),
    ):
        stale = client.request(method, f"{base}/{path}", json=body, headers=headers)
        assert stale.status_code == 409, (path, stale.text)
        assert stale.json()["error"] == "Changed by someone else"
    stale = client.delete(
        f"{base}/goals/{plan.problems[0].goals[0].id}?version={read['version']}", headers=headers
    )
    assert stale.status_code == 409
    assert (_counts(db), _stored_version(db, plan.id)) == (before, version)
    assert db.get(TreatmentPlan, plan.id).counselor_signed_at is None
    missing = client.post(f"{base}/problems", json={"statement": "No version"}, headers=headers)
    assert missing.status_code == 422 and "version" in missing.json()["fields"]


# ---- bad input --------------------------------------------------------------------------


def _other_patients_goal(db, world) -> int:  # type: ignore[no-untyped-def]
    enrollment = db.scalar(
        select(Enrollment).where(Enrollment.patient_id == world.other_patient.id)
    )
    plan = TreatmentPlan(
        patient_id=world.other_patient.id, enrollment_id=enrollment.id, status="draft"
    )
    plan.problems = [PlanProblem(statement="Someone else's", goals=[PlanGoal(statement="Theirs")])]
    db.add(plan)
    db.flush()
    return plan.problems[0].goals[0].id


BAD_INPUT = {
    "empty objective": ("objectives", "statement", {"statement": "  "}),
    "target before the plan starts": ("objectives", "target_date", {"target_date": "2026-11-15"}),
    "target not a date": ("objectives", "target_date", {"target_date": "next week"}),
    "another patient's goal": ("objectives", "goal_id", {"goal_id": "OTHER"}),
    "unknown goal": ("objectives", "goal_id", {"goal_id": 999999}),
    "staff of another site": ("interventions", "responsible_staff_id", {"staff": "other"}),
    "unknown modality": ("interventions", "modality", {"modality": "hypnosis"}),
    "no frequency": ("interventions", "frequency", {"frequency": ""}),
    "unknown field": ("interventions", "colour", {"colour": "blue"}),
}


@pytest.mark.parametrize("case", list(BAD_INPUT))
def test_bad_input_names_the_field_and_writes_nothing(client, db, world, case):
    path, field, changes = BAD_INPUT[case]
    plan = complete_plan(db, world)
    goal = plan.problems[0].goals[0]
    objective = goal.objectives[0]
    if changes.get("goal_id") == "OTHER":
        changes = {"goal_id": _other_patients_goal(db, world)}
    if changes.get("staff") == "other":
        changes = {"responsible_staff_id": world.user("other_site_counselor").staff_member_id}
    if path == "objectives":
        body = _objective(goal.id, plan.version, **changes)
    else:
        body = _intervention(objective.id, plan.version, **changes)
    before, version = _counts(db), _stored_version(db, plan.id)
    answer = client.post(
        f"{API}/treatment-plans/{plan.id}/{path}",
        json=body,
        headers=_as(db, world, "care_counselor"),
    )
    assert answer.status_code == 422, answer.text
    assert field in answer.json()["fields"]
    assert (_counts(db), _stored_version(db, plan.id)) == (before, version)


def test_bad_changes_name_the_field_and_change_nothing(client, db, world):
    plan = complete_plan(db, world)
    headers = _as(db, world, "care_counselor")
    base = f"{API}/treatment-plans/{plan.id}"
    goal_id = plan.problems[0].goals[0].id
    objective = plan.problems[0].goals[0].objectives[0]
    for body, field in (
        ({"statement": ""}, "statement"),
        ({"target_date": "2026-11-01"}, "target_date"),
        ({"goal_id": _other_patients_goal(db, world)}, "goal_id"),
    ):
        answer = client.patch(
            f"{base}/objectives/{objective.id}",
            json={"version": plan.version} | body,
            headers=headers,
        )
        assert answer.status_code == 422 and field in answer.json()["fields"], answer.text
    db.expire_all()
    stored = db.get(PlanObjective, objective.id)
    assert (stored.statement, stored.target_date.isoformat(), stored.goal_id) == (
        "Name three coping skills that replace drinking",
        "2026-12-14",
        goal_id,
    )
    # an item of another plan, named in the address, is not found
    other_goal = _other_patients_goal(db, world)
    assert (
        client.patch(
            f"{base}/goals/{other_goal}", json={"version": plan.version}, headers=headers
        ).status_code
        == 404
    )
    assert db.get(PlanGoal, other_goal).statement == "Theirs"


def test_the_patient_signs_with_their_own_name_and_agreement(client, db, world):
    plan = complete_plan(db, world)
    headers = _as(db, world, "care_counselor")
    url = f"{API}/treatment-plans/{plan.id}/signatures"
    body = {"version": plan.version, "signer": "patient", "typed_name": "Pat Quillfeather"}
    refused = client.post(url, json=body, headers=headers)  # `agreed` left out
    assert refused.status_code == 422 and set(refused.json()["fields"]) == {"agreed"}
    refused = client.post(
        url, json=body | {"typed_name": "Robin Marrowby", "agreed": True}, headers=headers
    )
    assert refused.status_code == 422 and "typed_name" in refused.json()["fields"]
    wrong_role = client.post(
        url, json={"version": plan.version, "signer": "physician"}, headers=headers
    )
    assert wrong_role.status_code == 422 and "signer" in wrong_role.json()["fields"]
    db.expire_all()
    stored = db.get(TreatmentPlan, plan.id)
    assert stored.patient_signed_at is None and stored.physician_signed_at is None


# ---- who may ----------------------------------------------------------------------------

ALLOWED = ("care_counselor", "care_physician", "facilitator", "director")
REFUSED = (
    "front_desk",
    "billing",
    "auditor",
    "patient",
    "other_site_counselor",
    "site_counselor",  # a counselor at the site, not on Pat's care team
    "admissions",
    "admin",
)


@pytest.mark.parametrize("persona", ALLOWED)
def test_the_care_team_and_director_may_build_a_plan(client, db, world, persona):
    headers = _as(db, world, persona)
    started = client.post(
        f"{API}/patients/{world.patient.id}/treatment-plans", json={}, headers=headers
    )
    assert started.status_code == 201, started.text
    plan = started.json()
    added = client.post(
        f"{API}/treatment-plans/{plan['id']}/problems",
        json={"version": plan["version"], "statement": "Housing"},
        headers=headers,
    )
    assert added.status_code == 201
    assert events(db, "plan.add_problem")[-1].user_email == world.user(persona).email


@pytest.mark.parametrize("persona", REFUSED)
def test_everyone_else_is_refused_and_audited(client, db, world, persona):
    plan = complete_plan(db, world)
    problem = plan.problems[0]
    headers = _as(db, world, persona)
    email = world.user(persona).email
    base = f"{API}/treatment-plans/{plan.id}"
    before, version = _counts(db), _stored_version(db, plan.id)
    attempts = {
        "plan.read": ("get", base, None),
        "plan.create": ("post", f"{API}/patients/{world.patient.id}/treatment-plans", {}),
        "plan.add_problem": ("post", f"{base}/problems", {"version": version, "statement": "x"}),
        "plan.edit_problem": (
            "patch",
            f"{base}/problems/{problem.id}",
            {"version": version, "statement": "x"},
        ),
        "plan.remove_problem": ("delete", f"{base}/problems/{problem.id}?version={version}", None),
        "plan.sign_counselor": (
            "post",
            f"{base}/signatures",
            {"version": version, "signer": "counselor"},
        ),
    }
    for action, (method, url, body) in attempts.items():
        answer = client.request(method, url, json=body, headers=headers)
        assert answer.status_code == 403, (action, answer.text)
        assert answer.json()["error"] == "Not allowed"
        refusal = db.scalars(
            select(AuditEvent)
            .where(AuditEvent.action == action, AuditEvent.outcome == "refused")
            .order_by(AuditEvent.seq.desc())
        ).first()
        assert refusal is not None, action
        assert (refusal.user_email, refusal.channel) == (email, "api")
        assert refusal.patient_id == world.patient.id
    assert (_counts(db), _stored_version(db, plan.id)) == (before, version)


def test_an_unknown_plan_is_not_found(client, db, world):
    headers = _as(db, world, "care_counselor")
    assert client.get(f"{API}/treatment-plans/999999", headers=headers).status_code == 404
    answer = client.post(
        f"{API}/treatment-plans/999999/problems",
        json={"version": 1, "statement": "x"},
        headers=headers,
    )
    assert answer.status_code == 404


# ---- the active plan: objective progress and dated reviews ------------------------------


def _progress(db, plan_id: int, objective_id: int) -> tuple[object, ...]:  # type: ignore[no-untyped-def]
    """What a progress or review call could change: the objective's status, the reviews,
    the plan's version."""
    db.expire_all()
    reviews = db.scalar(select(func.count(PlanReview.id)).where(PlanReview.plan_id == plan_id))
    return db.get(PlanObjective, objective_id).status, reviews, _stored_version(db, plan_id)


def test_objective_progress_and_reviews_are_recorded_on_the_active_plan(client, db, world):
    plan = signed_plan(db, world)
    objective = plan.problems[0].goals[0].objectives[0]
    base = f"{API}/treatment-plans/{plan.id}"
    counselor = _as(db, world, "care_counselor")

    met = client.put(
        f"{base}/objectives/{objective.id}/status",
        json={"version": plan.version, "status": "partially_met"},
        headers=counselor,
    )
    assert met.status_code == 200, met.text
    answer = met.json()
    assert answer["item_id"] == objective.id
    assert answer["plan"]["problems"][0]["goals"][0]["objectives"][0]["status"] == "partially_met"
    assert answer["plan"]["version"] > plan.version  # the next change must have read this one

    reviewed = client.post(
        f"{base}/reviews",
        json={
            "version": answer["plan"]["version"],
            "kind": "periodic",
            "note": "  Attends 5 days a week; one coping skill named.  ",
        },
        headers=counselor,
    )
    assert reviewed.status_code == 201, reviewed.text
    [review] = reviewed.json()["plan"]["reviews"]
    assert review == {
        "id": reviewed.json()["item_id"],
        "kind": "periodic",
        "reviewed_on": "2026-11-16",  # dated today, local
        "reviewed_by_user_id": world.user("care_counselor").id,
        "note": "Attends 5 days a week; one coping skill named.",
    }
    physician = client.post(
        f"{base}/reviews",
        json={
            "version": reviewed.json()["plan"]["version"],
            "kind": "physician",
            "note": "Medication plan unchanged.",
        },
        headers=_as(db, world, "care_physician"),
    )
    assert physician.status_code == 201, physician.text
    assert [r["kind"] for r in physician.json()["plan"]["reviews"]] == ["periodic", "physician"]

    chart = client.get(f"{API}/patients/{world.patient.id}/treatment-plan", headers=counselor)
    assert chart.json()["review"]["next_review_due"] == "2026-12-16"  # 30 days after the review
    assert len(chart.json()["active"]["reviews"]) == 2
    for action in ("plan.objective_status", "plan.review_periodic", "plan.review_physician"):
        [event] = events(db, action)
        assert (event.channel, event.patient_id) == ("api", world.patient.id)
    assert events(db, "plan.objective_status")[0].object_id == str(objective.id)


@pytest.mark.parametrize("persona", ALLOWED)
def test_the_care_team_and_director_record_progress_and_reviews(client, db, world, persona):
    plan = signed_plan(db, world)
    objective = plan.problems[0].goals[0].objectives[0]
    headers = _as(db, world, persona)
    base = f"{API}/treatment-plans/{plan.id}"
    met = client.put(
        f"{base}/objectives/{objective.id}/status",
        json={"version": plan.version, "status": "met"},
        headers=headers,
    )
    assert met.status_code == 200, met.text
    reviewed = client.post(
        f"{base}/reviews",
        json={"version": met.json()["plan"]["version"], "kind": "periodic", "note": "On track."},
        headers=headers,
    )
    assert reviewed.status_code == 201, reviewed.text
    assert events(db, "plan.review_periodic")[-1].user_email == world.user(persona).email


BAD_PROGRESS = {
    "unknown status": ("status", {"status": "done"}, "status"),
    "no status": ("status", {}, "status"),
    "status as a number": ("status", {"status": 3}, "status"),
    "unknown field": ("status", {"status": "met", "note": "x"}, "note"),
    "unknown kind of review": ("reviews", {"kind": "yearly", "note": "Fine"}, "kind"),
    "empty note": ("reviews", {"kind": "periodic", "note": "   "}, "note"),
    "no note": ("reviews", {"kind": "periodic"}, "note"),
    "physician review by a counselor": ("reviews", {"kind": "physician", "note": "x"}, "kind"),
    "review dated by the caller": (
        "reviews",
        {"kind": "periodic", "note": "x", "reviewed_on": "2026-10-01"},
        "reviewed_on",
    ),
}


@pytest.mark.parametrize("case", list(BAD_PROGRESS))
def test_bad_progress_or_review_names_the_field_and_changes_nothing(client, db, world, case):
    path, body, field = BAD_PROGRESS[case]
    plan = signed_plan(db, world)
    objective = plan.problems[0].goals[0].objectives[0]
    url = f"{API}/treatment-plans/{plan.id}/" + (
        f"objectives/{objective.id}/status" if path == "status" else "reviews"
    )
    before = _progress(db, plan.id, objective.id)
    answer = client.request(
        "put" if path == "status" else "post",
        url,
        json={"version": plan.version} | body,
        headers=_as(db, world, "care_counselor"),
    )
    assert answer.status_code == 422, answer.text
    assert field in answer.json()["fields"]
    assert _progress(db, plan.id, objective.id) == before


def test_a_draft_has_no_progress_or_reviews_to_record(client, db, world):
    plan = complete_plan(db, world)
    objective = plan.problems[0].goals[0].objectives[0]
    headers = _as(db, world, "care_counselor")
    base = f"{API}/treatment-plans/{plan.id}"
    before = _progress(db, plan.id, objective.id)
    status = client.put(
        f"{base}/objectives/{objective.id}/status",
        json={"version": plan.version, "status": "met"},
        headers=headers,
    )
    assert status.status_code == 422 and "status" in status.json()["fields"], status.text
    review = client.post(
        f"{base}/reviews",
        json={"version": plan.version, "kind": "periodic", "note": "Too early"},
        headers=headers,
    )
    assert review.status_code == 422 and "kind" in review.json()["fields"], review.text
    assert _progress(db, plan.id, objective.id) == before


def test_a_superseded_plan_keeps_its_progress_and_reviews(client, db, world):
    from openiop.clinical import plan_service, plan_signing_service
    from tests.db.support_clinical import as_persona

    old = signed_plan(db, world)
    objective = old.problems[0].goals[0].objectives[0]
    who = as_persona(db, world, "care_counselor")
    revision = plan_service.start_plan(db, actor=who, patient_id=world.patient.id)
    for signer, persona, name in (
        ("patient", "care_counselor", "Pat Quillfeather"),
        ("counselor", "care_counselor", ""),
        ("physician", "care_physician", ""),
    ):
        plan_signing_service.sign(
            db,
            actor=as_persona(db, world, persona),
            plan_id=revision.id,
            signer=signer,
            typed_name=name,
        )
    old = plan_service.load_plan(db, old.id)
    assert old.status == "superseded"
    before = _progress(db, old.id, objective.id)
    headers = _as(db, world, "care_counselor")
    status = client.put(
        f"{API}/treatment-plans/{old.id}/objectives/{objective.id}/status",
        json={"version": old.version, "status": "met"},
        headers=headers,
    )
    assert status.status_code == 422 and "status" in status.json()["fields"]
    review = client.post(
        f"{API}/treatment-plans/{old.id}/reviews",
        json={"version": old.version, "kind": "periodic", "note": "Late"},
        headers=headers,
    )
    assert review.status_code == 422 and "kind" in review.json()["fields"]
    assert _progress(db, old.id, objective.id) == before


def test_stale_progress_or_review_is_a_conflict_and_changes_nothing(client, db, world):
    plan = signed_plan(db, world)
    objective = plan.problems[0].goals[0].objectives[0]
    base = f"{API}/treatment-plans/{plan.id}"
    counselor, physician = _as(db, world, "care_counselor"), _as(db, world, "care_physician")
    read = plan.version
    first = client.post(
        f"{base}/reviews",
        json={"version": read, "kind": "physician", "note": "Seen today."},
        headers=physician,
    )
    assert first.status_code == 201, first.text
    before = _progress(db, plan.id, objective.id)
    stale = client.put(
        f"{base}/objectives/{objective.id}/status",
        json={"version": read, "status": "met"},
        headers=counselor,
    )
    assert stale.status_code == 409 and stale.json()["error"] == "Changed by someone else"
    stale = client.post(
        f"{base}/reviews",
        json={"version": read, "kind": "periodic", "note": "On track."},
        headers=counselor,
    )
    assert stale.status_code == 409
    assert _progress(db, plan.id, objective.id) == before
    missing = client.put(
        f"{base}/objectives/{objective.id}/status", json={"status": "met"}, headers=counselor
    )
    assert missing.status_code == 422 and "version" in missing.json()["fields"]


def test_an_objective_of_another_plan_is_not_found(client, db, world):
    plan = signed_plan(db, world)
    objective = plan.problems[0].goals[0].objectives[0]
    headers = _as(db, world, "care_counselor")
    enrollment = db.scalar(
        select(Enrollment).where(Enrollment.patient_id == world.other_patient.id)
    )
    other = TreatmentPlan(
        patient_id=world.other_patient.id, enrollment_id=enrollment.id, status="active"
    )
    db.add(other)
    db.flush()
    before = _progress(db, plan.id, objective.id)
    for plan_id in (other.id, 999999):
        answer = client.put(
            f"{API}/treatment-plans/{plan_id}/objectives/{objective.id}/status",
            json={"version": plan.version, "status": "met"},
            headers=headers,
        )
        assert answer.status_code == 404, answer.text
    assert (
        client.post(
            f"{API}/treatment-plans/999999/reviews",
            json={"version": 1, "kind": "periodic", "note": "x"},
            headers=headers,
        ).status_code
        == 404
    )
    assert _progress(db, plan.id, objective.id) == before
    assert not events(db, "plan.objective_status")  # nothing of either plan was read


@pytest.mark.parametrize("persona", REFUSED)
def test_everyone_else_is_refused_progress_and_reviews(client, db, world, persona):
    plan = signed_plan(db, world)
    objective = plan.problems[0].goals[0].objectives[0]
    headers = _as(db, world, persona)
    base = f"{API}/treatment-plans/{plan.id}"
    before = _progress(db, plan.id, objective.id)
    attempts = {
        "plan.objective_status": (
            "put",
            f"{base}/objectives/{objective.id}/status",
            {"version": plan.version, "status": "met"},
        ),
        "plan.review_periodic": (
            "post",
            f"{base}/reviews",
            {"version": plan.version, "kind": "periodic", "note": "On track."},
        ),
        "plan.review_physician": (
            "post",
            f"{base}/reviews",
            {"version": plan.version, "kind": "physician", "note": "Seen."},
        ),
    }
    for action, (method, url, body) in attempts.items():
        answer = client.request(method, url, json=body, headers=headers)
        assert answer.status_code == 403, (action, answer.text)
        assert answer.json()["error"] == "Not allowed"
        [refusal] = events(db, action, "refused")
        assert (refusal.user_email, refusal.channel) == (world.user(persona).email, "api")
        assert refusal.patient_id == world.patient.id
    assert _progress(db, plan.id, objective.id) == before
    assert not events(db, "plan.objective_status") and not events(db, "plan.review_periodic")
