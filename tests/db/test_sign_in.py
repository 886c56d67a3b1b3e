"""Sign-in, sign-out, session time-outs, back-off and lockout, through the real pages."""

from __future__ import annotations

from sqlalchemy import select

from openiop.models import AuditEvent, User, UserSession
from tests.personas import build_world, sign_in


def test_sign_in_then_account_page_shows_who(client, db):
    world = build_world(db)
    sign_in(client, world.user("care_counselor").email)
    page = client.get("/account")
    assert page.status_code == 200
    assert "care_counselor@example.org" in page.text
    cookie = client.cookies.get("openiop_session")
    assert cookie and db.scalar(select(UserSession.token_hash)) != cookie  # only a hash is stored


def test_wrong_password_is_refused_and_audited(client, db):
    world = build_world(db)
    client.get("/login")
    response = client.post(
        "/login",
        data={
            "email": world.user("billing").email,
            "password": "wrong password!!",
            "csrf_token": client.cookies.get("openiop_csrf"),
        },
    )
    assert response.status_code == 401
    assert "not right" in response.text
    event = db.scalars(select(AuditEvent).where(AuditEvent.action == "auth.sign_in")).one()
    assert event.outcome == "refused"
    db.expire_all()
    assert db.get(User, world.user("billing").id).failed_logins == 1
