"""All SQL of discharge summaries and the appointment counts their record is drafted from."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from openiop.models import Appointment, DischargeSummary, User


def summary_of_enrollment(session: Session, enrollment_id: int) -> DischargeSummary | None:
    query = select(DischargeSummary).where(DischargeSummary.enrollment_id == enrollment_id)
    return session.scalars(query).first()


def summary(session: Session, summary_id: int) -> DischargeSummary | None:
    return session.get(DischargeSummary, summary_id)


def appointment_totals(
    session: Session, enrollment_id: int, first: date, last: date
) -> dict[tuple[str, str], tuple[int, int]]:
    """(kind, status) → (count, actual minutes) for the enrollment's appointments."""
    query = (
        select(
            Appointment.kind,
            Appointment.status,
            func.count(Appointment.id),
            func.coalesce(func.sum(Appointment.actual_minutes), 0),
        )
        .where(Appointment.enrollment_id == enrollment_id)
        .group_by(Appointment.kind, Appointment.status)
    )
    return {(k, s): (int(n), int(m)) for k, s, n, m in session.execute(query)}


def user_name(session: Session, user_id: int | None) -> str:
    user = session.get(User, user_id) if user_id else None
    return user.display_name if user else "an unknown user"


def add(session: Session, row: object) -> None:
    session.add(row)
    session.flush()
