"""Week and day views for a location, a staff member and a patient, with the patient's
"this week's requirements" panel. Every patient shown is audited (one event each), because
a calendar entry discloses that the person is in treatment.

Who may: Permission.CALENDAR_READ at the location (staff views: a location the staff member
works at); a patient view needs limited access to the patient, or is the patient's own.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from openiop.attendance.compliance import ProgramPolicy
from openiop.calendar import covering, requirements, rules
from openiop.calendar import repository as cal_repo
from openiop.calendar import setup_repository as setup_repo
from openiop.calendar import views_repository as repo
from openiop.calendar.patient_service import authorize as authorize_patient_schedule
from openiop.calendar.rules import Week
from openiop.config import get_settings
from openiop.kit.clock import as_utc
from openiop.kit.errors import NotFound
from openiop.models import Appointment, GroupSession, Location, PatientBlock, StaffMember
from openiop.security import audit
from openiop.security.audit import Actor, AuditEntry
from openiop.security.permissions import Permission, can
from openiop.security.service import Refused, require


@dataclass(frozen=True)
class Item:
    """One entry of the grid, times already in the location's wall-clock time."""

    start: datetime
    end: datetime
    kind: str  # group, busy, or an appointment kind
    title: str
    detail: str
    status: str
    href: str | None = None
    telehealth: bool = False
    # A group led by a stand-in: whom they cover for ("" when the track names nobody).
    covering_for: str | None = None

    @property
    def struck(self) -> bool:
        return self.status in {"cancelled", "late_cancelled", "no_show"}


@dataclass
class Day:
    day: date
    items: list[Item] = field(default_factory=list)
    closed: str | None = None


@dataclass
class WeekView:
    title: str
    subject: str  # location, staff, patient
    subject_id: int
    zone: str
    week: Week
    days: list[Day]
    location_id: int | None = None
    requirements: list[requirements.Requirement] = field(default_factory=list)
    program_name: str | None = None


def _days(week: Week, closures: dict[date, str]) -> list[Day]:
    return [Day(d, closed=closures.get(d)) for d in week.days]


def _place(view: WeekView, item: Item) -> None:
    """Put the item on its local day, keeping each day in time order."""
    for day in view.days:
        if day.day == item.start.date():
            bisect.insort(day.items, item, key=lambda i: (i.start, i.title))


def _session_item(
    s: GroupSession, zone: ZoneInfo, *, mark_cover: bool = False, linked: bool = True
) -> Item:
    """A group; with mark_cover (site and staff views) a stand-in is marked, so a director sees
    cover at a glance. A patient's own week just names who leads it, and links the session's
    page only for a viewer who may open it (`linked`)."""
    who = s.facilitator.full_name if s.facilitator else "no facilitator"
    room = s.room.name if s.room else "no room"
    detail = f"{s.topic} · {who} · {room}"
    if s.status == "cancelled":
        detail += f" · cancelled: {s.cancel_reason or ''}"
    return Item(
        as_utc(s.starts_at).astimezone(zone), as_utc(s.ends_at).astimezone(zone), "group",
        f"Group: {s.track.name}", detail, s.status,
        f"/calendar/group-sessions/{s.id}" if linked else None,
        covering_for=covering_for(s) if mark_cover else None,
    )  # fmt: skip


def covering_for(s: GroupSession) -> str | None:
    """Whom the session's stand-in covers for; needs the session's track.facilitators and
    covering_for loaded (views_repository and setup_repository.group_session do)."""
    usual = [(m.id, m.full_name) for m in s.track.facilitators]
    replaced = s.covering_for.full_name if s.covering_for else None
    return covering.standing_in_for(s.facilitator_id, usual, replaced)


def _appointment_item(a: Appointment, zone: ZoneInfo, *, patient_side: bool) -> Item:
    kind = rules.KIND_LABELS.get(a.kind, a.kind)
    other = (
        a.staff_member.full_name
        if patient_side
        else rules.short_name(a.patient.first_name, a.patient.last_name)
    )
    place = "Telehealth" if a.telehealth else (a.room.name if a.room else "")
    title = f"{kind} · {other}"
    detail = f"{place} · {rules.STATUS_LABELS.get(a.status, a.status)}"
    if a.cancel_reason:
        detail += f": {a.cancel_reason}"
    return Item(
        as_utc(a.starts_at).astimezone(zone), as_utc(a.ends_at).astimezone(zone), a.kind,
        title, detail, a.status, f"/calendar/appointments/{a.id}", a.telehealth,
    )  # fmt: skip


