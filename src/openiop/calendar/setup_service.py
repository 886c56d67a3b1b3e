"""The calendar's settings: curriculum topics, closures, staff hours and time off.

Who may: reading needs Permission.CALENDAR_READ; changing needs CALENDAR_CONFIGURE (program
directors and admins) at the location concerned. Patients' own blocks and preferences are
in patient_service.py, because they are patient data and audited as such.
"""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy.orm import Session

from openiop.calendar import setup_repository as repo
from openiop.calendar.sessions_service import require_configure
from openiop.kit import clock
from openiop.kit.clock import as_utc
from openiop.kit.errors import NotFound, ValidationFailed
from openiop.models import (
    CurriculumTopic,
    LocationClosure,
    Program,
    StaffMember,
    StaffTimeOff,
    StaffWorkingHours,
)
from openiop.security import audit
from openiop.security.audit import Actor, AuditEntry
from openiop.security.permissions import Permission
from openiop.security.service import require


def _record(
    session: Session, actor: Actor, action: str, what: str, row_id: int, detail: str
) -> None:
    audit.record(
        session, actor, AuditEntry(action, object_type=what, object_id=row_id, detail=detail)
    )


def _refuse(problems: dict[str, str]) -> None:
    if problems:
        raise ValidationFailed(
            "Please correct: " + " ".join(problems.values()), field_errors=problems
        )


def read_check(session: Session, actor: Actor, action: str) -> None:
    require(session, actor, Permission.CALENDAR_READ, action=action)


# ---- curriculum -------------------------------------------------------------------------


def list_programs(session: Session, *, actor: Actor) -> list[Program]:
    read_check(session, actor, "curriculum.read")
    return repo.programs(session)


def list_topics(session: Session, *, actor: Actor, program_id: int) -> list[CurriculumTopic]:
    read_check(session, actor, "curriculum.read")
    if repo.program(session, program_id) is None:
        raise NotFound(f"No program with id {program_id}.")
    return repo.topics(session, program_id)


def add_topic(
    session: Session, *, actor: Actor, program_id: int, title: str, description: str | None = None
) -> CurriculumTopic:
    require_configure(session, actor, [], "curriculum.create")
    if repo.program(session, program_id) is None:
        raise NotFound(f"No program with id {program_id}.")
    title = title.strip()
    if not 2 <= len(title) <= 120:
        _refuse({"title": "Give the topic a title of 2 to 120 characters."})
    taken = {t.title.casefold() for t in repo.topics(session, program_id)}
    if title.casefold() in taken:
        _refuse({"title": f"'{title}' is already in this curriculum."})
    row = CurriculumTopic(
        program_id=program_id,
        position=repo.next_position(session, program_id),
        title=title,
        description=(description or "").strip() or None,
        active=True,
    )
    session.add(row)
    session.flush()
    _record(session, actor, "curriculum.create", "curriculum_topic", row.id, title)
    return row


def _topic(session: Session, topic_id: int) -> CurriculumTopic:
    row = repo.topic(session, topic_id)
    if row is None:
        raise NotFound(f"No curriculum topic with id {topic_id}.")
    return row


def move_topic(session: Session, *, actor: Actor, topic_id: int, direction: str) -> CurriculumTopic:
    """Swap a topic with its neighbour ("up" or "down"): the rotation follows this order."""
    require_configure(session, actor, [], "curriculum.reorder")
    row = _topic(session, topic_id)
    siblings = repo.topics(session, row.program_id)
    at = next(i for i, t in enumerate(siblings) if t.id == row.id)
    other_at = at - 1 if direction == "up" else at + 1
    if direction not in {"up", "down"}:
        _refuse({"direction": "Move a topic up or down."})
    if not 0 <= other_at < len(siblings):
        return row
    other = siblings[other_at]
    # Positions are unique per program: park one at 0 while the two swap.
    mine, theirs = row.position, other.position
    row.position = 0
    session.flush()
    other.position, row.position = mine, theirs
    session.flush()
    _record(
        session, actor, "curriculum.reorder", "curriculum_topic", row.id, f"{direction} to {theirs}"
    )
    return row


def set_topic_active(
    session: Session, *, actor: Actor, topic_id: int, active: bool
) -> CurriculumTopic:
    """Deactivated topics stay on past sessions but leave the rotation."""
    require_configure(session, actor, [], "curriculum.update")
    row = _topic(session, topic_id)
    row.active = active
    session.flush()
    _record(session, actor, "curriculum.update", "curriculum_topic", row.id, f"active={active}")
    return row


# ---- closures ---------------------------------------------------------------------------


def list_closures(
    session: Session, *, actor: Actor, location_id: int, since: date
) -> list[LocationClosure]:
    read_check(session, actor, "closure.read")
    return repo.closures_from(session, location_id, since)


def add_closure(
    session: Session, *, actor: Actor, location_id: int, closed_on: date | None, reason: str
) -> LocationClosure:
    require_configure(session, actor, [location_id], "closure.create")
    reason = reason.strip()
    problems = {}
    if closed_on is None:
        problems["closed_on"] = "Give the date the site is closed."
    elif repo.closure_on(session, location_id, closed_on):
        problems["closed_on"] = f"The site is already closed on {closed_on:%m/%d/%Y}."
    if not 2 <= len(reason) <= 200:
        problems["reason"] = "Say why the site is closed (up to 200 characters)."
    _refuse(problems)
    assert closed_on is not None
    row = LocationClosure(location_id=location_id, closed_on=closed_on, reason=reason)
    session.add(row)
    session.flush()
    _record(session, actor, "closure.create", "location_closure", row.id, f"{closed_on} {reason}")
    return row


