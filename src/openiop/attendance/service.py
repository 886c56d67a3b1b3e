"""Use cases of attendance: today's sessions, a session's roster, recording attendance with
"all present" and exceptions. Functions take keyword arguments and never commit.

Who may do what:
- record or read a roster: Permission.ATTENDANCE_RECORD, at one of the actor's sites, and
  the actor leads the group (the session's facilitator or one of the track's facilitators);
  program directors and admins may record any group at their sites.
- Every roster read and every change is audited per patient; a change to a past day needs a
  reason, kept with the values before and after (ledger_service.record_correction).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified
from sqlalchemy.orm.exc import StaleDataError

from openiop.attendance import ledger_service, repository, rules
from openiop.attendance.rules import Attendance, Status
from openiop.kit import clock
from openiop.kit.errors import Conflict, NotFound, ValidationFailed
from openiop.models import Enrollment, GroupAttendance, GroupSession, Patient
from openiop.security import audit
from openiop.security.audit import Actor, AuditEntry
from openiop.security.permissions import Permission, Principal, Role
from openiop.security.service import Refused, require

MANAGERS = (Role.ADMIN, Role.PROGRAM_DIRECTOR)


@dataclass(frozen=True)
class RosterRow:
    enrollment_id: int
    patient_id: int
    patient_name: str
    status: str | None  # None: not recorded yet
    check_in: str | None  # local "HH:MM"
    check_out: str | None
    minutes: int


@dataclass(frozen=True)
class RosterView:
    session: GroupSession
    zone: str
    today: date
    rows: list[RosterRow]

    @property
    def scheduled_minutes(self) -> int:
        return int((self.session.ends_at - self.session.starts_at).total_seconds() // 60)

    @property
    def past_day(self) -> bool:
        return rules.needs_reason(self.session.session_date, self.today)

    @property
    def recorded(self) -> int:
        return sum(row.status is not None for row in self.rows)


def principal_of(actor: Actor) -> Principal:
    assert actor.principal is not None  # require() has refused anonymous actors
    return actor.principal


def zone_of(session: Session, location_id: int) -> str:
    location = repository.location(session, location_id)
    return location.time_zone if location else "America/Los_Angeles"


# ---- who leads a group ------------------------------------------------------------------------


def may_lead(principal: Principal, group: GroupSession) -> bool:
    if not principal.at_location(group.location_id):
        return False
    if principal.role in MANAGERS:
        return True
    staff = principal.staff_member_id
    if staff is None:
        return False
    return staff == group.facilitator_id or staff in {m.id for m in group.track.facilitators}


def _led_session(session: Session, actor: Actor, session_id: int, action: str) -> GroupSession:
    require(session, actor, Permission.ATTENDANCE_RECORD, action=action)
    group = repository.group_session(session, session_id)
    if group is None:
        raise NotFound(f"No group session with id {session_id}.")
    if not may_lead(principal_of(actor), group):
        raise Refused(
            "Only the group's facilitators and the site's program director record attendance.",
            AuditEntry(action, "refused", object_type="group_session", object_id=group.id),
        )
    return group


# ---- reading ----------------------------------------------------------------------------------


def roster(session: Session, *, actor: Actor, session_id: int) -> RosterView:
    group = _led_session(session, actor, session_id, "attendance.roster")
    view = _view(session, group)
    _audit(session, actor, "attendance.roster", group, view.rows, detail="roster shown")
    return view


def _view(session: Session, group: GroupSession) -> RosterView:
    zone = zone_of(session, group.location_id)
    recorded = repository.attendance_for(session, group.id)
    rows = [
        _row(enrollment, patient, recorded.get(enrollment.id), zone)
        for enrollment, patient in repository.roster(session, group)
    ]
    return RosterView(group, zone, clock.today_in(zone), rows)


def _row(
    enrollment: Enrollment, patient: Patient, record: GroupAttendance | None, zone: str
) -> RosterRow:
    name = f"{patient.preferred_name or patient.first_name} {patient.last_name}"
    return RosterRow(
        enrollment_id=enrollment.id,
        patient_id=patient.id,
        patient_name=name,
        status=record.status if record else None,
        check_in=_clock(record.check_in_at, zone) if record else None,
        check_out=_clock(record.check_out_at, zone) if record else None,
        minutes=record.minutes if record else 0,
    )


def _clock(moment: datetime | None, zone: str) -> str | None:
    return moment.astimezone(ZoneInfo(zone)).strftime("%H:%M") if moment else None


# ---- recording --------------------------------------------------------------------------------


def record_attendance(
    session: Session,
    *,
    actor: Actor,
    session_id: int,
    rows: Iterable[Mapping[str, object]],
    others: str | None = None,
    reason: str | None = None,
    version: int | None = None,
) -> RosterView:
    """Record a roster in one step: the rows given, and `others` for everyone not given.

    Every row is checked before anything is written; all the errors come back together,
    keyed "<field>-<enrollment id>", and nothing is changed.
    """
    group = _led_session(session, actor, session_id, "attendance.record")
    _check_recordable(group, version)
    view = _view(session, group)
    if group.session_date > view.today:
        message = "Attendance can be recorded on the day of the session, not before."
        raise ValidationFailed(message, field_errors={"session": message})
    wanted = _wanted(view, rows, others)
    resolved = _resolve_all(group, view.zone, wanted)
    changes = _changes(session, group, view.zone, resolved)
    reason = rules.checked_reason(reason, group.session_date, view.today) if changes else None
    _mark_held(session, group, changes)
    for change in changes:
        _apply(session, actor, group, change, reason)
    for enrollment_id, *_ in changes:
        ledger_service.recompute_day(session, enrollment_id=enrollment_id, day=group.session_date)
    fresh = _view(session, group)
    changed = {c[0] for c in changes}
    _audit(
        session,
        actor,
        "attendance.record",
        group,
        [r for r in fresh.rows if r.enrollment_id in changed],
        detail=None,
    )
    return fresh


def _check_recordable(group: GroupSession, version: int | None) -> None:
    if group.status == "cancelled":
        message = "This session was cancelled; there is no attendance to record."
        raise ValidationFailed(message, field_errors={"session": message})
    if version is not None and version != group.version:
        raise Conflict("Someone else recorded this session since you opened it. Reload it.")


def _wanted(
    view: RosterView, rows: Iterable[Mapping[str, object]], others: str | None
) -> dict[int, Mapping[str, object]]:
    on_roster = {row.enrollment_id for row in view.rows}
    wanted: dict[int, Mapping[str, object]] = {}
    for row in rows:
        enrollment_id = _int(row.get("enrollment_id"))
        if enrollment_id not in on_roster:
            message = f"Enrollment {row.get('enrollment_id')} is not on this session's roster."
            raise ValidationFailed(message, field_errors={"enrollment_id": message})
        wanted[enrollment_id] = row
    if others:
        # Only the not-yet-recorded: "all present" never overwrites an earlier exception.
        for row in view.rows:
            if row.status is None:
                wanted.setdefault(row.enrollment_id, {"status": others})
    return wanted


def _int(value: object) -> int:
    try:
        return int(str(value))
    except ValueError:
        return -1


def _resolve_all(
    group: GroupSession, zone: str, wanted: Mapping[int, Mapping[str, object]]
) -> dict[int, Attendance]:
    start = group.starts_at.astimezone(ZoneInfo(zone))
    end = group.ends_at.astimezone(ZoneInfo(zone))
    resolved: dict[int, Attendance] = {}
    errors: dict[str, str] = {}
    for enrollment_id, row in wanted.items():
        try:
            resolved[enrollment_id] = _resolve(row, start, end)
        except ValidationFailed as error:
            errors.update({f"{k}-{enrollment_id}": v for k, v in error.field_errors.items()})
    if errors:
        raise ValidationFailed(
            f"{len(errors)} row(s) need correcting; nothing was saved.", field_errors=errors
        )
    return resolved


def _resolve(row: Mapping[str, object], start: datetime, end: datetime) -> Attendance:
    status = rules.parse_status(str(row.get("status") or ""))
    check_in = rules.parse_clock(_text(row.get("check_in")), "check_in")
    check_out = rules.parse_clock(_text(row.get("check_out")), "check_out")
    return rules.resolve(
        status,
        rules.on_session_day(check_in, start, end) if check_in else None,
        rules.on_session_day(check_out, start, end) if check_out else None,
        start,
        end,
    )


def _text(value: object) -> str | None:
    return None if value is None else str(value)


Change = tuple[int, int, GroupAttendance | None, Attendance]


def _changes(
    session: Session, group: GroupSession, zone: str, resolved: Mapping[int, Attendance]
) -> list[Change]:
    """(enrollment, patient, recorded row or None, new attendance) for rows that differ."""
    recorded = repository.attendance_for(session, group.id)
    patients = {e.id: p.id for e, p in repository.roster(session, group)}
    changes: list[Change] = []
    for enrollment_id, attendance in sorted(resolved.items()):
        record = recorded.get(enrollment_id)
        if record is None or _values(record) != _values(attendance):
            changes.append((enrollment_id, patients[enrollment_id], record, attendance))
    return changes


def _values(item: GroupAttendance | Attendance) -> dict[str, object]:
    if isinstance(item, GroupAttendance):
        check_in, check_out = item.check_in_at, item.check_out_at
        status, minutes = item.status, item.minutes
    else:
        check_in, check_out = item.check_in, item.check_out
        status, minutes = str(item.status), item.minutes
    return {
        "status": status,
        "check_in": clock.as_utc(check_in).isoformat() if check_in else None,
        "check_out": clock.as_utc(check_out).isoformat() if check_out else None,
        "minutes": minutes,
    }


def _apply(
    session: Session, actor: Actor, group: GroupSession, change: Change, reason: str | None
) -> None:
    enrollment_id, patient_id, record, attendance = change
    before = _values(record) if record else None
    if record is None:
        record = GroupAttendance(
            group_session_id=group.id, enrollment_id=enrollment_id, patient_id=patient_id
        )
        repository.add(session, record)
    record.status = str(attendance.status)
    record.check_in_at = attendance.check_in
    record.check_out_at = attendance.check_out
    record.minutes = attendance.minutes
    record.recorded_by_user_id = principal_of(actor).user_id
    repository.flush(session)
    if reason is not None:
        ledger_service.record_correction(
            session,
            actor=actor,
            patient_id=patient_id,
            enrollment_id=enrollment_id,
            service_date=group.session_date,
            object_type="group_attendance",
            object_id=record.id,
            reason=reason,
            before=before or {},
            after=_values(attendance),
        )


def _mark_held(session: Session, group: GroupSession, changes: list[Change]) -> None:
    """A session with anyone in the room was held. Any change also touches the session, so
    its version moves on and a second facilitator saving at the same time gets a conflict
    instead of silently overwriting (or a duplicate-row error)."""
    if not changes:
        return
    if group.status == "scheduled" and any(c[3].minutes > 0 for c in changes):
        group.status = "held"
    group.updated_at = clock.now()
    flag_modified(group, "updated_at")  # an UPDATE (and a new version) even within a tick
    try:
        repository.flush(session)
    except (StaleDataError, IntegrityError):
        raise Conflict("Someone else recorded this session at the same time. Reload it.") from None


def _audit(
    session: Session,
    actor: Actor,
    action: str,
    group: GroupSession,
    rows: list[RosterRow],
    detail: str | None,
) -> None:
    # One event per patient: "who saw my record" is searched by patient.
    entries = [
        AuditEntry(
            action,
            patient_id=row.patient_id,
            object_type="group_session",
            object_id=group.id,
            detail=detail or f"{row.status} {row.minutes} min",
        )
        for row in rows
    ]
    if not entries:
        entries = [AuditEntry(action, object_type="group_session", object_id=group.id)]
    audit.record_many(session, actor, entries)


__all__ = ["RosterRow", "RosterView", "Status", "record_attendance", "roster"]
