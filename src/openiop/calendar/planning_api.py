"""JSON API of Plan next week: start a run (202), read it, accept some or all of it."""

from __future__ import annotations

from fastapi import APIRouter, BackgroundTasks, Request

from openiop.calendar import planning_jobs as jobs
from openiop.calendar import planning_service as service
from openiop.calendar.planning_schemas import (
    AcceptedItem,
    AcceptOut,
    AcceptRequest,
    PlanRunOut,
    PlanStarted,
    RefusedItem,
)
from openiop.web.deps import ApiActor, SessionDep
from openiop.web.routing import TransactionalRoute

router = APIRouter(route_class=TransactionalRoute, tags=["scheduling"])

_ERRORS = {
    401: {"description": "No valid bearer token"},
    403: {"description": "Not a director or coordinator, or another site (audited)"},
    404: {"description": "No such location or plan run"},
}


@router.post(
    "/locations/{location_id}/plans",
    status_code=202,
    response_model=PlanStarted,
    summary="Plan a week for a location (runs in the background)",
    responses={
        **_ERRORS,
        409: {"description": "A plan for this location and week is already queued or running"},
        422: {"description": "`week` is not YYYY-Www, or `time_limit` is out of range"},
    },
)
def start_plan(
    location_id: int,
    week: str,
    request: Request,
    background: BackgroundTasks,
    db: SessionDep,
    actor: ApiActor,
    time_limit: int = service.DEFAULT_SECONDS,
) -> PlanStarted:
    """Queues a run and returns at once; poll `GET /plans/{id}` until `status` is `done` or
    `failed`. Existing appointments are kept; the proposal changes nothing until accepted."""
    run = service.start_plan(
        db,
        actor=actor,
        location_id=location_id,
        week_start=service.parse_week(week),
        time_limit=time_limit,
    )
    # Handed to the worker after the response, i.e. after this request's commit.
    background.add_task(jobs.worker_for(request.app).submit, run.id)
    return PlanStarted(
        id=run.id,
        status=run.status,
        week=service.week_text(run.week_start),
        location_id=location_id,
        href=f"/api/v1/plans/{run.id}",
    )


@router.get(
    "/plans/{run_id}",
    response_model=PlanRunOut,
    summary="A plan run: status, progress, summary and proposal",
    responses=_ERRORS,
)
def get_plan(run_id: int, db: SessionDep, actor: ApiActor) -> PlanRunOut:
    run, _place = service.get_run(db, actor=actor, run_id=run_id)
    return PlanRunOut.of(run)


@router.post(
    "/plans/{run_id}/accept",
    response_model=AcceptOut,
    summary="Accept proposed appointments (each re-checked against the calendar now)",
    responses={
        **_ERRORS,
        409: {"description": "The run is not finished"},
        422: {"description": "An item id is not in the proposal, or the list is empty"},
    },
)
def accept_plan(run_id: int, body: AcceptRequest, db: SessionDep, actor: ApiActor) -> AcceptOut:
    """Items that no longer fit (someone booked that hour since the run) are listed in
    `refused` with the conflict named; the others are created."""
    result = service.accept(db, actor=actor, run_id=run_id, item_ids=body.items)
    return AcceptOut(
        created=[AcceptedItem(item=i["id"], appointment_id=a) for i, a in result.created],
        refused=[RefusedItem(item=i["id"], reason=why) for i, why in result.refused],
    )
