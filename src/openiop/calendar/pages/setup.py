"""Directors' screens: a program's curriculum, a site's closures and group-session generation,
and one group session (with its cancel form and its stand-in facilitator form)."""

from __future__ import annotations

from datetime import timedelta

from fastapi import Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from openiop.calendar import sessions_service, setup_service, views_service
from openiop.calendar.pages.common import page_router, parse_date, parse_int, redirect, today
from openiop.kit.errors import Conflict, ValidationFailed
from openiop.security.audit import Actor
from openiop.security.permissions import Permission, can
from openiop.web.deps import FormData, PageActor, SessionDep
from openiop.web.render import render

router = page_router()


# ---- curriculum -------------------------------------------------------------------------


def _curriculum(
    request: Request,
    db: Session,
    actor: Actor,
    program_id: int | None,
    errors=None,
    values=None,
    status=200,
) -> Response:  # type: ignore[no-untyped-def]
    programs = setup_service.list_programs(db, actor=actor)
    chosen = program_id or (programs[0].id if programs else None)
    topics = setup_service.list_topics(db, actor=actor, program_id=chosen) if chosen else []
    context = {
        "programs": [(p.id, p.name) for p in programs],
        "program_id": chosen,
        "topics": topics,
        "errors": errors or {},
        "values": values or {"program_id": str(chosen or "")},
        "may_edit": can(actor.principal, Permission.CALENDAR_CONFIGURE)
        if actor.principal
        else False,
    }
    return render(request, "calendar/curriculum.html", context, status)


@router.get("/admin/curriculum")
def curriculum(
    request: Request, db: SessionDep, actor: PageActor, program_id: str = ""
) -> Response:
    return _curriculum(request, db, actor, parse_int(program_id))


@router.post("/admin/curriculum")
def add_topic(request: Request, db: SessionDep, actor: PageActor, form: FormData) -> Response:
    program_id = parse_int(form.get("program_id")) or 0
    try:
        setup_service.add_topic(
            db,
            actor=actor,
            program_id=program_id,
            title=form.get("title", ""),
            description=form.get("description"),
        )
    except ValidationFailed as error:
        db.rollback()
        return _curriculum(request, db, actor, program_id, error.field_errors, form, 422)
    return redirect(f"/admin/curriculum?program_id={program_id}")


@router.post("/admin/curriculum/{topic_id}")
def change_topic(
    request: Request, topic_id: int, db: SessionDep, actor: PageActor, form: FormData
) -> Response:
    action = form.get("action", "")
    if action in {"up", "down"}:
        row = setup_service.move_topic(db, actor=actor, topic_id=topic_id, direction=action)
    else:
        row = setup_service.set_topic_active(
            db, actor=actor, topic_id=topic_id, active=action == "activate"
        )
    return redirect(f"/admin/curriculum?program_id={row.program_id}")


# ---- a site's closures and generation -----------------------------------------------------


def _site_setup(
    request: Request,
    db: Session,
    actor: Actor,
    location_id: int,
    errors=None,
    values=None,
    report=None,
    status=200,
) -> Response:  # type: ignore[no-untyped-def]
    site = views_service.site_for(db, actor=actor, location_id=location_id, action="calendar.setup")
    start = today()
    monday = start - timedelta(days=start.weekday())
    defaults = {
        "first": (monday + timedelta(7)).isoformat(),
        "last": (monday + timedelta(13)).isoformat(),
    }
    context = {
        "site": site,
        "closures": setup_service.list_closures(
            db, actor=actor, location_id=location_id, since=start
        ),
        "errors": errors or {},
        "values": {**defaults, **(values or {})},
        "report": report,
        "may_edit": can(actor.principal, Permission.CALENDAR_CONFIGURE)
        if actor.principal
        else False,
    }
    return render(request, "calendar/site_setup.html", context, status)


@router.get("/calendar/locations/{location_id}/setup")
def site_setup(request: Request, location_id: int, db: SessionDep, actor: PageActor) -> Response:
    return _site_setup(request, db, actor, location_id)


@router.post("/calendar/locations/{location_id}/closures")
def add_closure(
    request: Request, location_id: int, db: SessionDep, actor: PageActor, form: FormData
) -> Response:
    try:
        setup_service.add_closure(
            db,
            actor=actor,
            location_id=location_id,
            closed_on=parse_date(form.get("closed_on")),
            reason=form.get("reason", ""),
        )
    except ValidationFailed as error:
        db.rollback()
        return _site_setup(request, db, actor, location_id, error.field_errors, form, status=422)
    return redirect(f"/calendar/locations/{location_id}/setup")


