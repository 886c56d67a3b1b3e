"""The linear relaxation of a week (GLOP): a proven lower bound and each option's reduced cost.

The relaxation has one column per option (0..1), "unplaced" per appointment, overload per
staff member and day, and "seen" per counselor and patient where a caseload cap can bind;
its rows are the ones of the CP-SAT model that are linear without rooms: exactly one option
or unplaced per appointment, at most one option at a time per staff member and per patient
(one row per maximal set of overlapping options, which for intervals describes their
no-overlap exactly), daily caps, overload and caseload; and rooms as Hall's condition on room
classes (see _rooms), which is weaker than the model's room rule: dropping or weakening rows
keeps it a relaxation.

Two facts make it worth solving. Its optimum is a lower bound for every plan of the week,
and on these weeks a tight one (within about 1 % of the best plan). And the duals price
every option: a plan that uses an option with reduced cost d costs at least bound + d, so
the CP-SAT model only needs the options whose reduced cost is below what a better plan
could afford (reduced-cost fixing, an exact reduction).

The bound is recomputed from the duals by the Lagrangian formula (any duals of the right
sign give a valid bound), so it does not rest on the LP solver's tolerances.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from itertools import combinations

import numpy as np
from ortools.linear_solver.python import model_builder_helper as mbh

from openiop.scheduling.candidates import Catalogue
from openiop.scheduling.model import cliques
from openiop.scheduling.problem import DAY
from openiop.scheduling.weights import even_shares

INF = math.inf


@dataclass(frozen=True)
class Relaxation:
    bound: int  # no plan of the week costs less
    value: float  # the bound before rounding up, for bound + reduced cost
    reduced: list[np.ndarray]  # per request, per option (as in Catalogue.options): >= 0
    values: list[np.ndarray]  # the LP's value of each option
    seconds: float = 0.0


class _Rows:
    """A sparse LP written row by row: columns with bounds and costs, rows as coordinates."""

    def __init__(self) -> None:
        self.cost: list[float] = []
        self.upper: list[float] = []
        self.rows: list[int] = []
        self.cols: list[int] = []
        self.vals: list[float] = []
        self.lo: list[float] = []
        self.hi: list[float] = []

    def column(self, cost: float, upper: float) -> int:
        self.cost.append(cost)
        self.upper.append(upper)
        return len(self.cost) - 1

    def row(self, cols: list[int], lo: float, hi: float, vals: list[float] | None = None) -> None:
        """A row over the columns (coefficient 1 unless vals are given)."""
        r = len(self.lo)
        self.lo.append(lo)
        self.hi.append(hi)
        self.rows.extend([r] * len(cols))
        self.cols.extend(cols)
        self.vals.extend(vals if vals is not None else [1.0] * len(cols))


def _build(cat: Catalogue) -> tuple[_Rows, list[list[int]]]:
    problem = cat.problem
    w = problem.settings.weights
    lp = _Rows()
    cols = [[lp.column(o.cost, 1.0) for o in opts] for opts in cat.options]
    flat = [
        (o, c)
        for opts, cs in zip(cat.options, cols, strict=True)
        for o, c in zip(opts, cs, strict=True)
    ]
    for cs in cols:
        if cs:
            lp.row([*cs, lp.column(w.unplaced, 1.0)], 1.0, 1.0)
    by_staff: dict[str, list] = {}
    by_patient: dict[str, list] = {}
    for o, c in flat:
        by_staff.setdefault(o.staff, []).append((o, c))
        by_patient.setdefault(cat.requests[o.request].patient, []).append((o, c))
    for group in (*by_staff.values(), *by_patient.values()):
        for clique in cliques([(o.start, o.end, c) for o, c in group]):
            lp.row(clique, -INF, 1.0)
    _rooms(cat, lp, flat)
    shares = even_shares(problem)
    for staff_id, group in by_staff.items():
        staff = problem.staff_by_id[staff_id]
        days: dict[int, list] = {}
        for o, c in group:
            days.setdefault(o.start // DAY, []).append((o, c))
        for day_group in days.values():
            day_cols = [c for _, c in day_group]
            if staff.max_per_day is not None and len(day_cols) > staff.max_per_day:
                lp.row(day_cols, -INF, staff.max_per_day)
            most = len({o.request for o, _ in day_group})
            if most > shares[staff_id]:
                excess = lp.column(w.overload, most - shares[staff_id])
                vals = [1.0] * len(day_cols) + [-1.0]
                lp.row([*day_cols, excess], -INF, shares[staff_id], vals)
        _caseload(cat, lp, staff.caseload_cap, group)
    return lp, cols


def _usable(cat: Catalogue, o) -> frozenset[int]:
    """Room classes that host the option's kind and are not taken by a group then."""
    return frozenset(
        c
        for c in cat.classes_for[o.request]
        if not any(s < o.end and o.start < e for s, e in cat.room_classes[c].blocked)
    )


