"""Gather what could collide with one appointment and run the pure rules over it.

`check_appointment` is the one entry other areas (weekly planning, imports) call to know
whether an appointment may be written; it reads, never writes, and audits nothing itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy.orm import Session

from openiop.calendar import repository as repo
from openiop.calendar import rules
from openiop.calendar.rules import Busy, Context, Proposal, RoomFacts
from openiop.kit.clock import as_utc
from openiop.kit.errors import ValidationFailed
from openiop.models import Appointment, GroupSession, Location, Patient, StaffMember


@dataclass(frozen=True)
class Slot:
    """An appointment as the rules see it; `exclude_id` is the one being moved."""

    patient_id: int
    staff_member_id: int
    location_id: int
    kind: str
    starts_at: datetime
    ends_at: datetime
    telehealth: bool = False
    room_id: int | None = None
    exclude_id: int | None = None


def check_appointment(session: Session, slot: Slot) -> list[rules.Conflict]:
    """Every hard conflict of `slot` (empty: it may be written)."""
    proposal = Proposal(
        slot.kind, as_utc(slot.starts_at), as_utc(slot.ends_at), slot.telehealth, slot.room_id
    )
    shape = rules.shape_problems(proposal)
    if shape:
        return shape
    return rules.check(proposal, build_context(session, slot, proposal))


def build_context(session: Session, slot: Slot, p: Proposal) -> Context:
    site = _found(
        repo.location(session, slot.location_id), "location", slot.location_id, "location_id"
    )
    patient = _found(
        repo.patient_with_commitments(session, slot.patient_id),
        "patient",
        slot.patient_id,
        "patient_id",
    )
    staff = _found(
        repo.staff_member(session, slot.staff_member_id),
        "staff member",
        slot.staff_member_id,
        "staff_member_id",
    )
    pad = timedelta(minutes=rules.TRAVEL_BUFFER_MINUTES)
    start, end = p.start - pad, p.end + pad
    days = _local_days(start, end, site.time_zone)
    pref = repo.preference(session, patient.id)
    week_start, week_end = rules.Week.containing(rules.local_date(p.start, site.time_zone)).span(
        site.time_zone
    )
    return Context(
        zone=site.time_zone,
        location_id=site.id,
        patient_name=rules.short_name(patient.first_name, patient.last_name),
        staff_name=staff.full_name,
        staff_active=staff.active,
        staff_credentials=tuple(staff.credential_list),
        staff_hours=_hours(session, staff, site, days),
        staff_busy=_staff_busy(session, staff.id, start, end, slot.exclude_id),
        patient_busy=_patient_busy(session, patient, site, days, (start, end), slot.exclude_id),
        room=_room(session, slot, p),
        closures=tuple(
            (c.closed_on, c.reason)
            for c in repo.closures_between(session, site.id, days[0], days[-1])
        ),
        telehealth_ok=bool(pref and pref.telehealth_ok),
        caseload_cap=staff.caseload_cap or None,  # 0 means no cap, as in the planner
        week_patients=repo.patients_seen_by_staff(
            session, staff.id, week_start, week_end, slot.exclude_id
        ),
        patient_id=patient.id,
    )


def _found(row, what: str, row_id: int, field: str):  # type: ignore[no-untyped-def]
    """The row, or a 422 naming the field that points nowhere."""
    if row is None:
        raise ValidationFailed(
            f"No {what} with id {row_id}.", field_errors={field: f"No {what} with id {row_id}."}
        )
    return row


def _local_days(start: datetime, end: datetime, zone: str) -> list[date]:
    first, last = rules.local_date(start, zone), rules.local_date(end, zone)
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def _hours(
    session: Session, staff: StaffMember, site: Location, days: list[date]
) -> tuple[Busy, ...]:
    out = []
    for block in repo.working_hours(session, staff.id, site.id):
        for s, e in rules.weekly_on(
            days, block.weekday, block.start_time, block.end_time, site.time_zone
        ):
            out.append(Busy(s, e, "working hours"))
    return tuple(out)


def appointment_label(a: Appointment, *, for_patient: bool) -> str:
    """'individual counseling with Dana Reyes' (the patient's side) or '... with Pat Q.'."""
    kind = rules.KIND_LABELS.get(a.kind, a.kind).lower()
    if for_patient:
        return f"{kind} with {a.staff_member.full_name}"
    return f"{kind} with {rules.short_name(a.patient.first_name, a.patient.last_name)}"


def session_label(s: GroupSession) -> str:
    return f"group '{s.track.name}' ({s.topic})"


def staff_busy(session: Session, staff_id: int, start: datetime, end: datetime) -> tuple[Busy, ...]:
    """What already occupies a staff member in [start, end): appointments, groups they lead,
    time off; for a stand-in facilitator (sessions_service.cover_session)."""
    return _staff_busy(session, staff_id, start, end, None)


def _staff_busy(
    session: Session, staff_id: int, start: datetime, end: datetime, exclude: int | None
) -> tuple[Busy, ...]:
    out = [
        Busy(as_utc(a.starts_at), as_utc(a.ends_at), appointment_label(a, for_patient=False))
        for a in repo.appointments_of_staff(session, staff_id, start, end, exclude)
    ]
    out += [
        Busy(as_utc(s.starts_at), as_utc(s.ends_at), "leading " + session_label(s))
        for s in repo.sessions_led_by(session, staff_id, start, end)
    ]
    out += [
        Busy(
            as_utc(t.starts_at),
            as_utc(t.ends_at),
            "time off" + (f" ({t.reason})" if t.reason else ""),
        )
        for t in repo.time_off_of_staff(session, staff_id, start, end)
    ]
    return tuple(out)


def _patient_busy(
    session: Session,
    patient: Patient,
    site: Location,
    days: list[date],
    window: tuple[datetime, datetime],
    exclude: int | None,
) -> tuple[Busy, ...]:
    name = rules.short_name(patient.first_name, patient.last_name)
    start, end = window
    tracks = [e.track_id for e in repo.open_enrollments(session, patient.id) if e.track_id]
    out = [
        Busy(as_utc(s.starts_at), as_utc(s.ends_at), f"{name}'s {session_label(s)}")
        for s in repo.sessions_of_tracks(session, tracks, start, end)
    ]
    for c in patient.commitments:
        label = f"{name}'s {c.label or c.kind}"
        for s, e in rules.weekly_on(days, c.weekday, c.start_time, c.end_time, site.time_zone):
            out.append(Busy(s, e, label, offsite=True))
    out += [
        Busy(
            as_utc(b.starts_at),
            as_utc(b.ends_at),
            f"{name}'s {b.label or 'blocked time'}",
            offsite=True,
        )
        for b in repo.blocks_of_patient(session, patient.id, start, end)
    ]
    out += [
        Busy(
            as_utc(a.starts_at),
            as_utc(a.ends_at),
            f"{name}'s " + appointment_label(a, for_patient=True),
        )
        for a in repo.appointments_of_patient(session, patient.id, start, end, exclude)
    ]
    return tuple(out)


def _room(session: Session, slot: Slot, p: Proposal) -> RoomFacts | None:
    if slot.room_id is None or slot.telehealth:
        return None
    room = _found(repo.room(session, slot.room_id), "room", slot.room_id, "room_id")
    busy = [
        Busy(as_utc(a.starts_at), as_utc(a.ends_at), appointment_label(a, for_patient=False))
        for a in repo.appointments_in_room(session, room.id, p.start, p.end, slot.exclude_id)
    ]
    busy += [
        Busy(as_utc(s.starts_at), as_utc(s.ends_at), session_label(s))
        for s in repo.sessions_in_room(session, room.id, p.start, p.end)
    ]
    return RoomFacts(
        room.id,
        room.name,
        room.capacity,
        room.location_id,
        room.active,
        tuple(busy),
        room.telehealth,
    )
