"""The `openiop` command: every command reads OPENIOP_* settings (OPENIOP_DATABASE_URL picks
the database) and runs as one transaction, committed only when it succeeds."""

from __future__ import annotations

import typer

from openiop.cli import (
    audit_trail,
    database,
    demo_data,
    reminders,
    schedule,
    server,
    tokens,
    users,
)
from openiop.cli import calendar as calendar_cli

app = typer.Typer(
    name="openiop",
    help="OpenIOP: records and operations for an intensive outpatient program.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="markdown",
    # A traceback's local variables could include a password typed at the prompt.
    pretty_exceptions_show_locals=False,
)
app.add_typer(database.app, name="db")
app.command("demo-data")(demo_data.demo_data)
app.command("serve")(server.serve)
app.add_typer(users.app, name="user")
app.add_typer(tokens.app, name="token")
app.add_typer(audit_trail.app, name="audit")
app.add_typer(schedule.app, name="schedule")
app.add_typer(calendar_cli.app, name="calendar")
app.add_typer(schedule.bench_app, name="bench")
app.add_typer(reminders.app, name="reminders")

if __name__ == "__main__":
    app()
