"""Group sessions: generate them from tracks for a date range, cancel one with a reason, and
put a stand-in facilitator on one ("cover").

Who may: Permission.CALENDAR_CONFIGURE (directors, admins) at the locations concerned; the
operator at the terminal (`openiop calendar generate-sessions`) acts without a principal.
A stand-in then leads that one session as its facilitator: attendance and group notes decide
"leads the group" from `GroupSession.facilitator_id`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time, timedelta

from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from openiop.calendar import covering, generation, rules
from openiop.calendar import setup_repository as repo
from openiop.calendar.conflicts import staff_busy
from openiop.calendar.generation import Planned, Skipped, TrackFacts
from openiop.kit.clock import as_utc
from openiop.kit.errors import Conflict, NotFound, ValidationFailed
from openiop.models import GroupSession, Location, StaffMember, Track
from openiop.security import audit
from openiop.security.audit import Actor, AuditEntry
from openiop.security.permissions import Permission
from openiop.security.service import Refused, require


@dataclass
class GenerationReport:
    first: date
    last: date
    created: list[Planned] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    tracks: dict[int, str] = field(default_factory=dict)

    @property
    def closed(self) -> list[Skipped]:
        return [s for s in self.skipped if s.reason.startswith("closed")]

    @property
    def existing(self) -> list[Skipped]:
        return [s for s in self.skipped if s.reason == "exists"]


def require_configure(session: Session, actor: Actor, location_ids: list[int], action: str) -> None:
    """Directors and admins at these locations; the terminal operator everywhere."""
    if actor.principal is None and actor.channel in {"cli", "job"}:
        return
    require(session, actor, Permission.CALENDAR_CONFIGURE, action=action)
    assert actor.principal is not None
    outside = [i for i in location_ids if not actor.principal.at_location(i)]
    if outside:
        raise Refused(
            "That location is outside your sites.",
            AuditEntry(action, "refused", object_type="location", object_id=outside[0]),
        )


def _locations(session: Session, actor: Actor, location_id: int | None) -> list[Location]:
    scope = None if actor.principal is None else actor.principal.location_ids
    sites = repo.active_locations(session, scope)
    if location_id is not None:
        sites = [s for s in repo.active_locations(session, None) if s.id == location_id]
        if not sites:
            raise NotFound(f"No active location with id {location_id}.")
    return sites


def generate_sessions(
    session: Session, *, actor: Actor, first: date, last: date, location_id: int | None = None
) -> GenerationReport:
    """Create the missing group sessions of every active track at the location(s)."""
    problems = generation.range_problems(first, last)
    if problems:
        raise ValidationFailed(" ".join(problems.values()), field_errors=problems)
    sites = _locations(session, actor, location_id)
    require_configure(session, actor, [s.id for s in sites], "group_session.generate")
    report = GenerationReport(first, last)
    for site in sites:
        _generate_at(session, site, report)
    session.flush()
    detail = f"{first}..{last} created={len(report.created)} skipped={len(report.skipped)}"
    for site in sites:
        audit.record(
            session,
            actor,
            AuditEntry(
                "group_session.generate", object_type="location", object_id=site.id, detail=detail
            ),
        )
    return report


def _generate_at(session: Session, site: Location, report: GenerationReport) -> None:
    tracks = repo.active_tracks(session, [site.id])
    if not tracks:
        return
    days = generation.dates_between(report.first, report.last)
    existing = repo.session_dates(session, [t.id for t in tracks], report.first, report.last)
    closed = {
        c.closed_on: c.reason
        for c in repo.closures_at(session, [site.id], report.first, report.last)
    }
    away = _time_off(session, tracks, site, report)
    topics_by_program: dict[int, list[generation.Topic]] = {}
    for track in tracks:
        report.tracks[track.id] = track.name
        if track.program_id not in topics_by_program:
            topics_by_program[track.program_id] = [
                generation.Topic(t.id, t.title)
                for t in repo.topics(session, track.program_id, active_only=True)
            ]
        planned, skipped = generation.plan_track(
            _facts(track),
            days,
            zone=site.time_zone,
            topics=topics_by_program[track.program_id],
            closed=closed,
            existing={day for tid, day in existing if tid == track.id},
            away=away,
        )
        session.add_all(_row(p, site.id) for p in planned)
        report.created += planned
        report.skipped += skipped


def _facts(track: Track) -> TrackFacts:
    return TrackFacts(
        id=track.id,
        name=track.name,
        weekdays=track.weekdays,
        start_time=track.start_time,
        end_time=track.end_time,
        room_id=track.room_id,
        facilitator_ids=tuple(sorted(f.id for f in track.facilitators)),
    )


def _time_off(
    session: Session, tracks: list[Track], site: Location, report: GenerationReport
) -> dict:
    staff = sorted({f.id for t in tracks for f in t.facilitators})
    start, _ = rules.local_span(report.first, time(0), time(0), site.time_zone)
    end, _ = rules.local_span(report.last + timedelta(days=1), time(0), time(0), site.time_zone)
    away: dict[int, list] = {}
    for off in repo.time_off_between(session, staff, start, end):
        away.setdefault(off.staff_member_id, []).append(
            (as_utc(off.starts_at), as_utc(off.ends_at))
        )
    return away


def _row(p: Planned, location_id: int) -> GroupSession:
    return GroupSession(
        track_id=p.track_id,
        location_id=location_id,
        session_date=p.session_date,
        starts_at=p.starts_at,
        ends_at=p.ends_at,
        topic_id=p.topic_id,
        topic=p.topic,
        facilitator_id=p.facilitator_id,
        room_id=p.room_id,
    )


def get_session(session: Session, *, actor: Actor, session_id: int) -> GroupSession:
    """One group meeting, for calendar readers at its site (no patient data on it)."""
    require(session, actor, Permission.CALENDAR_READ, action="group_session.read")
    row = repo.group_session(session, session_id)
    if row is None:
        raise NotFound(f"No group session with id {session_id}.")
    assert actor.principal is not None
    if not actor.principal.at_location(row.location_id):
        raise Refused(
            "This group is outside your sites.",
            AuditEntry(
                "group_session.read", "refused", object_type="group_session", object_id=row.id
            ),
        )
    return row


def cancel_session(
    session: Session, *, actor: Actor, session_id: int, version: int, reason: str
) -> GroupSession:
    """Cancel one group meeting; the reason is kept and shown on every calendar."""
    row = repo.group_session(session, session_id)
    if row is None:
        raise NotFound(f"No group session with id {session_id}.")
    require_configure(session, actor, [row.location_id], "group_session.cancel")
    reason = reason.strip()
    if not reason or len(reason) > 200:
        raise ValidationFailed(
            "Say why the group is cancelled.",
            field_errors={"reason": "Give a reason (up to 200 characters)."},
        )
    if row.status != "scheduled" or row.version != version:
        raise Conflict("This group session was changed since you opened it; reload it.")
    row.status, row.cancel_reason = "cancelled", reason
    try:
        session.flush()
    except StaleDataError:
        raise Conflict("This group session was changed by someone else while saving.") from None
    audit.record(
        session,
        actor,
        AuditEntry(
            "group_session.cancel", object_type="group_session", object_id=row.id, detail=reason
        ),
    )
    return row


class CoverClash(Conflict):
    """The stand-in is busy then; `field_errors` names each clash on facilitator_id."""

    title = "Scheduling conflict"


def cover_choices(session: Session, *, actor: Actor, session_id: int) -> list[StaffMember]:
    """Active staff at the session's site who may lead a group, the current one left out."""
    row = _coverable(session, actor, session_id, "group_session.cover_choices")
    return [
        s
        for s in repo.staff_at(session, frozenset({row.location_id}))
        if s.id != row.facilitator_id and covering.may_lead_groups(s.credential_list)
    ]


