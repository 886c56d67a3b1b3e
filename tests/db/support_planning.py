"""Plan-next-week scenes: the calendar scene (tests/db/support_calendar.py) plus a second
patient, and helpers to queue and run a plan the way the worker does."""

from __future__ import annotations

from datetime import time

from sqlalchemy.orm import Session, sessionmaker

from openiop.calendar import planning_jobs as jobs
from openiop.calendar import planning_service as service
from openiop.kit import clock
from openiop.models import Commitment, PlanRun
from openiop.scheduling import SolveOptions, solve
from openiop.scheduling.problem import Plan, Problem
from tests import factories as f
from tests.db.support_calendar import MONDAY, NOW, Scene, build_scene


def quick_solve(problem: Problem, options: SolveOptions) -> Plan:
    """The real solver, deterministic and short, so tests are fast and repeatable."""
    return solve(problem, SolveOptions(time_limit=5, num_workers=1, deterministic=True))


def planning_scene(db: Session) -> Scene:
    """Adds Jo, a second patient at site A on Pat's track with the same counselor, who works
    Monday to Friday 14:00-22:00 (so only mornings around the group fit)."""
    clock.freeze(NOW)
    scene = build_scene(db)
    w = scene.world
    jo = f.patient(
        db,
        organization_id=w.site_a.organization_id,
        registered_location_id=w.site_a.id,
        first_name="Jo",
        last_name="Brightwater",
    )
    f.enrollment(
        db,
        patient_id=jo.id,
        program_id=w.program.id,
        location_id=w.site_a.id,
        track_id=w.track_a.id,
        primary_counselor_id=scene.staff_id("care_counselor"),
    )
    for weekday in range(1, 6):
        db.add(
            Commitment(
                patient_id=jo.id,
                kind="work",
                weekday=weekday,
                start_time=time(14),
                end_time=time(22),
                label="warehouse shift",
            )
        )
    db.flush()
    scene.jo = jo  # type: ignore[attr-defined]
    return scene


def queue(db: Session, scene: Scene, persona: str = "director") -> PlanRun:
    return service.start_plan(
        db,
        actor=scene.actor(db, persona),
        location_id=scene.world.site_a.id,
        week_start=MONDAY,
        time_limit=5,
    )


def run_now(factory: sessionmaker[Session], run_id: int, **kw) -> str:  # type: ignore[no-untyped-def]
    """What the worker thread does, here in the test's thread."""
    return jobs.execute_run(factory, run_id, solver=kw.pop("solver", quick_solve), **kw)
