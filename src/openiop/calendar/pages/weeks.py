"""Week and day views: /calendar/locations/{id}, /calendar/staff/{id}, /calendar/patients/{id}.

A week is seven day columns on a wide screen and one list per day on a phone (CSS only);
`?day=YYYY-MM-DD` shows one day. `?week=` takes any date of the wanted week.
"""

from __future__ import annotations

from datetime import timedelta

from fastapi import Request
from fastapi.responses import Response

from openiop.calendar import views_service
from openiop.calendar.pages.common import page_router, parse_date, redirect, week_of
from openiop.calendar.views_service import WeekView
from openiop.kit.errors import NotFound
from openiop.security.permissions import Permission, Role, can
from openiop.web.deps import PageActor, SessionDep
from openiop.web.render import render

router = page_router()


@router.get("/calendar")
def calendar_home(db: SessionDep, actor: PageActor) -> Response:
    """Patients land on their own week; staff on the week of their first site."""
    principal = actor.principal
    assert principal is not None
    if principal.role is Role.PATIENT and principal.patient_id:
        return redirect(f"/calendar/patients/{principal.patient_id}")
    sites = views_service.locations_for(db, actor=actor)
    if not sites:
        raise NotFound("You have no site whose calendar you may see.")
    return redirect(f"/calendar/locations/{sites[0].id}")


def _page(  # type: ignore[no-untyped-def]
    request: Request,
    db,
    actor,
    view: WeekView,
    base: str,
    day: str | None,
    site_staff: list[tuple[int, str]] | None = None,
) -> Response:
    principal = actor.principal
    shown_day = parse_date(day)
    days = [d for d in view.days if shown_day is None or d.day == shown_day]
    sites = [] if principal.role is Role.PATIENT else views_service.locations_for(db, actor=actor)
    context = {
        "view": view,
        "days": days,
        "single_day": shown_day,
        "base": base,
        "prev_week": (view.week.monday - timedelta(days=7)).isoformat(),
        "next_week": (view.week.monday + timedelta(days=7)).isoformat(),
        "sites": sites,
        "may_book": can(principal, Permission.APPOINTMENT_WRITE),
        "may_configure": can(principal, Permission.CALENDAR_CONFIGURE),
        "site_staff": site_staff or [],
    }
    return render(request, "calendar/week.html", context)


@router.get("/calendar/locations/{location_id}")
def location_week(
    request: Request,
    location_id: int,
    db: SessionDep,
    actor: PageActor,
    week: str = "",
    day: str = "",
) -> Response:
    view = views_service.location_week(
        db, actor=actor, location_id=location_id, week=week_of(day or week)
    )
    staff = views_service.staff_at_site(db, actor=actor, location_id=location_id)
    picker = [(s.id, s.full_name) for s in staff]
    return _page(request, db, actor, view, f"/calendar/locations/{location_id}", day, picker)


@router.get("/calendar/staff/{staff_id}")
def staff_week(
    request: Request, staff_id: int, db: SessionDep, actor: PageActor, week: str = "", day: str = ""
) -> Response:
    view = views_service.staff_week(db, actor=actor, staff_id=staff_id, week=week_of(day or week))
    return _page(request, db, actor, view, f"/calendar/staff/{staff_id}", day)


@router.get("/calendar/patients/{patient_id}")
def patient_week(
    request: Request,
    patient_id: int,
    db: SessionDep,
    actor: PageActor,
    week: str = "",
    day: str = "",
) -> Response:
    view = views_service.patient_week(
        db, actor=actor, patient_id=patient_id, week=week_of(day or week)
    )
    return _page(request, db, actor, view, f"/calendar/patients/{patient_id}", day)


@router.get("/calendar/me")
def my_week(actor: PageActor) -> Response:
    principal = actor.principal
    assert principal is not None
    if principal.patient_id:
        return redirect(f"/calendar/patients/{principal.patient_id}")
    if principal.staff_member_id:
        return redirect(f"/calendar/staff/{principal.staff_member_id}")
    return redirect("/calendar")


@router.get("/calendar/sites")
def pick_site(location_id: str = "") -> Response:
    """The site switcher's plain GET form lands here."""
    return redirect(
        f"/calendar/locations/{int(location_id)}" if location_id.isdigit() else "/calendar"
    )


@router.get("/calendar/staff-pick")
def pick_staff(staff_id: str = "", week: str = "") -> Response:
    """The site calendar's staff picker (a plain GET form) lands here."""
    if not staff_id.isdigit():
        return redirect("/calendar")
    return redirect(f"/calendar/staff/{int(staff_id)}" + (f"?week={week}" if week else ""))
