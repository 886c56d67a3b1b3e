"""The soft objective: every weight in one place, and the cost of a placement or of a plan.

The solver minimises the sum below; the greedy baseline and the benchmark score their plans
with the same functions, so the figures compare like with like. A weight is the price of one
unit of the term, in points: a plan is better when its total is lower.

| term              | unit                                                        | default |
|-------------------|-------------------------------------------------------------|---------|
| unplaced          | an appointment that could be placed on its own but is not   | 10000   |
| other_counselor   | a counseling session with someone other than the primary    | 200     |
| extra_trip        | an in-person appointment on a day without the patient's group| 120    |
| wait_per_10_min   | each 10 minutes between the appointment and the group       | 10      |
|                   | (capped at extra_trip: a long wait is as bad as a new trip)  |         |
| telehealth        | an appointment held by video (in person is the default)     | 60      |
| moved_day         | not on last week's day for this kind                        | 40      |
| moved_time        | last week's day but another start time                      | 20      |
| preferred_day     | outside the patient's preferred days                        | 30      |
| preferred_time    | outside the patient's preferred times of day                | 30      |
| overload          | per staff member and day, each appointment beyond their even| 15      |
|                   | share (the week's expected appointments / days they work)   |         |

Unplaced dwarfs the rest on purpose: placing one more patient is worth any amount of comfort.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from openiop.scheduling.problem import Appointment, Patient, Problem

_DAY = 24 * 60


@dataclass(frozen=True)
class Weights:
    unplaced: int = 10_000
    other_counselor: int = 200
    extra_trip: int = 120
    wait_per_10_min: int = 10
    telehealth: int = 60
    moved_day: int = 40
    moved_time: int = 20
    preferred_day: int = 30
    preferred_time: int = 30
    overload: int = 15

    @classmethod
    def names(cls) -> tuple[str, ...]:
        return tuple(f.name for f in fields(cls))


TERMS = (
    "unplaced",
    "other_counselor",
    "trip",
    "telehealth",
    "last_week",
    "preferences",
    "overload",
)


def tens(minutes: int) -> int:
    """Whole 10-minute units, rounded up: the unit of waiting and of load."""
    return -(-minutes // 10)


def trip_cost(w: Weights, sessions: list[tuple[int, int]], start: int, end: int) -> int:
    """In person: free when next to a group session that day, dearer the longer the wait."""
    day = start // _DAY
    gaps = [max(s - end, start - e, 0) for s, e in sessions if s // _DAY == day]
    if not gaps:
        return w.extra_trip
    return min(w.extra_trip, w.wait_per_10_min * tens(min(gaps)))


def last_week_cost(w: Weights, patient: Patient, kind: str, start: int) -> int:
    starts = [lw.start for lw in patient.last_week if lw.kind == kind]
    if not starts or start in starts:
        return 0
    if any(s // _DAY == start // _DAY for s in starts):
        return w.moved_time
    return w.moved_day


def preference_cost(w: Weights, patient: Patient, start: int, end: int) -> int:
    prefs = patient.preferences
    cost = 0
    day = start // _DAY
    if prefs.days and day not in prefs.days:
        cost += w.preferred_day
    if prefs.windows:
        lo, hi = start - day * _DAY, end - day * _DAY
        if not any(a <= lo and hi <= b for a, b in prefs.windows):
            cost += w.preferred_time
    return cost


def placement_costs(
    problem: Problem,
    patient: Patient,
    kind: str,
    start: int,
    end: int,
    *,
    telehealth: bool,
    other_counselor: bool,
) -> dict[str, int]:
    """The soft cost of one appointment, split by term (overload is a whole-plan term)."""
    w = problem.settings.weights
    track = problem.track_by_id.get(patient.track or "")
    sessions = [(b.start, b.end) for b in track.sessions] if track else []
    return {
        "other_counselor": w.other_counselor if other_counselor else 0,
        "trip": 0 if telehealth else trip_cost(w, sessions, start, end),
        "telehealth": w.telehealth if telehealth else 0,
        "last_week": last_week_cost(w, patient, kind, start),
        "preferences": preference_cost(w, patient, start, end),
    }


def placement_cost(
    problem: Problem, patient: Patient, kind: str, start: int, end: int, **kw
) -> int:
    return sum(placement_costs(problem, patient, kind, start, end, **kw).values())


def even_shares(problem: Problem) -> dict[str, int]:
    """Appointments a day that would spread each staff member's expected week evenly.

    Expected: every counseling appointment with the patient's primary counselor, and every
    other appointment shared evenly by the staff who may hold it; divided by the days the
    person works, rounded up. A property of the week, not of any plan."""
    from openiop.scheduling.problem import KINDS  # problem imports this module

    expected = {s.id: 0.0 for s in problem.staff}
    for patient in problem.patients:
        if not patient.active:
            continue
        for kind in patient.needs:
            rule = KINDS[kind]
            if rule.with_counselor:
                expected[patient.primary_counselor] += 1
                continue
            able = [s.id for s in problem.staff if s.role in rule.roles and s.hours]
            for sid in able:
                expected[sid] += 1 / len(able)
    shares = {}
    for s in problem.staff:
        days = len({b.start // _DAY for b in s.hours}) or 1
        shares[s.id] = max(1, -(-round(expected[s.id] * 1000) // (days * 1000)))
    return shares


def overload_units(problem: Problem, appointments: list[Appointment]) -> int:
    """Appointments beyond each staff member's even share, summed over staff and days."""
    shares = even_shares(problem)
    count: dict[tuple[str, int], int] = {}
    for a in appointments:
        key = (a.staff, a.start // _DAY)
        count[key] = count.get(key, 0) + 1
    return sum(max(0, n - shares[staff]) for (staff, _day), n in count.items())


def plan_costs(
    problem: Problem, appointments: list[Appointment], unplaced_placeable: int
) -> dict[str, int]:
    """The objective of a finished plan, split by term; its sum is the plan's objective."""
    w = problem.settings.weights
    totals = dict.fromkeys(TERMS, 0)
    totals["unplaced"] = w.unplaced * unplaced_placeable
    for a in appointments:
        patient = problem.patient_by_id[a.patient]
        costs = placement_costs(
            problem,
            patient,
            a.kind,
            a.start,
            a.end,
            telehealth=a.telehealth,
            other_counselor=a.other_counselor,
        )
        for term, value in costs.items():
            totals[term] += value
    totals["overload"] = w.overload * overload_units(problem, appointments)
    return totals
