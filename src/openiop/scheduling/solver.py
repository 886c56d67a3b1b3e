"""The weekly solver: OR-Tools CP-SAT over the catalogue of options. A Problem in, a Plan out.

1. Catalogue: every way each appointment could be placed on its own (candidates.py).
2. Linear relaxation (relaxation.py, GLOP): a proven lower bound for the whole week and a
   reduced cost per option; on realistic weeks the bound is within about 1 % of the best plan.
3. Start plans: the greedy baseline, "cheapest first" and the LP's plan made whole (greedy.py);
   the best one is CP-SAT's hint, so its first solution is never worse. Then small exact
   rounds over where the LP and the plan disagree (neighbourhood.py), while they improve it.
4. CP-SAT (model.py) over the options a better plan could use: a plan that uses an option
   with reduced cost d costs at least bound + d, so options priced beyond the best plan are
   left out without losing any better plan (reduced-cost fixing). The first round holds only
   the options the LP prices at zero; if CP-SAT proves that round optimal at cost V, the next
   round holds every option cheaper than V - bound and its optimum is the week's optimum.
   Every round's bound holds for the whole week: CP-SAT's bound over the options it holds,
   capped by the relaxation's bound plus the cheapest option left out.

The objective's domain starts at the relaxation's bound, so relative_gap stops CP-SAT as soon
as the plan is proven that close to optimal.

Determinism: the relaxation and the start plans are deterministic; CP-SAT returns the same plan
for the same instance only with the same random_seed AND num_workers, and only if the search
stops for a reason that does not depend on the clock: it reaches the gap or proves optimality
before the time limit, or `deterministic=True` is set, which switches to a deterministic time
budget and interleaved (deterministic) parallel search.
"""

from __future__ import annotations

import json
import math
import os
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

from ortools.sat.python import cp_model

from openiop.scheduling.candidates import Catalogue, Option, catalogue
from openiop.scheduling.greedy import cheapest_first, first_fit, rounded
from openiop.scheduling.model import WeekModel
from openiop.scheduling.neighbourhood import neighbourhood
from openiop.scheduling.plan_json import plans_doc
from openiop.scheduling.problem import Appointment, Plan, Problem
from openiop.scheduling.problem_json import parse_instance
from openiop.scheduling.reasons import explain_unplaced
from openiop.scheduling.relaxation import Relaxation, relax
from openiop.scheduling.weights import plan_costs

FALLBACK = 30  # options per request the model holds when the relaxation did not finish


@dataclass(frozen=True)
class SolveOptions:
    time_limit: float = 10.0  # seconds (deterministic units when deterministic=True)
    num_workers: int = 2
    random_seed: int = 0
    deterministic: bool = False
    relative_gap: float = 0.0  # stop once the proven gap is this small (0: prove optimal)
    hint: bool = True


def _parameters(solver: cp_model.CpSolver, options: SolveOptions, seconds: float) -> None:
    p = solver.parameters
    p.num_workers = max(1, options.num_workers)
    p.random_seed = options.random_seed
    # Probing and symmetry detection cost more in presolve than they save on these models.
    p.cp_model_probing_level = 0
    p.symmetry_level = 0
    p.relative_gap_limit = options.relative_gap
    if options.deterministic:
        p.max_deterministic_time = max(seconds, 0.01)
        p.interleave_search = p.num_workers > 1
        p.max_time_in_seconds = options.time_limit * 20  # a safety net, not the stopping rule
    else:
        p.max_time_in_seconds = max(seconds, 0.01)


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


def _key(o: Option) -> tuple:
    return (o.request, o.staff, o.start, o.telehealth)


