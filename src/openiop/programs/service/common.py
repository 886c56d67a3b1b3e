"""Steps every setup use case shares: scope checks, versions, applying and auditing changes."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from openiop.kit import clock
from openiop.kit.errors import Conflict, NotFound, ValidationFailed
from openiop.programs import repository as repo
from openiop.programs.schemas import parse
from openiop.security import audit
from openiop.security.audit import Actor, AuditEntry
from openiop.security.permissions import Permission, Principal, can
from openiop.security.service import Refused, require

# ---- who may change what (pure, also used by pages to hide edit buttons) -----------------


def may_write_org_wide(principal: Principal | None, permission: Permission) -> bool:
    return principal is not None and can(principal, permission) and principal.location_ids is None


def may_write_at(
    principal: Principal | None, permission: Permission, location_ids: Iterable[int]
) -> bool:
    if principal is None or not can(principal, permission):
        return False
    return all(principal.at_location(i) for i in location_ids)


def require_org_wide(
    session: Session,
    actor: Actor,
    permission: Permission,
    *,
    action: str,
    what: str,
    object_id: int | None = None,
) -> None:
    """Role check, then scope: only someone not tied to particular locations (an admin)."""
    require(session, actor, permission, action=action)
    if not may_write_org_wide(actor.principal, permission):
        raise Refused(
            f"Only an administrator may create or change {what}s: they span every location.",
            AuditEntry(
                action,
                "refused",
                object_type=what.replace(" ", "_"),
                object_id=object_id,
                detail="needs organization-wide scope",
            ),
        )


def require_at_locations(
    session: Session,
    actor: Actor,
    permission: Permission,
    *,
    action: str,
    what: str,
    location_ids: Iterable[int],
    object_id: int | None = None,
) -> None:
    """Role check, then scope: every location involved must be one of the actor's."""
    require(session, actor, permission, action=action)
    wanted = sorted(set(location_ids))
    if not may_write_at(actor.principal, permission, wanted):
        outside = [i for i in wanted if not actor.principal.at_location(i)]  # type: ignore[union-attr]
        raise Refused(
            f"You may only change {what}s at your own locations.",
            AuditEntry(
                action,
                "refused",
                object_type=what.replace(" ", "_"),
                object_id=object_id,
                detail=f"outside locations {outside}",
            ),
        )


def require_read(session: Session, actor: Actor, *, what: str) -> None:
    require(session, actor, Permission.CONFIG_READ, action=f"{what}.read")


# ---- shared steps of every create and update ----------------------------------------------


def found(row: Any, what: str, row_id: int) -> Any:
    if row is None:
        raise NotFound(f"No {what} with id {row_id}.")
    return row


def check_version(row: Any, version: int, what: str) -> None:
    if version != row.version:
        raise Conflict(
            f"This {what} was changed by someone else since you opened it (it is now at "
            f"version {row.version}, you had version {version}). Reload it and make your "
            "change again."
        )


def merged(model: type[BaseModel], current: dict[str, Any], changes: BaseModel) -> Any:
    """The record as it would be after a partial change, validated as a whole."""
    given = changes.model_dump(exclude_unset=True, exclude={"version"})
    return parse(model, {**current, **given})


def current_values(row: Any, model: type[BaseModel], **extra: Any) -> dict[str, Any]:
    names = [n for n in model.model_fields if n != "organization_id" and hasattr(row, n)]
    return {**{n: getattr(row, n) for n in names}, **extra}


def refuse_problems(problems: dict[str, str]) -> None:
    if problems:
        raise ValidationFailed(
            "Please correct: " + " ".join(problems.values()), field_errors=problems
        )


def apply(row: Any, values: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    changes = {}
    for name, new in values.items():
        old = getattr(row, name)
        if old != new:
            changes[name] = (old, new)
            setattr(row, name, new)
    if changes:
        # Touching a column makes the UPDATE (and the version bump) happen even when only a
        # many-to-many list changed, so concurrent edits of those lists are caught too.
        row.updated_at = clock.now()
    return changes


def flush(session: Session, what: str) -> None:
    try:
        session.flush()
    except StaleDataError:
        raise Conflict(
            f"This {what} was changed by someone else while you were saving. Reload it and "
            "make your change again."
        ) from None
    except IntegrityError:
        # The uniqueness checks ran first, so this is a twin saved at the same moment.
        raise Conflict(
            f"Another {what} with the same code, name or email was saved at the same moment. "
            "Reload and try again."
        ) from None


def describe(values: dict[str, Any]) -> str:
    """Audit detail: field=value for a new record, field: old → new for a change."""
    parts = []
    for name, value in values.items():
        if isinstance(value, tuple):
            parts.append(f"{name}: {value[0]!s} → {value[1]!s}")
        elif value is not None:
            parts.append(f"{name}={value!s}")
    return ("; ".join(parts) or "no changes")[:2000]


def record(
    session: Session, actor: Actor, action: str, what: str, row_id: int, detail: str
) -> None:
    entry = AuditEntry(action, object_type=what, object_id=row_id, detail=detail)
    audit.record(session, actor, entry)


def organization_id(session: Session, requested: int | None) -> int:
    if requested is not None:
        if not repo.organization_exists(session, requested):
            refuse_problems({"organization_id": "No organization with that id."})
        return requested
    first = repo.first_organization_id(session)
    if first is None:
        refuse_problems({"organization_id": "Set up the organization first."})
    return first  # type: ignore[return-value]


def apply_members(
    row: Any, name: str, members: list[Any], diff: dict[str, tuple[Any, Any]], label: str
) -> None:
    """Replace a many-to-many list when its ids change, recording the change as `label`."""
    old = sorted(m.id for m in getattr(row, name))
    new = sorted(m.id for m in members)
    if old != new:
        setattr(row, name, members)
        row.updated_at = clock.now()
        diff[label] = (old, new)


# What each kind of record needs to be written; the first two span the organization.
WRITE_PERMISSION = {
    "location": Permission.CONFIG_WRITE,
    "program": Permission.CONFIG_WRITE,
    "room": Permission.CONFIG_WRITE,
    "track": Permission.CONFIG_WRITE,
    "staff member": Permission.STAFF_WRITE,
}
ORG_WIDE = frozenset({"location", "program"})


def may_write(principal: Principal | None, what: str, location_ids: Iterable[int] = ()) -> bool:
    """Whether to offer the edit buttons and forms (the write itself checks again)."""
    if what in ORG_WIDE:
        return may_write_org_wide(principal, WRITE_PERMISSION[what])
    return may_write_at(principal, WRITE_PERMISSION[what], location_ids)


def authorize_write(
    session: Session,
    *,
    actor: Actor,
    what: str,
    action: str,
    location_ids: Iterable[int] = (),
    object_id: int | None = None,
) -> None:
    """Refuse (audited) before a form is even read, with the checks the write will make."""
    if what in ORG_WIDE:
        require_org_wide(
            session, actor, WRITE_PERMISSION[what], action=action, what=what, object_id=object_id
        )
    else:
        require_at_locations(
            session,
            actor,
            WRITE_PERMISSION[what],
            action=action,
            what=what,
            location_ids=location_ids,
            object_id=object_id,
        )
