"""Measurement-based care: give PHQ-9, GAD-7 or BAM on a staff device, score it with the
shared instrument definitions, keep the score as computed, raise the urgent same-day task for
a PHQ-9 item 9 answer above 0, and say what is due. Keyword-only, never commits."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from openiop.clinical import measures_repository as repo
from openiop.clinical import measures_rules as rules
from openiop.clinical import plan_repository
from openiop.clinical.access import audit_listed, authorize_chart, principal_of, site_scope, today
from openiop.instruments import URGENT_SAME_DAY_FOLLOW_UP, get_instrument, score
from openiop.kit import clock
from openiop.kit.errors import NotFound, ValidationFailed
from openiop.models import ClinicalTask, Enrollment, MeasureAdministration, MeasureSchedule
from openiop.security import audit
from openiop.security.audit import Actor, AuditEntry
from openiop.security.permissions import Permission
from openiop.security.service import require

URGENT_TASK = "urgent_safety_follow_up"


@dataclass(frozen=True)
class MeasuresChart:
    enrollment: Enrollment | None
    given: dict[str, list[MeasureAdministration]]  # instrument → oldest first
    due: list[rules.Due]


def measures_chart(session: Session, *, actor: Actor, patient_id: int) -> MeasuresChart:
    authorize_chart(session, actor=actor, patient_id=patient_id, action="measure.read")
    return measures_of(session, patient_id)


def measures_of(session: Session, patient_id: int) -> MeasuresChart:
    """For callers that have already authorized the read."""
    return measures_of_enrollment(session, plan_repository.current_enrollment(session, patient_id))


def measures_of_enrollment(session: Session, enrollment: Enrollment | None) -> MeasuresChart:
    """The same, for a caller that has already loaded the patient's current enrollment."""
    if enrollment is None:
        return MeasuresChart(None, {}, [])
    rows = repo.administrations(session, enrollment.id)
    given = {name: [r for r in rows if r.instrument == name] for name in rules.MEASURES}
    due = []
    if enrollment.status in plan_repository.OPEN:
        last = {name: items[-1].administered_on for name, items in given.items() if items}
        due = rules.schedule_status(
            schedule(session, enrollment.program_id),
            admit_date=enrollment.admit_date,
            last_given=last,
            today=site_today(session, enrollment.location_id),
        )
    return MeasuresChart(enrollment, given, due)


def site_today(session: Session, location_id: int) -> date:
    """Today at the site: a measure falls due on the local date where the patient is
    treated, which differs from the server's zone near midnight at a site in another zone."""
    site = repo.location(session, location_id)
    return clock.today_in(site.time_zone) if site else today()


def schedule(session: Session, program_id: int) -> tuple[rules.ScheduleEntry, ...]:
    """The program's schedule; the defaults until a program sets its own."""
    rows = repo.schedules(session, program_id)
    if not rows:
        return rules.DEFAULT_SCHEDULE
    entries = (rules.ScheduleEntry(r.instrument, r.at_intake, r.interval_days) for r in rows)
    active = {r.instrument for r in rows if r.active}
    order = {name: i for i, name in enumerate(rules.MEASURES)}
    return tuple(
        sorted(
            (e for e in entries if e.instrument in active),
            key=lambda e: order.get(e.instrument, 99),
        )
    )


def set_schedule(
    session: Session, *, actor: Actor, program_id: int, data: Mapping[str, object]
) -> tuple[rules.ScheduleEntry, ...]:
    require(session, actor, Permission.CONFIG_WRITE, action="measure.schedule")
    if repo.program(session, program_id) is None:
        raise NotFound(f"No program with id {program_id}.")
    wanted = {name: rules.parse_schedule_entry(name, data) for name in rules.MEASURES}
    existing = {r.instrument: r for r in repo.schedules(session, program_id)}
    for name, entry in wanted.items():
        row = existing.get(name)
        if row is None:  # a turned-off instrument keeps sensible values for turning it on
            row = MeasureSchedule(program_id=program_id, instrument=name, at_intake=True)
            row.interval_days = 7 if name == "BAM" else 14
        row.active = entry is not None
        if entry is not None:
            row.at_intake, row.interval_days = entry.at_intake, entry.interval_days
        repo.add(session, row)
    detail = ", ".join(f"{n}={e.interval_days}d" if e else f"{n}=off" for n, e in wanted.items())
    audit.record(
        session,
        actor,
        AuditEntry("measure.schedule", object_type="program", object_id=program_id, detail=detail),
    )
    return schedule(session, program_id)


