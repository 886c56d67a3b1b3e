"""One patient's compliance for this week and last week: the chart's attendance tab.

Same rules as the enrollment compliance API (compliance_service): Permission.MINUTES_READ,
and for counselors and physicians full access (the care team); billing and admins read the
figures with the site's limited access. One audited read per page. Never commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.orm import Session

from openiop.attendance import repository
from openiop.attendance.compliance import (
    ProgramPolicy,
    WeekCompliance,
    iso_week_of,
    week_dates,
    weekly_compliance,
)
from openiop.attendance.ledger_service import as_ledger_day
from openiop.attendance.rules import ledger_entries
from openiop.attendance.service import principal_of
from openiop.kit import clock
from openiop.models import Enrollment
from openiop.security.audit import Actor
from openiop.security.permissions import CLINICAL_ROLES, Access, Permission
from openiop.security.service import authorize_patient, require


@dataclass(frozen=True)
class WeekFigures:
    label: str  # "This week" / "Last week"
    compliance: WeekCompliance

    @property
    def percent(self) -> int:
        required = self.compliance.required_group_minutes
        return min(100, round(100 * self.compliance.group_minutes / required)) if required else 0


@dataclass(frozen=True)
class PatientCompliance:
    patient_id: int
    patient_name: str
    enrollment: Enrollment | None  # the active one, else the latest; None if never enrolled
    weeks: tuple[WeekFigures, ...]


def patient_compliance(session: Session, *, actor: Actor, patient_id: int) -> PatientCompliance:
    require(session, actor, Permission.MINUTES_READ, action="compliance.read")
    need = Access.FULL if principal_of(actor).role in CLINICAL_ROLES else Access.LIMITED
    authorize_patient(
        session, actor=actor, patient_id=patient_id, action="compliance.read", need=need
    )
    enrollments = repository.patient_enrollments(session, patient_id)
    enrollment = enrollments[0] if enrollments else None
    name = repository.patient_name(session, patient_id)
    weeks = _recent_weeks(session, enrollment) if enrollment else ()
    return PatientCompliance(patient_id, name, enrollment, weeks)


def _recent_weeks(session: Session, enrollment: Enrollment) -> tuple[WeekFigures, ...]:
    """This week and the one before, in the site's time zone (ISO weeks, Monday first).
    After discharge, the discharge week and the one before. A week that ended before the
    admission is left out: its "gaps" would only say the patient was not yet in care."""
    today = clock.today_in(enrollment.location.time_zone)
    if enrollment.discharge_date is not None and enrollment.discharge_date < today:
        today = enrollment.discharge_date
        labels = ("Week of discharge", "The week before")
    else:
        labels = ("This week", "Last week")
    weeks = zip(labels, (iso_week_of(today), iso_week_of(today - timedelta(7))), strict=True)
    return tuple(
        WeekFigures(label, _week(session, enrollment, week))
        for label, week in weeks
        if week_dates(week)[1] >= enrollment.admit_date
    )


def _week(session: Session, enrollment: Enrollment, week: str) -> WeekCompliance:
    monday, sunday = week_dates(week)
    rows = repository.ledger_rows(session, enrollment.id, monday, sunday)
    entries = ledger_entries(as_ledger_day(row) for row in rows)
    policy = ProgramPolicy.from_program(enrollment.program)
    return weekly_compliance(policy, enrollment.location.time_zone, week, entries)
