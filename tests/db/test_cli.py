"""The `openiop` command line, run through Typer's CliRunner against a real database.

The CLI opens its own engine from OPENIOP_DATABASE_URL and commits its own transaction, so
these tests cannot use the rolled-back `db` fixture: each gets a fresh database (a SQLite
file, or a new PostgreSQL database) built by the real migrations.
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session
from typer.testing import CliRunner, Result

from openiop import db as db_module
from openiop.app import create_app
from openiop.cli.main import app as cli
from openiop.config import Settings, get_settings
from openiop.migrate import upgrade
from openiop.models import ApiToken, AuditEvent, StaffMember, User
from openiop.security.service import sha256
from tests import factories as f
from tests.conftest import POSTGRES_ADMIN, REQUIRE_POSTGRES, TEST_SECRET
from tests.personas import sign_in

PASSWORD = "a long enough password"
TOKEN_RE = re.compile(r"^(oiop_[A-Za-z0-9_-]+)$", re.MULTILINE)
runner = CliRunner()


def _admin() -> psycopg.Connection:
    try:
        return psycopg.connect(POSTGRES_ADMIN, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as error:
        reason = (
            f"PostgreSQL not reachable ({POSTGRES_ADMIN}): {str(error).strip().splitlines()[0]}"
        )
        if REQUIRE_POSTGRES:
            pytest.fail(reason + " — and OPENIOP_REQUIRE_POSTGRES=1", pytrace=False)
        pytest.skip(reason)


def _postgres_url(name: str) -> str:
    params = psycopg.conninfo.conninfo_to_dict(POSTGRES_ADMIN)
    return (
        f"postgresql+psycopg://{params.get('user', 'postgres')}@{params.get('host', '127.0.0.1')}"
        f":{params.get('port', 5432)}/{name}"
    )


def _dispose(url: str) -> None:
    engine = db_module._engines.pop(url, None)
    if engine is not None:
        engine.dispose()


@pytest.fixture(scope="session")
def postgres_template() -> Iterator[str]:
    """A database migrated once; each test gets a copy (much quicker than migrating again)."""
    name = f"openiop_cli_template_{os.getpid()}_{secrets.token_hex(3)}"
    with _admin() as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    upgrade(_postgres_url(name))
    _dispose(_postgres_url(name))  # a template must have no open connections
    yield name
    with _admin() as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def fresh_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A new, migrated database of the test's backend: not the shared test database, whose
    work is rolled back, because the CLI commits through its own engine."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
        upgrade(url)
        yield url
        _dispose(url)
        return
    template = request.getfixturevalue("postgres_template")
    name = f"openiop_cli_{os.getpid()}_{secrets.token_hex(4)}"
    with _admin() as admin:
        admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    try:
        yield _postgres_url(name)
    finally:
        _dispose(_postgres_url(name))
        with _admin() as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


@pytest.fixture(params=BACKENDS)
def cli_url(request, tmp_path, monkeypatch) -> Iterator[str]:  # type: ignore[no-untyped-def]
    with fresh_database(request, tmp_path) as url:
        monkeypatch.setenv("OPENIOP_DATABASE_URL", url)
        get_settings.cache_clear()
        yield url
    get_settings.cache_clear()


@contextmanager
def session_on(url: str) -> Iterator[Session]:
    session = Session(db_module.get_engine(url), expire_on_commit=False)
    try:
        yield session
        session.commit()
    finally:
        session.close()


def run(*args: str, input: str | None = None) -> Result:
    return runner.invoke(cli, list(args), input=input, catch_exceptions=False)


def counts(url: str) -> dict[str, int]:
    with session_on(url) as session:
        return {
            model.__tablename__: session.scalar(select(func.count()).select_from(model))
            for model in (User, StaffMember, AuditEvent, ApiToken)
        }


def a_location(url: str) -> str:
    with session_on(url) as session:
        return f.location(session, code="HARBOR").code


def an_account(url: str, email: str = "ops@example.org", role: str = "admin") -> None:
    result = run("user", "create", "--email", email, "--role", role, input=PASSWORD + "\n")
    assert result.exit_code == 0, result.output


def web_client(url: str) -> TestClient:
    settings = Settings(database_url=url, secret_key=TEST_SECRET, cookie_secure=False)
    return TestClient(create_app(settings), base_url="http://127.0.0.1")


# ---- user create --------------------------------------------------------------------------


def test_user_create_from_stdin_then_sign_in_works(cli_url):
    code = a_location(cli_url)
    result = run(
        "user", "create", "--email", "Wren.Q@Example.org", "--role", "counselor",
        "--location", code.lower(), "--name", "Wren Quillfeather", "--credentials", "lcsw, cadc",
        input=PASSWORD + "\n",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Created counselor account wren.q@example.org" in result.output
    with session_on(cli_url) as session:
        user = session.scalars(select(User)).one()
        staff = session.get(StaffMember, user.staff_member_id)
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "user.create")).one()
    assert (user.role, staff.full_name, staff.credentials) == (
        "counselor", "Wren Quillfeather", "LCSW,CADC"
    )  # fmt: skip
    assert (event.channel, event.outcome, event.object_id) == ("cli", "allowed", str(user.id))
    with web_client(cli_url) as client:
        sign_in(client, "wren.q@example.org", PASSWORD)
        assert "wren.q@example.org" in client.get("/account").text


def test_user_create_links_an_existing_staff_member_and_adds_sites(cli_url):
    with session_on(cli_url) as session:
        site_a = f.location(session, code="ALPHA")
        site_b = f.location(session, organization_id=site_a.organization_id, code="BETA")
        member = f.staff(session, organization_id=site_a.organization_id, locations=[site_a],
                         email="casey.marrowby@example.org")  # fmt: skip
        member_id, site_ids = member.id, {site_a.id, site_b.id}
    result = run("user", "create", "--email", "casey.marrowby@example.org", "--role", "physician",
                 "--location", "BETA", input=PASSWORD + "\n")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Linked to staff member" in result.output
    with session_on(cli_url) as session:
        user = session.scalars(select(User)).one()
        rows = session.execute(text("SELECT location_id FROM staff_locations")).scalars()
        assert user.staff_member_id == member_id and set(rows) == site_ids
    assert counts(cli_url)["staff_members"] == 1


@pytest.mark.parametrize(
    ("args", "password", "option"),
    [
        (["--email", "x@example.org", "--role", "wizard", "--location", "HARBOR"], PASSWORD, "--role"),
        (["--email", "x@example.org", "--role", "counselor", "--location", "NOWHERE"], PASSWORD, "--location"),
        (["--email", "x@example.org", "--role", "counselor"], PASSWORD, "--location"),
        (["--email", "not-an-email", "--role", "counselor", "--location", "HARBOR"], PASSWORD, "--email"),
        (["--email", "x@example.org", "--role", "counselor", "--location", "HARBOR"], "short", "password"),
        (["--email", "x@example.org", "--role", "patient", "--patient-mrn", "NO-SUCH"], PASSWORD, "--patient-mrn"),
    ],
    ids=["unknown-role", "unknown-location", "no-location", "bad-email", "short-password", "unknown-mrn"],
)  # fmt: skip
def test_bad_input_exits_2_naming_the_option_and_writes_nothing(cli_url, args, password, option):
    a_location(cli_url)
    before = counts(cli_url)
    result = run("user", "create", *args, input=password + "\n")
    assert result.exit_code == 2, result.output
    assert f"Invalid value for {option}" in result.output
    assert "Traceback" not in result.output
    assert counts(cli_url) == before


def test_second_account_with_the_same_email_is_refused_without_writing(cli_url):
    an_account(cli_url, "ops@example.org")
    before = counts(cli_url)
    result = run("user", "create", "--email", "OPS@example.org", "--role", "auditor",
                 input=PASSWORD + "\n")  # fmt: skip
    assert result.exit_code == 2 and "already exists" in result.output
    assert counts(cli_url) == before


# ---- tokens -------------------------------------------------------------------------------


def create_token(email: str = "ops@example.org") -> str:
    result = run("token", "create", "--email", email, "--name", "nightly export")
    assert result.exit_code == 0, result.output
    return TOKEN_RE.findall(result.stdout)[-1]


def test_token_create_prints_a_token_that_authenticates_and_stores_only_its_hash(cli_url):
    an_account(cli_url)
    secret = create_token()
    with web_client(cli_url) as client:
        me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
    assert me.status_code == 200 and me.json()["email"] == "ops@example.org"
    with session_on(cli_url) as session:
        stored = session.scalars(select(ApiToken)).one()
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "token.create")).one()
    assert stored.token_hash == sha256(secret) and stored.name == "nightly export"
    assert secret not in (stored.token_hash, stored.prefix) and secret.startswith(stored.prefix)
    assert event.channel == "cli"


def test_token_revoke_makes_it_401(cli_url):
    an_account(cli_url)
    secret = create_token()
    with session_on(cli_url) as session:
        token_id = session.scalars(select(ApiToken.id)).one()
    result = run("token", "revoke", "--id", str(token_id))
    assert result.exit_code == 0, result.output
    with web_client(cli_url) as client:
        me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
    assert me.status_code == 401
    listing = run("token", "list", "--email", "ops@example.org")
    assert "revoked" in listing.output and secret not in listing.output


def test_token_for_an_unknown_account_exits_2(cli_url):
    result = run("token", "create", "--email", "nobody@example.org")
    assert result.exit_code == 2 and "Invalid value for --email" in result.output
    assert counts(cli_url)["api_tokens"] == 0


# ---- audit verify -------------------------------------------------------------------------


def test_audit_verify_reports_an_intact_chain(cli_url):
    an_account(cli_url, "a@example.org")
    an_account(cli_url, "b@example.org")
    create_token("a@example.org")
    events = counts(cli_url)["audit_events"]
    result = run("audit", "verify")
    assert result.exit_code == 0, result.output
    assert f"audit chain intact: {events} events" in result.output


def test_audit_verify_names_the_first_bad_event_after_tampering(cli_url):
    for n in range(3):
        an_account(cli_url, f"user{n}@example.org")
    with session_on(cli_url) as session:
        # What an attacker with database access would do: remove the guard, then rewrite.
        if session.bind.dialect.name == "postgresql":
            session.execute(text("DROP TRIGGER audit_events_no_rewrite ON audit_events"))
        else:
            session.execute(text("DROP TRIGGER audit_events_no_update"))
        session.execute(text("UPDATE audit_events SET detail = 'role=patient' WHERE seq = 2"))
    result = run("audit", "verify")
    assert result.exit_code == 1
    assert "audit chain BROKEN at event seq 2" in result.output
    assert "altered" in result.output


# ---- db ------------------------------------------------------------------------------------


def test_db_upgrade_is_repeatable_and_current_reports_the_newest_revision(cli_url):
    assert run("db", "upgrade").exit_code == 0
    result = run("db", "current")
    assert result.exit_code == 0 and "(newest)" in result.output


def test_db_current_on_an_empty_database_asks_for_an_upgrade(tmp_path, monkeypatch):
    monkeypatch.setenv("OPENIOP_DATABASE_URL", f"sqlite:///{tmp_path / 'empty.sqlite3'}")
    get_settings.cache_clear()
    try:
        result = run("db", "current")
        assert result.exit_code == 1 and "openiop db upgrade" in result.output
        unmigrated = run("token", "list", "--email", "x@example.org")
        assert unmigrated.exit_code == 1 and "Traceback" not in unmigrated.output
        assert "openiop db upgrade" in unmigrated.output
    finally:
        get_settings.cache_clear()
