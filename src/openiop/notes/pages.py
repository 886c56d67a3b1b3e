"""Note pages: a patient's notes tab, writing a draft (autosaved by HTMX every ~20 s of typing
and when a field loses focus, plus a plain Save button), reading, signing, co-signing and
addenda. Group notes and private notes have their own modules, mounted on this router."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from openiop.kit import clock
from openiop.kit.errors import Conflict, DomainError, ValidationFailed
from openiop.notes import group_pages, private_pages, rules, service
from openiop.notes.schemas import NoteView
from openiop.security.audit import Actor
from openiop.web.deps import FormLists, PageActor, SessionDep, SettingsDep, verify_csrf
from openiop.web.render import render
from openiop.web.routing import TransactionalRoute

router = APIRouter(
    route_class=TransactionalRoute, dependencies=[Depends(verify_csrf)], include_in_schema=False
)
# Mounted first, so "/notes/groups" is not taken for a note id.
router.include_router(group_pages.router)
router.include_router(private_pages.router)
MED_ROWS = 6
LABELS = {
    "formats": rules.FORMATS,
    "writable": rules.WRITABLE_FORMATS,
    "contact_methods": rules.CONTACT_METHODS,
    "routes": rules.MEDICATION_ROUTES,
    "statuses": rules.STATUSES,
    "med_rows": MED_ROWS,
}


def redirect(target: str) -> Response:
    return RedirectResponse(target, status_code=303)


def private(response: Response) -> Response:
    """Clinical pages must not linger in shared browser caches."""
    response.headers["Cache-Control"] = "no-store"
    return response


def page(request: Request, name: str, context: dict[str, Any], status: int = 200) -> Response:
    return private(render(request, name, {**LABELS, **context}, status))


def first(form: dict[str, list[str]], key: str) -> str:
    values = form.get(key) or [""]
    return values[-1]


def note_data(form: dict[str, list[str]], fmt: rules.NoteFormat) -> dict[str, Any]:
    """The service's input from a posted note form (flat field names)."""
    data: dict[str, Any] = {
        "format": fmt.code,
        "service_date": first(form, "service_date"),
        "service_time": first(form, "service_time"),
        "sections": {s.key: first(form, s.key) for s in fmt.sections},
        "objective_ids": form.get("objective_ids", []),
    }
    if fmt.code == "contact":
        data["contact_method"] = first(form, "contact_method")
    if fmt.code == "soap":
        data["medications"] = [
            {
                part: first(form, f"med-{n}-{part}")
                for part in ("name", "dose", "route", "frequency")
            }
            for n in range(1, MED_ROWS + 1)
        ]
    return data


def form_values(view: NoteView) -> dict[str, Any]:
    values: dict[str, Any] = {s.key: s.text for s in view.sections}
    values["service_date"] = view.service_date.isoformat()
    values["service_time"] = _local_hm(view)
    values["contact_method"] = view.contact_method or ""
    values["objective_ids"] = [str(o.id) for o in view.objectives]
    for n, med in enumerate(view.medications, start=1):
        for part in ("name", "dose", "route", "frequency"):
            values[f"med-{n}-{part}"] = getattr(med, part)
    return values


def _local_hm(view: NoteView) -> str:
    from openiop.web.templating import local_time

    return local_time(view.service_at, fmt="%H:%M")


def flat(form: dict[str, list[str]]) -> dict[str, Any]:
    values: dict[str, Any] = {k: v[-1] if v else "" for k, v in form.items()}
    values["objective_ids"] = form.get("objective_ids", [])
    return values


# ---- the chart tab ----------------------------------------------------------------------


@router.get("/patients/{patient_id}/notes")
def chart(request: Request, patient_id: int, db: SessionDep, actor: PageActor) -> Response:
    notes = service.chart(db, actor=actor, patient_id=patient_id)
    return page(request, "notes/chart.html", {"notes": notes})


# ---- a new draft ------------------------------------------------------------------------


@router.get("/patients/{patient_id}/notes/new")
def new_note(
    request: Request, patient_id: int, db: SessionDep, actor: PageActor, format: str = "dap"
) -> Response:
    fmt = rules.note_format(format)
    notes = service.chart(db, actor=actor, patient_id=patient_id)  # authorizes and audits
    today = clock.today_in(request.app.state.settings.default_time_zone)
    values = {"service_date": today.isoformat()}
    return _form(request, db, notes.patient_id, notes.patient_name, fmt, None, values, {})


@router.post("/patients/{patient_id}/notes/new")
def create_note(
    request: Request,
    patient_id: int,
    db: SessionDep,
    actor: PageActor,
    settings: SettingsDep,
    form: FormLists,
) -> Response:
    fmt = rules.note_format(first(form, "format"))
    try:
        note = service.create_note(
            db, actor=actor, patient_id=patient_id, data=note_data(form, fmt), settings=settings
        )
    except ValidationFailed as error:
        db.rollback()
        return _refill(request, db, actor, patient_id, fmt, None, form, error)
    return redirect(f"/notes/{note.id}/edit")


def _refill(
    request: Request,
    db: Session,
    actor: Actor,
    patient_id: int,
    fmt: rules.NoteFormat,
    view: NoteView | None,
    form: dict[str, list[str]],
    error: DomainError,
) -> Response:
    """Show the form again with what was typed and what is wrong (nothing was saved)."""
    notes = service.chart(db, actor=actor, patient_id=patient_id)
    return _form(
        request,
        db,
        patient_id,
        notes.patient_name,
        fmt,
        view,
        flat(form),
        error.field_errors,
        message=error.message,
        status=422 if isinstance(error, ValidationFailed) else 409,
    )


