"""All SQL the demo loader needs: is the database empty, or already the demo's?"""

from __future__ import annotations

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from openiop.models import Organization, Patient, User


def organization_named(session: Session, name: str) -> Organization | None:
    return session.execute(
        select(Organization).where(Organization.name == name).limit(1)
    ).scalar_one_or_none()


def holds_any_data(session: Session) -> bool:
    """True when accounts, organizations or patients exist (the first admin counts)."""
    return any(
        session.execute(select(exists().where(column.isnot(None)))).scalar()
        for column in (Organization.id, User.id, Patient.id)
    )
