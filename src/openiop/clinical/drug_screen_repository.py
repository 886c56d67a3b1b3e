"""All SQL of drug screens and their results."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from openiop.models import DrugScreen


def screens_of_patient(session: Session, patient_id: int) -> list[DrugScreen]:
    """Oldest first, each with its results."""
    query = (
        select(DrugScreen)
        .where(DrugScreen.patient_id == patient_id)
        .options(selectinload(DrugScreen.results))
        .order_by(DrugScreen.collected_on, DrugScreen.id)
        .execution_options(populate_existing=True)
    )
    return list(session.scalars(query))


def screen(session: Session, screen_id: int) -> DrugScreen | None:
    query = (
        select(DrugScreen)
        .where(DrugScreen.id == screen_id)
        .options(selectinload(DrugScreen.results))
        .execution_options(populate_existing=True)
    )
    return session.scalars(query).first()


def add(session: Session, row: object) -> None:
    session.add(row)
    session.flush()
