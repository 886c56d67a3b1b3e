"""`openiop demo-data --years N`: years of synthetic history on top of the loaded demo.

Phases, each its own transaction (committed when the phase is done, so a five-year build
that stops part way keeps whole phases, and a re-run sees the history and does nothing):

1. people: historical patients and their enrollments (admission to discharge);
2. weeks: group sessions, attendance with minutes, weekly individual and physician visits,
   and the daily minutes ledger built from exactly those rows;
3. notes: a signed group note per held session (shared part + one part per attendee) and a
   signed note per completed visit;
4. records: PHQ-9 and GAD-7 every two weeks and a weekly drug screen per episode.

Every row is written with SQLAlchemy Core executemany in batches (history_writer.py), and
every write a person would have made is audited, chained onto the existing audit trail.
Deterministic: the same seed, demo and day give the same history.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

from openiop.demo import history_context, history_plan
from openiop.demo.history_context import Context
from openiop.demo.history_records import RecordWriter
from openiop.demo.history_week import WeekWriter, local
from openiop.demo.history_writer import Writer
from openiop.kit import clock
from openiop.models import Enrollment, Patient

# Starts a phase with its total; returns the function that advances it.
PhaseProgress = Callable[[str, int], Callable[[int], None]]


@dataclass(frozen=True)
class HistoryResult:
    built: bool
    first: date | None = None
    last: date | None = None
    rows: tuple[tuple[str, int], ...] = ()


def _quiet(_name: str, _total: int) -> Callable[[int], None]:
    return lambda _n: None


def build(
    sessions: sessionmaker[Session],
    *,
    organization_name: str,
    seed: int,
    today: date,
    years: int,
    weeks: int | None = None,
    late_hours: int = 24,
    progress: PhaseProgress = _quiet,
) -> HistoryResult:
    """Write the history for the weeks before this one (or the last `weeks` of them)."""
    monday = today - timedelta(days=today.weekday())
    first = monday - timedelta(weeks=weeks if weeks is not None else round(years * 52.18))
    last = monday - timedelta(days=1)
    with sessions.begin() as session:
        if history_context.already_written(session):
            return HistoryResult(False)
        ctx = history_context.load(session, organization_name, before=monday)
    if ctx is None:
        return HistoryResult(False)
    rng = random.Random(seed * 7919 + 11)
    flow = history_plan.plan_flow(
        rng, tracks=ctx.tracks, sites=ctx.sites, existing=ctx.existing,
        targets=history_context.targets(ctx.existing), first=first, last=last,
    )  # fmt: skip
    counts: dict[str, int] = {}
    with sessions.begin() as session:
        _people(Writer(session), ctx, flow, progress, counts)
    episodes = [*flow.episodes, *(e for e in ctx.existing if _overlaps(e, first, last))]
    with sessions.begin() as session:
        writer = Writer(session)
        week = WeekWriter(writer, ctx, episodes, seed)
        _weeks(week, first, last, progress)
        week.write_ledger(clock.now())
        _finish(writer, counts)
    with sessions.begin() as session:
        writer = Writer(session)
        records = RecordWriter(writer, ctx, seed, late_hours)
        _notes(records, week, progress)
        _records(records, episodes, first, last, progress)
        _finish(writer, counts)
    _analyze(sessions, counts)
    return HistoryResult(True, first, last, tuple(sorted(counts.items())))


def _analyze(sessions: sessionmaker[Session], counts: dict[str, int]) -> None:
    """Fresh planner statistics on PostgreSQL: right after a bulk load they still describe
    the small demo, and the planner would pick scans for a few rows on tables of 100 000."""
    with sessions.begin() as session:
        if session.get_bind().dialect.name == "postgresql":
            for table in sorted(counts):
                session.execute(text(f"ANALYZE {table}"))


def _overlaps(episode: history_plan.Episode, first: date, last: date) -> bool:
    return episode.admit <= last and (episode.discharge is None or episode.discharge >= first)


def _finish(writer: Writer, counts: dict[str, int]) -> None:
    writer.finish()
    for table, n in writer.written.items():
        if n:
            counts[table] = counts.get(table, 0) + n


def _people(
    writer: Writer,
    ctx: Context,
    flow: history_plan.FlowPlan,
    progress: PhaseProgress,
    counts: dict[str, int],
) -> None:
    advance = progress("Patients and enrollments", len(flow.episodes))
    ids: dict[int, int] = {}
    for episode in flow.episodes:
        assert episode.patient_key is not None
        if episode.patient_key not in ids:
            ids[episode.patient_key] = _patient(writer, ctx, flow, episode)
        episode.patient_id = ids[episode.patient_key]
        episode.enrollment_id = _enrollment(writer, ctx, episode)
        advance(1)
    _finish(writer, counts)


def _registered_at(ctx: Context, episode: history_plan.Episode) -> tuple[datetime, object]:
    at = local(episode.admit, time(8, 30), ctx.zone(episode.location_id))
    return at, ctx.front_desk.get(episode.location_id) or ctx.supervisor


def _patient(
    writer: Writer, ctx: Context, flow: history_plan.FlowPlan, episode: history_plan.Episode
) -> int:
    person = flow.patients[(episode.patient_key or 1) - 1]
    at, who = _registered_at(ctx, episode)
    patient_id = writer.new_id(Patient.__table__)  # type: ignore[arg-type]
    writer.add(
        Patient.__table__,  # type: ignore[arg-type]
        {"id": patient_id, "organization_id": ctx.organization_id,
         "registered_location_id": person.location_id, "mrn": person.mrn,
         "first_name": person.first_name, "last_name": person.last_name,
         "date_of_birth": person.date_of_birth, "sex_at_birth": person.sex_at_birth,
         "state": "CA", "preferred_language": "English", "version": 1,
         "created_at": at, "updated_at": at},
    )  # fmt: skip
    writer.audit(who, "patient.create", at, patient_id=patient_id,  # type: ignore[arg-type]
                 object_type="patient", object_id=patient_id, detail="demo history")  # fmt: skip
    return patient_id


def _enrollment(writer: Writer, ctx: Context, episode: history_plan.Episode) -> int:
    at, who = _registered_at(ctx, episode)
    enrollment_id = writer.new_id(Enrollment.__table__)  # type: ignore[arg-type]
    discharged = episode.discharge is not None
    ended = local(episode.discharge, time(17), ctx.zone(episode.location_id)) if discharged else at
    writer.add(
        Enrollment.__table__,  # type: ignore[arg-type]
        {"id": enrollment_id, "patient_id": episode.patient_id, "program_id": ctx.program_id,
         "location_id": episode.location_id, "track_id": episode.track_id,
         "admit_date": episode.admit, "primary_counselor_id": episode.counselor_id,
         "physician_id": episode.physician_id,
         "status": "discharged" if discharged else "active",
         "discharge_date": episode.discharge, "discharge_type": episode.discharge_type,
         "primary_substance": ("alcohol", "opioids", "stimulants", "cannabis")[enrollment_id % 4],
         "diagnosis_codes": "F10.20", "version": 1, "created_at": at, "updated_at": ended},
    )  # fmt: skip
    ids = {
        "patient_id": episode.patient_id,
        "object_type": "enrollment",
        "object_id": enrollment_id,
    }
    writer.audit(who, "enrollment.create", at, **ids)  # type: ignore[arg-type]
    if discharged:
        counselor = ctx.accounts[episode.counselor_id]
        detail = f"discharged={episode.discharge_type}"
        writer.audit(counselor, "enrollment.update", ended, **ids, detail=detail)  # type: ignore[arg-type]
    return enrollment_id


def _weeks(week: WeekWriter, first: date, last: date, progress: PhaseProgress) -> None:
    mondays = []
    day = first
    while day <= last:
        mondays.append(day)
        day += timedelta(days=7)
    advance = progress("Groups, attendance, visits", len(mondays))
    for monday in mondays:
        week.week(monday, last)
        advance(1)


def _notes(records: RecordWriter, week: WeekWriter, progress: PhaseProgress) -> None:
    held, visits = week.result.held, week.result.visits
    advance = progress("Signed notes", len(held) + len(visits))
    for group in held:
        records.group_note(group)
        advance(1)
    for visit in visits:
        records.visit_note(visit)
        advance(1)


def _records(
    records: RecordWriter,
    episodes: list[history_plan.Episode],
    first: date,
    last: date,
    progress: PhaseProgress,
) -> None:
    advance = progress("Measures and drug screens", len(episodes))
    for episode in episodes:
        start = max(episode.admit, first)
        clipped = history_plan.Episode(**{**episode.__dict__, "admit": start})
        records.measures(clipped, last)
        records.screens(clipped, last)
        advance(1)