@dataclass
class _Search:
    """The best plan so far, the best proven bound, and what is left of the time budget."""

    cat: Catalogue
    options: SolveOptions
    best: list[Appointment]
    cost: int
    lp: Relaxation | None = None
    margin: float = 0.0  # the model holds the options with reduced cost up to this
    bound: int = 0
    optimal: bool = False
    rounds: int = 0
    polished: int = 0  # neighbourhood rounds
    budget: float = 0.0

    def plan_cost(self, appointments: list[Appointment]) -> int:
        placeable = self.cat.placeable()
        unplaced = len(placeable - {a.request for a in appointments})
        return sum(plan_costs(self.cat.problem, appointments, unplaced).values())

    def done(self) -> bool:
        gap = self.cost - self.bound
        self.optimal = self.optimal or gap <= 0
        too_little = max(0.01, 0.05 * self.options.time_limit)  # not worth building a model
        return (
            self.optimal
            or self.budget <= too_little
            or gap <= self.options.relative_gap * self.cost
        )

    def selection(self) -> tuple[list[list[Option]], float]:
        """The options within the margin and the best plan's own; and the lowest reduced
        cost left out (infinite when nothing is). Without the relaxation nothing can be left
        out safely: the model then holds each request's cheapest options and claims no
        bound (the lowest "reduced cost" left out is 0)."""
        index = {r.id: i for i, r in enumerate(self.cat.requests)}
        own = {(index[a.request], a.staff, a.start, a.telehealth) for a in self.best}
        if self.lp is None:
            prices = [
                sorted(o.cost for o in opts)[FALLBACK - 1 : FALLBACK] for opts in self.cat.options
            ]
            selected = [
                [o for o in opts if not top or o.cost <= top[0] or _key(o) in own]
                for opts, top in zip(self.cat.options, prices, strict=True)
            ]
            held = sum(map(len, selected)) == sum(map(len, self.cat.options))
            return selected, math.inf if held else 0.0
        selected, left_out = [], math.inf
        for opts, reduced in zip(self.cat.options, self.lp.reduced, strict=True):
            keep = []
            for o, d in zip(opts, reduced, strict=True):
                if d <= self.margin + 1e-6 or _key(o) in own:
                    keep.append(o)
                else:
                    left_out = min(left_out, float(d))
            selected.append(keep)
        return selected, left_out

    def _cp_sat(self, selected: list[list[Option]], seconds: float, exact: bool = False):
        """CP-SAT over the selection from the best plan; keeps its plan if it is better.
        Returns the solver and status, or None when it found no plan. `exact`: no gap stop
        (a bound over part of the week says nothing about the whole). Building the model
        counts against the budget too: CP-SAT gets what is left after it."""
        began = time.perf_counter()
        model = WeekModel(self.cat, selected, self.bound)
        if self.options.hint:
            model.hint(tuple(self.best))
        solver = cp_model.CpSolver()
        if exact:  # one worker settles a small model sooner than two (and the same way)
            _parameters(solver, replace(self.options, relative_gap=0.0, num_workers=1), seconds)
            solver.parameters.linearization_level = 2
        else:
            _parameters(solver, self.options, seconds)
        if not self.options.deterministic:
            solver.parameters.max_time_in_seconds = max(
                0.01, seconds - (time.perf_counter() - began)
            )
        status = solver.solve(model.m)
        spent = (
            solver.deterministic_time if self.options.deterministic else time.perf_counter() - began
        )
        self.budget -= spent
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return None
        appointments = _assign_rooms(self.cat, _chosen(model, solver))
        cost = self.plan_cost(appointments)
        if cost <= self.cost:
            self.best, self.cost = appointments, cost
        return solver, status

    def polish(self) -> None:
        """Small rounds over where the LP and the plan disagree (neighbourhood.py), each with
        a third of the time left, while they improve the plan; their bounds hold for that
        part of the week only and are not used."""
        while self.lp is not None and not self.done():
            pinned = neighbourhood(self.cat, self.lp, self.best, self.selection()[0])
            before = self.cost
            self.polished += pinned is not None
            if pinned is None or self._cp_sat(pinned, self.budget / 3, exact=True) is None:
                return
            if self.cost >= before:
                return

    def round(self) -> None:
        """Solve CP-SAT over the current selection; keep its plan and bound; widen the
        selection when the options left out are what keeps the bound down."""
        selected, left_out = self.selection()
        solved = self._cp_sat(selected, self.budget)
        self.rounds += 1
        if solved is None:
            self.budget = 0.0
            return
        solver, status = solved
        held = math.ceil(solver.best_objective_bound - 1e-6)  # over the options held
        beyond = (0.0 if self.lp is None else self.lp.value) + left_out
        self.bound = max(self.bound, min(held, math.ceil(beyond - 1e-6)))
        if held < self.cost and status == cp_model.FEASIBLE:  # stopped by the clock
            self.budget = 0.0
        elif self.lp is not None and beyond < min(held, self.cost):
            # The left-out options cap the bound. A plan better than the best uses only
            # options cheaper than its cost - bound; to lift the cap up to CP-SAT's own
            # bound, held - bound is enough.
            self.margin = min(held, self.cost) - self.lp.value


def _chosen(model: WeekModel, solver: cp_model.CpSolver) -> list[tuple[Option, int | None]]:
    return [
        (o, None if o.telehealth else model.room_class_of(solver, i))
        for i, (o, x) in enumerate(zip(model.options, model.x, strict=True))
        if solver.boolean_value(x)
    ]


def solve(problem: Problem, options: SolveOptions | None = None) -> Plan:
    """The best plan found for one location's week within the time limit (see the module
    docstring for how): with its proven bound, OPTIMAL when nothing cheaper exists."""
    options = options or SolveOptions()
    began = time.perf_counter()
    cat = catalogue(problem)
    search = _Search(cat, options, [], 0)
    # The relaxation may use all the time left, and at least half the limit even when the
    # catalogue took longer (a slow or busy machine): without it there is no useful bound,
    # and its plan made whole is usually better than what CP-SAT finds in the same time.
    left = options.time_limit - (time.perf_counter() - began)
    search.lp = relax(cat, None if options.deterministic else max(left, options.time_limit / 2))
    starts = [cheapest_first(cat), first_fit(cat)]
    if search.lp is not None:
        starts.extend(rounded(cat, search.lp.values, search.lp.reduced))
        search.bound = search.lp.bound
    search.best = min(starts, key=search.plan_cost)
    search.cost = search.plan_cost(search.best)
    search.budget = options.time_limit - (
        0 if options.deterministic else time.perf_counter() - began
    )
    search.polish()
    while not search.done():
        search.round()
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
            ("relative_gap", o.relative_gap),
            ("rounds", search.rounds),
            ("neighbourhood_rounds", search.polished),
            *((("relaxation_bound", search.lp.bound),) if search.lp is not None else ()),
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
    relative_gap: float = 0.0,
) -> dict:
    """Solve every location of an instance file and write the plan file; returns the plan doc.
    `relative_gap` > 0 stops a location once its plan is proven that close to optimal."""
    problems = parse_instance(json.loads(Path(instance_path).read_text(encoding="utf-8")))
    options = SolveOptions(
        time_limit=time_limit,
        num_workers=num_workers or os.cpu_count() or 1,
        random_seed=random_seed,
        relative_gap=relative_gap,
    )
    doc = plans_doc(solve_all(problems, options))
    Path(out_path).write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")
    return doc
