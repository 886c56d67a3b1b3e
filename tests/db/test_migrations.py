"""Migrations build the schema from empty, match the models, and can be undone."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import psycopg
import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from openiop.db import make_engine
from openiop.migrate import alembic_config, current_heads, upgrade
from openiop.models import Base
from tests.conftest import POSTGRES_ADMIN


def test_schema_is_at_head_and_matches_the_models(engine, database_url):
    with engine.connect() as connection:
        context = MigrationContext.configure(connection)
        assert context.get_current_heads() == tuple(current_heads(database_url))
        differences = [
            diff
            for diff in compare_metadata(context, Base.metadata)
            # expression indexes cannot be reflected on SQLite; the migration creates them
            if not (diff[0] in ("add_index", "remove_index") and diff[1].name == "ix_patients_name")
        ]
    assert differences == []


def test_every_model_table_exists(engine):
    tables = set(inspect(engine).get_table_names())
    assert set(Base.metadata.tables) <= tables


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_upgrade_from_empty_downgrade_and_again(backend):
    if backend == "sqlite":
        folder = tempfile.mkdtemp()
        url = f"sqlite:///{Path(folder) / 'm.sqlite3'}"
        drop = lambda: None  # noqa: E731
    else:
        url, drop = _fresh_postgres()
    try:
        upgrade(url)
        command.downgrade(alembic_config(url), "base")
        engine = make_engine(url)
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
        engine.dispose()
        upgrade(url)
        engine = make_engine(url)
        assert "audit_events" in inspect(engine).get_table_names()
        engine.dispose()
    finally:
        drop()


def _fresh_postgres():
    name = f"openiop_mig_{os.getpid()}"
    try:
        admin = psycopg.connect(POSTGRES_ADMIN, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as error:
        if os.environ.get("OPENIOP_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"PostgreSQL required but unreachable: {error}")
        pytest.skip(f"PostgreSQL not reachable: {error}")
    with admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')

    def drop() -> None:
        with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}", drop
