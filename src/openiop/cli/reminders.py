"""`openiop reminders send`: queue and email appointment reminders (once, or in a loop).

Each message is sent and marked in its own transaction, so stopping the command (or a crash)
never causes a reminder the mail server accepted to be sent again.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import typer
from sqlalchemy.orm import Session

from openiop.calendar import reminders_service
from openiop.calendar.reminders_mail import SmtpTransport
from openiop.cli.common import current_settings, err, fail, group, out, reported, unit_of_work

app = group("Appointment reminders by email (OPENIOP_SMTP_* settings).")


@contextmanager
def _unit() -> Iterator[Session]:
    with unit_of_work() as session:
        yield session


@app.command("send")
def send(
    loop: Annotated[
        bool, typer.Option("--loop", help="Keep running, one pass every --interval seconds.")
    ] = False,
    interval: Annotated[
        int, typer.Option(min=10, help="Seconds between passes with --loop.")
    ] = 300,
) -> None:
    """Queue reminders for upcoming appointments and send the ones that are due."""
    settings = current_settings()
    try:
        reminders_service.quiet_hours(settings)
    except ValueError as error:
        fail(f"OPENIOP_REMINDER_QUIET_START or _END: {error}", 2)
    if not settings.smtp_host:
        err.print("OPENIOP_SMTP_HOST is not set: due reminders will be marked failed and retried.")
    transport = SmtpTransport(settings)
    while True:
        with reported({}):
            result = reminders_service.run_pass(_unit, settings=settings, transport=transport)
        outcomes = ", ".join(f"{n} {name}" for name, n in sorted(result.outcomes.items()))
        out.print(
            f"queued {result.queued}, dropped {result.dropped}"
            + (f"; {outcomes}" if outcomes else "; nothing due")
        )
        if not loop:
            return
        time.sleep(interval)


@app.command("status")
def status(
    limit: Annotated[int, typer.Option(min=1, max=500, help="Failures to list.")] = 20,
) -> None:
    """Count reminders by status and list the latest failed sends with the server's error."""
    settings = current_settings()
    with reported({}), unit_of_work() as session:
        found = reminders_service.outbox_status(session, limit=limit)
        out.print(", ".join(f"{n} {name}" for name, n in found.counts.items()))
        if not found.failing:
            return
        out.print("Latest failures (one line each, so they can be grepped):")
        for row in found.failing:
            retry = (
                "gave up"
                if row.attempts >= settings.reminder_max_attempts
                else f"next try {row.send_after:%Y-%m-%d %H:%M} UTC"
            )
            out.print(f"reminder {row.id}: {row.attempts} attempt(s), {retry}: {row.last_error}")
