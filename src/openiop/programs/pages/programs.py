"""Screens for programs and their policy, with the policy in plain language."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import RedirectResponse, Response

from openiop.kit.errors import Conflict, ValidationFailed
from openiop.kit.pagination import PageRequest
from openiop.models import Program
from openiop.programs import rules, service
from openiop.programs.pages.forms import (
    checked,
    page_router,
    rollback_after_conflict,
    row_values,
    shown,
    texts,
    with_version,
)
from openiop.programs.schemas import ProgramCreate, ProgramPatch, parse
from openiop.security.audit import Actor
from openiop.web.deps import FormData, PageActor, SessionDep
from openiop.web.render import render

router = page_router()

PROGRAM_FIELDS = (
    "code",
    "name",
    "asam_level",
    "population",
    "group_days_per_week",
    "group_hours_per_day",
    "min_weekly_hours",
    "max_weekly_hours",
    "individual_sessions_per_week",
    "individual_min_minutes",
    "physician_visits_per_week",
    "physician_visit_minutes",
)
SEED = rules.Policy()
NEW_PROGRAM = {
    **{name: shown(getattr(SEED, name)) for name in rules.Policy.__dataclass_fields__},
    "active": True,
}


def _program_data(form: dict[str, str]) -> dict[str, Any]:
    return {**texts(form, PROGRAM_FIELDS), "active": checked(form, "active")}


def _summaries(rows: list[Program]) -> dict[int, str]:
    return {row.id: rules.policy_summary(service.policy_of(row)) for row in rows}


@router.get("/admin/programs")
def programs(request: Request, db: SessionDep, actor: PageActor, page: int = 1) -> Response:
    rows = service.list_programs(db, actor=actor, page=PageRequest(page, 50))
    return render(
        request,
        "programs/programs.html",
        {
            "page": rows,
            "summaries": _summaries(rows.items),
            "levels": rules.ASAM_LEVELS,
            "populations": rules.POPULATIONS,
            "may_create": service.may_write(actor.principal, "program"),
        },
    )


@router.get("/admin/programs/new")
def new_program(request: Request, db: SessionDep, actor: PageActor) -> Response:
    service.authorize_write(db, actor=actor, what="program", action="program.create")
    return _program_page(request, actor, None, NEW_PROGRAM)


@router.post("/admin/programs")
def create_program(request: Request, db: SessionDep, actor: PageActor, form: FormData) -> Response:
    service.authorize_write(db, actor=actor, what="program", action="program.create")
    try:
        data = parse(ProgramCreate, _program_data(form))
        row = service.create_program(db, actor=actor, data=data)
    except ValidationFailed as error:
        values = {**form, "active": checked(form, "active")}
        return _program_page(request, actor, None, values, error.field_errors, status=422)
    return RedirectResponse(f"/admin/programs/{row.id}?saved=1", status_code=303)


@router.get("/admin/programs/{program_id}")
def program(
    request: Request, program_id: int, db: SessionDep, actor: PageActor, saved: int = 0
) -> Response:
    row = service.get_program(db, actor=actor, program_id=program_id)
    values = row_values(row, PROGRAM_FIELDS, active=row.active)
    return _program_page(request, actor, row, values, saved=bool(saved))


@router.post("/admin/programs/{program_id}")
def update_program(
    request: Request, program_id: int, db: SessionDep, actor: PageActor, form: FormData
) -> Response:
    row = service.get_program(db, actor=actor, program_id=program_id)
    service.authorize_write(
        db, actor=actor, what="program", action="program.update", object_id=program_id
    )
    values = {**form, "active": checked(form, "active")}
    try:
        changes = parse(ProgramPatch, with_version(_program_data(form), form))
        service.update_program(db, actor=actor, program_id=program_id, changes=changes)
    except ValidationFailed as error:
        return _program_page(request, actor, row, values, error.field_errors, status=422)
    except Conflict as error:
        rollback_after_conflict(db)
        return _program_page(request, actor, row, values, message=error.message, status=409)
    return RedirectResponse(f"/admin/programs/{program_id}?saved=1", status_code=303)


def _program_page(
    request: Request,
    actor: Actor,
    row: Program | None,
    values: dict[str, Any],
    errors: dict[str, str] | None = None,
    *,
    message: str | None = None,
    saved: bool = False,
    status: int = 200,
) -> Response:
    policy = service.policy_of(row) if row else None
    return render(
        request,
        "programs/program_form.html",
        {
            "program": row,
            "values": values,
            "errors": errors or {},
            "message": message,
            "saved": saved,
            "editable": service.may_write(actor.principal, "program"),
            "sentences": rules.policy_sentences(policy) if policy else [],
            "level_options": list(rules.ASAM_LEVELS.items()),
            "population_options": list(rules.POPULATIONS.items()),
            "levels": rules.ASAM_LEVELS,
            "populations": rules.POPULATIONS,
        },
        status,
    )
