"""Every way each appointment could be placed on its own: who, when, and in which kind of room.

An Option already respects everything that concerns one appointment alone: the staff member's
working hours and the groups they lead, closures, the patient's group sessions, commitments and
travel buffer, telehealth rules, and rooms that can hold the appointment and are not taken by a
group. What remains for the solver is how appointments compete: staff, patient and room
overlaps, caseload and daily caps, and the soft objective.

An option says "in person" or "telehealth", not which room: rooms with the same capacity,
kinds and group bookings are interchangeable (a room class), the solver picks a class per
appointment, and a class of n rooms can hold n appointments at once, which is exactly when
they can be given rooms one by one (intervals).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from openiop.scheduling.problem import KINDS, Patient, Problem, Request, Staff
from openiop.scheduling.weights import last_week_cost, preference_cost, trip_cost

Span = tuple[int, int]


def merged(spans: list[Span]) -> list[Span]:
    out: list[Span] = []
    for start, end in sorted(spans):
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


def subtract(windows: list[Span], busy: list[Span]) -> list[Span]:
    """Parts of sorted, disjoint `windows` not covered by sorted, disjoint `busy`."""
    out: list[Span] = []
    for start, end in windows:
        cursor = start
        for b_start, b_end in busy:
            if b_end <= cursor or b_start >= end:
                continue
            if b_start > cursor:
                out.append((cursor, b_start))
            cursor = max(cursor, b_end)
        if cursor < end:
            out.append((cursor, end))
    return out


@dataclass(frozen=True, slots=True)
class Option:
    request: int  # index into Catalogue.requests
    staff: str
    start: int
    end: int
    telehealth: bool  # in person: in a room of one of the request's room classes
    other_counselor: bool
    cost: int


@dataclass(frozen=True)
class RoomClass:
    index: int
    rooms: tuple[str, ...]
    seats: int  # people each room holds
    kinds: frozenset[str]
    blocked: tuple[Span, ...]  # group sessions held in these rooms

    def hosts(self, kind: str) -> bool:
        return kind in self.kinds and self.seats >= KINDS[kind].headcount


@dataclass
class Catalogue:
    problem: Problem
    requests: tuple[Request, ...]
    room_classes: list[RoomClass]
    options: list[list[Option]] = field(default_factory=list)
    classes_for: list[list[int]] = field(default_factory=list)  # room classes per request

    def placeable(self) -> set[str]:
        return {r.id for r, opts in zip(self.requests, self.options, strict=True) if opts}


def room_classes(problem: Problem) -> list[RoomClass]:
    by_room: dict[str, list[Span]] = {r.id: [] for r in problem.rooms}
    for track in problem.tracks:
        if track.room:
            by_room[track.room].extend((b.start, b.end) for b in track.sessions)
    groups: dict[tuple, list[str]] = {}
    for room in problem.rooms:
        if not room.kinds:
            continue
        key = (room.capacity, room.kinds, tuple(merged(by_room[room.id])))
        groups.setdefault(key, []).append(room.id)
    return [
        RoomClass(i, tuple(ids), capacity, kinds, blocked)
        for i, ((capacity, kinds, blocked), ids) in enumerate(groups.items())
    ]


def eligible_staff(problem: Problem, patient: Patient, kind: str) -> list[tuple[Staff, bool]]:
    """Who may hold this appointment, primary counselor first; True marks a stand-in."""
    rule = KINDS[kind]
    if not rule.with_counselor:
        return [(s, False) for s in problem.staff if s.role in rule.roles]
    primary = problem.staff_by_id[patient.primary_counselor]
    if not patient.other_counselor_allowed:
        return [(primary, False)]
    allowed = patient.qualified_counselors
    others = [
        s
        for s in problem.staff
        if s.role in rule.roles and s.id != primary.id and (allowed is None or s.id in allowed)
    ]
    return [(primary, False)] + [(s, True) for s in others]


def staff_free(problem: Problem, staff: Staff) -> list[Span]:
    """Working hours less closures and the group sessions they lead."""
    busy = [(b.start, b.end) for b in problem.closures]
    for track in problem.tracks:
        if staff.id in track.facilitators:
            busy.extend((b.start, b.end) for b in track.sessions)
    return subtract(merged([(b.start, b.end) for b in staff.hours]), merged(busy))


def patient_busy(problem: Problem, patient: Patient, *, in_person: bool) -> list[Span]:
    """When the patient cannot be seen; in person adds the travel buffer around commitments."""
    pad = problem.settings.travel_buffer_minutes if in_person else 0
    spans = [(b.start - pad, b.end + pad) for b in patient.commitments]
    track = problem.track_by_id.get(patient.track or "")
    if track:
        spans.extend((b.start, b.end) for b in track.sessions)
    return merged(spans)


def starts_in(windows: list[Span], minutes: int, slot: int) -> list[int]:
    """Every start on the slot grid at which the appointment fits inside one of the windows."""
    out: list[int] = []
    for start, end in windows:
        out.extend(range(-(-start // slot) * slot, end - minutes + 1, slot))
    return out


class _Costs:
    """Placement cost by (start, telehealth); the same for every staff member and room."""

    def __init__(self, problem: Problem, patient: Patient, kind: str, minutes: int) -> None:
        self.w = problem.settings.weights
        track = problem.track_by_id.get(patient.track or "")
        self.sessions = [(b.start, b.end) for b in track.sessions] if track else []
        self.patient, self.kind, self.minutes = patient, kind, minutes
        self.cache: dict[tuple[int, bool], int] = {}

    def __call__(self, start: int, telehealth: bool, other: bool) -> int:
        key = (start, telehealth)
        if key not in self.cache:
            end = start + self.minutes
            w = self.w
            base = last_week_cost(w, self.patient, self.kind, start)
            base += preference_cost(w, self.patient, start, end)
            base += w.telehealth if telehealth else trip_cost(w, self.sessions, start, end)
            self.cache[key] = base
        return self.cache[key] + (self.w.other_counselor if other else 0)


def _in_person_starts(problem, free, busy, classes, minutes) -> list[int]:
    """Starts at which some room class that can host the appointment is not held by a group."""
    slot = problem.settings.slot_minutes
    starts: set[int] = set()
    for rc in classes:
        windows = subtract(free, merged(busy + list(rc.blocked)))
        starts.update(starts_in(windows, minutes, slot))
    return sorted(starts)


def request_options(
    problem: Problem, index: int, request: Request, classes: list[RoomClass], free: dict
) -> list[Option]:
    """Every option of one request. An in-person option that costs no less than telehealth
    at the same time with the same person is left out: telehealth needs no room, so it is
    at least as good in every plan (an exact reduction that keeps the model small)."""
    patient = problem.patient_by_id[request.patient]
    rule = KINDS[request.kind]
    slot, minutes = problem.settings.slot_minutes, request.minutes
    costs = _Costs(problem, patient, request.kind, minutes)
    video = rule.telehealth and patient.telehealth_ok
    tele_busy = patient_busy(problem, patient, in_person=False)
    room_busy = patient_busy(problem, patient, in_person=True)
    out: list[Option] = []
    for staff, other in eligible_staff(problem, patient, request.kind):
        tele: set[int] = set()
        if video:
            tele = set(starts_in(subtract(free[staff.id], tele_busy), minutes, slot))
        for t in sorted(tele):
            out.append(Option(index, staff.id, t, t + minutes, True, other, costs(t, True, other)))
        for t in _in_person_starts(problem, free[staff.id], room_busy, classes, minutes):
            cost = costs(t, False, other)
            if t not in tele or cost < costs(t, True, other):
                out.append(Option(index, staff.id, t, t + minutes, False, other, cost))
    return out


def catalogue(problem: Problem) -> Catalogue:
    classes = room_classes(problem)
    free = {s.id: staff_free(problem, s) for s in problem.staff}
    cat = Catalogue(problem, problem.requests, classes)
    for i, request in enumerate(cat.requests):
        hosts = [rc for rc in classes if rc.hosts(request.kind)]
        cat.classes_for.append([rc.index for rc in hosts])
        cat.options.append(request_options(problem, i, request, hosts, free))
    return cat
