"""`openiop audit verify`: walk the hash chain and name the first event that does not fit."""

from __future__ import annotations

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from openiop.cli import repository
from openiop.cli.common import err, group, out, reported, unit_of_work
from openiop.security import audit

app = group("The audit trail.")


@app.command("verify")
def verify() -> None:
    """Check every audit event's hash and link, and the chain head.

    Exit 0 when the chain is intact; exit 1 and name the first bad event otherwise.
    """
    with reported(), unit_of_work() as session:
        total = repository.audit_event_count(session)
        with Progress(
            TextColumn("Checking audit events"), BarColumn(), MofNCompleteColumn(),
            TimeRemainingColumn(), console=err, transient=True,
        ) as progress:  # fmt: skip
            task = progress.add_task("verify", total=total)
            report = audit.verify(session, progress=lambda n: progress.advance(task, n))
    if report.ok:
        out.print(f"audit chain intact: {report.checked} events")
        return
    where = f"event seq {report.first_bad_seq}"
    if report.first_bad_id is not None:
        where += f" (id {report.first_bad_id})"
    out.print(f"[bold red]audit chain BROKEN[/] at {where}: {report.problem}.")
    out.print(f"{report.checked} events before it are intact. Restore from a verified backup "
              "and investigate who had write access to the database.")  # fmt: skip
    raise typer.Exit(1)
