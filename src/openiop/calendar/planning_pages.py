"""Plan next week, on screen: choose a site and week, watch the run, review and accept.

/schedule/plan                     the start form and recent runs of each site
/schedule/plan/runs/{id}           progress while running (HTMX polls), then the review
/schedule/plan/runs/{id}/progress  the polled fragment; tells HTMX to reload when finished
/schedule/plan/runs/{id}/accept    accept all, or the ticked items
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, BackgroundTasks, Depends, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from openiop.calendar import planning_jobs as jobs
from openiop.calendar import planning_service as service
from openiop.calendar.planning_proposal import by_patient, day_label
from openiop.calendar.rules import DAY_ABBR
from openiop.kit.errors import Conflict, ValidationFailed
from openiop.models import PlanRun
from openiop.security.audit import Actor
from openiop.web.deps import FormLists, PageActor, SessionDep, verify_csrf
from openiop.web.render import render
from openiop.web.routing import TransactionalRoute

router = APIRouter(
    route_class=TransactionalRoute, dependencies=[Depends(verify_csrf)], include_in_schema=False
)
TIME_LIMITS = [("5", "5 seconds"), ("10", "10 seconds"), ("30", "30 seconds"), ("60", "1 minute")]
CHANGE_LABELS = {
    "new": "New",
    "moved": "Moved",
    "unchanged": "Same as last week",
    "kept": "Already booked",
    "unplaced": "Not placed",
}


def _private(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"  # names and times of patients
    return response


def _start_page(
    request: Request,
    db: Session,
    actor: Actor,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    places = service.plannable_locations(db, actor=actor)
    default_week = service.week_text(service.next_week(places[0].time_zone)) if places else ""
    context: dict[str, Any] = {
        "locations": [(str(p.id), p.name) for p in places],
        "runs": {p.id: service.recent_runs(db, actor=actor, location_id=p.id) for p in places},
        "places": places,
        "values": {"week": default_week, "time_limit": "10", **(values or {})},
        "errors": errors or {},
        "time_limits": TIME_LIMITS,
        "week_text": service.week_text,
    }
    return render(request, "calendar/planning.html", context, status)


@router.get("/schedule/plan")
def start_form(request: Request, db: SessionDep, actor: PageActor) -> Response:
    return _start_page(request, db, actor)


@router.post("/schedule/plan")
def start(
    request: Request,
    background: BackgroundTasks,
    db: SessionDep,
    actor: PageActor,
    form: FormLists,
) -> Response:
    values = {k: (v[-1] if v else "") for k, v in form.items() if k != "csrf_token"}
    try:
        run = service.start_plan(
            db,
            actor=actor,
            location_id=_number(values.get("location_id"), "location_id", "Choose a location."),
            week_start=service.parse_week(values.get("week")),
            time_limit=_number(values.get("time_limit"), "time_limit", "Choose a time limit."),
        )
    except (ValidationFailed, Conflict) as error:
        db.rollback()
        request.state.commit_on_error = True  # keep the audit of what the page shows again
        errors = error.field_errors or {"week": error.message}
        return _start_page(request, db, actor, values, errors, error.status_code)
    background.add_task(jobs.worker_for(request.app).submit, run.id)
    return RedirectResponse(f"/schedule/plan/runs/{run.id}", status_code=303)


def _number(text: str | None, name: str, message: str) -> int:
    if not text or not text.strip().isdigit():
        raise ValidationFailed(message, field_errors={name: message})
    return int(text)


# ---- one run -------------------------------------------------------------------------------


def _review_context(run: PlanRun) -> dict[str, Any]:
    proposal = run.proposal or {}
    zone = proposal.get("zone", "America/Los_Angeles")
    return {
        "people": by_patient(proposal),
        "states": service.item_states(run),
        "day_label": lambda day: day_label(day, zone),
        "change_labels": CHANGE_LABELS,
        "summary": run.summary or {},
        # Refused items stay open: the clash may be gone when the coordinator tries again.
        "open_items": [
            i["id"]
            for i in proposal.get("items", [])
            if not isinstance((run.accepted or {}).get(i["id"]), int)
        ],
    }


def _run_page(
    request: Request,
    db: Session,
    actor: Actor,
    run_id: int,
    outcome: service.Accepted | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    run, place = service.get_run(db, actor=actor, run_id=run_id)
    context: dict[str, Any] = {
        "run": run,
        "place": place,
        "week": service.week_text(run.week_start),
        "outcome": outcome,
        "errors": errors or {},
        "day_abbr": DAY_ABBR,
    }
    if run.status == "done":
        context.update(_review_context(run))
    return _private(render(request, "calendar/planning_run.html", context, status))


@router.get("/schedule/plan/runs/{run_id}")
def show_run(request: Request, run_id: int, db: SessionDep, actor: PageActor) -> Response:
    return _run_page(request, db, actor, run_id)


@router.get("/schedule/plan/runs/{run_id}/progress")
def progress(request: Request, run_id: int, db: SessionDep, actor: PageActor) -> Response:
    run, place = service.run_status(db, actor=actor, run_id=run_id)
    response = render(request, "calendar/planning_progress.html", {"run": run, "place": place})
    if run.status in ("done", "failed"):
        response.headers["HX-Redirect"] = f"/schedule/plan/runs/{run.id}"
    return _private(response)


@router.post("/schedule/plan/runs/{run_id}/accept")
def accept(
    request: Request, run_id: int, db: SessionDep, actor: PageActor, form: FormLists
) -> Response:
    everything = form.get("all") == ["1"]
    try:
        outcome = service.accept(
            db, actor=actor, run_id=run_id, item_ids=None if everything else form.get("item", [])
        )
    except (ValidationFailed, Conflict) as error:
        db.rollback()
        request.state.commit_on_error = True  # keep the audit of what the page shows again
        errors = error.field_errors or {"items": error.message}
        return _run_page(request, db, actor, run_id, None, errors, error.status_code)
    return _run_page(request, db, actor, run_id, outcome)
