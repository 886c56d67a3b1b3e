"""Migration 0013 adds and removes whom a covered group session's stand-in replaced."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import inspect

from openiop.db import make_engine
from openiop.migrate import alembic_config
from tests.db.test_migrations import _fresh_postgres

COLUMNS = {"covering_for_id", "cover_reason"}


def _cover_schema(url: str) -> tuple[set[str], list[tuple[list[str], str]]]:
    engine = make_engine(url)
    try:
        found = inspect(engine)
        columns = {c["name"] for c in found.get_columns("group_sessions")} & COLUMNS
        keys = [
            (k["constrained_columns"], k["referred_table"])
            for k in found.get_foreign_keys("group_sessions")
            if k["constrained_columns"] == ["covering_for_id"]
        ]
        return columns, keys
    finally:
        engine.dispose()


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_0013_upgrades_and_downgrades(backend):
    if backend == "sqlite":
        url = f"sqlite:///{Path(tempfile.mkdtemp()) / 'm.sqlite3'}"
        drop = lambda: None  # noqa: E731
    else:
        url, drop = _fresh_postgres()
    config = alembic_config(url)
    try:
        command.upgrade(config, "0012")
        assert _cover_schema(url) == (set(), [])
        command.upgrade(config, "0013")
        assert _cover_schema(url) == (COLUMNS, [(["covering_for_id"], "staff_members")])
        command.downgrade(config, "0012")
        assert _cover_schema(url) == (set(), [])
        command.upgrade(config, "0013")
        assert _cover_schema(url)[0] == COLUMNS
    finally:
        drop()