def _rooms(cat: Catalogue, lp: _Rows, flat: list) -> None:
    """Rooms, as Hall's condition at every moment: the in-person options that can only use
    the classes in S never outnumber the free rooms of S. Necessary, not sufficient (which
    room an appointment keeps over time is the model's business), so still a relaxation. A
    set S is skipped when no more staff members than its rooms could use it: the staff rows
    already say as much."""
    classes = range(len(cat.room_classes))
    usable = [(o, c, _usable(cat, o)) for o, c in flat if not o.telehealth]
    sizes = range(1, len(classes) + 1) if len(classes) <= 4 else (1, len(classes))
    for size in sizes:
        for subset in combinations(classes, size):
            inside = set(subset)
            group = [(o, c) for o, c, can in usable if can <= inside]
            rooms = sum(len(cat.room_classes[k].rooms) for k in subset)
            if len({o.staff for o, _ in group}) <= rooms:
                continue
            starts = {c: o.start for o, c in group}
            for clique in cliques([(o.start, o.end, c) for o, c in group]):
                moment = max(starts[c] for c in clique)
                free = sum(
                    len(cat.room_classes[k].rooms)
                    for k in subset
                    if not any(s <= moment < e for s, e in cat.room_classes[k].blocked)
                )
                if len(clique) > free:
                    lp.row(clique, -INF, free)


def _caseload(cat: Catalogue, lp: _Rows, cap: int | None, group: list) -> None:
    """Each appointment with the staff member needs the patient "seen"; at most cap seen."""
    by_request: dict[int, list[int]] = {}
    for o, c in group:
        by_request.setdefault(o.request, []).append(c)
    patients = {cat.requests[r].patient for r in by_request}
    if cap is None or len(patients) <= cap:
        return
    seen = {p: lp.column(0.0, 1.0) for p in sorted(patients)}
    for r, cs in by_request.items():
        vals = [1.0] * len(cs) + [-1.0]
        lp.row([*cs, seen[cat.requests[r].patient]], -INF, 0.0, vals)
    lp.row(list(seen.values()), -INF, cap)


def _solve(lp: _Rows, time_limit: float | None) -> tuple[np.ndarray, np.ndarray] | None:
    """GLOP's duals and values, or None when it stops without an optimal solution."""
    model = mbh.ModelBuilderHelper()
    n = len(lp.cost)
    model.add_var_array_with_bounds(np.zeros(n), np.array(lp.upper), np.zeros(n, dtype=bool), "x")
    model.set_objective_coefficients(list(range(n)), lp.cost)
    for lo, hi in zip(lp.lo, lp.hi, strict=True):
        ct = model.add_linear_constraint()
        model.set_constraint_lower_bound(ct, lo)
        model.set_constraint_upper_bound(ct, hi)
    for r, c, v in zip(lp.rows, lp.cols, lp.vals, strict=True):
        model.add_term_to_constraint(r, c, v)
    solver = mbh.ModelSolverHelper("glop")
    if time_limit is not None:
        solver.set_time_limit_in_seconds(max(time_limit, 0.05))
    solver.solve(model)
    if solver.status() != mbh.SolveStatus.OPTIMAL:
        return None
    return np.array(solver.dual_values()), np.array(solver.variable_values())


def _lagrangian(lp: _Rows, duals: np.ndarray) -> tuple[float, np.ndarray]:
    """The bound given by any duals of the right sign, and the reduced costs it implies."""
    lo, hi = np.array(lp.lo), np.array(lp.hi)
    y = np.where(lo == hi, duals, np.minimum(duals, 0.0))  # a "<=" row of a minimum: y <= 0
    rows, cols, vals = np.array(lp.rows), np.array(lp.cols), np.array(lp.vals)
    reduced = np.array(lp.cost) - np.bincount(cols, vals * y[rows], minlength=len(lp.cost))
    rhs = np.where(lo == hi, lo, hi)
    bound = float(rhs @ y) + float(np.minimum(reduced, 0.0) @ np.array(lp.upper))
    return bound, reduced


def relax(cat: Catalogue, time_limit: float | None = None) -> Relaxation | None:
    """The relaxation's bound and prices; None if GLOP did not finish within time_limit."""
    began = time.perf_counter()
    lp, cols = _build(cat)
    if not lp.lo:
        empty = [np.zeros(0) for _ in cat.options]
        return Relaxation(0, 0.0, empty, empty)
    solved = _solve(lp, time_limit)
    if solved is None:
        return None
    duals, values = solved
    bound, reduced = _lagrangian(lp, duals)
    reduced = np.maximum(reduced, 0.0)
    return Relaxation(
        bound=max(0, math.ceil(bound - 1e-6)),  # every cost is a whole number of points
        value=bound,
        reduced=[reduced[cs] for cs in cols],
        values=[values[cs] for cs in cols],
        seconds=time.perf_counter() - began,
    )