def _form(
    request: Request,
    db: Session,
    patient_id: int,
    patient_name: str,
    fmt: rules.NoteFormat,
    view: NoteView | None,
    values: dict[str, Any],
    errors: dict[str, str],
    *,
    message: str | None = None,
    status: int = 200,
) -> Response:
    context = {
        "fmt": fmt,
        "note": view,
        "patient_id": patient_id,
        "patient_name": patient_name,
        "values": values,
        "errors": errors,
        "message": message,
        "objective_options": service.objective_choices(db, patient_id=patient_id),
    }
    return page(request, "notes/note_form.html", context, status)


# ---- reading and editing ----------------------------------------------------------------


@router.get("/notes/{note_id}")
def read_note(request: Request, note_id: int, db: SessionDep, actor: PageActor) -> Response:
    view = service.read_note(db, actor=actor, note_id=note_id)
    return _view_page(request, db, actor, view)


def _view_page(
    request: Request,
    db: Session,
    actor: Actor,
    view: NoteView,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    principal = actor.principal
    assert principal is not None
    context = {
        "note": view,
        "patient_name": service.patient_name(db, view.patient_id),
        "is_author": view.author_user_id == principal.user_id,
        "errors": errors or {},
        "values": values or {},
    }
    return page(request, "notes/note_view.html", context, status)


@router.get("/notes/{note_id}/edit")
def edit_note(request: Request, note_id: int, db: SessionDep, actor: PageActor) -> Response:
    view = service.read_note(db, actor=actor, note_id=note_id)
    assert actor.principal is not None
    if view.status != rules.DRAFT or view.author_user_id != actor.principal.user_id:
        return redirect(f"/notes/{note_id}")
    if view.format == "group":
        return redirect(f"/group-sessions/{view.group.group_session_id}/note")  # type: ignore[union-attr]
    fmt = rules.FORMATS[view.format]
    name = service.patient_name(db, view.patient_id)
    return _form(request, db, view.patient_id, name, fmt, view, form_values(view), {})


@router.post("/notes/{note_id}/edit")
def save_note(
    request: Request,
    note_id: int,
    db: SessionDep,
    actor: PageActor,
    settings: SettingsDep,
    form: FormLists,
) -> Response:
    view = service.read_note(db, actor=actor, note_id=note_id)
    fmt = rules.FORMATS[view.format]
    try:
        _save(db, actor, note_id, form, fmt, settings, strict=False)
        if first(form, "action") == "sign":
            service.sign_note(db, actor=actor, note_id=note_id, settings=settings)
            return redirect(f"/notes/{note_id}")
    except (ValidationFailed, Conflict) as error:
        db.rollback()
        return _refill(request, db, actor, view.patient_id, fmt, view, form, error)
    return redirect(f"/notes/{note_id}/edit?saved=1")


def _save(db, actor, note_id, form, fmt, settings, strict=True) -> None:  # type: ignore[no-untyped-def]
    """Autosave is strict about the version; the Save button is the author's last word."""
    version = first(form, "version")
    service.update_note(
        db,
        actor=actor,
        note_id=note_id,
        version=(int(version) if version.isdigit() else -1) if strict else None,
        data=note_data(form, fmt),
        settings=settings,
    )


@router.post("/notes/{note_id}/autosave")
def autosave(
    request: Request,
    note_id: int,
    db: SessionDep,
    actor: PageActor,
    settings: SettingsDep,
    form: FormLists,
) -> Response:
    """HTMX: save the draft quietly and say so; a problem is reported, nothing saved."""
    view = service.read_note(db, actor=actor, note_id=note_id)
    try:
        _save(db, actor, note_id, form, rules.FORMATS[view.format], settings)
    except (ValidationFailed, Conflict) as error:
        db.rollback()
        return saved_fragment(request, None, error.message)
    return saved_fragment(request, service.view_by_id(db, note_id).version, None)


def saved_fragment(request: Request, version: int | None, problem: str | None) -> Response:
    context = {"version": version, "problem": problem, "at": clock.now()}
    response = render(request, "notes/_saved.html", context)
    return private(HTMLResponse(response.body, status_code=200))


# ---- signing and after ------------------------------------------------------------------


@router.post("/notes/{note_id}/sign")
def sign_note(
    request: Request, note_id: int, db: SessionDep, actor: PageActor, settings: SettingsDep
) -> Response:
    service.sign_note(db, actor=actor, note_id=note_id, settings=settings)
    return redirect(f"/notes/{note_id}")


@router.post("/notes/{note_id}/cosign")
def cosign_note(request: Request, note_id: int, db: SessionDep, actor: PageActor) -> Response:
    service.cosign_note(db, actor=actor, note_id=note_id)
    return redirect(f"/notes/{note_id}")


@router.post("/patients/{patient_id}/notes/{note_id}/addenda")
def add_addendum(
    request: Request,
    patient_id: int,
    note_id: int,
    db: SessionDep,
    actor: PageActor,
    form: FormLists,
) -> Response:
    text = first(form, "text")
    try:
        service.add_addendum(db, actor=actor, patient_id=patient_id, note_id=note_id, text=text)
    except (ValidationFailed, Conflict) as error:
        db.rollback()
        view = service.read_note(db, actor=actor, note_id=note_id)
        errors = error.field_errors or {"text": error.message}
        return _view_page(request, db, actor, view, errors, {"text": text}, 422)
    return redirect(f"/notes/{note_id}#addenda")
