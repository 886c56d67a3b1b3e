"""Use cases for accounts and access. Functions take keyword arguments and never commit."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import event as orm_events
from sqlalchemy.orm import ORMExecuteState, Session

from openiop.config import Settings
from openiop.kit import clock
from openiop.kit.errors import Forbidden, NotFound, ValidationFailed
from openiop.models import ApiToken, BreakGlassGrant, User
from openiop.security import audit, passwords, repository
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
    locations, care_team = repository.patient_scope_ids(session, patient_id)
    if locations is None:
        raise NotFound(f"No patient with id {patient_id}.")
    return PatientScope(patient_id, locations, care_team)


def access_to_patient(session: Session, principal: Principal, patient_id: int) -> Access:
    """The principal's access to one patient. A page asks more than once (the page's own
    check, then its chart tabs), so the answer is kept until the transaction writes anything
    (a flush may change the care team or grant emergency access) or ends."""
    if session.new or session.dirty or session.deleted:  # unflushed changes may matter
        return _access_to_patient(session, principal, patient_id)
    key = (principal.user_id, principal.role, patient_id)
    known = session.info.setdefault(_ACCESS_CACHE, {})
    if key not in known:
        known[key] = _access_to_patient(session, principal, patient_id)
    return known[key]


def _access_to_patient(session: Session, principal: Principal, patient_id: int) -> Access:
    access = patient_access(principal, patient_scope(session, patient_id))
    if (
        access < Access.FULL
        and principal.role is not Role.PATIENT
        and repository.active_grant(session, principal.user_id, patient_id, clock.now())
    ):
        return Access.FULL
    return access


_ACCESS_CACHE = "openiop.access"


@orm_events.listens_for(Session, "after_flush")
@orm_events.listens_for(Session, "after_soft_rollback")
@orm_events.listens_for(Session, "after_transaction_end")
def _forget_access(session: Session, *_: object) -> None:
    session.info.pop(_ACCESS_CACHE, None)


@orm_events.listens_for(Session, "do_orm_execute")
def _forget_access_on_bulk_change(state: ORMExecuteState) -> None:
    if not state.is_select:  # an UPDATE or DELETE statement bypasses the flush
        state.session.info.pop(_ACCESS_CACHE, None)


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
