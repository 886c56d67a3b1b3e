"""The chart's attendance tab as a use case: this week and last week from the minutes ledger,
weeks before the admission left out, the discharge week after discharge, and who may read it
(the same rules as the enrollment compliance API). Clock frozen on Wednesday 2026-12-02."""

from __future__ import annotations

from datetime import date

import pytest

from openiop.attendance.patient_compliance_service import patient_compliance
from openiop.kit.errors import Forbidden
from openiop.models import DailyMinutes
from tests.db.support_attendance import WEDNESDAY, actor_for, enrollment_of, freeze
from tests.personas import build_world


@pytest.fixture
def world(db):  # type: ignore[no-untyped-def]
    built = build_world(db)
    freeze(WEDNESDAY)
    return built


def _minutes(db, enrollment, day: date, group: int) -> None:  # type: ignore[no-untyped-def]
    db.add(
        DailyMinutes(
            enrollment_id=enrollment.id,
            patient_id=enrollment.patient_id,
            location_id=enrollment.location_id,
            service_date=day,
            group_minutes=group,
            group_sessions_attended=1,
            group_scheduled_minutes=180,
        )
    )
    db.flush()


def _read(db, world, persona: str):  # type: ignore[no-untyped-def]
    actor = actor_for(db, world.user(persona))
    return patient_compliance(db, actor=actor, patient_id=world.patient.id)


def test_this_week_and_last_week_come_from_the_ledger(db, world):
    enrollment = enrollment_of(db, world.patient)
    for day, minutes in ((date(2026, 11, 30), 180), (date(2026, 12, 1), 150)):
        _minutes(db, enrollment, day, minutes)
    _minutes(db, enrollment, date(2026, 11, 25), 180)  # last week (W48)
    found = _read(db, world, "care_counselor")
    assert [(w.label, w.compliance.week) for w in found.weeks] == [
        ("This week", "2026-W49"),
        ("Last week", "2026-W48"),
    ]
    this, last = found.weeks
    assert (this.compliance.group_minutes, this.compliance.group_days) == (330, 2)
    assert this.percent == round(100 * 330 / this.compliance.required_group_minutes)
    assert last.compliance.group_minutes == 180
    assert last.compliance.gaps  # one day of five: the gaps are named in words
    assert found.patient_name == "Pat Quillfeather"


def test_a_week_before_the_admission_is_left_out(db, world):
    enrollment_of(db, world.patient).admit_date = date(2026, 11, 30)
    db.flush()
    found = _read(db, world, "care_counselor")
    assert [w.label for w in found.weeks] == ["This week"]


def test_after_discharge_the_discharge_week_is_shown(db, world):
    enrollment = enrollment_of(db, world.patient)
    enrollment.status, enrollment.discharge_date = "discharged", date(2026, 11, 20)
    db.flush()
    found = _read(db, world, "director")
    assert [(w.label, w.compliance.week) for w in found.weeks] == [
        ("Week of discharge", "2026-W47"),
        ("The week before", "2026-W46"),
    ]


@pytest.mark.parametrize("persona", ["care_physician", "facilitator", "director", "billing"])
def test_the_care_team_directors_and_billing_may_read(db, world, persona):
    assert len(_read(db, world, persona).weeks) == 2


@pytest.mark.parametrize(
    "persona",
    ["site_counselor", "other_site_counselor", "front_desk", "admissions", "auditor", "patient"],
)
def test_everyone_else_is_refused(db, world, persona):
    with pytest.raises(Forbidden):
        _read(db, world, persona)