def _audit_patients(
    session: Session, actor: Actor, appointments: list[Appointment], action: str
) -> None:
    seen = sorted({a.patient_id for a in appointments})
    if not seen:
        audit.record(session, actor, AuditEntry(action, detail="no patients shown"))
        return
    audit.record_many(
        session,
        actor,
        (AuditEntry(action, patient_id=p, object_type="patient", object_id=p) for p in seen),
    )


def _refuse_outside(actor: Actor, location_ids: list[int], action: str) -> None:
    principal = actor.principal
    assert principal is not None
    if not any(principal.at_location(i) for i in location_ids):
        raise Refused(
            "This calendar is outside your sites.",
            AuditEntry(
                action, "refused", object_type="location", object_id=(location_ids or [0])[0]
            ),
        )


def _closures(session: Session, location_id: int, week: Week) -> dict[date, str]:
    rows = cal_repo.closures_between(session, location_id, week.days[0], week.days[-1])
    return {c.closed_on: c.reason for c in rows}


def location_week(session: Session, *, actor: Actor, location_id: int, week: Week) -> WeekView:
    site = site_for(session, actor=actor, location_id=location_id, action="calendar.location")
    zone = ZoneInfo(site.time_zone)
    view = WeekView(
        site.name,
        "location",
        site.id,
        site.time_zone,
        week,
        _days(week, _closures(session, site.id, week)),
        site.id,
    )
    for s in repo.sessions_at(session, site.id, week.days[0], week.days[-1]):
        _place(view, _session_item(s, zone, mark_cover=True))
    appointments = repo.appointments_at(session, site.id, *week.span(site.time_zone))
    for a in appointments:
        _place(view, _appointment_item(a, zone, patient_side=False))
    _audit_patients(session, actor, appointments, "calendar.location")
    return view


def staff_week(session: Session, *, actor: Actor, staff_id: int, week: Week) -> WeekView:
    require(session, actor, Permission.CALENDAR_READ, action="calendar.staff")
    staff = setup_repo.staff_member(session, staff_id)
    if staff is None:
        raise NotFound(f"No staff member with id {staff_id}.")
    sites = [loc for loc in staff.locations]
    _refuse_outside(actor, [loc.id for loc in sites], "calendar.staff")
    home = _home(actor, sites)
    zone = ZoneInfo(home.time_zone) if home else ZoneInfo("America/Los_Angeles")
    view = WeekView(
        staff.full_name,
        "staff",
        staff.id,
        str(zone),
        week,
        _days(week, {}),
        home.id if home else None,
    )
    for s in repo.sessions_led(session, staff.id, week.days[0], week.days[-1]):
        _place(view, _session_item(s, zone, mark_cover=True))
    appointments = repo.appointments_of_staff(session, staff.id, *week.span(str(zone)))
    for a in appointments:
        _place(view, _appointment_item(a, zone, patient_side=False))
    _audit_patients(session, actor, appointments, "calendar.staff")
    return view


def _home(actor: Actor, sites: list[Location]) -> Location | None:
    principal = actor.principal
    shared = [s for s in sites if principal is None or principal.at_location(s.id)]
    return (shared or sites or [None])[0]