def give(
    session: Session,
    *,
    actor: Actor,
    patient_id: int,
    instrument: str,
    data: Mapping[str, object],
) -> MeasureAdministration:
    """Score and store one questionnaire; a PHQ-9 item 9 above 0 raises the urgent task."""
    authorize_chart(session, actor=actor, patient_id=patient_id, action="measure.give", write=True)
    if instrument not in rules.MEASURES:
        raise NotFound(f"{instrument} is not given here; choose PHQ-9, GAD-7 or BAM.")
    enrollment = plan_repository.current_enrollment(session, patient_id)
    if enrollment is None or enrollment.status not in plan_repository.OPEN:
        raise ValidationFailed("The patient has no open enrollment.")
    definition = get_instrument(instrument)
    given_on = rules.parse_given_on(
        data, admit_date=enrollment.admit_date, today=site_today(session, enrollment.location_id)
    )
    result = score(instrument, rules.parse_answers(data, len(definition.items)))
    row = MeasureAdministration(
        patient_id=patient_id,
        enrollment_id=enrollment.id,
        instrument=instrument,
        administered_on=given_on,
        answers=list(result.answers),
        total=result.total,
        band=result.band.code if result.band else None,
        subscales=dict(result.subscales),
        flags=list(result.flags),
        administered_by_user_id=principal_of(actor).user_id,
        created_at=clock.now(),
    )
    if URGENT_SAME_DAY_FOLLOW_UP in result.flags:
        row.urgent_task_id = _urgent_task(session, enrollment).id
    repo.add(session, row)
    audit.record(
        session,
        actor,
        AuditEntry(
            "measure.give",
            patient_id=patient_id,
            object_type="measure",
            object_id=row.id,
            detail=f"{instrument} total={row.total} flags={','.join(row.flags) or 'none'}",
        ),
    )
    return row


def _urgent_task(session: Session, enrollment: Enrollment) -> ClinicalTask:
    """Due the patient's local today at their site, for their primary counselor."""
    task = ClinicalTask(
        kind=URGENT_TASK,
        location_id=enrollment.location_id,
        patient_id=enrollment.patient_id,
        assigned_staff_id=enrollment.primary_counselor_id,
        title="PHQ-9 item 9 above 0: same-day safety follow-up",
        due_date=site_today(session, enrollment.location_id),
        status="open",
        created_at=clock.now(),
    )
    repo.add(session, task)
    return task


def band_label(instrument: str, code: str | None) -> str:
    if code is None:
        return ""
    for band in get_instrument(instrument).bands:
        if band.code == code:
            return band.label
    return code


# ---- the site's due list ----------------------------------------------------------------


@dataclass(frozen=True)
class DueRow:
    enrollment: Enrollment
    due: list[rules.Due]  # only the due and overdue ones


def due_list(session: Session, *, actor: Actor, location_id: int) -> list[DueRow]:
    scope = site_scope(session, actor=actor, location_id=location_id, action="measure.due_list")
    enrollments = plan_repository.open_enrollments_at(session, location_id, scope)
    last = repo.last_given(session, [e.id for e in enrollments])
    schedules: dict[int, tuple[rules.ScheduleEntry, ...]] = {}
    on = site_today(session, location_id)
    rows = []
    for enrollment in enrollments:
        if enrollment.program_id not in schedules:
            schedules[enrollment.program_id] = schedule(session, enrollment.program_id)
        mine = {i: d for (e, i), d in last.items() if e == enrollment.id}
        status = rules.schedule_status(
            schedules[enrollment.program_id],
            admit_date=enrollment.admit_date,
            last_given=mine,
            today=on,
        )
        pending = [d for d in status if d.state != "upcoming"]
        if pending:
            rows.append(DueRow(enrollment, pending))
    audit_listed(
        session, actor, "measure.due_list", location_id, [r.enrollment.patient_id for r in rows]
    )
    return rows
