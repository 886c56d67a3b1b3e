"""Test databases: every database test runs on SQLite and on PostgreSQL.

Each backend is migrated once per run from empty by the real Alembic migrations; each test
then runs inside a transaction that is rolled back, so tests never see each other's rows.
Without a reachable PostgreSQL server its tests are skipped with the reason, unless
OPENIOP_REQUIRE_POSTGRES=1 (set by .ci/run), which turns the skip into a failure.
"""

from __future__ import annotations

import os
import secrets
import tempfile
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from openiop.app import create_app
from openiop.config import Settings
from openiop.db import make_engine
from openiop.kit import clock
from openiop.migrate import upgrade

POSTGRES_ADMIN = os.environ.get(
    "OPENIOP_TEST_POSTGRES_ADMIN", "host=127.0.0.1 port=5432 user=postgres dbname=postgres"
)
REQUIRE_POSTGRES = os.environ.get("OPENIOP_REQUIRE_POSTGRES") == "1"
TEST_SECRET = "test-secret-" + "x" * 40
# Outside dev mode the app needs a key for private counseling notes (a fixed one for tests).
TEST_NOTES_KEY = "dGVzdC1ub3Rlcy1rZXktMzItYnl0ZXMtbG9uZy4uLi4="
os.environ.setdefault("OPENIOP_NOTES_KEY", TEST_NOTES_KEY)


def _postgres_database() -> Iterator[str]:
    name = f"openiop_test_{os.getpid()}_{secrets.token_hex(3)}"
    try:
        admin = psycopg.connect(POSTGRES_ADMIN, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as error:
        reason = (
            f"PostgreSQL not reachable ({POSTGRES_ADMIN}): {str(error).strip().splitlines()[0]}"
        )
        if REQUIRE_POSTGRES:
            pytest.fail(reason + " — and OPENIOP_REQUIRE_POSTGRES=1", pytrace=False)
        pytest.skip(reason)
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    params = psycopg.conninfo.conninfo_to_dict(POSTGRES_ADMIN)
    yield (
        f"postgresql+psycopg://{params.get('user', 'postgres')}@{params.get('host', '127.0.0.1')}"
        f":{params.get('port', 5432)}/{name}"
    )
    with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest) -> Iterator[str]:
    if request.param == "sqlite":
        with tempfile.TemporaryDirectory() as folder:
            yield f"sqlite:///{Path(folder) / 'test.sqlite3'}"
    else:
        yield from _postgres_database()


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    upgrade(database_url)
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def connection(engine: Engine):  # type: ignore[no-untyped-def]
    with engine.connect() as conn:
        outer = conn.begin()
        yield conn
        outer.rollback()


@pytest.fixture
def session_factory(connection) -> sessionmaker[Session]:  # type: ignore[no-untyped-def]
    # Commits inside the code under test become savepoint releases of the outer transaction.
    return sessionmaker(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )


@pytest.fixture
def db(session_factory: sessionmaker[Session]) -> Iterator[Session]:
    session = session_factory()
    yield session
    session.close()


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(
        database_url=database_url, secret_key=TEST_SECRET, cookie_secure=False, dev_mode=False
    )


@pytest.fixture
def app(settings: Settings, session_factory: sessionmaker[Session]):  # type: ignore[no-untyped-def]
    application = create_app(settings)
    application.state.session_factory = session_factory
    return application


@pytest.fixture
def client(app) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    with TestClient(app, base_url="http://127.0.0.1") as test_client:
        yield test_client


@pytest.fixture(autouse=True)
def _unfrozen_clock() -> Iterator[None]:
    yield
    clock.freeze(None)
