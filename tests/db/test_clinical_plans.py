"""Treatment plans through the service: building a draft, the three signatures, activation,
revision, reviews and the site's overdue list; bad input refused with nothing changed. And the
plan page's forms in two signed-in sessions at once: each form sends the plan version it was
shown, and the second to save gets its form back (409) with what it typed, nothing changed."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from openiop.clinical import (
    plan_edit_service,
    plan_review_service,
    plan_service,
    plan_signing_service,
)
from openiop.kit.errors import Conflict, ValidationFailed
from openiop.models import (
    PlanGoal,
    PlanIntervention,
    PlanObjective,
    PlanProblem,
    PlanReview,
    TreatmentPlan,
)
from openiop.security.service import Refused
from tests.db.support_clinical import (
    as_persona,
    complete_plan,
    events,
    freeze,
    signed_plan,
)
from tests.personas import build_world, csrf_of, sign_in


@pytest.fixture
def world(db):
    freeze()
    return build_world(db)


def test_a_plan_is_built_problem_goal_objective_intervention(db, world):
    plan = complete_plan(db, world)
    assert plan.status == "draft"
    problem = plan.problems[0]
    objective = problem.goals[0].objectives[0]
    assert problem.asam_dimension == 5
    assert objective.plan_id == plan.id
    assert objective.target_date.isoformat() == "2026-12-14"
    assert objective.interventions[0].responsible_staff.full_name
    assert plan_service.complete(plan)
    assert events(db, "plan.create")


def test_three_signatures_activate_the_plan(db, world):
    plan = signed_plan(db, world)
    assert plan.status == "active"
    assert plan.activated_on.isoformat() == "2026-11-16"
    assert plan.patient_signed_name == "Pat Quillfeather"
    assert len(events(db, "plan.activate")) == 1
    chart = plan_service.plan_chart(
        db, actor=as_persona(db, world, "care_counselor"), patient_id=world.patient.id
    )
    assert chart.active.id == plan.id and chart.draft is None
    # the physician's signature is the physician review within 30 days of admission
    assert chart.status.physician_reviewed_on.isoformat() == "2026-11-16"
    assert not chart.status.overdue


def test_signing_twice_is_refused_and_changes_nothing(db, world):
    plan = complete_plan(db, world)
    who = as_persona(db, world, "care_counselor")
    plan_signing_service.sign(db, actor=who, plan_id=plan.id, signer="counselor")
    first = plan.counselor_signed_at
    with pytest.raises(ValidationFailed, match="already signed"):
        plan_signing_service.sign(db, actor=who, plan_id=plan.id, signer="counselor")
    assert plan_service.load_plan(db, plan.id).counselor_signed_at == first


def test_the_patient_signs_with_their_own_name(db, world):
    plan = complete_plan(db, world)
    who = as_persona(db, world, "care_counselor")
    with pytest.raises(ValidationFailed) as refused:
        plan_signing_service.sign(
            db, actor=who, plan_id=plan.id, signer="patient", typed_name="Robin Marrowby"
        )
    assert "typed_name" in refused.value.field_errors
    assert plan_service.load_plan(db, plan.id).patient_signed_at is None
    plan_signing_service.sign(
        db, actor=who, plan_id=plan.id, signer="patient", typed_name="  pat  QUILLFEATHER "
    )
    assert plan_service.load_plan(db, plan.id).patient_signed_name == "pat QUILLFEATHER"


def test_only_a_physician_signs_as_physician(db, world):
    plan = complete_plan(db, world)
    with pytest.raises(ValidationFailed, match="physician"):
        plan_signing_service.sign(
            db, actor=as_persona(db, world, "care_counselor"), plan_id=plan.id, signer="physician"
        )
    with pytest.raises(ValidationFailed, match="counselor"):
        plan_signing_service.sign(
            db, actor=as_persona(db, world, "care_physician"), plan_id=plan.id, signer="counselor"
        )


def test_an_incomplete_plan_cannot_be_signed(db, world):
    who = as_persona(db, world, "care_counselor")
    plan = plan_service.start_plan(db, actor=who, patient_id=world.patient.id)
    plan_edit_service.add_problem(db, actor=who, plan_id=plan.id, data={"statement": "Housing"})
    with pytest.raises(ValidationFailed, match="measurable objective"):
        plan_signing_service.sign(db, actor=who, plan_id=plan.id, signer="counselor")


def test_changing_a_partly_signed_draft_clears_its_signatures(db, world):
    plan = complete_plan(db, world)
    who = as_persona(db, world, "care_counselor")
    plan_signing_service.sign(db, actor=who, plan_id=plan.id, signer="counselor")
    plan_edit_service.add_problem(
        db, actor=who, plan_id=plan.id, data={"statement": "Unstable housing"}
    )
    again = plan_service.load_plan(db, plan.id)
    assert again.counselor_signed_at is None and len(again.problems) == 2


def test_a_signed_plan_is_not_edited_but_revised(db, world):
    plan = signed_plan(db, world)
    who = as_persona(db, world, "care_counselor")
    with pytest.raises(ValidationFailed, match="revise"):
        plan_edit_service.add_problem(db, actor=who, plan_id=plan.id, data={"statement": "More"})
    draft = plan_service.start_plan(db, actor=who, patient_id=world.patient.id)
    draft = plan_service.load_plan(db, draft.id)
    copied = draft.problems[0].goals[0].objectives[0]
    assert copied.plan_id == draft.id and copied.statement.startswith("Name three")
    assert copied.interventions[0].modality == "individual"
    with pytest.raises(Conflict):
        plan_service.start_plan(db, actor=who, patient_id=world.patient.id)
    # signing the revision supersedes the old plan
    plan_signing_service.sign(
        db, actor=who, plan_id=draft.id, signer="patient", typed_name="Pat Quillfeather"
    )
    plan_signing_service.sign(db, actor=who, plan_id=draft.id, signer="counselor")
    plan_signing_service.sign(
        db, actor=as_persona(db, world, "care_physician"), plan_id=draft.id, signer="physician"
    )
    statuses = dict(db.execute(select(TreatmentPlan.id, TreatmentPlan.status)).all())
    assert statuses == {plan.id: "superseded", draft.id: "active"}


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"statement": "", "measure": "x", "target_date": "2026-12-01"}, "statement"),
        ({"statement": "x", "measure": "", "target_date": "2026-12-01"}, "measure"),
        ({"statement": "x", "measure": "x", "target_date": "next week"}, "target_date"),
        ({"statement": "x", "measure": "x", "target_date": "2026-11-15"}, "target_date"),
    ],
)
def test_a_bad_objective_names_the_field_and_adds_nothing(db, world, data, field):
    plan = complete_plan(db, world)
    goal = plan.problems[0].goals[0]
    before = db.scalar(select(func.count(PlanObjective.id)))
    with pytest.raises(ValidationFailed) as refused:
        plan_edit_service.add_objective(
            db, actor=as_persona(db, world, "care_counselor"), goal_id=goal.id, data=data
        )
    assert field in refused.value.field_errors
    assert db.scalar(select(func.count(PlanObjective.id))) == before


def test_an_intervention_names_staff_of_this_site_only(db, world):
    plan = complete_plan(db, world)
    objective = plan.problems[0].goals[0].objectives[0]
    other = world.user("other_site_counselor").staff_member_id
    with pytest.raises(ValidationFailed) as refused:
        plan_edit_service.add_intervention(
            db,
            actor=as_persona(db, world, "care_counselor"),
            objective_id=objective.id,
            data={
                "description": "Check-ins",
                "modality": "case_management",
                "frequency": "weekly",
                "responsible_staff_id": str(other),
            },
        )
    assert "responsible_staff_id" in refused.value.field_errors


def test_reviews_and_the_overdue_list(db, world):
    plan = signed_plan(db, world)  # active Nov 16: review due Dec 16
    director = as_persona(db, world, "director")
    site = world.site_a.id
    freeze(datetime(2026, 12, 17, 0, 30, tzinfo=UTC))  # Dec 16 16:30 in California: due, not late
    assert plan_review_service.overdue_reviews(db, actor=director, location_id=site) == []
    freeze(datetime(2026, 12, 17, 8, 30, tzinfo=UTC))  # Dec 17 00:30 local: overdue
    rows = plan_review_service.overdue_reviews(db, actor=director, location_id=site)
    assert [r.enrollment.patient_id for r in rows] == [world.patient.id]
    assert "overdue since 2026-12-16" in rows[0].status.problems[0]
    assert events(db, "plan.overdue_list")[-1].patient_id == world.patient.id
    plan_review_service.record_review(
        db,
        actor=as_persona(db, world, "care_counselor"),
        plan_id=plan.id,
        kind="periodic",
        note="Attending 5 days a week; coping skills objective on track.",
    )
    assert plan_review_service.overdue_reviews(db, actor=director, location_id=site) == []


def test_a_physician_review_only_by_a_physician(db, world):
    plan = signed_plan(db, world)
    with pytest.raises(ValidationFailed, match="physician"):
        plan_review_service.record_review(
            db,
            actor=as_persona(db, world, "care_counselor"),
            plan_id=plan.id,
            kind="physician",
            note="Reviewed",
        )
    review = plan_review_service.record_review(
        db,
        actor=as_persona(db, world, "care_physician"),
        plan_id=plan.id,
        kind="physician",
        note="Medication plan unchanged.",
    )
    assert review.reviewed_on.isoformat() == "2026-11-16"


def test_without_a_plan_the_physician_review_falls_overdue_after_30_days(db, world):
    director = as_persona(db, world, "director")
    rows = plan_review_service.overdue_reviews(db, actor=director, location_id=world.site_a.id)
    assert rows[0].status.problems == ("No signed treatment plan yet.",)
    freeze(datetime(2026, 12, 3, 8, 30, tzinfo=UTC))  # Dec 3 local: admitted Nov 2, due Dec 2
    rows = plan_review_service.overdue_reviews(db, actor=director, location_id=world.site_a.id)
    assert rows[0].status.physician_overdue


def test_a_counselor_lists_only_their_caseload_and_others_are_refused(db, world):
    site = world.site_a.id
    mine = plan_review_service.overdue_reviews(
        db, actor=as_persona(db, world, "care_counselor"), location_id=site
    )
    assert [r.enrollment.patient_id for r in mine] == [world.patient.id]
    assert (
        plan_review_service.overdue_reviews(
            db, actor=as_persona(db, world, "site_counselor"), location_id=site
        )
        == []
    )
    for persona in ("other_site_counselor", "billing", "front_desk", "auditor", "admin", "patient"):
        with pytest.raises(Refused):
            plan_review_service.overdue_reviews(
                db, actor=as_persona(db, world, persona), location_id=site
            )


def test_objective_status_is_set_and_checked(db, world):
    plan = signed_plan(db, world)
    objective = plan.problems[0].goals[0].objectives[0]
    who = as_persona(db, world, "care_counselor")
    with pytest.raises(ValidationFailed):
        plan_review_service.set_objective_status(
            db, actor=who, objective_id=objective.id, data={"status": "done"}
        )
    plan_review_service.set_objective_status(
        db, actor=who, objective_id=objective.id, data={"status": "met"}
    )
    assert db.get(PlanObjective, objective.id).status == "met"


def test_items_are_removed_from_a_draft_only(db, world):
    plan = complete_plan(db, world)
    who = as_persona(db, world, "care_counselor")
    objective = plan.problems[0].goals[0].objectives[0]
    intervention = objective.interventions[0]
    plan_edit_service.remove_item(db, actor=who, kind="intervention", item_id=intervention.id)
    assert not plan_service.complete(plan_service.load_plan(db, plan.id))
    plan_edit_service.remove_item(db, actor=who, kind="problem", item_id=plan.problems[0].id)
    again = plan_service.load_plan(db, plan.id)
    assert again.problems == []
    assert db.scalar(select(func.count(PlanObjective.id))) == 0


def test_a_signed_plan_loses_nothing_and_strangers_are_refused(db, world):
    signed = signed_plan(db, world)
    problem_id = signed.problems[0].id
    with pytest.raises(ValidationFailed, match="revise"):
        plan_edit_service.remove_item(
            db, actor=as_persona(db, world, "care_counselor"), kind="problem", item_id=problem_id
        )
    with pytest.raises(Refused):
        plan_edit_service.remove_item(
            db, actor=as_persona(db, world, "billing"), kind="problem", item_id=problem_id
        )
    assert len(plan_service.load_plan(db, signed.id).problems) == 1


def test_a_change_racing_another_transaction_is_a_conflict(db, world):
    from openiop.clinical.access import flush_or_conflict

    plan = complete_plan(db, world)  # read at version N
    # another transaction signed meanwhile: the stored version is now N + 1
    db.execute(
        TreatmentPlan.__table__.update()
        .where(TreatmentPlan.id == plan.id)
        .values(version=TreatmentPlan.version + 1)
    )
    plan.summary = "Changed on a stale copy"
    with pytest.raises(Conflict, match="at the same time"):
        flush_or_conflict(db)


# ---- the plan page in two sessions: stale forms -----------------------------------------

STALE = "changed by someone else since you opened it — review and save again"


@pytest.fixture
def second(app) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    """Another browser: a second clinician with the same plan open."""
    with TestClient(app, base_url="http://127.0.0.1") as other:
        yield other


def _open(browser: TestClient, db, world, persona: str) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    """Sign in and open the patient's plan page: the CSRF token and the version its forms
    carry (one plan on the page in these tests, so one version)."""
    sign_in(browser, world.user(persona).email)
    token = csrf_of(browser)
    page = browser.get(f"/patients/{world.patient.id}/plan")
    assert page.status_code == 200
    [version] = set(re.findall(r'name="version" value="(\d+)"', page.text))
    return token, version


def _stored(db) -> tuple[object, ...]:  # type: ignore[no-untyped-def]
    """Everything a plan form could change."""
    db.expire_all()
    counts = tuple(
        db.scalar(select(func.count(model.id)))
        for model in (PlanProblem, PlanGoal, PlanObjective, PlanIntervention, PlanReview)
    )
    plans = db.execute(
        select(
            TreatmentPlan.id,
            TreatmentPlan.version,
            TreatmentPlan.patient_signed_at,
            TreatmentPlan.counselor_signed_at,
        ).order_by(TreatmentPlan.id)
    ).all()
    statuses = db.execute(select(PlanObjective.id, PlanObjective.status)).all()
    return counts, plans, sorted(statuses)


def test_two_clinicians_add_to_one_draft_and_the_second_is_told(client, second, db, world):
    plan = complete_plan(db, world)
    mine, read = _open(client, db, world, "care_counselor")
    theirs, also_read = _open(second, db, world, "director")
    assert read == also_read == str(plan.version)

    first = client.post(
        f"/plans/{plan.id}/problems",
        data={"csrf_token": mine, "version": read, "statement": "Unstable housing"},
    )
    assert first.status_code == 200 and "Unstable housing" in first.text
    before = _stored(db)
    late = second.post(
        f"/plans/{plan.id}/problems",
        data={
            "csrf_token": theirs,
            "version": also_read,
            "statement": "Conflict with partner about drinking",
            "asam_dimension": "6",
        },
    )
    assert late.status_code == 409
    assert STALE in late.text
    # the form is back, open, with what they typed; the page shows the other clinician's change
    assert re.search(r'<details open id="problem">', late.text)
    assert ">Conflict with partner about drinking</textarea>" in late.text
    assert re.search(r'<option value="6"\s+selected>', late.text)
    assert "Unstable housing" in late.text
    assert _stored(db) == before
    [fresh] = set(re.findall(r'name="version" value="(\d+)"', late.text))
    assert int(fresh) == int(read) + 1

    again = second.post(
        f"/plans/{plan.id}/problems",
        data={
            "csrf_token": theirs,
            "version": fresh,
            "statement": "Conflict with partner about drinking",
        },
    )
    assert again.status_code == 200 and STALE not in again.text
    assert len(plan_service.load_plan(db, plan.id).problems) == 3


def _draft_forms(plan: TreatmentPlan) -> dict[str, tuple[str, dict[str, str], str]]:
    """Each draft form: its address, what the user typed, and text of it re-shown."""
    problem = plan.problems[0]
    goal = problem.goals[0]
    objective = goal.objectives[0]
    return {
        "goal": (f"/plan-problems/{problem.id}/goals", {"statement": "Keep my job"}, "Keep my job"),
        "objective": (
            f"/plan-goals/{goal.id}/objectives",
            {"statement": "Call sponsor daily", "measure": "Call log", "target_date": "2026-12-20"},
            'value="2026-12-20"',
        ),
        "intervention": (
            f"/plan-objectives/{objective.id}/interventions",
            {"description": "Sponsor check-ins", "modality": "peer_support", "frequency": "Daily"},
            'value="Daily"',
        ),
        "remove": (f"/plan-items/goal/{goal.id}/remove", {}, "Nothing was changed"),
        "sign as patient": (
            f"/plans/{plan.id}/sign",
            {"signer": "patient", "typed_name": "Pat Quillfeather"},
            'value="Pat Quillfeather"',
        ),
        "sign as counselor": (
            f"/plans/{plan.id}/sign",
            {"signer": "counselor"},
            'id="sign-counselor"',
        ),
    }


@pytest.mark.parametrize(
    "form",
    ["goal", "objective", "intervention", "remove", "sign as patient", "sign as counselor"],
)
def test_every_draft_form_sent_on_a_stale_version_changes_nothing(client, second, db, world, form):
    plan = complete_plan(db, world)
    url, typed, shown = _draft_forms(plan)[form]
    mine, read = _open(client, db, world, "care_counselor")
    theirs, _ = _open(second, db, world, "care_physician")
    # meanwhile the physician signs: the plan stays complete, so every form is still offered
    signed = second.post(
        f"/plans/{plan.id}/sign",
        data={"csrf_token": theirs, "version": read, "signer": "physician"},
    )
    assert signed.status_code == 200 and "Physician: signed by" in signed.text
    before = _stored(db)
    late = client.post(url, data={"csrf_token": mine, "version": read} | typed)
    assert late.status_code == 409, late.text
    assert STALE in late.text and shown in late.text
    assert _stored(db) == before


@pytest.mark.parametrize("form", ["status", "review"])
def test_the_active_plans_forms_sent_on_a_stale_version_change_nothing(
    client, second, db, world, form
):
    plan = signed_plan(db, world)
    objective = plan.problems[0].goals[0].objectives[0]
    mine, read = _open(client, db, world, "care_counselor")
    theirs, _ = _open(second, db, world, "care_physician")
    assert (
        f'action="/plan-objectives/{objective.id}/status"'
        in client.get(f"/patients/{world.patient.id}/plan").text
    )
    physician = second.post(
        f"/plans/{plan.id}/reviews",
        data={"csrf_token": theirs, "version": read, "kind": "physician", "note": "Seen today."},
    )
    assert physician.status_code == 200 and "Seen today." in physician.text
    before = _stored(db)
    if form == "status":
        url, typed = f"/plan-objectives/{objective.id}/status", {"status": "not_met"}
        shown = re.compile(r'<option value="not_met"\s+selected>')
    else:
        url, typed = f"/plans/{plan.id}/reviews", {"kind": "periodic", "note": "Missed 2 groups."}
        shown = re.compile(r">Missed 2 groups\.</textarea>")
    late = client.post(url, data={"csrf_token": mine, "version": read} | typed)
    assert late.status_code == 409, late.text
    assert STALE in late.text and shown.search(late.text)
    assert "Seen today." in late.text  # what the other clinician did is on the page
    assert _stored(db) == before
    [fresh] = set(re.findall(r'name="version" value="(\d+)"', late.text))
    saved = client.post(url, data={"csrf_token": mine, "version": fresh} | typed)
    assert saved.status_code == 200, saved.text
    assert _stored(db) != before


def test_a_version_that_is_not_a_number_is_stale_not_saved(client, db, world):
    plan = complete_plan(db, world)
    token, _ = _open(client, db, world, "care_counselor")
    before = _stored(db)
    late = client.post(
        f"/plans/{plan.id}/problems",
        data={"csrf_token": token, "version": "two", "statement": "Housing"},
    )
    assert late.status_code == 409 and STALE in late.text
    assert _stored(db) == before


def test_a_stale_form_that_is_no_longer_offered_still_says_why(client, second, db, world):
    plan = complete_plan(db, world)
    mine, read = _open(client, db, world, "care_counselor")
    theirs, _ = _open(second, db, world, "director")
    # the director adds a problem without a goal: the plan is no longer complete to sign
    assert second.post(
        f"/plans/{plan.id}/problems",
        data={"csrf_token": theirs, "version": read, "statement": "Unstable housing"},
    ).is_success
    before = _stored(db)
    late = client.post(
        f"/plans/{plan.id}/sign",
        data={"csrf_token": mine, "version": read, "signer": "patient", "typed_name": "Pat"},
    )
    assert late.status_code == 409
    assert "Sign as patient" not in late.text and "Every problem needs a goal" in late.text
    summary = late.text.index('class="error-summary"')
    assert "Nothing was changed" in late.text[summary:] and STALE in late.text[summary:]
    assert _stored(db) == before
