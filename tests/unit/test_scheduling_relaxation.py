"""The LP relaxation, its plan made whole, and the neighbourhood solved first."""

from __future__ import annotations

import pytest

from openiop.scheduling.candidates import catalogue
from openiop.scheduling.checker import check_plan
from openiop.scheduling.greedy import first_fit, greedy_plan, rounded
from openiop.scheduling.instances import generate_instance
from openiop.scheduling.neighbourhood import neighbourhood, troubled
from openiop.scheduling.problem import Plan
from openiop.scheduling.problem_json import parse_instance
from openiop.scheduling.relaxation import relax
from openiop.scheduling.solver import SolveOptions, solve
from openiop.scheduling.weights import plan_costs


@pytest.fixture(scope="module")
def week():
    [problem] = parse_instance(generate_instance(36, 1, seed=2))  # the LP is not whole here
    cat = catalogue(problem)
    return problem, cat, relax(cat)


def _cost(problem, cat, appointments) -> int:
    unplaced = len(cat.placeable() - {a.request for a in appointments})
    return sum(plan_costs(problem, appointments, unplaced).values())


def test_the_bound_is_below_every_plan_and_prices_are_never_negative(week):
    problem, cat, lp = week
    assert lp is not None and lp.bound > 0
    assert abs(lp.value - lp.bound) < 1  # the bound is the LP's value rounded up
    assert all((d >= 0).all() for d in lp.reduced)
    assert all(((v >= -1e-9) & (v <= 1 + 1e-9)).all() for v in lp.values)
    for plan in [first_fit(cat), *rounded(cat, lp.values, lp.reduced)]:
        assert lp.bound <= _cost(problem, cat, plan)


def test_the_lp_plans_made_whole_break_no_rule_and_beat_first_fit(week):
    problem, cat, lp = week
    plans = rounded(cat, lp.values, lp.reduced)
    for appointments in plans:
        plan = Plan(problem.location_id, problem.week_start, "lp", "", tuple(appointments), (), 0)
        placed = {a.request for a in appointments}
        violations = [v for v in check_plan(problem, plan) if v.rule != "dropped"]
        assert violations == []
        assert placed <= cat.placeable()
    best = min(_cost(problem, cat, p) for p in plans)
    assert best < _cost(problem, cat, first_fit(cat))


def test_the_neighbourhood_frees_the_unsure_and_pins_the_rest(week):
    problem, cat, lp = week
    start = rounded(cat, lp.values, lp.reduced)[0]
    unsure = troubled(cat, lp, start)
    pinned = neighbourhood(cat, lp, start, cat.options)
    assert pinned is not None and unsure
    where = {a.request: (a.staff, a.start, a.telehealth) for a in start}
    freed = 0
    for i, opts in enumerate(pinned):
        request = cat.requests[i]
        if i in unsure:
            assert opts == cat.options[i]
        if opts == cat.options[i] and len(opts) > 1:
            freed += 1
            continue
        # pinned: only where the plan has it (or nothing when the plan leaves it out)
        assert [(o.staff, o.start, o.telehealth) for o in opts] == (
            [where[request.id]] if request.id in where else []
        )
    assert len(unsure) <= freed < len(cat.requests)


def test_nothing_to_free_when_the_plan_is_the_lps_own():
    # one patient, one session: the LP is whole and the plan made whole is exactly it
    [problem] = parse_instance(generate_instance(1, 1, seed=2))
    cat = catalogue(problem)
    lp = relax(cat)
    [start, _other] = rounded(cat, lp.values, lp.reduced)
    assert troubled(cat, lp, start) == set()
    assert neighbourhood(cat, lp, start, cat.options) is None


def test_the_solver_returns_a_plan_no_worse_than_every_start(week):
    problem, cat, lp = week
    plan = solve(problem, SolveOptions(time_limit=8, num_workers=1, relative_gap=0.01))
    assert check_plan(problem, plan) == []
    starts = [first_fit(cat), *rounded(cat, lp.values, lp.reduced)]
    assert plan.objective <= min(_cost(problem, cat, s) for s in starts)
    assert plan.objective < greedy_plan(problem).objective
    assert lp.bound <= plan.best_bound <= plan.objective
    parameters = dict(plan.parameters)
    assert parameters["relaxation_bound"] == lp.bound and parameters["relative_gap"] == 0.01
    assert parameters["neighbourhood_rounds"] >= 1  # the LP is not whole on this week


def test_two_workers_in_deterministic_mode_give_the_same_plan_twice(week):
    # the relaxation, the starts and the one-worker neighbourhood rounds are deterministic;
    # deterministic=True makes the two-worker rounds so too
    problem, _cat, _lp = week
    options = SolveOptions(time_limit=1, num_workers=2, random_seed=3, deterministic=True)
    first, second = solve(problem, options), solve(problem, options)
    assert first.appointments == second.appointments
    assert (first.objective, first.best_bound) == (second.objective, second.best_bound)
