"""The CP-SAT model of a week (time-indexed) over a selection of each request's options.

One Boolean per option (staff member x start x in person or telehealth) and exactly one
option, "unplaced" or a wildcard per appointment. Overlaps are forbidden by at-most-one
constraints over each maximal set of mutually overlapping options of a staff member or of a
patient (a strong linear relaxation); in-person appointments also pick a room class, and a
class of n rooms holds at most n at once (cumulative). Caseload, daily caps and each staff
member's appointments beyond an even share of a day are linear.
"""

from __future__ import annotations

import heapq

from ortools.sat.python import cp_model

from openiop.scheduling.candidates import Catalogue, Option
from openiop.scheduling.problem import DAY, Appointment
from openiop.scheduling.weights import even_shares


def cliques(spans: list[tuple[int, int, int]]) -> list[list[int]]:
    """The maximal sets of mutually overlapping spans (start, end, id), as lists of ids."""
    ordered = sorted(spans)
    out: list[list[int]] = []
    ends: list[tuple[int, int]] = []  # heap of (end, id) for the spans open now
    active: set[int] = set()
    grown = False
    for start, end, ident in ordered:
        if ends and ends[0][0] <= start:
            if grown:
                out.append(sorted(active))
                grown = False
            while ends and ends[0][0] <= start:
                active.discard(heapq.heappop(ends)[1])
        heapq.heappush(ends, (end, ident))
        active.add(ident)
        grown = True
    if grown:
        out.append(sorted(active))
    return [c for c in out if len(c) > 1]


