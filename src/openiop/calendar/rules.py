"""Hard scheduling rules for one appointment placed or moved by hand: pure, no I/O.

The same hard constraints the weekly solver obeys (scheduling.checker), restated over real
instants instead of minutes of a week, because a manual edit touches one appointment on one
day and must name what it collides with in words a coordinator can act on:
"overlaps Pat Q.'s work shift Tue 09:00–17:00".

The service gathers everything that could collide (a `Context`); `check` returns every
conflict, so the person fixing it sees all of them at once rather than one per attempt.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from openiop.scheduling.problem import KINDS

TRAVEL_BUFFER_MINUTES = 30  # the solver's default (scheduling.problem.Settings)
MAX_APPOINTMENT_MINUTES = 8 * 60
DAY_ABBR = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
KIND_LABELS = {code: kind.label for code, kind in KINDS.items()}
STATUS_LABELS = {
    "scheduled": "Scheduled",
    "completed": "Completed",
    "no_show": "No-show",
    "cancelled": "Cancelled",
    "late_cancelled": "Late-cancelled",
}
# Who may hold each kind, by credential (programs.credentials codes). Mirrors the solver's
# roles: counseling by counselors and therapists, medical visits by prescribers, screens by
# nurses or prescribers.
COUNSELING = frozenset(
    {"LCSW", "LMFT", "LPCC", "ACSW", "AMFT", "APCC", "CADC", "CADC-II", "RADT", "PsyD", "PhD"}
)
PRESCRIBERS = frozenset({"MD", "DO", "NP", "PA"})
NURSING = frozenset({"RN", "LVN"}) | PRESCRIBERS
QUALIFIED = {
    "intake": COUNSELING,
    "individual": COUNSELING,
    "family_session": COUNSELING,
    "physician": PRESCRIBERS,
    "drug_screen": NURSING,
}
ACTIVE_STATUSES = frozenset({"scheduled", "completed"})  # those that occupy time


@dataclass(frozen=True)
class Busy:
    """Something that occupies a person or a room: [start, end) in UTC, named for people."""

    start: datetime
    end: datetime
    label: str  # "Pat Q.'s work shift", "group Morning track", "individual with Pat Q."
    offsite: bool = False  # the patient must travel to or from it (commitments, blocks)

    def overlaps(self, start: datetime, end: datetime) -> bool:
        return self.start < end and start < self.end


@dataclass(frozen=True)
class Proposal:
    """The appointment being placed or moved."""

    kind: str
    start: datetime
    end: datetime
    telehealth: bool
    room_id: int | None = None


@dataclass(frozen=True)
class RoomFacts:
    id: int
    name: str
    capacity: int
    location_id: int
    active: bool = True
    busy: tuple[Busy, ...] = ()
    virtual: bool = False  # a telehealth "room": no one can sit in it


@dataclass(frozen=True)
class Context:
    """Everything that could collide with one proposal, gathered by the service."""

    zone: str
    location_id: int
    patient_name: str
    staff_name: str
    staff_credentials: tuple[str, ...]
    staff_hours: tuple[Busy, ...]  # working blocks at this location on the day, as instants
    staff_busy: tuple[Busy, ...] = ()  # appointments, groups led, time off
    patient_busy: tuple[Busy, ...] = ()  # groups, commitments, one-off blocks, appointments
    room: RoomFacts | None = None
    closures: tuple[tuple[date, str], ...] = ()
    telehealth_ok: bool = False
    travel_buffer_minutes: int = TRAVEL_BUFFER_MINUTES
    staff_active: bool = True
    # The weekly caseload cap (None: no cap) and the patients the staff member already sees
    # in the proposal's local week, as the planner counts them.
    caseload_cap: int | None = None
    week_patients: frozenset[int] = frozenset()
    patient_id: int | None = None


@dataclass(frozen=True)
class Conflict:
    code: str  # patient_overlap, travel_buffer, staff_overlap, staff_hours, staff_time_off,
    # room_overlap, room_capacity, room_location, telehealth, closure, qualification, shape,
    # caseload_cap
    field: str  # the form field a person would change: starts_at, staff_member_id, room_id
    message: str


# ---- time in words ---------------------------------------------------------------------


def short_name(first: str, last: str) -> str:
    """Pat Q. — enough to tell people apart on a calendar without spelling out a surname."""
    return f"{first} {last[:1]}." if last else first


def a_kind(kind: str) -> str:
    """'an intake', 'a physician visit': the kind with its article, for messages."""
    label = KIND_LABELS.get(kind, kind).lower()
    return ("an " if label[:1] in "aeiou" else "a ") + label


def describe(start: datetime, end: datetime, zone: str) -> str:
    """'Tue 09:00–17:00' in the location's wall-clock time."""
    tz = ZoneInfo(zone)
    a, b = start.astimezone(tz), end.astimezone(tz)
    same_day = a.date() == b.date()
    tail = b.strftime("%H:%M") if same_day else f"{DAY_ABBR[b.weekday()]} {b:%H:%M}"
    return f"{DAY_ABBR[a.weekday()]} {a:%H:%M}–{tail}"


