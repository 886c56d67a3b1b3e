"""The site's clinical work list: plans missing or overdue for review, and measures due or
overdue — the whole site for a director, the own caseload for a counselor or physician."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import Response

from openiop.clinical import measures_service, plan_review_service
from openiop.clinical.pages.common import LABELS, new_router
from openiop.web.deps import PageActor, SessionDep
from openiop.web.render import render

router = new_router()


@router.get("/clinical")
def worklist(
    request: Request, db: SessionDep, actor: PageActor, location: int | None = None
) -> Response:
    sites = plan_review_service.worklist_sites(db, actor=actor)
    chosen = location if location is not None else (sites[0][0] if sites else None)
    reviews, due = [], []
    if chosen is not None:
        reviews = plan_review_service.overdue_reviews(db, actor=actor, location_id=chosen)
        due = measures_service.due_list(db, actor=actor, location_id=chosen)
    return render(
        request,
        "clinical/worklist.html",
        {**LABELS, "sites": sites, "chosen": chosen, "reviews": reviews, "due": due},
    )
