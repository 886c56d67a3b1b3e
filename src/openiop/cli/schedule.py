"""`openiop schedule` and `openiop bench schedule`: the weekly solver used on its own, on JSON
files (docs/schedule-instance.schema.json in, docs/schedule-plan.schema.json out)."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from openiop.cli.common import bad_option, err, fail, group, out
from openiop.kit.errors import ValidationFailed

app = group("Plan a week of individual sessions and physician visits around patients' lives.")
bench_app = group("Benchmarks (figures go to docs/benchmarks.md, never into timed tests).")


@app.command("solve")
def solve(
    instance: Path = typer.Option(..., "--instance", help="Instance JSON file."),
    out_path: Path = typer.Option(..., "--out", help="Where to write the plan JSON."),
    time_limit: float = typer.Option(10.0, "--time-limit", help="Seconds per location."),
    seed: int = typer.Option(
        0, "--seed", help="Solver random seed (determinism needs seed and workers)."
    ),
    workers: int = typer.Option(0, "--workers", help="Solver workers; 0 = one per core."),
    gap: float = typer.Option(
        0.01, "--gap", min=0.0, max=1.0, help="Stop once proven this close to optimal (0.01 = 1 %)."
    ),
) -> None:
    """Solve every location in an instance file and write the plan."""
    from openiop.scheduling.solver import solve_file

    if not instance.is_file():
        bad_option("--instance", f"no such file: {instance}")
    if time_limit <= 0:
        bad_option("--time-limit", "must be more than 0 seconds")
    try:
        with err.status(f"Solving {instance.name} …"):
            plan = solve_file(
                instance,
                out_path,
                time_limit,
                num_workers=workers or None,
                random_seed=seed,
                relative_gap=gap,
            )
    except json.JSONDecodeError as error:
        bad_option("--instance", f"not valid JSON: {error}")
    except ValidationFailed as error:
        fail(f"the instance is inconsistent: {error.message}", 2)
    summary = plan.get("summary", {})
    out.print(
        f"Wrote {out_path}: "
        + ", ".join(f"{k} {v}" for k, v in summary.items() if not isinstance(v, dict | list))
    )


@app.command("generate-instance")
def generate(
    patients: int = typer.Option(60, "--patients", min=1),
    locations: int = typer.Option(1, "--locations", min=1),
    seed: int = typer.Option(1, "--seed"),
    out_path: Path = typer.Option(..., "--out", help="Where to write the instance JSON."),
) -> None:
    """Write a synthetic instance of realistic shape (same seed, same instance)."""
    from openiop.scheduling.instances import generate_instance

    if locations > patients:
        bad_option("--locations", "need at least one patient per location")
    out_path.write_text(
        json.dumps(generate_instance(patients, locations, seed), indent=2), encoding="utf-8"
    )
    out.print(f"Wrote {out_path}: {patients} patients over {locations} location(s), seed {seed}")


@bench_app.command("schedule")
def bench_schedule(
    patients: int = typer.Option(60, "--patients", min=1),
    locations: int = typer.Option(1, "--locations", min=1),
    seed: int = typer.Option(1, "--seed"),
    time_limit: float = typer.Option(10.0, "--time-limit", help="Seconds per location."),
    gap: float = typer.Option(
        0.01, "--gap", min=0.0, max=1.0, help="Stop a site once proven this close to optimal."
    ),
) -> None:
    """Solver against the greedy baseline on a generated instance; prints one JSON object."""
    from openiop.scheduling.bench import run_benchmark

    if locations > patients:
        bad_option("--locations", "need at least one patient per location")
    with err.status(f"Benchmarking {patients} patients over {locations} location(s) …"):
        figures = run_benchmark(patients, locations, seed, time_limit, relative_gap=gap)
    typer.echo(json.dumps(figures, indent=2))
