"""Between HTML forms and schemas: submitted strings in, values for re-filled forms out."""

from __future__ import annotations

from datetime import time
from decimal import Decimal
from typing import Any

from fastapi import APIRouter, Depends
from sqlalchemy.orm import Session

from openiop.programs.rules import fmt_hours
from openiop.web.deps import verify_csrf
from openiop.web.routing import TransactionalRoute


def page_router() -> APIRouter:
    return APIRouter(
        route_class=TransactionalRoute, dependencies=[Depends(verify_csrf)], include_in_schema=False
    )


def texts(form: dict[str, str], names: tuple[str, ...], prefix: str = "") -> dict[str, Any]:
    """Submitted text fields, with blanks as None so required fields say "Required."."""
    return {name: (form.get(prefix + name) or "").strip() or None for name in names}


def checked(form: dict[str, str], name: str) -> bool:
    return bool(form.get(name))


def shown(value: Any) -> Any:
    """A stored value as a form shows it."""
    if value is None:
        return ""
    if isinstance(value, bool | list):
        return value
    if isinstance(value, time):
        return value.strftime("%H:%M")
    if isinstance(value, Decimal):
        return fmt_hours(value)
    return str(value)


def row_values(row: Any, names: tuple[str, ...], **extra: Any) -> dict[str, Any]:
    values = {name: shown(getattr(row, name)) for name in names}
    return {**values, "version": row.version, **extra}


def with_version(data: dict[str, Any], form: dict[str, str]) -> dict[str, Any]:
    return {**data, "version": form.get("version")}


def as_ints(raw: list[str]) -> list[Any]:
    """Ids from a multi-select; anything else is passed on for the schema to name."""
    return [int(v) if v.strip().isdigit() else v for v in raw if v.strip()]


def as_ints_only(raw: list[str]) -> list[int]:
    """Just the well-formed ids, for a scope check made before the form is validated."""
    return [int(v) for v in raw if v.strip().isdigit()]


def rollback_after_conflict(db: Session) -> None:
    """A conflict found while saving leaves the session unusable; start clean to re-render."""
    db.rollback()
