"""`openiop db upgrade|current`: the database schema, migrated by Alembic."""

from __future__ import annotations

import typer
from alembic.runtime.migration import MigrationContext

from openiop import migrate
from openiop.cli.common import current_settings, group, out, reported, shown_url
from openiop.db import get_engine

app = group("The database schema.")


def current_revision(url: str) -> str | None:
    with get_engine(url).connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


@app.command("upgrade")
def upgrade() -> None:
    """Create or migrate the schema to the newest revision (safe to run again)."""
    url = current_settings().database_url
    with reported():
        migrate.upgrade(url)
        revision = current_revision(url)
    out.print(f"Database {shown_url(url)} is at revision {revision} (newest).")


@app.command("current")
def current() -> None:
    """Show the schema revision the database is at, and whether it is the newest."""
    url = current_settings().database_url
    with reported():
        revision = current_revision(url)
    heads = migrate.current_heads(url)
    if revision is None:
        out.print(f"Database {shown_url(url)} has no schema yet: run `openiop db upgrade`.")
        raise typer.Exit(1)
    state = (
        "newest" if revision in heads else f"behind {', '.join(heads)}: run `openiop db upgrade`"
    )
    out.print(f"Database {shown_url(url)} is at revision {revision} ({state}).")
    if revision not in heads:
        raise typer.Exit(1)
