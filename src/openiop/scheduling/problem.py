"""The week to plan (a Problem) and the answer (a Plan), as typed values with no behaviour.

Times inside the engine are minutes from Monday 00:00 of the planned week, in the location's
own wall-clock time: the calendar service turns them into UTC when it stores appointments.
One Problem is one location and one week; an instance file may hold several locations, and
each is solved on its own. The JSON forms live in `problem_json.py`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cached_property

from openiop.kit.errors import ValidationFailed
from openiop.scheduling.weights import Weights

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
DAY = 24 * 60
WEEK = 7 * DAY
SLOT_CHOICES = (5, 10)

COUNSELOR = "counselor"
ROLES = ("counselor", "physician", "nurse_practitioner", "nurse")


class InstanceError(ValidationFailed):
    """An instance that contradicts itself; the message names the item at fault."""

    def __init__(self, message: str, *, item: str = "") -> None:
        super().__init__(message, field_errors={item: message} if item else None)
        self.item = item


@dataclass(frozen=True)
class Kind:
    """An appointment kind and the rules that come with it."""

    code: str
    label: str
    roles: frozenset[str]
    minutes: int  # default length; the instance's settings may change it
    telehealth: bool  # may be held by video
    headcount: int  # people in the room, the patient and staff included
    with_counselor: bool  # held by the patient's primary counselor (or a stand-in)


KINDS: dict[str, Kind] = {
    k.code: k
    for k in (
        Kind("individual", "Individual counseling", frozenset({COUNSELOR}), 50, True, 2, True),
        Kind(
            "physician",
            "Physician visit",
            frozenset({"physician", "nurse_practitioner"}),
            20,
            True,
            2,
            False,
        ),
        Kind(
            "drug_screen",
            "Drug screen",
            frozenset({"nurse", "physician", "nurse_practitioner"}),
            10,
            False,
            2,
            False,
        ),
        Kind("family_session", "Family session", frozenset({COUNSELOR}), 60, True, 5, True),
        Kind("intake", "Intake", frozenset({COUNSELOR}), 90, False, 2, False),
    )
}
WEEKLY_NEEDS = ("individual", "physician")


def clock(minute_of_day: int) -> str:
    return f"{minute_of_day // 60:02d}:{minute_of_day % 60:02d}"


def describe_span(start: int, end: int) -> str:
    """Minutes of the week as people read them: "Mon 09:00–12:00"."""
    day = start // DAY
    return f"{DAYS[day].capitalize()} {clock(start - day * DAY)}–{clock(end - day * DAY)}"


@dataclass(frozen=True)
class Block:
    """A span of the week, [start, end) in minutes from Monday 00:00."""

    start: int
    end: int
    label: str = ""

    def overlaps(self, start: int, end: int) -> bool:
        return self.start < end and start < self.end

    def describe(self) -> str:
        text = describe_span(self.start, self.end)
        return f"'{self.label}' ({text})" if self.label else text


@dataclass(frozen=True)
class Room:
    id: str
    name: str
    capacity: int
    kinds: frozenset[str]  # appointment kinds the room can host

    def hosts(self, kind: Kind) -> bool:
        return kind.code in self.kinds and self.capacity >= kind.headcount


@dataclass(frozen=True)
class Staff:
    id: str
    name: str
    role: str
    hours: tuple[Block, ...]
    caseload_cap: int | None = None  # distinct patients seen for counseling this week
    max_per_day: int | None = None  # appointments a day


@dataclass(frozen=True)
class Track:
    """A group track this week: its sessions, room and facilitators."""

    id: str
    name: str
    room: str | None
    facilitators: tuple[str, ...]
    sessions: tuple[Block, ...]


@dataclass(frozen=True)
class LastWeek:
    kind: str
    start: int  # minute of the week, so "same day and time" compares directly
    staff: str | None = None


@dataclass(frozen=True)
class Preferences:
    days: frozenset[int] = frozenset()  # 0 = Monday; empty: no preference
    windows: tuple[tuple[int, int], ...] = ()  # minutes of the day; empty: no preference


@dataclass(frozen=True)
class Patient:
    id: str
    name: str
    primary_counselor: str
    track: str | None = None
    active: bool = True
    other_counselor_allowed: bool = True
    qualified_counselors: tuple[str, ...] | None = None  # None: any counselor at the site
    telehealth_ok: bool = False
    commitments: tuple[Block, ...] = ()
    preferences: Preferences = field(default_factory=Preferences)
    last_week: tuple[LastWeek, ...] = ()
    needs: tuple[str, ...] = WEEKLY_NEEDS


@dataclass(frozen=True)
class Settings:
    slot_minutes: int = 10
    travel_buffer_minutes: int = 30
    other_counselor_allowed: bool = True
    minutes: tuple[tuple[str, int], ...] = ()  # overrides of Kind.minutes
    weights: Weights = field(default_factory=Weights)

    def minutes_for(self, kind: str) -> int:
        return dict(self.minutes).get(kind, KINDS[kind].minutes)


@dataclass(frozen=True)
class Request:
    """One appointment a patient needs this week."""

    id: str
    patient: str
    kind: str
    minutes: int


@dataclass(frozen=True)
class Problem:
    location_id: str
    location_name: str
    week_start: date
    timezone: str = "America/Los_Angeles"
    settings: Settings = field(default_factory=Settings)
    rooms: tuple[Room, ...] = ()
    staff: tuple[Staff, ...] = ()
    tracks: tuple[Track, ...] = ()
    patients: tuple[Patient, ...] = ()
    closures: tuple[Block, ...] = ()

    @cached_property
    def staff_by_id(self) -> dict[str, Staff]:
        return {s.id: s for s in self.staff}

    @cached_property
    def patient_by_id(self) -> dict[str, Patient]:
        return {p.id: p for p in self.patients}

    @cached_property
    def room_by_id(self) -> dict[str, Room]:
        return {r.id: r for r in self.rooms}

    @cached_property
    def track_by_id(self) -> dict[str, Track]:
        return {t.id: t for t in self.tracks}

    @cached_property
    def requests(self) -> tuple[Request, ...]:
        """Every appointment to place: active patients only, in instance order."""
        out: list[Request] = []
        for p in self.patients:
            if not p.active:
                continue
            seen: dict[str, int] = {}
            for kind in p.needs:
                seen[kind] = seen.get(kind, 0) + 1
                rid = f"{p.id}/{kind}" + (f"/{seen[kind]}" if seen[kind] > 1 else "")
                out.append(Request(rid, p.id, kind, self.settings.minutes_for(kind)))
        return tuple(out)

    def local_time(self, minute: int) -> datetime:
        start = datetime(self.week_start.year, self.week_start.month, self.week_start.day)
        return start + timedelta(minutes=minute)


@dataclass(frozen=True)
class Appointment:
    request: str
    patient: str
    kind: str
    staff: str
    start: int
    end: int
    room: str | None  # None: telehealth
    other_counselor: bool = False

    @property
    def telehealth(self) -> bool:
        return self.room is None


@dataclass(frozen=True)
class Unplaced:
    request: str
    patient: str
    kind: str
    reasons: tuple[str, ...]
    blocked_by: tuple[str, ...] = ()  # constraint families, for programs to read


@dataclass(frozen=True)
class Plan:
    location_id: str
    week_start: date
    solver: str  # "cp-sat" or "greedy"
    status: str  # OPTIMAL, FEASIBLE, or UNKNOWN (no plan found in time: greedy's is returned)
    appointments: tuple[Appointment, ...]
    unplaced: tuple[Unplaced, ...]
    objective: int
    best_bound: int | None = None
    gap: float | None = None
    seconds: float = 0.0
    costs: tuple[tuple[str, int], ...] = ()  # the objective split by soft term
    parameters: tuple[tuple[str, float | int | bool], ...] = ()
