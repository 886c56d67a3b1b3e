"""Named dependencies: the request's database session and who is acting.

Browsers authenticate with a server-side session cookie; integrations with a bearer token.
Both end in the same `Actor`, so pages and the API share one permission check and audit.
"""

from __future__ import annotations

import hmac
import secrets
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from openiop.config import Settings
from openiop.kit.errors import DomainError, NotAuthenticated
from openiop.models import User, UserSession
from openiop.security import service as security
from openiop.security import sign_in_service
from openiop.security.audit import Actor

SESSION_COOKIE = "openiop_session"
CSRF_COOKIE = "openiop_csrf"


class CsrfFailed(DomainError):
    status_code = 403
    title = "Form expired"


class MfaRequired(DomainError):
    """Signed in with a password, but the second factor is still due."""

    status_code = 401
    title = "Second factor required"


# The two dependencies below do no I/O, so they are coroutines: FastAPI runs a plain `def`
# dependency in the thread pool, a hop that costs more than the work itself.
async def get_settings_dep(request: Request) -> Settings:
    return request.app.state.settings


async def get_db(request: Request) -> Session:
    if getattr(request.state, "db", None) is None:
        request.state.db = request.app.state.session_factory()
    return request.state.db


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
SessionDep = Annotated[Session, Depends(get_db)]


def cookie_secure(request: Request, settings: Settings) -> bool:
    """Secure cookies everywhere but plain-HTTP localhost (the demo)."""
    if settings.cookie_secure is not None:
        return settings.cookie_secure
    return request.url.hostname not in {"127.0.0.1", "localhost", "::1", "testserver"}


def client_ip(request: Request) -> str | None:
    return request.client.host if request.client else None


def anonymous_actor(request: Request, channel: str = "web") -> Actor:
    return Actor(None, channel, client_ip(request), request.headers.get("user-agent"))


def _actor_for(request: Request, db: Session, user: User, channel: str) -> Actor:
    actor = Actor(
        security.principal_for(db, user),
        channel,
        client_ip(request),
        request.headers.get("user-agent"),
    )
    request.state.actor = actor
    request.state.user = user
    return actor


def browser_session(request: Request, db: SessionDep, settings: SettingsDep) -> UserSession | None:
    """The signed-in browser session, if any (ends it when timed out)."""
    if hasattr(request.state, "browser_session"):  # already looked up for this request
        return request.state.browser_session
    token = request.cookies.get(SESSION_COOKIE)
    resumed = sign_in_service.resume_session(db, token=token, settings=settings) if token else None
    # The request keeps the user: the session's identity map holds rows only weakly, and
    # page_actor would otherwise load the same user again.
    record, request.state.session_user = resumed or (None, None)
    if token and record is None:
        request.state.session_expired = True
        db.commit()  # keep the ended session's reason even though we refuse this request
    request.state.browser_session = record
    return record


BrowserSession = Annotated[UserSession | None, Depends(browser_session)]


def page_actor(
    request: Request, db: SessionDep, record: BrowserSession, settings: SettingsDep
) -> Actor:
    """Who is signed in on this browser; otherwise a redirect to the sign-in page."""
    if record is None:
        raise NotAuthenticated("Please sign in.")
    user = request.state.session_user
    assert user is not None
    if not record.mfa_passed or sign_in_service.mfa_needs_enrolment(user, settings):
        raise MfaRequired("Finish signing in with your authenticator app.")
    return _actor_for(request, db, user, "web")


def api_actor(request: Request, db: SessionDep) -> Actor:
    """Who holds the bearer token on this request; 401 without a valid one."""
    header = request.headers.get("authorization", "")
    scheme, _, secret = header.partition(" ")
    if scheme.lower() != "bearer" or not secret:
        raise NotAuthenticated("Send an API token as 'Authorization: Bearer <token>'.")
    user = security.user_for_token(db, secret=secret.strip())
    if user is None:
        raise NotAuthenticated("The API token is unknown, expired or revoked.")
    return _actor_for(request, db, user, "api")


PageActor = Annotated[Actor, Depends(page_actor)]
ApiActor = Annotated[Actor, Depends(api_actor)]


# ---- CSRF -------------------------------------------------------------------------------


def csrf_token(request: Request) -> str:
    """The token forms must echo: the signed-in session's, else a per-browser cookie's."""
    record = getattr(request.state, "browser_session", None)
    if record is not None:
        return record.csrf_token
    token = request.cookies.get(CSRF_COOKIE) or getattr(request.state, "new_csrf_cookie", None)
    if not token:
        token = secrets.token_urlsafe(32)
        request.state.new_csrf_cookie = token
    return token


async def verify_csrf(request: Request, record: BrowserSession) -> None:
    """Every unsafe browser request must carry the token in its form or X-CSRF-Token header."""
    if request.method in {"GET", "HEAD", "OPTIONS"}:
        return
    sent = request.headers.get("x-csrf-token")
    if sent is None:
        form = await request.form()
        sent = form.get("csrf_token")
    expected = record.csrf_token if record is not None else request.cookies.get(CSRF_COOKIE)
    if not expected or not isinstance(sent, str) or not hmac.compare_digest(sent, expected):
        raise CsrfFailed(
            "This form has expired or did not come from OpenIOP. Reload the page and try again."
        )


async def form_data(request: Request) -> dict[str, str]:
    """The submitted form as a plain dict (last value wins; use form_lists for multi-selects)."""
    form = await request.form()
    return {key: value for key, value in form.items() if isinstance(value, str)}


async def form_lists(request: Request) -> dict[str, list[str]]:
    form = await request.form()
    return {key: [v for v in form.getlist(key) if isinstance(v, str)] for key in form}


FormData = Annotated[dict[str, str], Depends(form_data)]
FormLists = Annotated[dict[str, list[str]], Depends(form_lists)]
