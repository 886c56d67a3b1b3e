"""Plan next week: queue a run, let the plan worker solve it, review it, accept it.

Keyword-only inputs; never commits. Who may: Permission.SCHEDULE_PLAN (directors and
coordinators) at the run's location; accepting also goes through the calendar service, which
checks APPOINTMENT_WRITE and every hard rule again against the calendar as it is now.

The job's own steps (`begin_run`, `save_progress`, `finish_run`, `fail_run`) take no actor:
the worker calls them in short transactions of its own (planning_jobs.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from openiop.calendar import planning_repository as repo
from openiop.calendar import service as calendar
from openiop.calendar.planning_problem import Prepared, build_problem
from openiop.calendar.planning_proposal import build_proposal, parse_instant, summary_of
from openiop.kit import clock
from openiop.kit.errors import Conflict, DomainError, NotFound, ValidationFailed
from openiop.models import Location, PlanRun
from openiop.scheduling.problem import Plan
from openiop.security import audit
from openiop.security.audit import Actor, AuditEntry
from openiop.security.permissions import Permission
from openiop.security.service import Refused, require

WEEK_PATTERN = re.compile(r"^(\d{4})-W(\d{2})$")
MIN_SECONDS, MAX_SECONDS, DEFAULT_SECONDS = 1, 120, 10
STALE_AFTER = timedelta(minutes=10)


# ---- weeks -------------------------------------------------------------------------------


def parse_week(text: str | None) -> date:
    """'2026-W49' -> the Monday of that ISO week; a clear 422 naming the field otherwise."""
    match = WEEK_PATTERN.match((text or "").strip())
    problem = "Give the week as YYYY-Www, for example 2026-W49."
    if not match:
        raise ValidationFailed(problem, field_errors={"week": problem})
    try:
        return date.fromisocalendar(int(match[1]), int(match[2]), 1)
    except ValueError:
        message = f"{text} is not a week of that year."
        raise ValidationFailed(message, field_errors={"week": message}) from None


def week_text(monday: date) -> str:
    year, week, _ = monday.isocalendar()
    return f"{year}-W{week:02d}"


def next_week(zone: str) -> date:
    today = clock.today_in(zone)
    return today - timedelta(days=today.weekday()) + timedelta(days=7)


# ---- access --------------------------------------------------------------------------------


def authorize_location(db: Session, actor: Actor, location_id: int, action: str) -> Location:
    require(db, actor, Permission.SCHEDULE_PLAN, action=action)
    place = repo.location(db, location_id)
    if place is None:
        raise NotFound(f"No location with id {location_id}.")
    assert actor.principal is not None
    if not actor.principal.at_location(location_id):
        raise Refused(
            "That location is outside your sites.",
            AuditEntry(action, "refused", object_type="location", object_id=location_id),
        )
    return place


def plannable_locations(db: Session, *, actor: Actor) -> list[Location]:
    require(db, actor, Permission.SCHEDULE_PLAN, action="schedule.plan.list")
    assert actor.principal is not None
    return repo.locations(db, actor.principal.location_ids)


def _run_for(db: Session, actor: Actor, run_id: int, action: str) -> tuple[PlanRun, Location]:
    require(db, actor, Permission.SCHEDULE_PLAN, action=action)
    run = repo.run_by_id(db, run_id)
    if run is None:
        raise NotFound(f"No plan run with id {run_id}.")
    try:
        place = authorize_location(db, actor, run.location_id, action)
    except Refused as refusal:
        entry = replace(refusal.audit_entry, object_type="plan_run", object_id=run_id)
        raise Refused(refusal.message, entry) from None
    expire_if_stale(run)
    return run, place


# ---- starting a run ------------------------------------------------------------------------


def start_plan(
    db: Session,
    *,
    actor: Actor,
    location_id: int,
    week_start: date,
    time_limit: int = DEFAULT_SECONDS,
) -> PlanRun:
    """Queue a run (the caller hands its id to the plan worker once this transaction commits).

    Refused with 409 while another run for the same location and week is queued or running."""
    place = authorize_location(db, actor, location_id, "schedule.plan.start")
    if not MIN_SECONDS <= time_limit <= MAX_SECONDS:
        message = f"The time limit must be {MIN_SECONDS}–{MAX_SECONDS} seconds."
        raise ValidationFailed(message, field_errors={"time_limit": message})
    _refuse_if_running(db, place, week_start)
    run = PlanRun(
        location_id=place.id,
        week_start=week_start,
        status="queued",
        progress=0,
        active_key=f"{place.id}:{week_start.isoformat()}",
        requested_by_user_id=actor.principal.user_id if actor.principal else None,
        time_limit_seconds=time_limit,
        accepted={},
    )
    try:
        with db.begin_nested():
            repo.add_run(db, run)
    except IntegrityError:  # another request queued one a moment ago
        raise Conflict(
            f"A plan for {place.name}, week {week_text(week_start)} was just started by "
            "someone else; open it from the list of recent plans.",
            field_errors={"week": "A plan for this week is already being made."},
        ) from None
    detail = f"week {week_text(week_start)}"
    audit.record(
        db,
        actor,
        AuditEntry("schedule.plan.start", object_type="plan_run", object_id=run.id, detail=detail),
    )
    return run


def _refuse_if_running(db: Session, place: Location, week_start: date) -> None:
    running = repo.active_run(db, place.id, week_start)
    if running is not None and expire_if_stale(running):
        db.flush()  # frees the active key for the new run
        running = None
    if running is not None:
        raise Conflict(
            f"A plan for {place.name}, week {week_text(week_start)} is already {running.status} "
            f"(run {running.id}); wait for it to finish.",
            field_errors={"week": "A plan for this week is already being made."},
        )


# ---- the job's steps (no actor: the worker acts for the person who queued the run) -------


@dataclass(frozen=True)
class Started:
    prepared: Prepared
    time_limit: int


def begin_run(db: Session, *, run_id: int) -> Started | None:
    """Mark the run running and read its week; None when it is no longer queued."""
    run = repo.run_by_id(db, run_id)
    if run is None or run.status != "queued":
        return None
    place = repo.location(db, run.location_id)
    assert place is not None
    run.status, run.progress, run.started_at = "running", 5, clock.now()
    data = repo.week_data(db, place, run.week_start)
    _audit_job_read(db, run, [p.id for p in data.patients])
    return Started(build_problem(data), run.time_limit_seconds)


def _audit_job_read(db: Session, run: PlanRun, patient_ids: list[int]) -> None:
    """The job reads each patient's commitments and appointments: one event per patient,
    by the job on behalf of whoever queued the run."""
    detail = f"requested by user {run.requested_by_user_id}"
    entries = [
        AuditEntry("schedule.plan.read_week", patient_id=p, object_type="plan_run",
                   object_id=run.id, detail=detail)
        for p in patient_ids
    ]  # fmt: skip
    if entries:
        audit.record_many(db, Actor(None, "job"), entries)


def save_progress(db: Session, *, run_id: int, percent: int) -> None:
    run = repo.run_by_id(db, run_id)
    if run is not None and run.status == "running":
        run.progress = max(run.progress, min(99, percent))


def finish_run(db: Session, *, run_id: int, prepared: Prepared, plan: Plan) -> None:
    run = repo.run_by_id(db, run_id)
    if run is None or run.status != "running":
        return  # expired as stale meanwhile (see expire_if_stale): keep it failed
    proposal = build_proposal(
        prepared.problem, plan, booked=prepared.booked, not_requested=prepared.not_requested
    )
    run.proposal, run.summary = proposal, summary_of(proposal, plan)
    run.status, run.progress, run.active_key, run.finished_at = "done", 100, None, clock.now()


def fail_run(db: Session, *, run_id: int, error: str) -> None:
    run = repo.run_by_id(db, run_id)
    if run is None:
        return
    run.status, run.active_key, run.finished_at = "failed", None, clock.now()
    run.error = error[:2000]


def expire_if_stale(run: PlanRun) -> bool:
    """A run whose process stopped (a restart, a crash) would stay "running" for ever: one
    not touched for its time limit plus STALE_AFTER is marked failed, so the week can be
    planned again. Checked whenever a run is looked at, by any app process."""
    if run.status not in ("queued", "running"):
        return False
    touched = run.updated_at or run.created_at
    limit = timedelta(seconds=run.time_limit_seconds) + STALE_AFTER
    if touched is None or clock.now() - touched <= limit:
        return False
    run.status, run.active_key, run.finished_at = "failed", None, clock.now()
    run.error = (
        "The plan stopped without finishing (the server may have restarted); start it again."
    )
    return True


# ---- reading a run -------------------------------------------------------------------------


def get_run(db: Session, *, actor: Actor, run_id: int) -> tuple[PlanRun, Location]:
    """The run with its proposal; a finished proposal names patients, so each one shown is
    audited (one event per patient, in this transaction)."""
    run, place = _run_for(db, actor, run_id, "schedule.plan.view")
    patients = sorted(_patients_in(run.proposal))
    entries = [
        AuditEntry("schedule.plan.view", patient_id=p, object_type="plan_run", object_id=run.id)
        for p in patients
    ] or [AuditEntry("schedule.plan.view", object_type="plan_run", object_id=run.id)]
    audit.record_many(db, actor, entries)
    return run, place


def run_status(db: Session, *, actor: Actor, run_id: int) -> tuple[PlanRun, Location]:
    """Status and progress only (no patient data): what the page polls every second or two."""
    return _run_for(db, actor, run_id, "schedule.plan.status")


def recent_runs(db: Session, *, actor: Actor, location_id: int) -> list[PlanRun]:
    authorize_location(db, actor, location_id, "schedule.plan.list")
    return repo.recent_runs(db, location_id)


def _patients_in(proposal: dict[str, Any] | None) -> set[int]:
    if not proposal:
        return set()
    return {
        entry["patient_id"]
        for key in ("items", "unplaced", "kept")
        for entry in proposal.get(key, [])
        if entry.get("patient_id") is not None
    }


# ---- accepting -----------------------------------------------------------------------------


@dataclass
class Accepted:
    created: list[tuple[dict[str, Any], int]] = field(default_factory=list)  # item, appointment
    refused: list[tuple[dict[str, Any], str]] = field(default_factory=list)  # item, why


def accept(
    db: Session, *, actor: Actor, run_id: int, item_ids: list[str] | None = None
) -> Accepted:
    """Create the chosen items (all when `item_ids` is None) as appointments.

    Each is checked again by the calendar service against the calendar as it is now: the
    run may be old, and someone may have booked that hour since. An item that no longer fits
    is refused by name with the conflicting item, the others are still created."""
    run, _place = _run_for(db, actor, run_id, "schedule.plan.accept")
    if run.status != "done" or not run.proposal:
        raise Conflict(f"Plan run {run.id} is {run.status}; only a finished plan can be accepted.")
    chosen = _chosen(run, item_ids)
    result = Accepted()
    outcome = dict(run.accepted or {})
    for item in chosen:
        _accept_one(db, actor, run, item, result, outcome)
    run.accepted = outcome  # a new dict, so the JSON column is written
    done = len(result.created)
    audit.record(
        db,
        actor,
        AuditEntry(
            "schedule.plan.accept",
            object_type="plan_run",
            object_id=run.id,
            detail=f"created {done}, refused {len(result.refused)}",
        ),
    )
    return result


def _chosen(run: PlanRun, item_ids: list[str] | None) -> list[dict[str, Any]]:
    items = {i["id"]: i for i in (run.proposal or {}).get("items", [])}
    if item_ids is None:
        wanted = list(items)
    else:
        unknown = [i for i in item_ids if i not in items]
        if unknown:
            message = f"Plan run {run.id} has no item {', '.join(unknown)}."
            raise ValidationFailed(message, field_errors={"items": message})
        if not item_ids:
            message = "Choose at least one proposed appointment to accept."
            raise ValidationFailed(message, field_errors={"items": message})
        wanted = list(dict.fromkeys(item_ids))
    done = {k for k, v in (run.accepted or {}).items() if isinstance(v, int)}
    return [items[i] for i in wanted if i not in done]


def _accept_one(
    db: Session,
    actor: Actor,
    run: PlanRun,
    item: dict[str, Any],
    result: Accepted,
    outcome: dict[str, Any],
) -> None:
    who = f"{item['patient_name']}: {item['kind_label'].lower()} {item['when']}"
    try:
        with db.begin_nested():
            row = calendar.create_appointment(
                db,
                actor=actor,
                patient_id=item["patient_id"],
                staff_member_id=item["staff_id"],
                location_id=run.location_id,
                kind=item["kind"],
                starts_at=parse_instant(item["starts_at"]),
                ends_at=parse_instant(item["ends_at"]),
                room_id=item["room_id"],
                telehealth=item["telehealth"],
                plan_run_id=run.id,
            )
    except Refused as refusal:
        audit.record(db, actor, refusal.audit_entry)
        _refuse(result, outcome, item, f"{who} — {refusal.message}")
        return
    except DomainError as error:
        _refuse(result, outcome, item, f"{who} — {error.message}")
        return
    result.created.append((item, row.id))
    outcome[item["id"]] = row.id


def _refuse(result: Accepted, outcome: dict, item: dict, message: str) -> None:
    result.refused.append((item, message))
    outcome[item["id"]] = message


def item_states(run: PlanRun) -> dict[str, Any]:
    """Item id -> created appointment id (int) or the refusal message (str)."""
    return dict(run.accepted or {})
