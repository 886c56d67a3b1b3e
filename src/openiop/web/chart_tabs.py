"""One navigation across a patient's chart: which of the patient's pages the viewer may open.

Each area guards its own pages; `visible_tabs` restates those rules (pure, tested per
persona against the pages themselves) so the chart never links a page that would refuse the
viewer. `chart_tabs_for` looks up the viewer's access to the patient for a page render; it
discloses nothing about the patient, so it is not audited (the page itself is).
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request

from openiop.kit.errors import NotFound
from openiop.security.permissions import CLINICAL_ROLES, Access, Permission, Principal, Role, can
from openiop.security.service import access_to_patient


@dataclass(frozen=True)
class Tab:
    key: str
    label: str
    href: str


def visible_tabs(principal: Principal | None, access: Access, patient_id: int) -> list[Tab]:
    if principal is None or access is Access.NONE:
        return []
    if principal.role is Role.PATIENT:
        return _own_tabs(patient_id) if principal.patient_id == patient_id else []
    return [tab for tab, allowed in _staff_tabs(principal, access, patient_id) if allowed]


def _own_tabs(patient_id: int) -> list[Tab]:
    """A patient's own record: their face sheet, signed plan, week, feed and reminders."""
    return [
        Tab("face", "My record", "/me"),
        Tab("clinical", "My treatment plan", "/me/plan"),
        Tab("week", "My week", f"/calendar/patients/{patient_id}"),
        Tab("feed", "Calendar feed & reminders", "/calendar/feeds/mine"),
    ]


def _staff_tabs(principal: Principal, access: Access, pid: int) -> list[tuple[Tab, bool]]:
    full = access >= Access.FULL
    # Compliance figures are part of the chart for clinicians (care team only); billing and
    # admins read the minutes with the site's limited access (attendance.compliance_service).
    minutes_need = Access.FULL if principal.role in CLINICAL_ROLES else Access.LIMITED
    return [
        (Tab("face", "Face sheet", f"/patients/{pid}"), True),
        (Tab("clinical", "Clinical", f"/patients/{pid}/clinical"), full),
        (
            Tab("notes", "Notes", f"/patients/{pid}/notes"),
            full and can(principal, Permission.NOTE_READ),
        ),
        (
            Tab("week", "Week & requirements", f"/calendar/patients/{pid}"),
            can(principal, Permission.CALENDAR_READ),
        ),
        (
            Tab("compliance", "Attendance & compliance", f"/patients/{pid}/compliance"),
            can(principal, Permission.MINUTES_READ) and access >= minutes_need,
        ),
        (Tab("feed", "Calendar feed & reminders", f"/calendar/feeds/patients/{pid}"), full),
    ]


def chart_tabs_for(request: Request, patient_id: int) -> list[Tab]:
    """The tabs for the signed-in viewer of this request (empty when nobody is signed in)."""
    actor = getattr(request.state, "actor", None)
    db = getattr(request.state, "db", None)
    principal = actor.principal if actor is not None else None
    if principal is None or db is None:
        return []
    if principal.role is Role.PATIENT:
        return visible_tabs(principal, Access.FULL, patient_id)
    try:
        access = access_to_patient(db, principal, patient_id)
    except NotFound:  # an error page about a patient that does not exist
        return []
    return visible_tabs(principal, access, patient_id)
