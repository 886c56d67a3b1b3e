"""Render a page with what every layout needs: who is signed in, their menu and the CSRF token."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse

from openiop import __version__
from openiop.security.permissions import Permission, Role, can
from openiop.web.chart_tabs import chart_tabs_for
from openiop.web.deps import csrf_token
from openiop.web.templating import templates

NAV = (
    ("Patients", "/patients", Permission.PATIENT_LIST),
    ("Admissions", "/admissions", Permission.PATIENT_CREATE),
    ("Tasks", "/admissions/tasks", Permission.TASK_WORK),
    ("Attendance", "/attendance", Permission.ATTENDANCE_RECORD),
    ("Group notes", "/notes/groups", Permission.NOTE_WRITE),
    ("Clinical work list", "/clinical", Permission.CLINICAL_WRITE),
    ("Calendar", "/calendar", Permission.CALENDAR_READ),
    ("Plan week", "/schedule/plan", Permission.SCHEDULE_PLAN),
    # Locations, programs, tracks, curriculum, staff and rates are one entry: /admin lists them.
    ("Setup", "/admin", Permission.CONFIG_READ),
    ("Audit trail", "/audit", Permission.AUDIT_READ),
    ("Emergency access", "/audit/break-glass", Permission.BREAK_GLASS_REVIEW),
)


def menu(request: Request) -> list[tuple[str, str]]:
    actor = getattr(request.state, "actor", None)
    if actor is None or actor.principal is None:
        return []
    principal = actor.principal
    if principal.role is Role.PATIENT:
        return [("My record", "/me"), ("My week", "/calendar/me")]
    return [(label, href) for label, href, permission in NAV if can(principal, permission)]


def render(
    request: Request, name: str, context: dict[str, Any] | None = None, status_code: int = 200
) -> HTMLResponse:
    actor = getattr(request.state, "actor", None)
    principal = actor.principal if actor else None
    base = {
        "principal": principal,
        "user": getattr(request.state, "user", None),
        "menu": menu(request),
        "current_path": request.url.path,
        "version": __version__,
        "demo_mode": request.app.state.settings.dev_mode,
        "csrf_token": csrf_token(request),
        "can": (
            lambda permission: principal is not None and can(principal, Permission(permission))
        ),
        # The patient chart's tabs (web/templates/_chart_tabs.html) for this viewer.
        "chart_tabs_for": lambda patient_id: chart_tabs_for(request, patient_id),
    }
    return templates.TemplateResponse(
        request, name, {**base, **(context or {})}, status_code=status_code
    )
