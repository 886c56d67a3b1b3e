"""The scheduling benchmark: solver and greedy baseline on a generated instance, site by site.

Sites are solved in parallel in a process pool (one CP-SAT worker per process when there
are several sites, every core for a single site). Every plan goes through the independent
checker. `run_benchmark` returns the figures as one dict, ready to print as JSON.
"""

from __future__ import annotations

import os
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace

from openiop.scheduling.candidates import catalogue
from openiop.scheduling.checker import check_plan
from openiop.scheduling.greedy import greedy_plan
from openiop.scheduling.instances import generate_instance
from openiop.scheduling.problem import Plan, Problem
from openiop.scheduling.problem_json import parse_instance
from openiop.scheduling.solver import SolveOptions, solve


def _figures(problem: Problem, plan: Plan, placeable: set[str]) -> dict:
    return {
        "seconds": round(plan.seconds, 3),
        "placed": len(plan.appointments),
        "unplaced": len(plan.unplaced),
        "unplaced_placeable_alone": sum(u.request in placeable for u in plan.unplaced),
        "hard_violations": len(check_plan(problem, plan)),
        "objective": plan.objective,
        "best_bound": plan.best_bound,
        "gap": plan.gap,
        "status": plan.status,
    }


def bench_site(problem: Problem, options: SolveOptions) -> dict:
    """Solver and greedy figures for one site."""
    plan = solve(problem, options)
    began = time.perf_counter()
    cat = catalogue(problem)  # the greedy's time includes its catalogue, as the solver's does
    baseline = greedy_plan(problem, cat)
    baseline = replace(baseline, seconds=round(time.perf_counter() - began, 3))
    placeable = cat.placeable()
    return {
        "location": problem.location_id,
        "patients": len(problem.patients),
        "solver": _figures(problem, plan, placeable),
        "greedy": _figures(problem, baseline, placeable),
    }


def _total(sites: list[dict], side: str) -> dict:
    rows = [s[side] for s in sites]
    objective = sum(r["objective"] for r in rows)
    total = {
        "site_seconds_sum": round(sum(r["seconds"] for r in rows), 3),
        "site_seconds_max": max(r["seconds"] for r in rows),
        "placed": sum(r["placed"] for r in rows),
        "unplaced": sum(r["unplaced"] for r in rows),
        "unplaced_placeable_alone": sum(r["unplaced_placeable_alone"] for r in rows),
        "hard_violations": sum(r["hard_violations"] for r in rows),
        "objective": objective,
    }
    if side == "solver":
        bound = sum(r["best_bound"] for r in rows)
        total["best_bound"] = bound
        total["gap"] = round((objective - bound) / max(1, objective), 6)
        total["max_site_gap"] = max(r["gap"] for r in rows)
        statuses: dict[str, int] = {}
        for r in rows:
            statuses[r["status"]] = statuses.get(r["status"], 0) + 1
        total["statuses"] = statuses
    return total


def run_benchmark(
    patients: int,
    locations: int,
    seed: int,
    time_limit: float = 10.0,
    *,
    processes: int | None = None,
    random_seed: int = 0,
    relative_gap: float = 0.01,
) -> dict:
    """Generate an instance, plan every site with the solver and the greedy baseline, check
    every plan, and return the figures. `time_limit` is per site, in seconds; a site stops
    early once its plan is proven within `relative_gap` of optimal."""
    cores = os.cpu_count() or 1
    processes = min(processes or cores, locations)
    began = time.perf_counter()
    load_before = os.getloadavg()  # others' work on the machine skews every figure: say so
    problems = parse_instance(generate_instance(patients, locations, seed))
    workers = cores if processes == 1 else 1
    options = SolveOptions(
        time_limit=time_limit,
        num_workers=workers,
        random_seed=random_seed,
        relative_gap=relative_gap,
    )
    if processes == 1:
        sites = [bench_site(p, options) for p in problems]
    else:
        with ProcessPoolExecutor(max_workers=processes) as pool:
            sites = list(pool.map(bench_site, problems, [options] * len(problems)))
    beats = sum(s["solver"]["objective"] < s["greedy"]["objective"] for s in sites)
    return {
        "command": f"openiop bench schedule --patients {patients} --locations {locations} "
        f"--seed {seed} --time-limit {time_limit:g} --gap {relative_gap:g}",
        "patients": patients,
        "locations": locations,
        "seed": seed,
        "time_limit_per_site": time_limit,
        "relative_gap": relative_gap,
        "cores": cores,
        "processes": processes,
        "cp_sat_workers_per_site": workers,
        "seconds": round(time.perf_counter() - began, 3),
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        "solver": _total(sites, "solver"),
        "greedy": _total(sites, "greedy"),
        "solver_beats_greedy_on_sites": beats,
        "solver_beats_greedy_on_every_site": beats == len(sites),
        "sites": sites,
    }
