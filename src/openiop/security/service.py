"""Use cases for accounts and access. Functions take keyword arguments and never commit."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy.orm import Session

from openiop.config import Settings
from openiop.kit import clock
from openiop.kit.errors import Forbidden, NotFound, ValidationFailed
from openiop.models import ApiToken, BreakGlassGrant, User, UserSession
from openiop.security import audit, mfa, passwords, repository
from openiop.security.audit import Actor, AuditEntry
from openiop.security.permissions import (
    Access,
    PatientScope,
    Permission,
    Principal,
    Role,
    can,
    may_break_glass,
    patient_access,
)

TOKEN_PREFIX = "oiop_"
# Failed sign-ins before the waits between attempts start doubling (1 s, 2 s, 4 s, ...).
BACKOFF_AFTER = 2


class Refused(Forbidden):
    """A refusal that must be audited even though the request's work is rolled back."""

    def __init__(self, message: str, entry: AuditEntry) -> None:
        super().__init__(message)
        self.audit_entry = entry


def sha256(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


# ---- principals -------------------------------------------------------------------------


def principal_for(session: Session, user: User) -> Principal:
    role = Role(user.role)
    if role in {Role.ADMIN, Role.AUDITOR} or user.staff_member_id is None:
        locations = None if role in {Role.ADMIN, Role.AUDITOR} else frozenset()
    else:
        locations = repository.staff_location_ids(session, user.staff_member_id)
    return Principal(
        user_id=user.id,
        email=user.email,
        role=role,
        staff_member_id=user.staff_member_id,
        patient_id=user.patient_id,
        location_ids=locations,
    )


def require(session: Session, actor: Actor, permission: Permission, *, action: str) -> None:
    """Refuse (and audit the refusal) unless the actor's role grants `permission`."""
    if actor.principal is None or not can(actor.principal, permission):
        raise Refused(
            "Your role does not allow this.",
            AuditEntry(action=action, outcome="refused", detail=f"needs {permission}"),
        )


# ---- patient access ---------------------------------------------------------------------


def patient_scope(session: Session, patient_id: int) -> PatientScope:
    locations = repository.patient_location_ids(session, patient_id)
    if locations is None:
        raise NotFound(f"No patient with id {patient_id}.")
    return PatientScope(patient_id, locations, repository.care_team_staff_ids(session, patient_id))


def access_to_patient(session: Session, principal: Principal, patient_id: int) -> Access:
    access = patient_access(principal, patient_scope(session, patient_id))
    if (
        access < Access.FULL
        and principal.role is not Role.PATIENT
        and repository.active_grant(session, principal.user_id, patient_id, clock.now())
    ):
        return Access.FULL
    return access


def authorize_patient(
    session: Session,
    *,
    actor: Actor,
    patient_id: int,
    action: str,
    need: Access = Access.LIMITED,
    object_type: str = "patient",
    object_id: int | str | None = None,
) -> Access:
    """Check access to one patient's record and audit the outcome in this transaction."""
    principal = actor.principal
    access = access_to_patient(session, principal, patient_id) if principal else Access.NONE
    entry = AuditEntry(
        action=action,
        patient_id=patient_id,
        object_type=object_type,
        object_id=object_id if object_id is not None else patient_id,
        detail=f"access={access.name.lower()}",
    )
    if access < need:
        raise Refused(
            "This record is outside your scope.",
            AuditEntry(**{**entry.__dict__, "outcome": "refused"}),
        )
    audit.record(session, actor, entry)
    return access


def break_glass(
    session: Session, *, actor: Actor, patient_id: int, reason: str, settings: Settings
) -> BreakGlassGrant:
    principal = actor.principal
    if principal is None or not may_break_glass(principal):
        raise Refused(
            "Your role may not use emergency access.",
            AuditEntry("patient.break_glass", "refused", patient_id=patient_id),
        )
    reason = reason.strip()
    if len(reason) < 10:
        raise ValidationFailed(
            "Say why you need this record.",
            field_errors={"reason": "Give a reason of at least 10 characters."},
        )
    patient_scope(session, patient_id)  # 404 for an unknown patient
    now = clock.now()
    grant = BreakGlassGrant(
        user_id=principal.user_id,
        patient_id=patient_id,
        reason=reason,
        granted_at=now,
        expires_at=now + timedelta(minutes=settings.break_glass_minutes),
    )
    session.add(grant)
    session.flush()
    audit.record(
        session,
        actor,
        AuditEntry(
            "patient.break_glass",
            patient_id=patient_id,
            object_type="break_glass",
            object_id=grant.id,
            detail=reason,
        ),
    )
    return grant


def review_grant(session: Session, *, actor: Actor, grant_id: int, note: str) -> BreakGlassGrant:
    require(session, actor, Permission.BREAK_GLASS_REVIEW, action="break_glass.review")
    grant = session.get(BreakGlassGrant, grant_id)
    if grant is None:
        raise NotFound(f"No emergency access with id {grant_id}.")
    if grant.user_id == actor.principal.user_id:  # type: ignore[union-attr]
        raise ValidationFailed("Someone else must review your own emergency access.")
    grant.reviewed_by_id = actor.principal.user_id  # type: ignore[union-attr]
    grant.reviewed_at = clock.now()
    grant.review_note = note.strip() or None
    audit.record(
        session,
        actor,
        AuditEntry(
            "break_glass.review",
            patient_id=grant.patient_id,
            object_type="break_glass",
            object_id=grant.id,
        ),
    )
    return grant


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


def resume_session(session: Session, *, token: str, settings: Settings) -> UserSession | None:
    """The live session for a cookie, ending it when it has been idle or open too long."""
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
    record.last_seen_at = now
    return record


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


# ---- API tokens -------------------------------------------------------------------------


@dataclass(frozen=True)
class IssuedToken:
    secret: str
    record: ApiToken


def create_token(
    session: Session, *, user: User, name: str, expires_days: int | None, actor: Actor
) -> IssuedToken:
    if expires_days is not None and expires_days < 1:
        raise ValidationFailed(
            "expires_days must be 1 or more.", field_errors={"expires_days": "Must be at least 1."}
        )
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = clock.now()
    record = ApiToken(
        user_id=user.id,
        name=name,
        prefix=secret[:12],
        token_hash=sha256(secret),
        created_at=now,
        expires_at=now + timedelta(days=expires_days) if expires_days else None,
    )
    session.add(record)
    session.flush()
    audit.record(
        session,
        actor,
        AuditEntry("token.create", object_type="api_token", object_id=record.id, detail=user.email),
    )
    return IssuedToken(secret, record)


def user_for_token(session: Session, *, secret: str) -> User | None:
    record = repository.token_by_hash(session, sha256(secret))
    now = clock.now()
    if record is None or record.revoked_at is not None:
        return None
    if record.expires_at is not None and record.expires_at <= now:
        return None
    user = repository.user_by_id(session, record.user_id)
    if user is None or not user.active:
        return None
    record.last_used_at = now
    return user


def revoke_token(session: Session, *, token_id: int, actor: Actor) -> ApiToken:
    record = session.get(ApiToken, token_id)
    if record is None:
        raise NotFound(f"No API token with id {token_id}.")
    record.revoked_at = record.revoked_at or clock.now()
    audit.record(
        session, actor, AuditEntry("token.revoke", object_type="api_token", object_id=token_id)
    )
    return record


# ---- accounts ---------------------------------------------------------------------------


def create_user(
    session: Session,
    *,
    email: str,
    role: Role,
    password: str,
    display_name: str,
    staff_member_id: int | None = None,
    patient_id: int | None = None,
    actor: Actor,
) -> User:
    problem = passwords.password_problem(password)
    if problem:
        raise ValidationFailed(problem, field_errors={"password": problem})
    if repository.user_by_email(session, email):
        raise ValidationFailed(
            f"An account for {email} already exists.", field_errors={"email": "Already in use."}
        )
    if role is Role.PATIENT and patient_id is None:
        raise ValidationFailed(
            "A patient account must be linked to a patient.",
            field_errors={"patient_id": "Required for the patient role."},
        )
    user = User(
        email=email.strip().lower(),
        role=str(role),
        display_name=display_name,
        password_hash=passwords.hash_password(password),
        staff_member_id=staff_member_id,
        patient_id=patient_id,
    )
    session.add(user)
    session.flush()
    audit.record(
        session,
        actor,
        AuditEntry(
            "user.create",
            patient_id=patient_id,
            object_type="user",
            object_id=user.id,
            detail=f"role={role}",
        ),
    )
    return user
