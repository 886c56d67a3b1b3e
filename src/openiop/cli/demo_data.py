"""`openiop demo-data`: load the fictional demo provider into an empty database."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from openiop.cli.common import current_settings, err, operator, out, reported, unit_of_work
from openiop.db import get_engine, session_factory
from openiop.demo import history
from openiop.demo import plan as demo_plan
from openiop.demo import service as demo
from openiop.kit import clock


def demo_data(
    patients: Annotated[
        int, typer.Option(min=1, max=demo_plan.MAX_PATIENTS, help="How many patients.")
    ] = 120,
    seed: Annotated[int, typer.Option(help="Same seed, same people (on the same day).")] = 7,
    years: Annotated[
        int,
        typer.Option(
            min=0, max=10, help="Also write this many years of synthetic history (0: none)."
        ),
    ] = 0,
    history_weeks: Annotated[
        int | None, typer.Option(hidden=True, min=1, help="Tests: only this many weeks.")
    ] = None,
) -> None:
    """Load the fictional demo provider and print its sign-ins.

    "Sunward Recovery Collective (demo)": 3 sites, tracks, staff, patients, and one sign-in
    per role sharing a published password. Does nothing if the demo is already loaded;
    refuses a database holding anything else.
    """
    settings = current_settings()
    today = clock.today_in(settings.default_time_zone)
    plan = demo_plan.build_plan(seed=seed, patient_count=patients, today=today)
    with reported(), unit_of_work() as session, _progress() as progress:
        task = progress.add_task("demo", total=demo.steps(plan))
        result = demo.load(
            session, plan=plan, actor=operator(), progress=lambda n: progress.advance(task, n)
        )
    if result.loaded:
        out.print(
            f"Loaded {plan.organization_name}: {result.locations} locations, {result.staff} "
            f"staff, {result.patients} patients, {result.accounts} sign-in accounts."
        )
    else:
        out.print(f"Demo data is already loaded ({plan.organization_name}); nothing changed.")
    if years or history_weeks:
        _history(seed, today, years, history_weeks)
    print_logins(plan)


def _history(seed: int, today, years: int, weeks: int | None) -> None:  # type: ignore[no-untyped-def]
    """Years of history on top of the demo: one transaction per phase, a bar per phase."""
    settings = current_settings()
    sessions = session_factory(get_engine(settings.database_url))
    with reported(), _history_progress() as bars:

        def phase(name: str, total: int):  # type: ignore[no-untyped-def]
            task = bars.add_task(name, total=total)
            return lambda n: bars.advance(task, n)

        result = history.build(
            sessions, organization_name=demo_plan.ORGANIZATION_NAME, seed=seed, today=today,
            years=years, weeks=weeks, late_hours=settings.notes_late_hours, progress=phase,
        )  # fmt: skip
    if not result.built:
        out.print("Demo history is already there (or the demo is not loaded); nothing changed.")
        return
    out.print(f"Wrote demo history from {result.first} to {result.last}:")
    for table, rows in result.rows:
        out.print(f"  {table}: {rows:,} rows")


def _history_progress() -> Progress:
    return Progress(
        SpinnerColumn(), TextColumn("{task.description:<28}"), BarColumn(),
        MofNCompleteColumn(), TaskProgressColumn(), TimeElapsedColumn(), TimeRemainingColumn(),
        console=err,
    )  # fmt: skip


def _progress() -> Progress:
    return Progress(
        TextColumn("Writing demo data"), BarColumn(), MofNCompleteColumn(), console=err,
        transient=True,
    )  # fmt: skip


def print_logins(plan: demo_plan.DemoPlan) -> None:
    table = Table(title="Demo sign-ins (demo only)")
    table.add_column("Role", no_wrap=True)
    table.add_column("Email", no_wrap=True, min_width=max(len(x.email) for x in plan.logins))
    table.add_column("Password", no_wrap=True)
    for login in plan.logins:
        table.add_row(login.role.label, login.email, demo_plan.DEMO_PASSWORD)
    out.print(table)
    out.print("These accounts share a published password: never load demo data into a "
              "database that holds real people's records.")  # fmt: skip
