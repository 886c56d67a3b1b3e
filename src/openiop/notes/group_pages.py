"""Group note pages: the facilitator's recent sessions, and one form per session with the
shared part written once and a short part per attendee. Autosaved like other drafts."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from openiop.kit import clock
from openiop.kit.errors import Conflict, DomainError, ValidationFailed
from openiop.notes import cosign_service, group_objectives, group_service, rules
from openiop.notes.group_service import GroupForm
from openiop.security.audit import Actor
from openiop.web.deps import FormLists, PageActor, SessionDep, SettingsDep, verify_csrf
from openiop.web.render import render
from openiop.web.routing import TransactionalRoute

router = APIRouter(
    route_class=TransactionalRoute, dependencies=[Depends(verify_csrf)], include_in_schema=False
)
PART_SECTIONS = rules.FORMATS["group"].sections
ATTENDANCE_LABELS = {
    "present": "Present",
    "late": "Late",
    "left_early": "Left early",
    "absent_excused": "Absent (excused)",
    "absent_unexcused": "Absent (unexcused)",
}


def _page(request: Request, name: str, context: dict[str, Any], status: int = 200) -> Response:
    response = render(request, name, context, status)
    response.headers["Cache-Control"] = "no-store"
    return response


def _first(form: dict[str, list[str]], key: str) -> str:
    values = form.get(key) or [""]
    return values[-1]


@router.get("/notes/groups")
def my_sessions(request: Request, db: SessionDep, actor: PageActor) -> Response:
    today = clock.today_in(request.app.state.settings.default_time_zone)
    lines = group_service.my_sessions(db, actor=actor, today=today)
    return _page(request, "notes/group_sessions.html", {"lines": lines, "today": today})


@router.get("/notes/cosign")
def cosign_queue(request: Request, db: SessionDep, actor: PageActor) -> Response:
    queue = cosign_service.my_queue(db, actor=actor)
    return _page(request, "notes/cosign_queue.html", {"queue": queue})


@router.get("/group-sessions/{group_session_id}/note")
def group_note(
    request: Request, group_session_id: int, db: SessionDep, actor: PageActor
) -> Response:
    form = group_service.group_form(db, actor=actor, group_session_id=group_session_id)
    return _form_page(request, form, _values(form), {})


def _values(form: GroupForm) -> dict[str, Any]:
    values: dict[str, Any] = dict(form.shared)
    values["attended"] = [str(r.patient_id) for r in form.rows if r.attended]
    for row in form.rows:
        for key, text in row.part.items():
            values[f"p{row.patient_id}-{key}"] = text
        values[group_objectives.field_name(row.patient_id)] = [str(i) for i in row.objective_ids]
    return values


def _form_page(
    request: Request,
    form: GroupForm,
    values: dict[str, Any],
    errors: dict[str, str],
    message: str | None = None,
    status: int = 200,
) -> Response:
    principal = request.state.actor.principal
    note = form.note
    context = {
        "attendance_labels": ATTENDANCE_LABELS,
        "form": form,
        "note": note,
        "values": values,
        "errors": errors,
        "message": message,
        "shared_sections": rules.GROUP_SHARED,
        "part_sections": PART_SECTIONS,
        "is_author": note is None or note.author_user_id == principal.user_id,
        "statuses": rules.STATUSES,
    }
    return _page(request, "notes/group_form.html", context, status)


def _parts(form: dict[str, list[str]]) -> dict[int, dict[str, str]]:
    attended = {int(v) for v in form.get("attended", []) if v.isdigit()}
    return {
        pid: {
            **{s.key: _first(form, f"p{pid}-{s.key}") for s in PART_SECTIONS},
            group_objectives.FIELD: form.get(group_objectives.field_name(pid), []),
        }
        for pid in attended
    }


def _save(
    db: Session,
    actor: Actor,
    group_session_id: int,
    form: dict[str, list[str]],
    strict: bool = True,
) -> None:
    """Autosave is strict about the version; the Save button is the author's last word."""
    version = _first(form, "version")
    group_service.save_group_note(
        db,
        actor=actor,
        group_session_id=group_session_id,
        version=int(version) if version.isdigit() else None,
        shared={s.key: _first(form, s.key) for s in rules.GROUP_SHARED},
        parts=_parts(form),
        strict=strict,
    )


@router.post("/group-sessions/{group_session_id}/note")
def save_group_note(
    request: Request,
    group_session_id: int,
    db: SessionDep,
    actor: PageActor,
    settings: SettingsDep,
    form: FormLists,
) -> Response:
    try:
        _save(db, actor, group_session_id, form, strict=False)
        if _first(form, "action") == "sign":
            group_service.sign_group_note(
                db, actor=actor, group_session_id=group_session_id, settings=settings
            )
    except (ValidationFailed, Conflict) as error:
        return _refill(request, db, actor, group_session_id, form, error)
    return RedirectResponse(f"/group-sessions/{group_session_id}/note?saved=1", status_code=303)


def _refill(
    request: Request,
    db: Session,
    actor: Actor,
    group_session_id: int,
    form: dict[str, list[str]],
    error: DomainError,
) -> Response:
    db.rollback()  # nothing of a refused save is kept
    current = group_service.group_form(db, actor=actor, group_session_id=group_session_id)
    values: dict[str, Any] = {k: v[-1] if v else "" for k, v in form.items()}
    values["attended"] = form.get("attended", [])
    for key, chosen in form.items():
        if key.endswith("-" + group_objectives.FIELD):  # checkboxes: keep every one ticked
            values[key] = chosen
    status = 422 if isinstance(error, ValidationFailed) else 409
    return _form_page(request, current, values, error.field_errors, error.message, status)


@router.post("/group-sessions/{group_session_id}/note/autosave")
def autosave(
    request: Request, group_session_id: int, db: SessionDep, actor: PageActor, form: FormLists
) -> Response:
    problem, version = None, None
    try:
        _save(db, actor, group_session_id, form)
        note = group_service.group_form(db, actor=actor, group_session_id=group_session_id).note
        version = note.version if note else None
    except (ValidationFailed, Conflict) as error:
        db.rollback()
        problem = error.message
    context = {"version": version, "problem": problem, "at": clock.now()}
    response = render(request, "notes/_saved.html", context)
    out = HTMLResponse(response.body, status_code=200)
    out.headers["Cache-Control"] = "no-store"
    return out


@router.post("/group-sessions/{group_session_id}/note/cosign")
def cosign(request: Request, group_session_id: int, db: SessionDep, actor: PageActor) -> Response:
    group_service.cosign_group_note(db, actor=actor, group_session_id=group_session_id)
    return RedirectResponse(f"/group-sessions/{group_session_id}/note", status_code=303)