def cover_session(
    session: Session,
    *,
    actor: Actor,
    session_id: int,
    version: int,
    facilitator_id: int | None,
    reason: str | None = None,
) -> GroupSession:
    """Make another qualified staff member at the site lead this one session (someone is out
    sick). Refused with every clash named when the stand-in is busy at that time."""
    row = _coverable(session, actor, session_id, "group_session.cover")
    reason = (reason or "").strip() or None
    if reason is not None and len(reason) > 200:
        raise ValidationFailed(
            "The reason is too long.", field_errors={"reason": "At most 200 characters."}
        )
    if row.version != version:
        raise Conflict("This group session was changed since you opened it; reload it.")
    staff = _staff(session, facilitator_id)
    candidate = _candidate(staff)
    unfit = covering.problems(candidate, location_id=row.location_id, current_id=row.facilitator_id)
    if unfit:
        raise ValidationFailed(" ".join(unfit), field_errors={covering.FIELD: " ".join(unfit)})
    start, end = as_utc(row.starts_at), as_utc(row.ends_at)
    zone = _zone(session, row.location_id)
    found = covering.clashes(
        candidate, start, end, zone, staff_busy(session, candidate.id, start, end)
    )
    if found:
        raise CoverClash(rules.summary(found), field_errors=rules.field_errors(found))
    before = row.facilitator_id
    row.covering_for_id = covering.replaced(before, row.covering_for_id, staff.id)
    row.cover_reason = reason if row.covering_for_id is not None else None
    row.facilitator = staff
    try:
        session.flush()
    except StaleDataError:
        raise Conflict("This group session was changed by someone else while saving.") from None
    detail = f"facilitator {before or 'none'} -> {candidate.id}" + (f": {reason}" if reason else "")
    audit.record(
        session,
        actor,
        AuditEntry(
            "group_session.cover", object_type="group_session", object_id=row.id, detail=detail
        ),
    )
    return row


def _coverable(session: Session, actor: Actor, session_id: int, action: str) -> GroupSession:
    row = repo.group_session(session, session_id)
    if row is None:
        raise NotFound(f"No group session with id {session_id}.")
    require_configure(session, actor, [row.location_id], action)
    if row.status == "cancelled":
        raise Conflict(
            "This group is cancelled; nobody needs to cover it.",
            field_errors={covering.FIELD: "The group is cancelled."},
        )
    return row


def _staff(session: Session, staff_id: int | None) -> StaffMember:
    staff = repo.staff_member(session, staff_id) if staff_id else None
    if staff is None:
        message = "Choose who covers the group." if not staff_id else f"No staff member {staff_id}."
        raise ValidationFailed(message, field_errors={covering.FIELD: message})
    return staff


def _candidate(staff: StaffMember) -> covering.Candidate:
    return covering.Candidate(
        id=staff.id,
        name=staff.full_name,
        active=staff.active,
        credentials=tuple(staff.credential_list),
        location_ids=frozenset(site.id for site in staff.locations),
    )


def _zone(session: Session, location_id: int) -> str:
    site = repo.location(session, location_id)
    return site.time_zone if site else "America/Los_Angeles"


def location_id_for(session: Session, code: str) -> int:
    """A site's id from its code, for the command line; the message names the option."""
    site = repo.location_by_code(session, code.strip())
    if site is None:
        raise ValidationFailed(
            f"No location with code '{code}'.", field_errors={"location": f"Unknown code '{code}'."}
        )
    return site.id
