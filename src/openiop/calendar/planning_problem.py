"""The week to plan, from what the database holds: a pure mapping to the engine's Problem.

The planning repository reads rows into the plain records below (`WeekData`); `build_problem`
turns them into a `scheduling.Problem` without touching a database, so every mapping rule is
tested on hand-made records. Ids inside the engine are prefixed strings ("p12", "s3", "r5",
"t2") so a plan maps back to rows without guessing.

Appointments that already exist are kept fixed, because the engine has no notion of a booked
appointment: the patient's become busy blocks in their week, the staff member's are cut out
of their working hours, and a booked room is held by a pseudo-track with no facilitator (the
engine keeps a track's room free during its sessions). A patient who already has this week's
individual session or physician visit is not asked for another.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from openiop.calendar.rules import COUNSELING, PRESCRIBERS
from openiop.scheduling.problem import (
    DAY,
    KINDS,
    WEEK,
    Block,
    LastWeek,
    Patient,
    Preferences,
    Problem,
    Room,
    Settings,
    Staff,
    Track,
)

PHYSICIANS = frozenset({"MD", "DO"})
NURSES = frozenset({"RN", "LVN"})
# Parts of the day a patient may prefer, in minutes of the day (local wall-clock time).
PART_OF_DAY = {
    "morning": (8 * 60, 12 * 60),
    "afternoon": (12 * 60, 17 * 60),
    "evening": (17 * 60, 21 * 60),
}
NO_COUNSELOR = (
    "No primary counselor who works here is assigned; assign one on the enrollment and plan again."
)


@dataclass(frozen=True)
class Span:
    """A UTC interval with a label people can read."""

    start: datetime
    end: datetime
    label: str = ""


@dataclass(frozen=True)
class WeeklyBlock:
    weekday: int  # ISO, Monday = 1
    start: time
    end: time
    label: str = ""


@dataclass(frozen=True)
class Booked:
    """An appointment already in the calendar (scheduled or completed): kept as it is."""

    id: int
    patient_id: int
    staff_id: int
    kind: str
    start: datetime
    end: datetime
    room_id: int | None = None


@dataclass(frozen=True)
class StaffRecord:
    id: int
    name: str
    credentials: tuple[str, ...]
    caseload_cap: int = 0  # 0: no cap
    hours: tuple[WeeklyBlock, ...] = ()  # at this location
    time_off: tuple[Span, ...] = ()


@dataclass(frozen=True)
class RoomRecord:
    id: int
    name: str
    capacity: int


@dataclass(frozen=True)
class TrackRecord:
    id: int
    name: str
    room_id: int | None
    facilitator_ids: tuple[int, ...]
    weekdays: str  # ISO digits, "12345"
    start: time
    end: time
    sessions: tuple[Span, ...] | None = None  # generated group sessions; None: none generated


@dataclass(frozen=True)
class PatientRecord:
    id: int
    name: str
    track_id: int | None
    primary_counselor_id: int | None
    commitments: tuple[WeeklyBlock, ...] = ()
    blocks: tuple[Span, ...] = ()  # one-off blocks
    preferred_weekdays: str = ""
    part_of_day: str | None = None
    telehealth_ok: bool = False
    last_week: tuple[Booked, ...] = ()


@dataclass(frozen=True)
class Policy:
    individual_sessions: int = 1
    individual_minutes: int = 50
    physician_visits: int = 1
    physician_minutes: int = 20


@dataclass(frozen=True)
class WeekData:
    location_id: int
    location_name: str
    zone: str
    week_start: date  # a Monday
    policy: Policy = field(default_factory=Policy)
    staff: tuple[StaffRecord, ...] = ()
    rooms: tuple[RoomRecord, ...] = ()
    tracks: tuple[TrackRecord, ...] = ()
    patients: tuple[PatientRecord, ...] = ()
    closures: tuple[tuple[date, str], ...] = ()
    booked: tuple[Booked, ...] = ()  # this week: the patients' and the staff's, any site


@dataclass(frozen=True)
class Prepared:
    """The Problem and what the mapping itself could not ask the engine to place."""

    problem: Problem
    not_requested: tuple[tuple[int, str, str], ...]  # (patient id, kind, reason)
    booked: tuple[Booked, ...] = ()  # kept as they are


# ---- time ------------------------------------------------------------------------------


class WeekClock:
    """Minutes from Monday 00:00 local, the engine's time, and back to UTC instants."""

    def __init__(self, week_start: date, zone: str) -> None:
        self.monday = datetime.combine(week_start, time(0))
        self.tz = ZoneInfo(zone)

    def minute(self, moment: datetime, monday: datetime | None = None) -> int:
        local = moment.astimezone(self.tz).replace(tzinfo=None)
        return int((local - (monday or self.monday)).total_seconds() // 60)

    def instant(self, minute: int) -> datetime:
        local = (self.monday + timedelta(minutes=minute)).replace(tzinfo=self.tz)
        return local.astimezone(UTC)

    def block(self, span: Span) -> Block | None:
        """The span clipped to the week; None when it falls outside."""
        start, end = max(0, self.minute(span.start)), min(WEEK, self.minute(span.end))
        return Block(start, end, span.label) if start < end else None


def _clock_minutes(moment: time) -> int:
    return moment.hour * 60 + moment.minute


def weekly(block: WeeklyBlock) -> Block:
    day = (block.weekday - 1) * DAY
    end = _clock_minutes(block.end) or DAY  # 24:00 is stored as 00:00
    return Block(day + _clock_minutes(block.start), day + end, block.label)


def _cut(pieces: list[tuple[int, int]], busy: Block) -> list[tuple[int, int]]:
    out = []
    for start, end in pieces:
        if not busy.overlaps(start, end):
            out.append((start, end))
            continue
        out.extend(p for p in ((start, busy.start), (busy.end, end)) if p[0] < p[1])
    return out


def subtract(blocks: list[Block], busy: list[Block]) -> tuple[Block, ...]:
    """The parts of `blocks` that no busy block covers."""
    out = []
    for b in blocks:
        pieces = [(b.start, b.end)]
        for x in busy:
            pieces = _cut(pieces, x)
        out.extend(Block(s, e, b.label) for s, e in pieces)
    return tuple(out)


# ---- the mapping -----------------------------------------------------------------------


def role_of(credentials: tuple[str, ...]) -> str | None:
    """The engine's role for a credential list; prescribers first (they may also counsel)."""
    held = set(credentials)
    if held & PHYSICIANS:
        return "physician"
    if held & (PRESCRIBERS - PHYSICIANS):
        return "nurse_practitioner"
    if held & COUNSELING:
        return "counselor"
    if held & NURSES:
        return "nurse"
    return None


def _closures(data: WeekData) -> tuple[Block, ...]:
    out = []
    for day, reason in data.closures:
        offset = (day - data.week_start).days
        if 0 <= offset < 7:
            out.append(Block(offset * DAY, (offset + 1) * DAY, f"closed: {reason}"))
    return tuple(out)


def _staff(data: WeekData, wc: WeekClock, needed: set[int]) -> tuple[Staff, ...]:
    out = []
    for s in data.staff:
        role = role_of(s.credentials) or ("counselor" if s.id in needed else None)
        if role is None:
            continue
        busy = [b for b in map(wc.block, s.time_off) if b]
        busy += [
            b
            for b in (wc.block(Span(x.start, x.end)) for x in data.booked if x.staff_id == s.id)
            if b
        ]
        hours = subtract([weekly(h) for h in s.hours], busy)
        cap = s.caseload_cap or None
        out.append(Staff(f"s{s.id}", s.name, role, hours, caseload_cap=cap))
    return tuple(out)


def _group_sessions(t: TrackRecord, data: WeekData, wc: WeekClock) -> tuple[Block, ...]:
    if t.sessions is not None:
        return tuple(b for b in map(wc.block, t.sessions) if b)
    closed = {d for d, _ in data.closures}
    days = [data.week_start + timedelta(d) for d in range(7)]
    blocks = [
        weekly(WeeklyBlock(day.isoweekday(), t.start, t.end, t.name))
        for day in days
        if str(day.isoweekday()) in t.weekdays and day not in closed
    ]
    return tuple(blocks)


def _tracks(data: WeekData, wc: WeekClock) -> tuple[Track, ...]:
    tracks = [
        Track(
            f"t{t.id}",
            t.name,
            f"r{t.room_id}" if t.room_id else None,
            tuple(f"s{f}" for f in t.facilitator_ids),
            _group_sessions(t, data, wc),
        )
        for t in data.tracks
    ]
    rooms = {r.id for r in data.rooms}
    for b in data.booked:  # a booked room stays booked
        block = wc.block(Span(b.start, b.end, "booked appointment"))
        if b.room_id in rooms and block:
            tracks.append(
                Track(f"booked{b.id}", "booked appointment", f"r{b.room_id}", (), (block,))
            )
    return tuple(tracks)


def _rooms(data: WeekData) -> tuple[Room, ...]:
    kinds = frozenset(KINDS)  # Room.hosts() still checks the capacity each kind needs
    return tuple(Room(f"r{r.id}", r.name, r.capacity, kinds) for r in data.rooms)


def _preferences(p: PatientRecord) -> Preferences:
    days = frozenset(int(c) - 1 for c in p.preferred_weekdays if c in "1234567")
    window = PART_OF_DAY.get(p.part_of_day or "")
    return Preferences(days=days, windows=(window,) if window else ())


def _last_week(p: PatientRecord, data: WeekData, wc: WeekClock) -> tuple[LastWeek, ...]:
    monday = wc.monday - timedelta(days=7)
    return tuple(
        LastWeek(b.kind, wc.minute(b.start, monday), f"s{b.staff_id}")
        for b in p.last_week
        if b.kind in KINDS and 0 <= wc.minute(b.start, monday) < WEEK
    )


def _needs(p: PatientRecord, data: WeekData, staff: set[str], notes: list) -> tuple[str, ...]:
    booked = [b.kind for b in data.booked if b.patient_id == p.id]
    wanted = {
        "individual": data.policy.individual_sessions,
        "physician": data.policy.physician_visits,
    }
    needs: list[str] = []
    for kind, count in wanted.items():
        missing = max(0, count - booked.count(kind))
        if kind == "individual" and missing and f"s{p.primary_counselor_id}" not in staff:
            notes.append((p.id, kind, NO_COUNSELOR))
            continue
        needs.extend([kind] * missing)
    return tuple(needs)


def _patient_busy(p: PatientRecord, data: WeekData, wc: WeekClock) -> tuple[Block, ...]:
    blocks = [weekly(c) for c in p.commitments]
    blocks += [b for b in map(wc.block, p.blocks) if b]
    for x in data.booked:
        if x.patient_id == p.id:
            label = f"booked {KINDS[x.kind].label.lower()}" if x.kind in KINDS else "booked"
            block = wc.block(Span(x.start, x.end, label))
            if block:
                blocks.append(block)
    return tuple(sorted(blocks, key=lambda b: (b.start, b.end)))


def _patients(
    data: WeekData, wc: WeekClock, staff: tuple[Staff, ...], notes: list
) -> tuple[Patient, ...]:
    known = {s.id for s in staff}
    out = []
    for p in data.patients:
        out.append(
            Patient(
                id=f"p{p.id}",
                name=p.name,
                # Empty only when no counseling is asked for (see _needs).
                primary_counselor=f"s{p.primary_counselor_id}" if p.primary_counselor_id else "",
                track=f"t{p.track_id}" if p.track_id else None,
                telehealth_ok=p.telehealth_ok,
                commitments=_patient_busy(p, data, wc),
                preferences=_preferences(p),
                last_week=_last_week(p, data, wc),
                needs=_needs(p, data, known, notes),
            )
        )
    return tuple(out)


def build_problem(data: WeekData) -> Prepared:
    """One location's week as the engine's Problem (see the module notes)."""
    wc = WeekClock(data.week_start, data.zone)
    notes: list[tuple[int, str, str]] = []
    counselors = {p.primary_counselor_id for p in data.patients if p.primary_counselor_id}
    settings = Settings(
        minutes=(
            ("individual", data.policy.individual_minutes),
            ("physician", data.policy.physician_minutes),
        )
    )
    staff = _staff(data, wc, counselors)
    problem = Problem(
        location_id=f"l{data.location_id}",
        location_name=data.location_name,
        week_start=data.week_start,
        timezone=data.zone,
        settings=settings,
        rooms=_rooms(data),
        staff=staff,
        tracks=_tracks(data, wc),
        patients=_patients(data, wc, staff, notes),
        closures=_closures(data),
    )
    return Prepared(problem, tuple(notes), data.booked)


def row_id(engine_id: str | None) -> int | None:
    """ "s12" -> 12; None for telehealth rooms and pseudo-ids."""
    if not engine_id or not engine_id[1:].isdigit():
        return None
    return int(engine_id[1:])
