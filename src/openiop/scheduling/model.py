"""The CP-SAT model of a week (time-indexed) over a selection of each request's options.

One Boolean per option (staff member x start x in person or telehealth) and exactly one
option or "unplaced" per appointment. Overlaps are forbidden by at-most-one constraints over
each maximal set of mutually overlapping options of a staff member or of a patient (a strong
linear relaxation). An in-person option also picks one room class that can host it and is
free then (a Boolean per class), and a class of n rooms holds at most n appointments at any
moment (one "at most n" per maximal set of overlapping options); rooms of a class are
interchangeable, so that is exactly when rooms can be given out one by one afterwards.
Caseload, daily caps and each staff member's appointments beyond an even share of a day are
linear. Everything is linear over Booleans, which keeps CP-SAT's LP strong and its
presolve quick.
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
    i is the plan's choice. The selection must be the options a better plan could use (see
    relaxation.py): the model then holds every plan worth finding. `floor` is a proven lower
    bound on the objective, given to CP-SAT as the objective's domain so that its gap (and
    relative_gap_limit) counts from it."""

    def __init__(self, cat: Catalogue, selected: list[list[Option]], floor: int = 0) -> None:
        self.cat = cat
        self.m = cp_model.CpModel()
        self.options: list[Option] = [o for opts in selected for o in opts]
        self.x = [self.m.new_bool_var(f"x{i}") for i in range(len(self.options))]
        self.patient_of = [cat.requests[o.request].patient for o in self.options]
        self.unplaced: dict[int, cp_model.IntVar] = {}
        self.room_of: dict[tuple[int, int], cp_model.IntVar] = {}  # (option, class) -> used
        self.shares = even_shares(cat.problem)
        self.overloads: dict[tuple[str, int], cp_model.IntVar] = {}
        self.caseloads: dict[tuple[str, str], cp_model.IntVar] = {}  # (staff, patient) -> seen
        self._one_per_request(cat)
        self._no_overlaps()
        self._rooms()
        self._caps()
        self._objective(floor)

    def _group(self, key) -> dict:
        groups: dict = {}
        for i, o in enumerate(self.options):
            groups.setdefault(key(i, o), []).append(i)
        return groups

    def _one_per_request(self, cat: Catalogue) -> None:
        """Every request that fits on its own may still end unplaced, at a price."""
        idx_of = self._group(lambda i, o: o.request)
        for r, opts in enumerate(cat.options):
            if opts:
                self.unplaced[r] = self.m.new_bool_var(f"u{r}")
                self.m.add_exactly_one([self.x[i] for i in idx_of.get(r, [])] + [self.unplaced[r]])

    def _no_overlaps(self) -> None:
        for idx in self._group(lambda i, o: o.staff).values():
            self._at_most(idx, [self.x[i] for i in idx], 1)
        for idx in self._group(lambda i, o: self.patient_of[i]).values():
            self._at_most(idx, [self.x[i] for i in idx], 1)

    def _at_most(self, idx: list[int], lits: list, n: int) -> None:
        """At most n of the options idx (literals lits) at any moment."""
        spans = [(self.options[i].start, self.options[i].end, k) for k, i in enumerate(idx)]
        for group in cliques(spans):
            if n == 1:
                self.m.add_at_most_one([lits[k] for k in group])
            elif len(group) > n:
                self.m.add(sum(lits[k] for k in group) <= n)

    def _rooms(self) -> None:
        """A room class per in-person option, among those that host it and are free then."""
        by_class: dict[int, list[int]] = {}
        for i, o in enumerate(self.options):
            if o.telehealth:
                continue
            used = []
            for c in self.cat.classes_for[o.request]:
                if any(s < o.end and o.start < e for s, e in self.cat.room_classes[c].blocked):
                    continue
                used.append(self.room_of.setdefault((i, c), self.m.new_bool_var(f"y{i}_{c}")))
                by_class.setdefault(c, []).append(i)
            if len(used) == 1:
                self.m.add(used[0] == self.x[i])
            else:
                self.m.add(sum(used) == self.x[i])
        for c, idx in by_class.items():
            rooms = len(self.cat.room_classes[c].rooms)
            self._at_most(idx, [self.room_of[(i, c)] for i in idx], rooms)

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

    def _objective(self, floor: int) -> None:
        w = self.cat.problem.settings.weights
        pairs = [(x, o.cost) for o, x in zip(self.options, self.x, strict=True) if o.cost]
        pairs += [(u, w.unplaced) for u in self.unplaced.values()]
        pairs += [(v, w.overload) for v in self.overloads.values()]
        self.m.minimize(
            cp_model.LinearExpr.weighted_sum([v for v, _ in pairs], [c for _, c in pairs])
        )
        if floor > 0:  # no plan costs less: CP-SAT's bound starts there
            self.m.proto.objective.domain.extend([floor, sum(c for _, c in pairs) + 1])

    def hint(self, appointments: tuple[Appointment, ...]) -> None:
        """Start from a known plan, every variable given, so that CP-SAT's first solution is
        that plan (when its options are in the model) and it can only get better."""
        room_class = {room: rc.index for rc in self.cat.room_classes for room in rc.rooms}
        index = {r.id: i for i, r in enumerate(self.cat.requests)}
        chosen = {(index[a.request], a.staff, a.start, a.telehealth): a for a in appointments}
        taken = set()
        for i, (o, x) in enumerate(zip(self.options, self.x, strict=True)):
            a = chosen.get((o.request, o.staff, o.start, o.telehealth))
            self.m.add_hint(x, a is not None)
            if a is not None:
                taken.add(o.request)
            for c in self.cat.classes_for[o.request]:
                if (i, c) in self.room_of:
                    use = a is not None and a.room is not None and room_class[a.room] == c
                    self.m.add_hint(self.room_of[(i, c)], use)
        for r, u in self.unplaced.items():
            self.m.add_hint(u, r not in taken)
        for (staff, patient), seen in self.caseloads.items():
            self.m.add_hint(
                seen, any(a.staff == staff and a.patient == patient for a in appointments)
            )
        count: dict[tuple[str, int], int] = {}
        for a in appointments:
            count[(a.staff, a.start // DAY)] = count.get((a.staff, a.start // DAY), 0) + 1
        for (staff, day), v in self.overloads.items():
            self.m.add_hint(v, max(0, count.get((staff, day), 0) - self.shares[staff]))

    def room_class_of(self, solver: cp_model.CpSolver, option: int) -> int:
        o = self.options[option]
        return next(
            c
            for c in self.cat.classes_for[o.request]
            if (option, c) in self.room_of and solver.boolean_value(self.room_of[(option, c)])
        )
