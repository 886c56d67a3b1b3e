"""All SQL behind the operator's commands: accounts, staff links, tokens, the audit count."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from openiop.models import ApiToken, AuditEvent, Location, Patient, StaffMember, User


def locations_by_code(session: Session, codes: Iterable[str]) -> dict[str, Location]:
    """Locations keyed by upper-cased code; codes match without regard to case."""
    wanted = {code.strip().upper() for code in codes}
    if not wanted:
        return {}
    rows = session.execute(select(Location).where(func.upper(Location.code).in_(wanted))).scalars()
    return {row.code.upper(): row for row in rows}


def location_codes(session: Session) -> list[str]:
    return list(session.execute(select(Location.code).order_by(Location.code)).scalars())


def staff_by_email(session: Session, email: str) -> StaffMember | None:
    return session.execute(
        select(StaffMember)
        .options(selectinload(StaffMember.locations))
        .where(func.lower(StaffMember.email) == email.strip().lower())
    ).scalar_one_or_none()


def user_by_email(session: Session, email: str) -> User | None:
    return session.execute(
        select(User).where(func.lower(User.email) == email.strip().lower())
    ).scalar_one_or_none()


def user_by_id(session: Session, user_id: int) -> User | None:
    return session.get(User, user_id)


def user_for_staff(session: Session, staff_member_id: int) -> User | None:
    return session.execute(
        select(User).where(User.staff_member_id == staff_member_id)
    ).scalar_one_or_none()


def patient_by_mrn(session: Session, mrn: str) -> Patient | None:
    return session.execute(select(Patient).where(Patient.mrn == mrn.strip())).scalar_one_or_none()


def tokens_for_user(session: Session, user_id: int) -> list[ApiToken]:
    return list(
        session.execute(
            select(ApiToken).where(ApiToken.user_id == user_id).order_by(ApiToken.id)
        ).scalars()
    )


def token_by_id(session: Session, token_id: int) -> ApiToken | None:
    return session.get(ApiToken, token_id)


def audit_event_count(session: Session) -> int:
    return session.execute(select(func.count()).select_from(AuditEvent)).scalar_one()
