"""Clinical rows the clinical browser test needs in the seeded clinic: for Pat, a signed
treatment plan, four weeks of PHQ-9 / GAD-7 / BAM and a few drug screens; for Morgan, a
plan still waiting for signatures. Called by clinic._build_clinic. Only synthetic data."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from openiop.instruments import score
from openiop.models import (
    DrugScreen,
    DrugScreenResult,
    Enrollment,
    MeasureAdministration,
    Patient,
    PlanGoal,
    PlanIntervention,
    PlanObjective,
    PlanProblem,
    StaffMember,
    TreatmentPlan,
    User,
)

START = date(2026, 11, 2)  # the seeded admission date; four weeks of history follow
SIGNED = datetime(2026, 11, 4, 17, 0, tzinfo=UTC)
PHQ9 = [
    [3, 3, 2, 2, 2, 2, 2, 1, 0],
    [2, 2, 2, 2, 1, 2, 1, 1, 0],
    [2, 2, 1, 2, 1, 1, 1, 0, 0],
    [1, 1, 1, 1, 1, 1, 1, 0, 0],
]
GAD7 = [[3, 2, 2, 2, 1, 2, 2], [2, 2, 2, 2, 1, 1, 2], [2, 1, 1, 2, 1, 1, 1], [1, 1, 1, 1, 0, 1, 1]]


def seed_clinical(db: Session, *, pat: Patient, morgan: Patient, counselor: StaffMember) -> None:
    users = {u.staff_member_id: u for u in db.scalars(select(User)) if u.staff_member_id}
    enrollment = _open_enrollment(db, pat)
    plan = _plan(db, pat, enrollment, counselor)
    _sign(plan, pat, users, enrollment)
    _measures(db, pat, enrollment)
    _screens(db, pat, enrollment)
    draft = _plan(db, morgan, _open_enrollment(db, morgan), counselor)
    draft.counselor_signed_by_user_id = users[counselor.id].id
    draft.counselor_signed_at = SIGNED
    db.flush()


def _open_enrollment(db: Session, patient: Patient) -> Enrollment:
    query = select(Enrollment).where(
        Enrollment.patient_id == patient.id, Enrollment.status == "active"
    )
    return db.scalars(query).one()


def _plan(
    db: Session, patient: Patient, enrollment: Enrollment, counselor: StaffMember
) -> TreatmentPlan:
    plan = TreatmentPlan(patient_id=patient.id, enrollment_id=enrollment.id, status="draft")
    plan.problems = []
    db.add(plan)
    db.flush()  # objectives carry the plan's id
    coping = PlanObjective(
        plan_id=plan.id,
        statement="Name and practise three coping skills that replace drinking",
        measure="Skills named and practised in individual session",
        target_date=date(2026, 12, 14),
        interventions=[
            PlanIntervention(
                description="Relapse-prevention skills practice",
                modality="individual",
                frequency="Weekly, 50 minutes",
                responsible_staff_id=counselor.id,
            ),
            PlanIntervention(
                description="Coping-skills group curriculum",
                modality="group",
                frequency="5 days a week, 3 hours",
            ),
        ],
    )
    mood = PlanObjective(
        plan_id=plan.id,
        statement="Bring the PHQ-9 total below 10",
        measure="PHQ-9 every two weeks",
        target_date=date(2026, 12, 28),
        interventions=[
            PlanIntervention(
                description="Medication review", modality="medication", frequency="Weekly visit"
            )
        ],
    )
    plan.problems = [
        PlanProblem(
            position=0,
            statement="Drinks most evenings to manage stress after work",
            asam_dimension=5,
            goals=[PlanGoal(statement="Stay sober one day at a time", objectives=[coping])],
        ),
        PlanProblem(
            position=1,
            statement="Low mood and poor sleep",
            asam_dimension=3,
            goals=[PlanGoal(statement="Feel steadier day to day", objectives=[mood])],
        ),
    ]
    db.flush()
    return plan


def _sign(plan: TreatmentPlan, pat: Patient, users: dict, enrollment: Enrollment) -> None:  # type: ignore[type-arg]
    plan.patient_signed_name, plan.patient_signed_at = pat.full_name, SIGNED
    plan.counselor_signed_by_user_id = users[enrollment.primary_counselor_id].id
    plan.counselor_signed_at = SIGNED
    plan.physician_signed_by_user_id = users[enrollment.physician_id].id
    plan.physician_signed_at = SIGNED + timedelta(hours=2)
    plan.status, plan.activated_on = "active", SIGNED.date()


def _measures(db: Session, pat: Patient, enrollment: Enrollment) -> None:
    given = [("PHQ-9", START + timedelta(days=7 * i), a) for i, a in enumerate(PHQ9)]
    given += [("GAD-7", START + timedelta(days=7 * i), a) for i, a in enumerate(GAD7)]
    for week in range(4):
        use = max(0, 3 - week)
        answers = [2, 2, 2, use, max(0, use - 1), 0] + [0] * 7 + [max(0, 3 - week)]
        answers += [2 + (week > 1), 2, 1, 2, 2, 4, 1, 3, 1]
        given.append(("BAM", START + timedelta(days=7 * week), answers))
    for instrument, on, answers in given:
        result = score(instrument, answers)
        db.add(
            MeasureAdministration(
                patient_id=pat.id,
                enrollment_id=enrollment.id,
                instrument=instrument,
                administered_on=on,
                answers=list(answers),
                total=result.total,
                band=result.band.code if result.band else None,
                subscales=dict(result.subscales),
                flags=list(result.flags),
                created_at=datetime.combine(on, datetime.min.time(), tzinfo=UTC),
            )
        )


def _screens(db: Session, pat: Patient, enrollment: Enrollment) -> None:
    rows = [
        (START + timedelta(days=1), [("alcohol", "positive"), ("cannabinoids", "negative")]),
        (START + timedelta(days=8), [("alcohol", "negative"), ("cannabinoids", "negative")]),
        (START + timedelta(days=15), [("alcohol", "dilute")]),
        (START + timedelta(days=22), [("alcohol", "negative"), ("benzodiazepines", "expected")]),
    ]
    for on, results in rows:
        screen = DrugScreen(
            patient_id=pat.id,
            enrollment_id=enrollment.id,
            collected_on=on,
            observed=True,
            specimen="urine",
            testing="point_of_care",
        )
        screen.results = [
            DrugScreenResult(
                substance_class=cls,
                result=res,
                medication="Clonazepam 0.5 mg (prescribed)" if res == "expected" else None,
                recorded_at=datetime.combine(on, datetime.min.time(), tzinfo=UTC),
            )
            for cls, res in results
        ]
        db.add(screen)
    db.flush()
