"""`openiop schedule` on files: generate, solve, and refuse bad input naming the option or item."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from openiop.cli.main import app
from openiop.scheduling.checker import check_plan
from openiop.scheduling.plan_json import parse_plans
from openiop.scheduling.problem_json import parse_instance

runner = CliRunner()


def test_generate_then_solve_writes_a_plan_that_passes_the_checker(tmp_path):
    instance, plan = tmp_path / "i.json", tmp_path / "p.json"
    made = runner.invoke(
        app,
        [
            "schedule",
            "generate-instance",
            "--patients",
            "12",
            "--seed",
            "4",
            "--out",
            str(instance),
        ],
    )
    assert made.exit_code == 0, made.output
    solved = runner.invoke(
        app,
        [
            "schedule",
            "solve",
            "--instance",
            str(instance),
            "--out",
            str(plan),
            "--time-limit",
            "3",
            "--workers",
            "1",
        ],
    )
    assert solved.exit_code == 0, solved.output
    doc = json.loads(plan.read_text())
    assert doc["summary"]["patients"] == 12
    problems = parse_instance(json.loads(instance.read_text()))
    for problem, plan_of_site in zip(problems, parse_plans(doc), strict=True):
        assert check_plan(problem, plan_of_site) == []


def test_inconsistent_instance_is_refused_naming_the_item(tmp_path):
    instance = tmp_path / "i.json"
    runner.invoke(
        app,
        ["schedule", "generate-instance", "--patients", "4", "--seed", "1", "--out", str(instance)],
    )
    doc = json.loads(instance.read_text())
    doc["locations"][0]["patients"][0]["primary_counselor"] = "nobody"
    instance.write_text(json.dumps(doc))
    result = runner.invoke(
        app, ["schedule", "solve", "--instance", str(instance), "--out", str(tmp_path / "p.json")]
    )
    assert result.exit_code == 2
    assert "nobody" in result.output


def test_missing_instance_file_names_the_option(tmp_path):
    result = runner.invoke(
        app,
        [
            "schedule",
            "solve",
            "--instance",
            str(tmp_path / "none.json"),
            "--out",
            str(tmp_path / "p.json"),
        ],
    )
    assert result.exit_code == 2 and "--instance" in result.output


def test_solve_stops_at_the_asked_gap_and_says_so_in_the_plan(tmp_path):
    instance, plan = tmp_path / "i.json", tmp_path / "p.json"
    runner.invoke(
        app,
        [
            "schedule",
            "generate-instance",
            "--patients",
            "10",
            "--seed",
            "2",
            "--out",
            str(instance),
        ],
    )
    args = ["schedule", "solve", "--instance", str(instance), "--out", str(plan)]
    solved = runner.invoke(app, [*args, "--time-limit", "5", "--workers", "1", "--gap", "0.05"])
    assert solved.exit_code == 0, solved.output
    [site] = json.loads(plan.read_text())["plans"]
    assert site["gap"] <= 0.05
    refused = runner.invoke(app, [*args, "--gap", "2"])
    assert refused.exit_code == 2 and "--gap" in refused.output


def test_bench_prints_the_figures_with_the_machine_load():
    result = runner.invoke(
        app,
        ["bench", "schedule", "--patients", "8", "--locations", "1", "--seed", "3"]
        + ["--time-limit", "3", "--gap", "0.05"],
    )
    assert result.exit_code == 0, result.output
    figures = json.loads(result.output[result.output.index("{") :])
    assert figures["relative_gap"] == 0.05 and len(figures["load_average_before"]) == 3
    assert figures["solver"]["hard_violations"] == 0 == figures["greedy"]["hard_violations"]
    assert figures["solver"]["gap"] <= 0.05
    assert "--gap 0.05" in figures["command"]