def remove_closure(session: Session, *, actor: Actor, closure_id: int) -> None:
    row = repo.closure(session, closure_id)
    if row is None:
        raise NotFound(f"No closure with id {closure_id}.")
    require_configure(session, actor, [row.location_id], "closure.delete")
    _record(session, actor, "closure.delete", "location_closure", row.id, str(row.closed_on))
    repo.remove(session, row)


# ---- staff hours and time off ------------------------------------------------------------


def staff_for(session: Session, *, actor: Actor, staff_id: int) -> StaffMember:
    read_check(session, actor, "staff_hours.read")
    row = repo.staff_member(session, staff_id)
    if row is None:
        raise NotFound(f"No staff member with id {staff_id}.")
    return row


def hours_of(session: Session, *, actor: Actor, staff_id: int) -> list[StaffWorkingHours]:
    staff_for(session, actor=actor, staff_id=staff_id)
    return repo.hours_of(session, staff_id)


def add_hours(
    session: Session,
    *,
    actor: Actor,
    staff_id: int,
    location_id: int,
    weekday: int,
    start_time: time | None,
    end_time: time | None,
) -> StaffWorkingHours:
    require_configure(session, actor, [location_id], "staff_hours.create")
    staff = repo.staff_member(session, staff_id)
    if staff is None:
        raise NotFound(f"No staff member with id {staff_id}.")
    _refuse(
        _hours_problems(
            staff, location_id, weekday, start_time, end_time, repo.hours_of(session, staff_id)
        )
    )
    row = StaffWorkingHours(
        staff_member_id=staff_id,
        location_id=location_id,
        weekday=weekday,
        start_time=start_time,
        end_time=end_time,
    )
    session.add(row)
    session.flush()
    _record(
        session,
        actor,
        "staff_hours.create",
        "staff_working_hours",
        row.id,
        f"{weekday} {start_time}-{end_time}",
    )
    return row


def _hours_problems(staff, location_id, weekday, start, end, existing) -> dict[str, str]:  # type: ignore[no-untyped-def]
    problems: dict[str, str] = {}
    if location_id not in {loc.id for loc in staff.locations}:
        problems["location_id"] = f"{staff.full_name} does not work at that location."
    if not 1 <= weekday <= 7:
        problems["weekday"] = "Choose a day of the week."
    if start is None or end is None or start >= end:
        problems["end_time"] = "Give a start and an end time; the end after the start."
        return problems
    for block in existing:
        if block.weekday == weekday and block.start_time < end and start < block.end_time:
            problems["start_time"] = (
                f"Overlaps their hours {block.start_time:%H:%M}–{block.end_time:%H:%M} that day."
            )
    return problems


def remove_hours(session: Session, *, actor: Actor, row_id: int) -> None:
    row = repo.hours_row(session, row_id)
    if row is None:
        raise NotFound(f"No working-hours block with id {row_id}.")
    require_configure(session, actor, [row.location_id], "staff_hours.delete")
    _record(session, actor, "staff_hours.delete", "staff_working_hours", row.id, f"{row.weekday}")
    repo.remove(session, row)


def _staff_site(actor: Actor, staff: StaffMember) -> list[int]:
    """A site of the staff member's that the actor shares (refused later if there is none)."""
    sites = [loc.id for loc in staff.locations]
    shared = [i for i in sites if actor.principal is None or actor.principal.at_location(i)]
    return (shared or sites or [0])[:1]


def time_off_of(session: Session, *, actor: Actor, staff_id: int) -> list[StaffTimeOff]:
    staff_for(session, actor=actor, staff_id=staff_id)
    return repo.time_off_from(session, staff_id, clock.now())


def add_time_off(
    session: Session,
    *,
    actor: Actor,
    staff_id: int,
    starts_at: datetime | None,
    ends_at: datetime | None,
    reason: str | None,
) -> StaffTimeOff:
    staff = repo.staff_member(session, staff_id)
    if staff is None:
        raise NotFound(f"No staff member with id {staff_id}.")
    require_configure(session, actor, _staff_site(actor, staff), "staff_time_off.create")
    if starts_at is None or ends_at is None or as_utc(starts_at) >= as_utc(ends_at):
        _refuse({"ends_at": "Give when the time off starts and ends; the end after the start."})
    assert starts_at is not None and ends_at is not None
    row = StaffTimeOff(
        staff_member_id=staff_id,
        starts_at=as_utc(starts_at),
        ends_at=as_utc(ends_at),
        reason=(reason or "").strip()[:200] or None,
    )
    session.add(row)
    session.flush()
    _record(
        session,
        actor,
        "staff_time_off.create",
        "staff_time_off",
        row.id,
        f"{row.starts_at}..{row.ends_at}",
    )
    return row


def remove_time_off(session: Session, *, actor: Actor, row_id: int) -> None:
    row = repo.time_off_row(session, row_id)
    if row is None:
        raise NotFound(f"No time off with id {row_id}.")
    staff = repo.staff_member(session, row.staff_member_id)
    assert staff is not None  # time off cascades away with its staff member
    require_configure(session, actor, _staff_site(actor, staff), "staff_time_off.delete")
    _record(session, actor, "staff_time_off.delete", "staff_time_off", row.id, "")
    repo.remove(session, row)
