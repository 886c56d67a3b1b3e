"""All SQL of measurement-based care: administrations, program schedules, urgent tasks."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from openiop.models import ClinicalTask, Location, MeasureAdministration, MeasureSchedule, Program


def administrations(session: Session, enrollment_id: int) -> list[MeasureAdministration]:
    query = (
        select(MeasureAdministration)
        .where(MeasureAdministration.enrollment_id == enrollment_id)
        .order_by(MeasureAdministration.administered_on, MeasureAdministration.id)
    )
    return list(session.scalars(query))


def last_given(session: Session, enrollment_ids: Collection[int]) -> dict[tuple[int, str], date]:
    """(enrollment, instrument) → the latest date given, for many enrollments at once."""
    if not enrollment_ids:
        return {}
    query = (
        select(
            MeasureAdministration.enrollment_id,
            MeasureAdministration.instrument,
            func.max(MeasureAdministration.administered_on),
        )
        .where(MeasureAdministration.enrollment_id.in_(list(enrollment_ids)))
        .group_by(MeasureAdministration.enrollment_id, MeasureAdministration.instrument)
    )
    return {(e, i): d for e, i, d in session.execute(query)}


def schedules(session: Session, program_id: int) -> list[MeasureSchedule]:
    query = select(MeasureSchedule).where(MeasureSchedule.program_id == program_id)
    return list(session.scalars(query))


def program(session: Session, program_id: int) -> Program | None:
    return session.get(Program, program_id)


def location(session: Session, location_id: int) -> Location | None:
    return session.get(Location, location_id)


def task(session: Session, task_id: int) -> ClinicalTask | None:
    return session.get(ClinicalTask, task_id)


def add(session: Session, row: object) -> None:
    session.add(row)
    session.flush()


def delete(session: Session, row: object) -> None:
    session.delete(row)
    session.flush()