def patient_week(session: Session, *, actor: Actor, patient_id: int, week: Week) -> WeekView:
    authorize_patient_schedule(
        session, actor, patient_id=patient_id, action="calendar.patient", write=False
    )
    patient = cal_repo.patient_with_commitments(session, patient_id)
    if patient is None:
        raise NotFound(f"No patient with id {patient_id}.")
    enrollments = cal_repo.open_enrollments(session, patient_id)
    current = enrollments[0] if enrollments else None
    site = cal_repo.location(
        session, current.location_id if current else patient.registered_location_id
    )
    assert site is not None
    zone = ZoneInfo(site.time_zone)
    view = WeekView(
        patient.full_name,
        "patient",
        patient.id,
        site.time_zone,
        week,
        _days(week, _closures(session, site.id, week)),
        site.id,
    )
    sessions = repo.sessions_of_tracks(
        session, [e.track_id for e in enrollments if e.track_id], week.days[0], week.days[-1]
    )
    # Patients see their groups but not the session page (calendar.read is for staff).
    linked = actor.principal is not None and can(actor.principal, Permission.CALENDAR_READ)
    for s in sessions:
        _place(view, _session_item(s, zone, linked=linked))
    start, end = week.span(site.time_zone)
    appointments = repo.appointments_of_patient(session, patient.id, start, end)
    for a in appointments:
        _place(view, _appointment_item(a, zone, patient_side=True))
    _place_busy(view, patient, repo.blocks_between(session, patient.id, start, end), zone)
    if current is not None:
        attended = repo.attended_sessions(session, patient.id, [s.id for s in sessions])
        view.program_name = current.program.name
        view.requirements = requirements.weekly_requirements(
            ProgramPolicy.from_program(current.program),
            [
                requirements.SessionFact(s.session_date, s.status, s.id in attended)
                for s in sessions
            ],
            [_fact(a) for a in appointments],
        )
    return view


def _fact(a: Appointment) -> requirements.AppointmentFact:
    minutes = int((as_utc(a.ends_at) - as_utc(a.starts_at)).total_seconds() // 60)
    return requirements.AppointmentFact(a.kind, a.status, minutes, a.actual_minutes)


def _place_busy(view: WeekView, patient, blocks: list[PatientBlock], zone: ZoneInfo) -> None:  # type: ignore[no-untyped-def]
    for c in patient.commitments:
        for start, end in rules.weekly_on(
            list(view.week.days), c.weekday, c.start_time, c.end_time, view.zone
        ):
            label = c.label or c.kind
            _place(
                view,
                Item(
                    start.astimezone(zone),
                    end.astimezone(zone),
                    "busy",
                    f"Busy: {label}",
                    "Weekly commitment",
                    "busy",
                ),
            )
    for b in blocks:
        _place(
            view,
            Item(
                as_utc(b.starts_at).astimezone(zone),
                as_utc(b.ends_at).astimezone(zone),
                "busy",
                f"Busy: {b.label or 'blocked'}",
                "One-off block",
                "busy",
            ),
        )


def locations_for(session: Session, *, actor: Actor) -> list[Location]:
    """The active sites whose calendars the actor may open (for the site switcher)."""
    require(session, actor, Permission.CALENDAR_READ, action="calendar.locations")
    principal = actor.principal
    assert principal is not None
    return setup_repo.active_locations(session, principal.location_ids)


def zone_of(session: Session, location_id: int | None) -> str:
    """The site's time zone, in which forms are typed and calendars shown."""
    site = cal_repo.location(session, location_id) if location_id else None
    return site.time_zone if site else get_settings().default_time_zone


def site_for(session: Session, *, actor: Actor, location_id: int, action: str) -> Location:
    """A site whose calendar the actor may read; 404 or an audited refusal otherwise."""
    require(session, actor, Permission.CALENDAR_READ, action=action)
    site = cal_repo.location(session, location_id)
    if site is None:
        raise NotFound(f"No location with id {location_id}.")
    _refuse_outside(actor, [site.id], action)
    return site


def patient_zone(session: Session, patient_id: int) -> str:
    """The zone of the patient's current site (else where they registered)."""
    enrollments = cal_repo.open_enrollments(session, patient_id)
    if enrollments:
        return zone_of(session, enrollments[0].location_id)
    patient = cal_repo.patient_with_commitments(session, patient_id)
    return zone_of(session, patient.registered_location_id if patient else None)


def staff_at_site(session: Session, *, actor: Actor, location_id: int) -> list[StaffMember]:
    """Who works at the site, for the site calendar's "staff calendar" picker."""
    site_for(session, actor=actor, location_id=location_id, action="calendar.staff_list")
    return setup_repo.staff_at(session, frozenset({location_id}))
