"""The greedy first-fit baseline: patients in order, each appointment at the earliest time left.

It knows the hard rules (it draws from the same catalogue of options as the solver) but not
the soft ones beyond "primary counselor first, in person first". The benchmark compares the
solver against it, and the solver starts from its plan as a hint.
"""

from __future__ import annotations

import time

from openiop.scheduling.candidates import Catalogue, Option, catalogue
from openiop.scheduling.problem import DAY, Appointment, Plan, Problem
from openiop.scheduling.reasons import explain_unplaced
from openiop.scheduling.weights import plan_costs

Span = tuple[int, int]


def _free(spans: list[Span], start: int, end: int) -> bool:
    return all(e <= start or s >= end for s, e in spans)


class _Book:
    """What is taken so far: people, rooms, caseloads and days."""

    def __init__(self, cat: Catalogue) -> None:
        problem = cat.problem
        self.problem = problem
        self.staff: dict[str, list[Span]] = {s.id: [] for s in problem.staff}
        self.patient: dict[str, list[Span]] = {p.id: [] for p in problem.patients}
        self.rooms: dict[str, list[Span]] = {r.id: [] for r in problem.rooms}
        for track in problem.tracks:
            if track.room:
                self.rooms[track.room].extend((b.start, b.end) for b in track.sessions)
        self.caseload: dict[str, set[str]] = {s.id: set() for s in problem.staff}
        self.per_day: dict[tuple[str, int], int] = {}
        self.cat = cat

    def room_for(self, option: Option) -> str | None:
        for rc in self.cat.classes_for[option.request]:
            for room in self.cat.room_classes[rc].rooms:
                if _free(self.rooms[room], option.start, option.end):
                    return room
        return None

    def fits(self, option: Option, patient: str) -> bool:
        staff = self.problem.staff_by_id[option.staff]
        span = (option.start, option.end)
        if not (_free(self.staff[staff.id], *span) and _free(self.patient[patient], *span)):
            return False
        load, cap = self.caseload[staff.id], staff.caseload_cap
        if cap is not None and patient not in load and len(load) >= cap:
            return False
        day = self.per_day.get((staff.id, option.start // DAY), 0)
        return staff.max_per_day is None or day < staff.max_per_day

    def take(self, option: Option, patient: str, room: str | None) -> None:
        span = (option.start, option.end)
        self.staff[option.staff].append(span)
        self.patient[patient].append(span)
        if room:
            self.rooms[room].append(span)
        self.caseload[option.staff].add(patient)
        key = (option.staff, option.start // DAY)
        self.per_day[key] = self.per_day.get(key, 0) + 1


def _place(
    cat: Catalogue, order: list[int], rank, placed: list[Appointment] | None = None
) -> list[Appointment]:
    book = _Book(cat)
    placed = list(placed or [])
    for a in placed:
        book.staff[a.staff].append((a.start, a.end))
        book.patient[a.patient].append((a.start, a.end))
        if a.room:
            book.rooms[a.room].append((a.start, a.end))
        book.caseload[a.staff].add(a.patient)
        key = (a.staff, a.start // DAY)
        book.per_day[key] = book.per_day.get(key, 0) + 1
    for index in order:
        request = cat.requests[index]
        for option in sorted(cat.options[index], key=rank):
            if not book.fits(option, request.patient):
                continue
            room = None if option.telehealth else book.room_for(option)
            if room is None and not option.telehealth:
                continue
            book.take(option, request.patient, room)
            placed.append(
                Appointment(
                    request.id,
                    request.patient,
                    request.kind,
                    option.staff,
                    option.start,
                    option.end,
                    room,
                    option.other_counselor,
                )
            )
            break
    order_of = {r.id: i for i, r in enumerate(cat.requests)}
    return sorted(placed, key=lambda a: order_of[a.request])


def first_fit(cat: Catalogue) -> list[Appointment]:
    """The baseline: requests in instance order, each at the earliest time that is free."""
    staff_order = {s.id: i for i, s in enumerate(cat.problem.staff)}
    return _place(
        cat,
        list(range(len(cat.requests))),
        lambda o: (o.start, o.other_counselor, o.telehealth, staff_order[o.staff]),
    )


def cheapest_first(cat: Catalogue) -> list[Appointment]:
    """A better start for the solver: the most constrained requests first, each at its
    cheapest free option. Not the baseline: the solver uses it as a hint when it is better."""
    order = sorted(range(len(cat.requests)), key=lambda i: (len(cat.options[i]), i))
    return _place(cat, order, lambda o: (o.cost, o.start, o.staff))


def rounded(cat: Catalogue, values: list, reduced: list) -> list[list[Appointment]]:
    """The LP relaxation's plan made whole, two ways. In both, each appointment goes to the
    option the LP likes best that is still free (then the lowest reduced cost). The order:
    the surest first; or the ones the LP puts wholly on one option first (they fit together,
    the LP's solution being feasible) and then the others, fewest options first. Neither
    order wins on every week; on realistic weeks the better lands close to the bound."""
    score = {
        (o.request, o.staff, o.start, o.telehealth): (-float(v), float(d))
        for opts, vs, ds in zip(cat.options, values, reduced, strict=True)
        for o, v, d in zip(opts, vs, ds, strict=True)
    }
    surest = [max(vs, default=0.0) for vs in values]
    orders = [
        sorted(range(len(cat.requests)), key=lambda i: (-surest[i], i)),
        sorted(
            range(len(cat.requests)),
            key=lambda i: (surest[i] < 0.999, len(cat.options[i]), i),
        ),
    ]

    def rank(o: Option) -> tuple:
        return (*score[(o.request, o.staff, o.start, o.telehealth)], o.cost, o.start, o.staff)

    return [_place(cat, order, rank) for order in orders]


def greedy_plan(problem: Problem, cat: Catalogue | None = None) -> Plan:
    began = time.perf_counter()
    cat = cat or catalogue(problem)
    appointments = first_fit(cat)
    unplaced = explain_unplaced(cat, appointments, stopped_early=False)
    placeable = cat.placeable()
    costs = plan_costs(problem, appointments, sum(u.request in placeable for u in unplaced))
    return Plan(
        location_id=problem.location_id,
        week_start=problem.week_start,
        solver="greedy",
        status="FEASIBLE",
        appointments=tuple(appointments),
        unplaced=tuple(unplaced),
        objective=sum(costs.values()),
        seconds=round(time.perf_counter() - began, 3),
        costs=tuple(costs.items()),
    )
