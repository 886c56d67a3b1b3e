"""The weekly solver: OR-Tools CP-SAT over the catalogue of options. A Problem in, a Plan out.

Model (time-indexed): one Boolean per option (staff member x start x room class or
telehealth), exactly one option or "unplaced" per appointment. Overlaps are forbidden by
at-most-one constraints over each maximal set of mutually overlapping options of a staff
member or a patient, and by "at most n" over a room class of n rooms. Caps are linear sums.
The time-indexed form has a strong linear relaxation, which is what lets CP-SAT prove small
gaps quickly. The greedy plan is given as a hint, so the first solution is never worse.

Determinism: CP-SAT returns the same plan for the same instance only with the same
random_seed AND num_workers, and only if the search stops for a reason that does not depend
on the clock: it proves optimality before the time limit, or `deterministic=True` is set, which
switches to a deterministic time budget and interleaved (deterministic) parallel search.
"""

from __future__ import annotations

import bisect
import json
import math
import os
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

from ortools.sat.python import cp_model

from openiop.scheduling.candidates import Catalogue, Option, catalogue
from openiop.scheduling.greedy import cheapest_first, complete, first_fit
from openiop.scheduling.model import WeekModel
from openiop.scheduling.plan_json import plans_doc
from openiop.scheduling.problem import Appointment, Plan, Problem
from openiop.scheduling.problem_json import parse_instance
from openiop.scheduling.reasons import explain_unplaced
from openiop.scheduling.weights import plan_costs


@dataclass(frozen=True)
class SolveOptions:
    time_limit: float = 10.0  # seconds (deterministic units when deterministic=True)
    num_workers: int = 2
    random_seed: int = 0
    deterministic: bool = False
    relative_gap: float = 0.0  # stop once the proven gap is this small (0: prove optimal)
    hint: bool = True


MIN_OPTIONS = 30  # each request starts with at least its 30 cheapest options...
GROW = 30  # ...and each widening adds at least 30 more


class _Tiers:
    """Which options of each request the model holds: all those up to a price level."""

    def __init__(self, cat: Catalogue, start: list[Appointment]) -> None:
        self.cat = cat
        self.costs = [sorted(o.cost for o in opts) for opts in cat.options]
        self.levels = [sorted(set(c)) for c in self.costs]
        started = {a.request: a for a in start}
        self.k: list[int] = []
        for r, request in enumerate(cat.requests):
            if not self.levels[r]:
                self.k.append(-1)
                continue
            need = self.costs[r][min(MIN_OPTIONS, len(self.costs[r])) - 1]
            if request.id in started:
                need = max(need, _cost_of(cat, r, started[request.id]))
            self.k.append(bisect.bisect_left(self.levels[r], need))

    def selection(self) -> tuple[list[list[Option]], dict[int, int]]:
        selected, floors = [], {}
        for r, opts in enumerate(self.cat.options):
            if self.k[r] < 0:
                selected.append([])
                continue
            top = self.levels[r][self.k[r]]
            selected.append([o for o in opts if o.cost <= top])
            if self.k[r] + 1 < len(self.levels[r]):
                floors[r] = self.levels[r][self.k[r] + 1]
        return selected, floors

    def widen(self, requests: list[int]) -> None:
        for r in requests:
            held = bisect.bisect_right(self.costs[r], self.levels[r][self.k[r]])
            while self.k[r] + 1 < len(self.levels[r]):
                self.k[r] += 1
                if bisect.bisect_right(self.costs[r], self.levels[r][self.k[r]]) >= held + GROW:
                    break


def _cost_of(cat: Catalogue, r: int, a: Appointment) -> int:
    return next(
        o.cost
        for o in cat.options[r]
        if (o.staff, o.start, o.telehealth) == (a.staff, a.start, a.telehealth)
    )


def _parameters(solver: cp_model.CpSolver, options: SolveOptions, seconds: float) -> None:
    p = solver.parameters
    p.num_workers = max(1, options.num_workers)
    p.random_seed = options.random_seed
    # Probing and symmetry detection cost more in presolve than they save on these models.
    p.cp_model_probing_level = 0
    p.symmetry_level = 0
    if options.deterministic:
        p.max_deterministic_time = max(seconds, 0.01)
        p.interleave_search = p.num_workers > 1
        p.max_time_in_seconds = options.time_limit * 20  # a safety net, not the stopping rule
    else:
        p.max_time_in_seconds = max(seconds, 0.01)
    if options.relative_gap > 0:
        p.relative_gap_limit = options.relative_gap


def _assign_rooms(cat: Catalogue, chosen: list[tuple[Option, int | None]]) -> list[Appointment]:
    """Give each in-person appointment a room of its class: intervals, earliest first."""
    free_at: dict[str, int] = {r.id: -1 for r in cat.problem.rooms}
    out: list[Appointment] = []
    for o, c in sorted(chosen, key=lambda pair: (pair[0].start, pair[0].request)):
        room = None
        if c is not None:
            room = next(r for r in cat.room_classes[c].rooms if free_at[r] <= o.start)
            free_at[room] = o.end
        request = cat.requests[o.request]
        out.append(
            Appointment(
                request.id,
                request.patient,
                request.kind,
                o.staff,
                o.start,
                o.end,
                room,
                o.other_counselor,
            )
        )
    order = {r.id: i for i, r in enumerate(cat.requests)}
    return sorted(out, key=lambda a: order[a.request])