def local_span(day: date, start: time, end: time, zone: str) -> tuple[datetime, datetime]:
    """A wall-clock span on a local date as UTC instants. zoneinfo resolves daylight saving
    for that very date, so a 09:00 group stays 09:00 local across the change."""
    tz = ZoneInfo(zone)
    begin = datetime.combine(day, start, tzinfo=tz)
    finish = datetime.combine(day, end, tzinfo=tz)
    return begin.astimezone(ZoneInfo("UTC")), finish.astimezone(ZoneInfo("UTC"))


def as_local(moment: datetime, zone: str) -> datetime:
    if moment.tzinfo is None:  # SQLite hands back naive UTC
        moment = moment.replace(tzinfo=ZoneInfo("UTC"))
    return moment.astimezone(ZoneInfo(zone))


def minutes_of(start: datetime, end: datetime) -> int:
    return int((end - start).total_seconds() // 60)


def local_date(moment: datetime, zone: str) -> date:
    return moment.astimezone(ZoneInfo(zone)).date()


def weekly_on(
    days: list[date], weekday: int, start: time, end: time, zone: str
) -> list[tuple[datetime, datetime]]:
    """A weekly block (ISO weekday) on each of the given local dates that falls on it."""
    return [local_span(d, start, end, zone) for d in days if d.isoweekday() == weekday]


# ---- the rules -------------------------------------------------------------------------


def shape_problems(p: Proposal) -> list[Conflict]:
    """Input that no calendar could hold; reported as 422, not as a clash."""
    out = []
    if p.kind not in KINDS:
        out.append(Conflict("shape", "kind", f"Unknown appointment kind '{p.kind}'."))
    if p.end <= p.start:
        out.append(Conflict("shape", "ends_at", "The appointment must end after it starts."))
    elif p.end - p.start > timedelta(minutes=MAX_APPOINTMENT_MINUTES):
        out.append(Conflict("shape", "ends_at", "An appointment cannot last over 8 hours."))
    if p.telehealth and p.room_id is not None:
        out.append(Conflict("shape", "room_id", "A telehealth appointment takes no room."))
    if not p.telehealth and p.room_id is None:
        out.append(Conflict("shape", "room_id", "Choose a room, or mark it as telehealth."))
    return out


def check(p: Proposal, ctx: Context) -> list[Conflict]:
    """Every hard rule the proposal breaks; empty when it may be written."""
    shape = shape_problems(p)
    if shape:
        return shape
    return [
        *_closures(p, ctx),
        *_qualification(p, ctx),
        *_telehealth(p, ctx),
        *_patient(p, ctx),
        *_staff(p, ctx),
        *_caseload(ctx),
        *_room(p, ctx),
    ]


def _caseload(ctx: Context) -> list[Conflict]:
    seen = ctx.week_patients - {ctx.patient_id}
    if ctx.caseload_cap is None or len(seen) < ctx.caseload_cap:
        return []
    message = (
        f"{ctx.staff_name} already sees {len(seen)} patients that week, "
        f"the cap of their caseload ({ctx.caseload_cap})."
    )
    return [Conflict("caseload_cap", "staff_member_id", message)]


def _closures(p: Proposal, ctx: Context) -> list[Conflict]:
    days = {local_date(p.start, ctx.zone), local_date(p.end - timedelta(seconds=1), ctx.zone)}
    return [
        Conflict("closure", "starts_at", f"The site is closed on {d:%a %b %-d}: {reason}.")
        for d, reason in ctx.closures
        if d in days
    ]


def _qualification(p: Proposal, ctx: Context) -> list[Conflict]:
    if set(ctx.staff_credentials) & QUALIFIED[p.kind]:
        return []
    held = ", ".join(ctx.staff_credentials) or "no credential on file"
    return [
        Conflict(
            "qualification",
            "staff_member_id",
            f"{ctx.staff_name} ({held}) is not qualified to hold {a_kind(p.kind)}.",
        )
    ]


def _telehealth(p: Proposal, ctx: Context) -> list[Conflict]:
    if not p.telehealth:
        return []
    if not KINDS[p.kind].telehealth:
        text = a_kind(p.kind).capitalize() + " must be in person."
        return [Conflict("telehealth", "telehealth", text)]
    if not ctx.telehealth_ok:
        return [
            Conflict(
                "telehealth",
                "telehealth",
                f"{ctx.patient_name} has not agreed to telehealth; book a room.",
            )
        ]
    return []


def _patient(p: Proposal, ctx: Context) -> list[Conflict]:
    # A patient coming in person needs time to get here from work or a court date, so
    # off-site blocks are widened by the travel buffer; video calls need none.
    pad = timedelta(minutes=0 if p.telehealth else ctx.travel_buffer_minutes)
    out = []
    for item in ctx.patient_busy:
        when = describe(item.start, item.end, ctx.zone)
        if item.overlaps(p.start, p.end):
            out.append(Conflict("patient_overlap", "starts_at", f"Overlaps {item.label} {when}."))
        elif item.offsite and pad and item.overlaps(p.start - pad, p.end + pad):
            minutes = ctx.travel_buffer_minutes
            out.append(
                Conflict(
                    "travel_buffer",
                    "starts_at",
                    f"Leaves under {minutes} minutes' travel time around {item.label} {when}.",
                )
            )
    return out


def _staff(p: Proposal, ctx: Context) -> list[Conflict]:
    out = []
    if not ctx.staff_active:
        message = f"{ctx.staff_name} is no longer active here; choose someone else."
        out.append(Conflict("staff_inactive", "staff_member_id", message))
    if not any(h.start <= p.start and p.end <= h.end for h in ctx.staff_hours):
        hours = "; ".join(describe(h.start, h.end, ctx.zone) for h in ctx.staff_hours)
        known = f" (works {hours} here that day)" if hours else " (no hours here that day)"
        out.append(
            Conflict(
                "staff_hours",
                "staff_member_id",
                f"Outside {ctx.staff_name}'s working hours{known}.",
            )
        )
    for item in ctx.staff_busy:
        if item.overlaps(p.start, p.end):
            when = describe(item.start, item.end, ctx.zone)
            code = "staff_time_off" if item.label.startswith("time off") else "staff_overlap"
            out.append(
                Conflict(
                    code, "staff_member_id", f"{ctx.staff_name}: overlaps {item.label} {when}."
                )
            )
    return out


def _room(p: Proposal, ctx: Context) -> list[Conflict]:
    room = ctx.room
    if p.telehealth or room is None:
        return []
    out = []
    if room.location_id != ctx.location_id or not room.active:
        out.append(Conflict("room_location", "room_id", f"{room.name} is not in use at this site."))
    if room.virtual:
        out.append(
            Conflict(
                "room_virtual",
                "room_id",
                f"{room.name} is a virtual room: choose a room in the building, or book telehealth.",
            )
        )
    headcount = KINDS[p.kind].headcount
    if room.capacity < headcount:
        out.append(
            Conflict(
                "room_capacity",
                "room_id",
                f"{room.name} holds {room.capacity}; {a_kind(p.kind)} needs room for {headcount}.",
            )
        )
    for item in room.busy:
        if item.overlaps(p.start, p.end):
            when = describe(item.start, item.end, ctx.zone)
            out.append(
                Conflict("room_overlap", "room_id", f"{room.name} is taken by {item.label} {when}.")
            )
    return out


def summary(conflicts: list[Conflict]) -> str:
    return "This time does not work: " + " ".join(c.message for c in conflicts)


def field_errors(conflicts: list[Conflict]) -> dict[str, str]:
    """One message per form field, the conflicts on that field joined."""
    out: dict[str, list[str]] = {}
    for c in conflicts:
        out.setdefault(c.field, []).append(c.message)
    return {name: " ".join(messages) for name, messages in out.items()}


@dataclass(frozen=True)
class Week:
    """A local ISO week (Monday first) for views and generation."""

    monday: date
    days: tuple[date, ...] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "days", tuple(self.monday + timedelta(d) for d in range(7)))

    @classmethod
    def containing(cls, day: date) -> Week:
        return cls(day - timedelta(days=day.weekday()))

    def span(self, zone: str) -> tuple[datetime, datetime]:
        start, _ = local_span(self.monday, time(0), time(0), zone)
        end, _ = local_span(self.monday + timedelta(7), time(0), time(0), zone)
        return start, end
