"""Treatment plans through the service: building a draft, the three signatures, activation,
revision, reviews and the site's overdue list; bad input refused with nothing changed."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from openiop.clinical import (
    plan_edit_service,
    plan_review_service,
    plan_service,
    plan_signing_service,
)
from openiop.kit.errors import Conflict, ValidationFailed
from openiop.models import PlanObjective, TreatmentPlan
from openiop.security.service import Refused
from tests.db.support_clinical import (
    as_persona,
    complete_plan,
    events,
    freeze,
    signed_plan,
)
from tests.personas import build_world


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