class WeekModel:
    """The CP-SAT model over a selection of each request's options; x[i] is true when option
    i is the plan's choice. A request whose other options were left out gets a "wildcard":
    it stands for all of them at the price of the cheapest, and uses no staff, room or time,
    so the model is a relaxation of the whole week and its bound holds for the whole week."""

    def __init__(
        self, cat: Catalogue, selected: list[list[Option]], floors: dict[int, int]
    ) -> None:
        self.cat = cat
        self.m = cp_model.CpModel()
        self.options: list[Option] = [o for opts in selected for o in opts]
        self.floors = floors  # request -> price of its wildcard
        self.x = [self.m.new_bool_var(f"x{i}") for i in range(len(self.options))]
        self.patient_of = [cat.requests[o.request].patient for o in self.options]
        self.unplaced: dict[int, cp_model.IntVar] = {}
        self.wild: dict[int, cp_model.IntVar] = {}
        self.room_of: dict[tuple[int, int], cp_model.IntVar] = {}  # (request, class) -> used
        self.starts: dict[int, cp_model.IntVar] = {}
        self.shares = even_shares(cat.problem)
        self.overloads: dict[tuple[str, int], cp_model.IntVar] = {}
        self.caseloads: dict[tuple[str, str], cp_model.IntVar] = {}  # (staff, patient) -> seen
        self._one_per_request()
        self._no_overlaps()
        self._rooms()
        self._caps()
        self._objective()

    def _group(self, key) -> dict:
        groups: dict = {}
        for i, o in enumerate(self.options):
            groups.setdefault(key(i, o), []).append(i)
        return groups

    def _one_per_request(self) -> None:
        for r, idx in self._group(lambda i, o: o.request).items():
            self.unplaced[r] = self.m.new_bool_var(f"u{r}")
            choices = [self.x[i] for i in idx] + [self.unplaced[r]]
            if r in self.floors:
                self.wild[r] = self.m.new_bool_var(f"w{r}")
                choices.append(self.wild[r])
            self.m.add_exactly_one(choices)

    def _no_overlaps(self) -> None:
        for idx in self._group(lambda i, o: o.staff).values():
            self._at_most_one(idx)
        for idx in self._group(lambda i, o: self.patient_of[i]).values():
            self._at_most_one(idx)

    def _at_most_one(self, idx: list[int]) -> None:
        spans = [(self.options[i].start, self.options[i].end, i) for i in idx]
        for group in cliques(spans):
            self.m.add_at_most_one([self.x[i] for i in group])

    def _rooms(self) -> None:
        """A room class per in-person appointment; a class of n rooms holds n at a time."""
        by_class: dict[int, list] = {}
        for r, idx in self._group(lambda i, o: None if o.telehealth else o.request).items():
            if r is None:
                continue
            request = self.cat.requests[r]
            starts = sorted({self.options[i].start for i in idx} | {0})
            start = self.m.new_int_var_from_domain(cp_model.Domain.from_values(starts), f"s{r}")
            self.m.add(start == sum(self.options[i].start * self.x[i] for i in idx))
            self.starts[r] = start
            used = []
            for c in self.cat.classes_for[r]:
                y = self.room_of[(r, c)] = self.m.new_bool_var(f"y{r}_{c}")
                used.append(y)
                self._avoid_groups(idx, c, y)
                interval = self.m.new_optional_fixed_size_interval_var(
                    start, request.minutes, y, f"i{r}_{c}"
                )
                by_class.setdefault(c, []).append(interval)
            self.m.add(sum(used) == sum(self.x[i] for i in idx))
        for c, intervals in by_class.items():
            rc = self.cat.room_classes[c]
            rooms = len(rc.rooms)
            if len(intervals) <= rooms:
                continue
            for s, e in rc.blocked:  # a group holds every room of its class
                intervals.append(self.m.new_fixed_size_interval_var(s, e - s, f"g{c}_{s}"))
            if rooms == 1:
                self.m.add_no_overlap(intervals)
            else:
                self.m.add_cumulative(intervals, [1] * len(intervals), rooms)

    def _avoid_groups(self, idx: list[int], c: int, y: cp_model.IntVar) -> None:
        blocked = self.cat.room_classes[c].blocked
        for i in idx:
            o = self.options[i]
            if any(s < o.end and o.start < e for s, e in blocked):
                self.m.add_implication(self.x[i], ~y)

    def _caps(self) -> None:
        for staff_id, idx in self._group(lambda i, o: o.staff).items():
            staff = self.cat.problem.staff_by_id[staff_id]
            self._caseload(staff.caseload_cap, idx, staff_id)
            days: dict[int, list[int]] = {}
            for i in idx:
                days.setdefault(self.options[i].start // DAY, []).append(i)
            cap = staff.max_per_day
            for day_idx in days.values():
                if cap is not None and len(day_idx) > cap:
                    self.m.add(sum(self.x[i] for i in day_idx) <= cap)
            self._overload(staff_id, days)

    def _caseload(self, cap: int | None, idx: list[int], staff: str) -> None:
        patients = sorted({self.patient_of[i] for i in idx})
        if cap is None or len(patients) <= cap:
            return
        seen = {p: self.m.new_bool_var(f"c_{staff}_{p}") for p in patients}
        self.caseloads.update({(staff, p): v for p, v in seen.items()})
        for i in idx:
            self.m.add_implication(self.x[i], seen[self.patient_of[i]])
        self.m.add(sum(seen.values()) <= cap)

    def _overload(self, staff: str, days: dict[int, list[int]]) -> None:
        """Appointments beyond the even share on a day, as a variable the objective prices."""
        share = self.shares[staff]
        for day, idx in days.items():
            most = len({self.options[i].request for i in idx})
            if most <= share:
                continue
            excess = self.m.new_int_var(0, most - share, f"o_{staff}_{day}")
            self.m.add(excess >= sum(self.x[i] for i in idx) - share)
            self.overloads[(staff, day)] = excess

    def _objective(self) -> None:
        w = self.cat.problem.settings.weights
        pairs = [(x, o.cost) for o, x in zip(self.options, self.x, strict=True) if o.cost]
        pairs += [(u, w.unplaced) for u in self.unplaced.values()]
        pairs += [(v, self.floors[r]) for r, v in self.wild.items() if self.floors[r]]
        pairs += [(v, w.overload) for v in self.overloads.values()]
        self.m.minimize(
            cp_model.LinearExpr.weighted_sum([v for v, _ in pairs], [c for _, c in pairs])
        )

    def hint(self, appointments: tuple[Appointment, ...]) -> None:
        """Start from a known plan (the greedy one), every variable given, so that CP-SAT's
        first solution is that plan and it can only get better."""
        room_class = {room: rc.index for rc in self.cat.room_classes for room in rc.rooms}
        index = {r.id: i for i, r in enumerate(self.cat.requests)}
        chosen = {(index[a.request], a.staff, a.start, a.telehealth): a for a in appointments}
        for o, x in zip(self.options, self.x, strict=True):
            self.m.add_hint(x, (o.request, o.staff, o.start, o.telehealth) in chosen)
        by_request = {index[a.request]: a for a in appointments}
        for r, u in self.unplaced.items():
            self.m.add_hint(u, r not in by_request)
        for v in self.wild.values():
            self.m.add_hint(v, False)
        for r, start in self.starts.items():
            a = by_request.get(r)
            self.m.add_hint(start, a.start if a is not None and a.room else 0)
        for (r, c), y in self.room_of.items():
            a = by_request.get(r)
            self.m.add_hint(y, a is not None and a.room is not None and room_class[a.room] == c)
        for (staff, patient), seen in self.caseloads.items():
            self.m.add_hint(
                seen, any(a.staff == staff and a.patient == patient for a in appointments)
            )
        count: dict[tuple[str, int], int] = {}
        for a in appointments:
            count[(a.staff, a.start // DAY)] = count.get((a.staff, a.start // DAY), 0) + 1
        for (staff, day), v in self.overloads.items():
            self.m.add_hint(v, max(0, count.get((staff, day), 0) - self.shares[staff]))

    def wildcards(self, solver: cp_model.CpSolver) -> list[int]:
        return [r for r, v in self.wild.items() if solver.boolean_value(v)]

    def room_class_of(self, solver: cp_model.CpSolver, request: int) -> int:
        return next(
            c for (r, c), y in self.room_of.items() if r == request and solver.boolean_value(y)
        )
