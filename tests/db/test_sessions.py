"""Session time-outs, back-off and lockout, CSRF, sign-out and the second factor."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pyotp
import pytest
from sqlalchemy import select

from openiop.kit import clock
from openiop.models import User, UserSession
from tests.factories import PASSWORD
from tests.personas import build_world, csrf_of, sign_in

T0 = datetime(2026, 12, 1, 17, 0, tzinfo=UTC)


def attempt(client, email: str, password: str):
    client.get("/login")
    return client.post(
        "/login",
        data={
            "email": email,
            "password": password,
            "csrf_token": client.cookies.get("openiop_csrf"),
        },
        follow_redirects=False,
    )


def test_idle_session_times_out_and_says_so(client, db):
    world = build_world(db)
    clock.freeze(T0)
    sign_in(client, world.user("front_desk").email)
    clock.freeze(T0 + timedelta(minutes=14))
    assert client.get("/account", follow_redirects=False).status_code == 200
    clock.freeze(T0 + timedelta(minutes=14 + 16))  # 16 idle minutes since the last request
    response = client.get("/account", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login?next=/account&expired=1")
    ended = db.scalars(select(UserSession)).one()
    assert ended.end_reason == "idle_timeout"


def test_pages_within_half_a_minute_do_not_rewrite_the_session(client, db):
    world = build_world(db)
    clock.freeze(T0)
    sign_in(client, world.user("front_desk").email)
    seen = db.scalars(select(UserSession)).one().last_seen_at
    clock.freeze(T0 + timedelta(seconds=20))
    assert client.get("/account", follow_redirects=False).status_code == 200
    db.expire_all()
    assert db.scalars(select(UserSession)).one().last_seen_at == seen  # no write for a read
    clock.freeze(T0 + timedelta(seconds=40))
    assert client.get("/account", follow_redirects=False).status_code == 200
    db.expire_all()
    assert clock.as_utc(db.scalars(select(UserSession)).one().last_seen_at) == T0 + timedelta(
        seconds=40
    )
    # Idle time counts from the last recorded activity: 15 minutes after 00:40 it has ended.
    clock.freeze(T0 + timedelta(minutes=15, seconds=41))
    assert client.get("/account", follow_redirects=False).status_code == 303


def test_active_session_still_ends_at_the_absolute_limit(client, db, settings):
    world = build_world(db)
    clock.freeze(T0)
    sign_in(client, world.user("front_desk").email)
    for minutes in range(10, 12 * 60, 10):  # busy all day, never idle
        clock.freeze(T0 + timedelta(minutes=minutes))
        assert client.get("/account", follow_redirects=False).status_code == 200, minutes
    clock.freeze(T0 + timedelta(hours=settings.session_absolute_hours, minutes=1))
    assert client.get("/account", follow_redirects=False).status_code == 303
    assert db.scalars(select(UserSession)).one().end_reason == "absolute_timeout"


def test_repeated_failures_back_off_then_lock_the_account(client, db, settings):
    world = build_world(db)
    email = world.user("billing").email
    clock.freeze(T0)
    statuses = []
    for n in range(settings.login_max_failures):
        clock.freeze(T0 + timedelta(minutes=n))  # slow enough to pass the back-off
        statuses.append(attempt(client, email, "not the password").status_code)
    assert statuses == [401] * settings.login_max_failures
    # Locked now: even the right password is refused until the lockout ends.
    clock.freeze(T0 + timedelta(minutes=6))
    locked = attempt(client, email, PASSWORD)
    assert locked.status_code == 429 and "locked" in locked.text
    clock.freeze(T0 + timedelta(minutes=5 + settings.login_lockout_minutes))
    assert attempt(client, email, PASSWORD).status_code == 303


def test_rapid_retries_are_slowed_down(client, db):
    world = build_world(db)
    email = world.user("billing").email
    clock.freeze(T0)
    for _ in range(3):
        attempt(client, email, "not the password")
    too_soon = attempt(client, email, PASSWORD)
    assert too_soon.status_code == 429 and "wait" in too_soon.text
    clock.freeze(T0 + timedelta(seconds=5))
    assert attempt(client, email, PASSWORD).status_code == 303


def test_sign_in_form_without_csrf_token_is_refused(client, db):
    world = build_world(db)
    client.get("/login")
    response = client.post(
        "/login", data={"email": world.user("billing").email, "password": PASSWORD}
    )
    assert response.status_code == 403
    assert "expired" in response.text
    assert db.scalars(select(UserSession)).first() is None


def test_signed_in_form_needs_the_session_token(client, db):
    world = build_world(db)
    sign_in(client, world.user("billing").email)
    forged = client.post("/logout", data={"csrf_token": client.cookies.get("openiop_csrf")})
    assert forged.status_code == 403  # the anonymous cookie is not the session's token
    assert db.scalars(select(UserSession)).one().ended_at is None
    ok = client.post("/logout", data={"csrf_token": csrf_of(client)}, follow_redirects=False)
    assert ok.status_code == 303
    assert db.scalars(select(UserSession)).one().end_reason == "signed_out"
    assert client.get("/account", follow_redirects=False).status_code == 303


def test_session_cookie_flags(client, db):
    world = build_world(db)
    client.get("/login")
    response = client.post(
        "/login",
        data={
            "email": world.user("billing").email,
            "password": PASSWORD,
            "csrf_token": client.cookies.get("openiop_csrf"),
        },
        follow_redirects=False,
    )
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie.replace("Lax", "lax")


def test_secure_cookie_outside_localhost(app, db):
    from fastapi.testclient import TestClient

    world = build_world(db)
    app.state.settings.cookie_secure = None
    with TestClient(app, base_url="https://iop.example.org") as remote:
        remote.get("/login")
        response = remote.post(
            "/login",
            data={
                "email": world.user("billing").email,
                "password": PASSWORD,
                "csrf_token": remote.cookies.get("openiop_csrf"),
            },
            follow_redirects=False,
        )
    assert "Secure" in response.headers["set-cookie"]


@pytest.fixture
def mfa_user(db):
    world = build_world(db)
    user = db.get(User, world.user("care_counselor").id)
    user.mfa_secret = pyotp.random_base32()
    user.mfa_enabled = True
    db.flush()
    return user


def test_second_factor_is_asked_and_checked(client, db, mfa_user):
    sign_in(client, mfa_user.email)
    assert client.get("/account", follow_redirects=False).headers["location"] == "/mfa"
    wrong = client.post("/mfa", data={"code": "000000", "csrf_token": csrf_of(client, "/mfa")})
    assert wrong.status_code == 422
    code = pyotp.TOTP(mfa_user.mfa_secret).now()
    right = client.post(
        "/mfa",
        data={"code": code, "csrf_token": csrf_of(client, "/mfa"), "next": "/account"},
        follow_redirects=False,
    )
    assert right.status_code == 303
    assert client.get("/account").status_code == 200


def test_mfa_required_setting_sends_staff_to_enrolment(client, db, app):
    world = build_world(db)
    app.state.settings.mfa_required = True
    sign_in(client, world.user("billing").email)
    page = client.get("/account", follow_redirects=True)
    assert "Set up your authenticator app" in page.text and "<svg" in page.text
    user = db.get(User, world.user("billing").id)
    db.refresh(user)
    code = pyotp.TOTP(user.mfa_secret).now()
    client.post("/mfa", data={"code": code, "csrf_token": csrf_of(client, "/mfa")})
    db.refresh(user)
    assert user.mfa_enabled
    assert client.get("/account").status_code == 200
