"""Treatment plans built and signed through the JSON API: the same rules as the page (complete
before signing, the patient's own typed name, signed plans locked, a revision as a new draft),
the plan `version` on every change (409 when stale), bad input as 422 naming the field with
nothing written, and everyone outside the care team refused with 403 and an audit event."""

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
