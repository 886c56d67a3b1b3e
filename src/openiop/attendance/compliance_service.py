"""Weekly compliance per enrollment, the minutes ledger for billing, and the location
dashboard. All figures come from the minutes ledger (daily_minutes) through the pure rules
in attendance/compliance.py. Functions take keyword arguments and never commit.

Who may:
- an enrollment's compliance or ledger: Permission.MINUTES_READ; billing and admins with
  the site's limited access, clinicians only with full access (care team), directors at
  their sites.
- the location dashboard: Permission.COMPLIANCE_DASHBOARD at one of the actor's sites.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy.orm import Session

from openiop.attendance import repository
from openiop.attendance.compliance import (
    ProgramPolicy,
    WeekCompliance,
    iso_week_bounds,
    iso_week_of,
    missed_consecutive_days,
    week_dates,
    weekly_compliance,
)
from openiop.attendance.ledger_service import as_ledger_day
from openiop.attendance.rules import LedgerDay, ledger_entries
from openiop.attendance.service import principal_of
from openiop.kit import clock
from openiop.kit.errors import NotFound, ValidationFailed
from openiop.models import AttendanceCorrection, DailyMinutes, Enrollment, Patient, Program
from openiop.security import audit
from openiop.security.audit import Actor, AuditEntry
from openiop.security.permissions import CLINICAL_ROLES, Access, Permission
from openiop.security.service import Refused, authorize_patient, require

MAX_LEDGER_DAYS = 366


def _enrollment_for(session: Session, actor: Actor, enrollment_id: int, action: str) -> Enrollment:
    require(session, actor, Permission.MINUTES_READ, action=action)
    enrollment = repository.enrollment(session, enrollment_id)
    if enrollment is None:
        raise NotFound(f"No enrollment with id {enrollment_id}.")
    # Billing and admins need the minutes, not the chart: the site's limited access is
    # enough. A counselor or physician reads them as part of the chart: care team only.
    need = Access.FULL if principal_of(actor).role in CLINICAL_ROLES else Access.LIMITED
    authorize_patient(
        session,
        actor=actor,
        patient_id=enrollment.patient_id,
        action=action,
        need=need,
        object_type="enrollment",
        object_id=enrollment.id,
    )
    return enrollment


def enrollment_compliance(
    session: Session, *, actor: Actor, enrollment_id: int, week: str | None
) -> WeekCompliance:
    enrollment = _enrollment_for(session, actor, enrollment_id, "compliance.read")
    zone = enrollment.location.time_zone
    week = week if week is not None else iso_week_of(clock.today_in(zone))
    monday, sunday = week_dates(week)  # ValidationFailed on "week" for a bad one
    rows = repository.ledger_rows(session, enrollment.id, monday, sunday)
    entries = ledger_entries(as_ledger_day(row) for row in rows)
    return weekly_compliance(ProgramPolicy.from_program(enrollment.program), zone, week, entries)


def ledger(
    session: Session, *, actor: Actor, enrollment_id: int, first: date, last: date
) -> tuple[Enrollment, Sequence[DailyMinutes], Sequence[AttendanceCorrection]]:
    """The ledger rows of one enrollment in [first, last], and the corrections made to
    those days after the fact: what billing reads (a corrected day may need a rebill)."""
    if last < first:
        message = "The end date must not be before the start date."
        raise ValidationFailed(message, field_errors={"to": message})
    if (last - first).days >= MAX_LEDGER_DAYS:
        message = f"Ask for at most {MAX_LEDGER_DAYS} days at a time."
        raise ValidationFailed(message, field_errors={"to": message})
    enrollment = _enrollment_for(session, actor, enrollment_id, "minutes.read")
    rows = repository.ledger_rows(session, enrollment.id, first, last)
    return enrollment, rows, repository.corrections_between(session, enrollment.id, first, last)


# ---- the location dashboard -------------------------------------------------------------------


@dataclass(frozen=True)
class DashboardRow:
    enrollment_id: int
    patient_id: int
    patient_name: str
    track: str | None
    compliance: WeekCompliance
    projected_minutes: int  # attended + still scheduled this week
    missed_two_in_a_row: bool
    individual_booked: int
    physician_booked: int

    @property
    def percent(self) -> int:
        required = self.compliance.required_group_minutes
        return min(100, self.compliance.group_minutes * 100 // required) if required else 100

    @property
    def behind(self) -> bool:
        return self.projected_minutes < self.compliance.required_group_minutes


@dataclass(frozen=True)
class Dashboard:
    location_id: int
    location_name: str
    week: str
    today: date
    rows: list[DashboardRow]
    sites: list[tuple[int, str]]  # the sites the actor may switch to

    @property
    def behind(self) -> list[DashboardRow]:
        return [r for r in self.rows if r.behind]

    @property
    def missed(self) -> list[DashboardRow]:
        return [r for r in self.rows if r.missed_two_in_a_row]

    @property
    def unbooked(self) -> list[DashboardRow]:
        return [r for r in self.rows if not r.individual_booked or not r.physician_booked]


def dashboard(
    session: Session, *, actor: Actor, location_id: int | None, week: str | None = None
) -> Dashboard:
    """The site's week; without a location, the first of the actor's sites by name."""
    require(session, actor, Permission.COMPLIANCE_DASHBOARD, action="compliance.dashboard")
    sites = repository.locations(session, principal_of(actor).location_ids)
    if location_id is None:
        if not sites:
            raise NotFound("You have no site to show.")
        location_id = sites[0][0]
    place = repository.location(session, location_id)
    if place is None:
        raise NotFound(f"No location with id {location_id}.")
    if not principal_of(actor).at_location(location_id):
        raise Refused(
            "This location is not one of your sites.",
            AuditEntry(
                "compliance.dashboard", "refused", object_type="location", object_id=location_id
            ),
        )
    today = clock.today_in(place.time_zone)
    week = week or iso_week_of(today)
    rows = _dashboard_rows(session, place.id, place.time_zone, week, today)
    audit.record_many(
        session,
        actor,
        [
            AuditEntry(
                "compliance.dashboard",
                patient_id=r.patient_id,
                object_type="enrollment",
                object_id=r.enrollment_id,
                detail=week,
            )
            for r in rows
        ]
        or [AuditEntry("compliance.dashboard", object_type="location", object_id=location_id)],
    )
    return Dashboard(place.id, place.name, week, today, rows, sites)


def _dashboard_rows(
    session: Session, location_id: int, zone: str, week: str, today: date
) -> list[DashboardRow]:
    """Four aggregate queries for the whole site, then pure arithmetic per patient."""
    monday, sunday = week_dates(week)
    first = min(monday, today - timedelta(days=7))
    in_care = repository.enrollments_in_care(session, location_id, monday, sunday)
    days = repository.ledger_days_at(session, location_id, first, sunday)
    sessions = repository.track_sessions(session, location_id, first, sunday)
    booked = repository.booked_appointments(session, location_id, *iso_week_bounds(week, zone))
    schedule: dict[int, dict[date, int]] = {}
    for track_id, on, start, end in sessions:
        schedule.setdefault(track_id, {})[on] = int((end - start).total_seconds() // 60)
    context = _Context(zone, week, monday, sunday, today, {})
    return [
        _dashboard_row(context, row, days.get(row[0].id, []), schedule, booked) for row in in_care
    ]


@dataclass(frozen=True)
class _Context:
    zone: str
    week: str
    monday: date
    sunday: date
    today: date
    policies: dict[int, ProgramPolicy]  # per program id, built once per page

    def policy(self, program: Program) -> ProgramPolicy:
        if program.id not in self.policies:
            self.policies[program.id] = ProgramPolicy.from_program(program)
        return self.policies[program.id]


def _dashboard_row(
    context: _Context,
    row: tuple[Enrollment, Patient, Program, str | None],
    days: list[tuple[Any, ...]],
    schedule: dict[int, dict[date, int]],
    booked: dict[tuple[int, str], int],
) -> DashboardRow:
    enrollment, patient, program, track_name = row
    ledger_days = [
        LedgerDay(on, group, scheduled, tuple(individual), physician, visits)
        for on, group, scheduled, individual, physician, visits in days
    ]
    week_days = [d for d in ledger_days if context.monday <= d.service_date <= context.sunday]
    result = weekly_compliance(
        context.policy(program), context.zone, context.week, ledger_entries(week_days)
    )
    track_days = {
        on: minutes
        for on, minutes in schedule.get(enrollment.track_id, {}).items()
        if on >= enrollment.admit_date
    }
    recorded = {d.service_date for d in week_days if d.group_scheduled_minutes}
    remaining = sum(
        minutes
        for on, minutes in track_days.items()
        if context.monday <= on <= context.sunday
        and (on > context.today or (on == context.today and on not in recorded))
    )
    attended = {d.service_date for d in ledger_days if d.group_minutes > 0}
    recent = [on for on in track_days if context.today - timedelta(days=7) <= on < context.today]
    return DashboardRow(
        enrollment_id=enrollment.id,
        patient_id=patient.id,
        patient_name=f"{patient.last_name}, {patient.preferred_name or patient.first_name}",
        track=track_name,
        compliance=result,
        projected_minutes=result.group_minutes + remaining,
        missed_two_in_a_row=missed_consecutive_days(attended, recent),
        individual_booked=booked.get((patient.id, "individual"), 0),
        physician_booked=booked.get((patient.id, "physician"), 0),
    )
