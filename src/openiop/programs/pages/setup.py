"""The setup index under /admin: one menu entry for every screen that configures the
provider, so the daily menu holds only the work people do every day."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import Response

from openiop.programs.pages.forms import page_router
from openiop.security.permissions import Permission
from openiop.security.service import require
from openiop.web.deps import PageActor, SessionDep
from openiop.web.render import render

router = page_router()

# (title, address, what it holds, the permission that opens it)
SECTIONS = (
    ("Locations and rooms", "/admin/locations", "Sites, addresses, time zones, rooms and their capacity.", Permission.CONFIG_READ),
    ("Programs and policy", "/admin/programs", "Weekly group days and hours, individual and physician minutes, clinical review intervals.", Permission.CONFIG_READ),
    ("Tracks", "/admin/tracks", "The recurring group schedules at each site, their rooms and facilitators.", Permission.CONFIG_READ),
    ("Curriculum", "/admin/curriculum", "The group topics each program's sessions rotate through.", Permission.CALENDAR_READ),
    ("Staff", "/admin/staff", "Credentials, sites, caseload caps and weekly hours.", Permission.CONFIG_READ),
    ("Rates", "/admin/rates", "Day rates per site, used by the public cost estimate.", Permission.CONFIG_READ),
)  # fmt: skip


@router.get("/admin")
def setup_index(request: Request, db: SessionDep, actor: PageActor) -> Response:
    require(db, actor, Permission.CONFIG_READ, action="setup.view")
    return render(request, "programs/setup.html", {"sections": SECTIONS})