@router.post("/calendar/closures/{closure_id}/delete")
def remove_closure(closure_id: int, db: SessionDep, actor: PageActor, form: FormData) -> Response:
    setup_service.remove_closure(db, actor=actor, closure_id=closure_id)
    return redirect(f"/calendar/locations/{parse_int(form.get('location_id')) or ''}/setup")


@router.post("/calendar/locations/{location_id}/generate")
def generate(
    request: Request, location_id: int, db: SessionDep, actor: PageActor, form: FormData
) -> Response:
    first, last = parse_date(form.get("first")), parse_date(form.get("last"))
    missing = {k: "Give a date." for k, v in (("first", first), ("last", last)) if v is None}
    try:
        if missing:
            raise ValidationFailed("Give the dates to generate.", field_errors=missing)
        assert first is not None and last is not None
        report = sessions_service.generate_sessions(
            db, actor=actor, first=first, last=last, location_id=location_id
        )
    except ValidationFailed as error:
        db.rollback()
        return _site_setup(request, db, actor, location_id, error.field_errors, form, status=422)
    return _site_setup(request, db, actor, location_id, values=form, report=report)


# ---- one group session ----------------------------------------------------------------------


def _session_page(
    request: Request,
    db: Session,
    actor: Actor,
    session_id: int,
    errors=None,
    status=200,
    cover_errors=None,
    cover_values=None,
) -> Response:  # type: ignore[no-untyped-def]
    row = sessions_service.get_session(db, actor=actor, session_id=session_id)
    zone = views_service.zone_of(db, row.location_id)
    configures = actor.principal is not None and can(actor.principal, Permission.CALENDAR_CONFIGURE)
    may_cover = (
        configures and row.status != "cancelled" and actor.principal.at_location(row.location_id)
    )
    choices = (
        sessions_service.cover_choices(db, actor=actor, session_id=row.id) if may_cover else []
    )
    context = {
        "s": row,
        "zone": zone,
        "errors": errors or {},
        "values": {},
        "may_cancel": row.status == "scheduled" and configures,
        "may_cover": may_cover,
        "covering_for": views_service.covering_for(row),
        "cover_choices": [
            (c.id, f"{c.full_name} ({c.credentials.replace(',', ', ')})") for c in choices
        ],
        "cover_errors": cover_errors or {},
        "cover_values": cover_values or {},
    }
    return render(request, "calendar/group_session.html", context, status)


@router.get("/calendar/group-sessions/{session_id}")
def group_session(request: Request, session_id: int, db: SessionDep, actor: PageActor) -> Response:
    return _session_page(request, db, actor, session_id)


@router.post("/calendar/group-sessions/{session_id}/cancel")
def cancel_session(
    request: Request, session_id: int, db: SessionDep, actor: PageActor, form: FormData
) -> Response:
    try:
        sessions_service.cancel_session(
            db,
            actor=actor,
            session_id=session_id,
            version=parse_int(form.get("version")) or 0,
            reason=form.get("reason", ""),
        )
    except (ValidationFailed, Conflict) as error:
        db.rollback()
        return _session_page(
            request,
            db,
            actor,
            session_id,
            error.field_errors or {"reason": error.message},
            error.status_code,
        )
    return redirect(f"/calendar/group-sessions/{session_id}")


@router.post("/calendar/group-sessions/{session_id}/cover")
def cover_session(
    request: Request, session_id: int, db: SessionDep, actor: PageActor, form: FormData
) -> Response:
    try:
        sessions_service.cover_session(
            db,
            actor=actor,
            session_id=session_id,
            version=parse_int(form.get("version")) or 0,
            facilitator_id=parse_int(form.get("facilitator_id")),
            reason=form.get("cover_reason"),
        )
    except (ValidationFailed, Conflict) as error:
        db.rollback()
        # The cancel form on the same page owns "reason".
        errors = {
            ("cover_reason" if k == "reason" else k): v for k, v in error.field_errors.items()
        }
        return _session_page(
            request,
            db,
            actor,
            session_id,
            status=error.status_code,
            cover_errors=errors or {"facilitator_id": error.message},
            cover_values=form,
        )
    return redirect(f"/calendar/group-sessions/{session_id}")
