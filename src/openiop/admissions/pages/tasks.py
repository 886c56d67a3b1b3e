"""The clinical task list (/admissions/tasks): open tasks at the user's sites, urgent first and
overdue flagged, a "done" button on each, what was done this week and by whom, and the
inquiries waiting for a clinician's assessment."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from openiop.admissions import task_service as service
from openiop.kit.errors import Conflict
from openiop.web.deps import FormLists, PageActor, SessionDep, verify_csrf
from openiop.web.render import render
from openiop.web.routing import TransactionalRoute

router = APIRouter(
    route_class=TransactionalRoute, dependencies=[Depends(verify_csrf)], include_in_schema=False
)


@router.get("/admissions/tasks")
def tasks(
    request: Request, db: SessionDep, actor: PageActor, mine: str = "", done: str = ""
) -> Response:
    found = service.task_list(
        db,
        actor=actor,
        default_zone=request.app.state.settings.default_time_zone,
        mine=mine == "1",
    )
    message = {"1": "Marked done.", "conflict": "That task was already done or changed; the list is up to date."}.get(done)  # fmt: skip
    response = render(request, "admissions/tasks.html", {"t": found, "message": message})
    response.headers["Cache-Control"] = "no-store"
    return response


@router.post("/admissions/tasks/{task_id}/done")
def mark_done(
    request: Request, task_id: int, db: SessionDep, actor: PageActor, form: FormLists
) -> Response:
    raw = (form.get("version") or [""])[0]
    back = (
        "/admissions/tasks?mine=1&"
        if (form.get("mine") or [""])[0] == "1"
        else "/admissions/tasks?"
    )
    try:
        service.mark_done(
            db, actor=actor, task_id=task_id,
            version=int(raw) if raw.isdigit() and len(raw) < 10 else None,
        )  # fmt: skip
    except Conflict:
        db.rollback()
        return RedirectResponse(back + "done=conflict", status_code=303)
    return RedirectResponse(back + "done=1", status_code=303)
