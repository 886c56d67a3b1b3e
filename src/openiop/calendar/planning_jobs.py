"""The plan worker: solves queued plan runs in the background, outside any web request.

Why a thread in the app process and no external queue: a plan is one CP-SAT solve of one
site's week (seconds, bounded by the run's time limit), started a few times a week by a
coordinator. A single worker thread per app process runs them one at a time, so solving never
takes more than the solver's own threads from the web workers on a small machine. The run row
is the queue's message and its status the acknowledgement: `execute_run(factory, run_id)` is
the whole job, and a real queue (RQ, Celery, a PostgreSQL `SKIP LOCKED` table, a cloud queue)
would call exactly that function with the run id as the payload. Moving to one is a matter of
replacing `PlanWorker.submit`.

The job uses its own sessions: a short transaction to mark the run running and read the week,
then the solve with no transaction open (SQLite would otherwise hold its write lock for the
whole solve), a tiny transaction per progress tick, and a last one to store the proposal — or,
on any error, to mark the run failed with the error people will read.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from openiop.calendar import planning_service as service
from openiop.db import transaction
from openiop.kit.errors import DomainError
from openiop.scheduling import SolveOptions, solve
from openiop.scheduling.problem import Plan, Problem

log = logging.getLogger(__name__)

Solver = Callable[[Problem, SolveOptions], Plan]
SOLVING_FROM, SOLVING_TO = 10, 95  # progress % while the solver runs, by elapsed time
TICK_SECONDS = 1.0


def solve_options(time_limit: int) -> SolveOptions:
    # Stop once the proven gap is 1 %: the benchmark's target, and a coordinator would rather
    # see a near-optimal week now than a proven-optimal one at the time limit.
    workers = max(1, min(2, os.cpu_count() or 1))
    return SolveOptions(time_limit=time_limit, num_workers=workers, relative_gap=0.01)


def execute_run(
    factory: sessionmaker[Session],
    run_id: int,
    *,
    solver: Solver = solve,
    tick: float = TICK_SECONDS,
) -> str:
    """The whole job for one run; returns the run's final status. Never raises."""
    try:
        with transaction(factory) as db:
            started = service.begin_run(db, run_id=run_id)
        if started is None:
            return "skipped"
        plan = _solve_with_progress(factory, run_id, started, solver, tick)
        with transaction(factory) as db:
            service.finish_run(db, run_id=run_id, prepared=started.prepared, plan=plan)
        return "done"
    except Exception as error:  # noqa: BLE001 - a job must record every failure, not die
        log.exception("plan run %s failed", run_id)
        message = (
            error.message if isinstance(error, DomainError) else f"{type(error).__name__}: {error}"
        )
        with transaction(factory) as db:
            service.fail_run(db, run_id=run_id, error=message)
        return "failed"


def _solve_with_progress(
    factory: sessionmaker[Session], run_id: int, started: Any, solver: Solver, tick: float
) -> Plan:
    """Solve in a helper thread; meanwhile report progress by elapsed share of the limit
    (CP-SAT gives no percentage; the time limit is the honest upper bound)."""
    problem, limit = started.prepared.problem, started.time_limit
    began = time.monotonic()
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="plan-solve") as pool:
        future = pool.submit(solver, problem, solve_options(limit))
        while True:
            try:
                return future.result(timeout=tick)
            except FutureTimeout:
                share = min(1.0, (time.monotonic() - began) / max(1, limit))
                percent = SOLVING_FROM + int((SOLVING_TO - SOLVING_FROM) * share)
                with transaction(factory) as db:
                    service.save_progress(db, run_id=run_id, percent=percent)


class PlanWorker:
    """One background thread that runs queued plans in order."""

    def __init__(self, factory: sessionmaker[Session], *, solver: Solver = solve) -> None:
        self.factory, self.solver = factory, solver
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="plan-worker")

    def submit(self, run_id: int) -> Future[str]:
        return self.pool.submit(execute_run, self.factory, run_id, solver=self.solver)

    def shutdown(self) -> None:
        self.pool.shutdown(wait=False, cancel_futures=True)


class InlineWorker:
    """Runs the job at once in the caller's thread: for tests and one-off command-line use."""

    def __init__(self, factory: sessionmaker[Session], *, solver: Solver = solve) -> None:
        self.factory, self.solver = factory, solver

    def submit(self, run_id: int) -> str:
        return execute_run(self.factory, run_id, solver=self.solver)


_starting = threading.Lock()


def worker_for(app: Any) -> PlanWorker | InlineWorker:
    """The app's worker, started on first use (tests put an InlineWorker there first)."""
    with _starting:
        worker = getattr(app.state, "plan_worker", None)
        if worker is None:
            worker = PlanWorker(app.state.session_factory)
            app.state.plan_worker = worker
        return worker
