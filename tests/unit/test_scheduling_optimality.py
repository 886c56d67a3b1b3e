"""The solver against brute force on weeks small enough to try every plan.

The brute force shares nothing with the solver: it proposes every staff member, start on the
slot grid, room or video for each appointment, keeps what the independent checker accepts,
and searches every combination. So "OPTIMAL" and "every appointment some valid plan could
place is placed" are checked against all valid plans, not against the solver's own model.
"""

from __future__ import annotations

import pytest

from openiop.scheduling.candidates import catalogue
from openiop.scheduling.checker import check_plan
from openiop.scheduling.instances import generate_instance
from openiop.scheduling.problem import KINDS, Appointment, Plan, Problem, Unplaced
from openiop.scheduling.problem_json import parse_instance
from openiop.scheduling.relaxation import relax
from openiop.scheduling.solver import SolveOptions, solve
from openiop.scheduling.weights import plan_costs
from tests.unit.test_scheduling_support import hours, patient, problem_of, week

EXACT = SolveOptions(time_limit=20, num_workers=1, random_seed=0)


def _plan(problem: Problem, appointments: list[Appointment], unplaced: list[str]) -> Plan:
    missing = [
        Unplaced(r.id, r.patient, r.kind, ("brute force",))
        for r in problem.requests
        if r.id in unplaced
    ]
    return Plan(
        problem.location_id, problem.week_start, "brute", "", tuple(appointments), tuple(missing), 0
    )


def _alone(problem: Problem) -> dict[str, list[Appointment]]:
    """Every appointment the checker accepts on its own, per request."""
    out: dict[str, list[Appointment]] = {}
    slot = problem.settings.slot_minutes
    for r in problem.requests:
        others = [q.id for q in problem.requests if q.id != r.id]
        found = []
        for s in problem.staff:
            for block in s.hours:
                for start in range(block.start, block.end - r.minutes + 1, slot):
                    for room in [None, *(room.id for room in problem.rooms)]:
                        for stand_in in (False, True) if KINDS[r.kind].with_counselor else (False,):
                            a = Appointment(
                                r.id,
                                r.patient,
                                r.kind,
                                s.id,
                                start,
                                start + r.minutes,
                                room,
                                stand_in,
                            )
                            if not check_plan(problem, _plan(problem, [a], others)):
                                found.append(a)
        out[r.id] = found
    return out


def _clash(a: Appointment, b: Appointment) -> bool:
    together = a.staff == b.staff or a.patient == b.patient or (a.room and a.room == b.room)
    return bool(together) and a.start < b.end and b.start < a.end


def brute_force(problem: Problem) -> tuple[int, int, int]:
    """(lowest cost, most appointments placed, valid plans seen) over every valid plan."""
    alone = _alone(problem)
    placeable = {rid for rid, found in alone.items() if found}
    ids = [r.id for r in problem.requests]
    best = [10**9, 0, 0]

    def visit(k: int, chosen: list[Appointment]) -> None:
        if k == len(ids):
            done = {a.request for a in chosen}
            plan = _plan(problem, chosen, [i for i in ids if i not in done])
            if check_plan(problem, plan):
                return
            cost = sum(plan_costs(problem, chosen, len(placeable - done)).values())
            best[0], best[1] = min(best[0], cost), max(best[1], len(chosen))
            best[2] += 1
            return
        visit(k + 1, chosen)  # left unplaced
        for a in alone[ids[k]]:
            if not any(_clash(a, b) for b in chosen):
                visit(k + 1, [*chosen, a])

    visit(0, [])
    return best[0], best[1], best[2]


def tight_week() -> Problem:
    """Three patients, two counselors and a physician with a few hours, one office: the
    appointments compete for people, the room and the good times."""
    doc = week(
        patients=[
            patient(
                "P1",
                needs=["individual", "physician"],
                telehealth_ok=True,
                last_week=[{"kind": "individual", "day": "mon", "start": "09:10"}],
            ),
            patient("P2", needs=["individual", "physician"], preferences={"days": ["tue"]}),
            patient("P3", other_counselor_allowed=False),
        ]
    )
    staff = doc["locations"][0]["staff"]
    staff[0]["hours"] = [hours(["mon"], "09:00", "10:20"), hours(["tue"], "09:00", "10:00")]
    staff[1]["hours"] = [hours(["mon"], "09:00", "10:00")]
    staff[2]["hours"] = [hours(["mon"], "10:00", "10:40"), hours(["tue"], "09:30", "09:50")]
    doc["locations"][0]["tracks"][0]["sessions"] = [hours(["mon", "tue"], "11:00", "12:00")]
    return problem_of(doc)


def crowded_week() -> Problem:
    """More appointments than the staff's hours hold: someone must stay unplaced."""
    doc = week(patients=[patient(f"P{i}") for i in range(1, 5)])
    staff = doc["locations"][0]["staff"]
    staff[0]["hours"] = [hours(["mon"], "09:00", "10:50")]
    staff[1]["hours"] = [hours(["mon"], "09:30", "10:20")]
    return problem_of(doc)


@pytest.mark.parametrize("make", [tight_week, crowded_week])
def test_the_solver_proves_the_optimum_that_brute_force_finds(make):
    problem = make()
    lowest, most, plans = brute_force(problem)
    assert plans > 1  # the week really offers a choice
    plan = solve(problem, EXACT)
    assert check_plan(problem, plan) == []
    assert plan.status == "OPTIMAL"
    assert plan.objective == plan.best_bound == lowest
    # every appointment that some valid plan could place together with the rest is placed
    assert len(plan.appointments) == most


@pytest.mark.parametrize("make", [tight_week, crowded_week])
def test_the_relaxation_never_promises_less_than_the_optimum(make):
    problem = make()
    lowest, _most, _plans = brute_force(problem)
    lp = relax(catalogue(problem))
    assert lp is not None and 0 < lp.bound <= lowest
    assert all((d >= 0).all() for d in lp.reduced)


def test_a_crowded_week_leaves_out_exactly_what_does_not_fit():
    problem = crowded_week()
    plan = solve(problem, EXACT)
    # C1's hours hold two sessions and C2's one, but there is one office and no video:
    # two of the four are seen, and the other two are reported with reasons
    assert len(plan.appointments) == 2 and len(plan.unplaced) == 2
    assert all(u.reasons for u in plan.unplaced)


def test_a_generated_week_is_proven_within_the_asked_gap():
    [problem] = parse_instance(generate_instance(16, 1, seed=11))
    plan = solve(problem, SolveOptions(time_limit=20, num_workers=1, relative_gap=0.01))
    assert check_plan(problem, plan) == []
    assert plan.best_bound is not None and plan.best_bound <= plan.objective
    assert plan.gap <= 0.01
    lp = relax(catalogue(problem))
    assert lp is not None and lp.bound <= plan.best_bound


def test_without_the_relaxation_the_solver_still_improves_on_greedy_and_claims_no_more(
    monkeypatch,
):
    # GLOP out of time: the model holds each request's cheapest options, and a bound over
    # part of the options is not a bound for the week, so none is claimed beyond CP-SAT's
    # over everything
    import openiop.scheduling.solver as solver_module
    from openiop.scheduling.greedy import greedy_plan

    monkeypatch.setattr(solver_module, "relax", lambda cat, limit: None)
    [problem] = parse_instance(generate_instance(16, 1, seed=11))
    plan = solve(problem, SolveOptions(time_limit=4, num_workers=1))
    assert check_plan(problem, plan) == []
    assert plan.objective < greedy_plan(problem).objective
    assert plan.best_bound == 0 and plan.status == "FEASIBLE"
