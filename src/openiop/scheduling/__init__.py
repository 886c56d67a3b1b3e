"""Weekly scheduling: a pure engine (a Problem in, a Plan out) with no database and no web.

Entry points for the CLI and the calendar service:
- `solve(problem, options)` and `solve_file(instance_path, out_path, time_limit)`
- `generate_instance(patients, locations, seed)` -> an instance document (dict)
- `run_benchmark(patients, locations, seed, time_limit)` -> the figures (dict)
- `check_plan(problem, plan)` -> the hard rules a plan breaks (the independent checker)
- `parse_instance(doc)` -> Problems; `plans_doc(plans)` -> the plan file's JSON
See docs/scheduling.md.
"""

from openiop.scheduling.bench import run_benchmark
from openiop.scheduling.checker import Violation, check_plan
from openiop.scheduling.greedy import greedy_plan
from openiop.scheduling.instances import generate_instance
from openiop.scheduling.plan_json import parse_plans, plans_doc
from openiop.scheduling.problem import InstanceError, Plan, Problem
from openiop.scheduling.problem_json import instance_doc, parse_instance
from openiop.scheduling.solver import SolveOptions, solve, solve_all, solve_file

__all__ = [
    "InstanceError",
    "Plan",
    "Problem",
    "SolveOptions",
    "Violation",
    "check_plan",
    "generate_instance",
    "greedy_plan",
    "instance_doc",
    "parse_instance",
    "parse_plans",
    "plans_doc",
    "run_benchmark",
    "solve",
    "solve_all",
    "solve_file",
]
