"""`openiop calendar generate-sessions`: create group sessions from the tracks."""

from __future__ import annotations

from datetime import datetime

import typer

from openiop.calendar import sessions_service
from openiop.cli.common import group, operator, out, reported, unit_of_work

app = group("The calendar: group sessions generated from tracks.")


@app.command("generate-sessions")
def generate_sessions(
    first: datetime = typer.Option(
        ..., "--from", formats=["%Y-%m-%d"], help="First date (YYYY-MM-DD)."
    ),
    last: datetime = typer.Option(
        ..., "--to", formats=["%Y-%m-%d"], help="Last date (YYYY-MM-DD)."
    ),
    location: str | None = typer.Option(None, "--location", help="Only this site (its code)."),
) -> None:
    """Create one group session per track meeting day between the dates, at every active
    site (or one). Closed days are skipped; days that already have a session are left as
    they are, so running it twice adds nothing the second time."""
    options = {"first": "--from", "last": "--to", "location": "--location"}
    with reported(options), unit_of_work() as session:
        site = sessions_service.location_id_for(session, location) if location else None
        report = sessions_service.generate_sessions(
            session, actor=operator(), first=first.date(), last=last.date(), location_id=site
        )
    out.print(
        f"created {len(report.created)} group session(s) from {first:%Y-%m-%d} to {last:%Y-%m-%d}; "
        f"{len(report.existing)} already existed; {len(report.closed)} skipped for closures"
    )
    for skipped in report.closed:
        track = report.tracks.get(skipped.track_id, skipped.track_id)
        out.print(f"  {skipped.session_date:%a %Y-%m-%d} {track}: {skipped.reason}")
