"""The solver on generated weeks: valid, deterministic, better than greedy; the generator."""

from __future__ import annotations

from collections import Counter

import pytest

from openiop.scheduling.bench import run_benchmark
from openiop.scheduling.checker import check_plan
from openiop.scheduling.greedy import greedy_plan
from openiop.scheduling.instances import generate_instance
from openiop.scheduling.model import cliques
from openiop.scheduling.problem_json import parse_instance
from openiop.scheduling.solver import SolveOptions, solve
from openiop.scheduling.weights import plan_costs


@pytest.fixture(scope="module")
def site():
    [problem] = parse_instance(generate_instance(16, 1, seed=11))
    return problem


def test_cliques_are_the_maximal_sets_of_overlapping_spans():
    spans = [(0, 50, 1), (10, 60, 2), (50, 100, 3), (60, 70, 4), (200, 210, 5)]
    assert cliques(spans) == [[1, 2], [2, 3], [3, 4]]


def test_the_solver_beats_greedy_and_breaks_no_rule(site):
    plan = solve(site, SolveOptions(time_limit=8, num_workers=1))
    baseline = greedy_plan(site)
    assert check_plan(site, plan) == []
    assert check_plan(site, baseline) == []
    assert plan.objective < baseline.objective
    assert len(plan.unplaced) <= len(baseline.unplaced)
    assert plan.best_bound is not None and plan.best_bound <= plan.objective
    assert 0 <= plan.gap <= 1


def test_the_reported_objective_is_the_cost_of_the_plan(site):
    plan = solve(site, SolveOptions(time_limit=5, num_workers=1))
    placed = {a.request for a in plan.appointments}
    costs = plan_costs(site, list(plan.appointments), len(plan.unplaced))
    assert plan.objective == sum(costs.values()) == sum(dict(plan.costs).values())
    assert {u.request for u in plan.unplaced}.isdisjoint(placed)


def test_same_seed_and_workers_give_the_same_plan(site):
    # deterministic=True: a deterministic time budget, so the answer does not depend on how
    # busy the machine is (with several workers it also interleaves them deterministically)
    options = SolveOptions(time_limit=1.5, num_workers=1, random_seed=7, deterministic=True)
    first, second = solve(site, options), solve(site, options)
    assert first.appointments == second.appointments
    assert (first.objective, first.best_bound) == (second.objective, second.best_bound)


def test_generated_instances_have_the_shape_of_a_real_program():
    doc = generate_instance(120, 2, seed=4)
    assert doc == generate_instance(120, 2, seed=4)
    assert doc != generate_instance(120, 2, seed=5)
    site = doc["locations"][0]
    sessions = {(t["name"], s["start"], s["end"]) for t in site["tracks"] for s in t["sessions"]}
    assert ("Morning track", "09:00", "12:00") in sessions
    assert ("Evening track", "18:00", "21:00") in sessions
    evening = [p for p in site["patients"] if p["track"].endswith("PM")]
    office_hours = [
        p
        for p in evening
        if any(c["start"] == "09:00" and c["end"] == "17:00" for c in p["commitments"])
    ]
    assert len(office_hours) > len(evening) / 3
    labels = Counter(c["label"] for p in site["patients"] for c in p["commitments"])
    assert labels["Childcare"] > 0 and labels["Work"] > 0
    roles = Counter(s["role"] for s in site["staff"])
    assert roles["physician"] == 1 and roles["nurse_practitioner"] == 1
    caseload = Counter(p["primary_counselor"] for p in site["patients"])
    caps = {s["id"]: s["caseload_cap"] for s in site["staff"] if s["role"] == "counselor"}
    assert all(caseload[c] <= caps[c] for c in caps)
    assert sum(len(x["patients"]) for x in doc["locations"]) == 120


def test_the_benchmark_reports_both_plans_site_by_site():
    figures = run_benchmark(24, 2, seed=3, time_limit=3, processes=2)
    assert figures["locations"] == 2 and len(figures["sites"]) == 2
    for side in ("solver", "greedy"):
        assert figures[side]["hard_violations"] == 0
    assert figures["solver"]["objective"] < figures["greedy"]["objective"]
    assert figures["solver_beats_greedy_on_every_site"] is True
    assert figures["solver"]["placed"] + figures["solver"]["unplaced"] == sum(
        s["solver"]["placed"] + s["solver"]["unplaced"] for s in figures["sites"]
    )