@dataclass
class _Search:
    """The best plan so far, the best proven bound, and what is left of the time budget."""

    cat: Catalogue
    options: SolveOptions
    best: list[Appointment]
    cost: int
    bound: int = 0
    optimal: bool = False
    rounds: int = 0
    budget: float = 0.0

    def plan_cost(self, appointments: list[Appointment]) -> int:
        placeable = self.cat.placeable()
        unplaced = len(placeable - {a.request for a in appointments})
        return sum(plan_costs(self.cat.problem, appointments, unplaced).values())

    def done(self) -> bool:
        gap = self.cost - self.bound
        return self.optimal or self.budget <= 0.01 or gap <= self.options.relative_gap * self.cost

    def round(self, tiers: _Tiers) -> None:
        """Solve the current relaxation; keep its plan if it needs no wildcard, else widen."""
        selected, floors = tiers.selection()
        model = WeekModel(self.cat, selected, floors)
        if self.options.hint:
            model.hint(tuple(self.best))
        solver = cp_model.CpSolver()
        _parameters(solver, self.options, self.budget)
        began = time.perf_counter()
        status = solver.solve(model.m)
        spent = (
            solver.deterministic_time if self.options.deterministic else time.perf_counter() - began
        )
        self.budget -= spent
        self.rounds += 1
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            self.budget = 0.0
            return
        self.bound = max(self.bound, math.ceil(solver.best_objective_bound - 1e-6))
        wild = model.wildcards(solver)
        appointments = _assign_rooms(self.cat, _chosen(model, solver))
        if wild:  # a relaxed plan: give those requests their cheapest free option instead
            appointments = complete(self.cat, appointments, wild)
            tiers.widen(wild)
        cost = self.plan_cost(appointments)
        if cost <= self.cost:
            self.best, self.cost = appointments, cost
        self.optimal = not wild and status == cp_model.OPTIMAL
        if status != cp_model.OPTIMAL:
            self.budget = 0.0


def _chosen(model: WeekModel, solver: cp_model.CpSolver) -> list[tuple[Option, int | None]]:
    return [
        (o, None if o.telehealth else model.room_class_of(solver, o.request))
        for o, x in zip(model.options, model.x, strict=True)
        if solver.boolean_value(x)
    ]


def solve(problem: Problem, options: SolveOptions | None = None) -> Plan:
    """The best plan found for one location's week within the time limit.

    The model starts with each request's cheapest options and a wildcard for the rest (see
    WeekModel); while the best relaxed plan uses wildcards, those requests get more options
    and the model is solved again, starting from the best real plan so far. A relaxed plan
    becomes a real one by giving its wildcard requests their cheapest option still free. A
    relaxed plan without wildcards is a real plan, and when CP-SAT proves it optimal it is
    optimal for the whole week. Every round's bound is a bound for the whole week."""
    options = options or SolveOptions()
    began = time.perf_counter()
    cat = catalogue(problem)
    search = _Search(cat, options, [], 0)
    starts = [cheapest_first(cat), first_fit(cat)]
    search.best = min(starts, key=search.plan_cost)
    search.cost = search.plan_cost(search.best)
    search.budget = options.time_limit - (
        0 if options.deterministic else time.perf_counter() - began
    )
    tiers = _Tiers(cat, search.best)
    while not search.done():
        search.round(tiers)
    return _plan(problem, search, time.perf_counter() - began)


def _plan(problem: Problem, search: _Search, seconds: float) -> Plan:
    o = search.options
    unplaced = explain_unplaced(search.cat, search.best, stopped_early=not search.optimal)
    placeable = search.cat.placeable()
    costs = plan_costs(problem, search.best, sum(u.request in placeable for u in unplaced))
    objective = sum(costs.values())
    bound = objective if search.optimal else min(search.bound, objective)
    return Plan(
        location_id=problem.location_id,
        week_start=problem.week_start,
        solver="cp-sat",
        status="OPTIMAL" if search.optimal or bound == objective else "FEASIBLE",
        appointments=tuple(search.best),
        unplaced=tuple(unplaced),
        objective=objective,
        best_bound=bound,
        gap=round((objective - bound) / max(1, abs(objective)), 6),
        seconds=round(seconds, 3),
        costs=tuple(costs.items()),
        parameters=(
            ("time_limit", o.time_limit),
            ("num_workers", o.num_workers),
            ("random_seed", o.random_seed),
            ("deterministic", o.deterministic),
            ("rounds", search.rounds),
        ),
    )


def solve_all(
    problems: list[Problem], options: SolveOptions, processes: int | None = None
) -> list[Plan]:
    """Each location on its own; several at once in a process pool when there are several."""
    processes = processes or os.cpu_count() or 1
    if len(problems) == 1 or processes == 1:
        return [solve(p, options) for p in problems]
    single = replace(options, num_workers=1)
    with ProcessPoolExecutor(max_workers=min(processes, len(problems))) as pool:
        return list(pool.map(solve, problems, [single] * len(problems)))


def solve_file(
    instance_path: str | Path,
    out_path: str | Path,
    time_limit: float = 10.0,
    *,
    num_workers: int | None = None,
    random_seed: int = 0,
) -> dict:
    """Solve every location of an instance file and write the plan file; returns the plan doc."""
    problems = parse_instance(json.loads(Path(instance_path).read_text(encoding="utf-8")))
    options = SolveOptions(
        time_limit=time_limit,
        num_workers=num_workers or os.cpu_count() or 1,
        random_seed=random_seed,
    )
    doc = plans_doc(solve_all(problems, options))
    Path(out_path).write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")
    return doc
