"""A program's clinical settings: the treatment-plan review policy and the measure schedule
(directors and admins)."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from openiop.clinical import measures_rules, measures_service, plan_review_service
from openiop.clinical.pages.common import new_router, redirect
from openiop.kit.errors import ValidationFailed
from openiop.security.audit import Actor
from openiop.web.deps import FormData, PageActor, SessionDep
from openiop.web.render import render

router = new_router()


def _values(db: Session, actor: Actor, program_id: int) -> dict[str, Any]:
    _, policy = plan_review_service.program_settings(db, actor=actor, program_id=program_id)
    values: dict[str, Any] = {
        "review_interval_days": policy.review_interval_days,
        "physician_review_within_days": policy.physician_review_within_days,
    }
    entries = {e.instrument: e for e in measures_service.schedule(db, program_id)}
    for name in measures_rules.MEASURES:
        prefix, entry = _prefix(name), entries.get(name)
        values[f"{prefix}_active"] = "on" if entry else ""
        values[f"{prefix}_at_intake"] = "on" if entry and entry.at_intake else ""
        values[f"{prefix}_interval"] = entry.interval_days if entry else ""
    return values


def _prefix(name: str) -> str:
    return name.lower().replace("-", "")


def _page(
    request: Request,
    db: Session,
    actor: Actor,
    program_id: int,
    values: dict[str, Any],
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    program, _ = plan_review_service.program_settings(db, actor=actor, program_id=program_id)
    rows = [(name, _prefix(name)) for name in measures_rules.MEASURES]
    return render(
        request,
        "clinical/settings.html",
        {"program": program, "values": values, "errors": errors or {}, "rows": rows},
        status,
    )


@router.get("/admin/programs/{program_id}/clinical")
def settings_page(request: Request, program_id: int, db: SessionDep, actor: PageActor) -> Response:
    return _page(request, db, actor, program_id, _values(db, actor, program_id))


@router.post("/admin/programs/{program_id}/clinical")
def save_settings(
    request: Request, program_id: int, db: SessionDep, actor: PageActor, form: FormData
) -> Response:
    try:
        plan_review_service.set_policy(db, actor=actor, program_id=program_id, data=form)
        measures_service.set_schedule(db, actor=actor, program_id=program_id, data=form)
    except ValidationFailed as error:
        db.rollback()
        return _page(request, db, actor, program_id, form, error.field_errors, 422)
    return redirect(f"/admin/programs/{program_id}/clinical?saved=1")
