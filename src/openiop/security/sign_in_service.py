"""Signing in: passwords with lockout and backoff, browser sessions with idle and absolute
timeouts, and the second factor. Functions take keyword arguments and never commit."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy.orm import Session

from openiop.config import Settings
from openiop.kit import clock
from openiop.kit.errors import ValidationFailed
from openiop.models import User, UserSession
from openiop.security import audit, mfa, passwords, repository
from openiop.security.audit import Actor, AuditEntry
from openiop.security.permissions import Role
from openiop.security.service import principal_for, sha256

# Failed sign-ins before the waits between attempts start doubling (1 s, 2 s, 4 s, ...).
BACKOFF_AFTER = 2
# A session's last activity is written at most this often: idle timeouts are whole minutes,
# and rewriting the row on every page turned each page view into a write.
LAST_SEEN_GRANULARITY = timedelta(seconds=30)


# ---- sign-in ----------------------------------------------------------------------------


class SignInOutcome(StrEnum):
    OK = "ok"
    BAD_CREDENTIALS = "bad_credentials"
    LOCKED = "locked"
    TOO_SOON = "too_soon"


@dataclass(frozen=True)
class SignInResult:
    outcome: SignInOutcome
    user: User | None = None
    wait_seconds: int = 0


def sign_in(
    session: Session, *, email: str, password: str, settings: Settings, actor: Actor
) -> SignInResult:
    """Check a password with back-off and lockout. Failures are recorded, so commit either way."""
    now = clock.now()
    user = repository.user_by_email(session, email)
    if user is not None and not user.active:
        user = None
    if user is not None:
        blocked = _blocked(user, now, settings)
        if blocked:
            _audit_sign_in(session, actor, user, str(blocked.outcome))
            return blocked
    if user is None or not passwords.verify_password(user.password_hash, password):
        if user is None:
            passwords.verify_password(None, password)  # same work whether or not it exists
        else:
            _count_failure(user, now, settings)
        _audit_sign_in(session, actor, user, "bad_credentials", email=email)
        return SignInResult(SignInOutcome.BAD_CREDENTIALS)
    user.failed_logins, user.locked_until, user.last_login_at = 0, None, now
    _audit_sign_in(session, actor, user, None)
    return SignInResult(SignInOutcome.OK, user)


def _blocked(user: User, now: datetime, settings: Settings) -> SignInResult | None:
    if user.locked_until and user.locked_until > now:
        wait = int((user.locked_until - now).total_seconds()) + 1
        return SignInResult(SignInOutcome.LOCKED, wait_seconds=wait)
    if user.failed_logins > BACKOFF_AFTER and user.last_failed_login_at:
        delay = timedelta(seconds=2 ** (user.failed_logins - BACKOFF_AFTER - 1))
        ready = user.last_failed_login_at + delay
        if ready > now:
            return SignInResult(
                SignInOutcome.TOO_SOON, wait_seconds=int((ready - now).total_seconds()) + 1
            )
    return None


def _count_failure(user: User, now: datetime, settings: Settings) -> None:
    user.failed_logins += 1
    user.last_failed_login_at = now
    if user.failed_logins >= settings.login_max_failures:
        user.locked_until = now + timedelta(minutes=settings.login_lockout_minutes)
        user.failed_logins = 0


def _audit_sign_in(
    session: Session, actor: Actor, user: User | None, failure: str | None, email: str = ""
) -> None:
    who = principal_for(session, user) if user is not None else None
    audit.record(
        session,
        Actor(who, actor.channel, actor.ip, actor.user_agent),
        AuditEntry(
            "auth.sign_in",
            outcome="refused" if failure else "allowed",
            object_type="user",
            object_id=user.id if user else None,
            detail=failure if user else f"{failure}: {email[:100]}",
        ),
    )


# ---- browser sessions -------------------------------------------------------------------


@dataclass(frozen=True)
class StartedSession:
    token: str
    record: UserSession


def start_session(session: Session, *, user: User, actor: Actor) -> StartedSession:
    token = secrets.token_urlsafe(32)
    now = clock.now()
    record = UserSession(
        token_hash=sha256(token),
        user_id=user.id,
        created_at=now,
        last_seen_at=now,
        mfa_passed=not user.mfa_enabled,
        csrf_token=secrets.token_urlsafe(32),
        ip=actor.ip,
        user_agent=(actor.user_agent or "")[:300],
    )
    session.add(record)
    session.flush()
    return StartedSession(token, record)


def resume_session(
    session: Session, *, token: str, settings: Settings
) -> tuple[UserSession, User] | None:
    """The live session for a cookie and its user, ending it when it has been idle or open
    too long."""
    record = repository.session_by_token_hash(session, sha256(token))
    if record is None or record.ended_at is not None:
        return None
    now = clock.now()
    if now - record.last_seen_at > timedelta(minutes=settings.session_idle_minutes):
        _end(record, now, "idle_timeout")
        return None
    if now - record.created_at > timedelta(hours=settings.session_absolute_hours):
        _end(record, now, "absolute_timeout")
        return None
    user = repository.user_by_id(session, record.user_id)
    if user is None or not user.active:
        _end(record, now, "account_disabled")
        return None
    if now - record.last_seen_at >= LAST_SEEN_GRANULARITY:
        record.last_seen_at = now
    return record, user


def end_session(session: Session, *, record: UserSession, reason: str = "signed_out") -> None:
    _end(record, clock.now(), reason)


def _end(record: UserSession, now: datetime, reason: str) -> None:
    record.ended_at, record.end_reason = now, reason


# ---- MFA --------------------------------------------------------------------------------


def mfa_needs_enrolment(user: User, settings: Settings) -> bool:
    return settings.mfa_required and user.role != Role.PATIENT and not user.mfa_enabled


def begin_mfa_enrolment(user: User) -> str:
    if not user.mfa_secret or user.mfa_enabled:
        user.mfa_secret = user.mfa_secret if user.mfa_enabled else mfa.new_secret()
    return user.mfa_secret  # type: ignore[return-value]


def confirm_mfa(
    session: Session, *, user: User, record: UserSession, code: str, actor: Actor
) -> None:
    if not user.mfa_secret or not mfa.code_is_valid(user.mfa_secret, code):
        raise ValidationFailed(
            "That code did not match.",
            field_errors={"code": "Enter the 6-digit code shown in your app now."},
        )
    user.mfa_enabled = True
    record.mfa_passed = True
    audit.record(session, actor, AuditEntry("auth.mfa", object_type="user", object_id=user.id))
