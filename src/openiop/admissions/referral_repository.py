"""All SQL of the referral directory (partners, sober-living homes) and of referrals made."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from openiop.models import Referral, ReferralPartner, SoberLivingHome


def partners(
    session: Session, *, level: str | set[str] | None, city: str | None, active_only: bool
) -> list[ReferralPartner]:
    query = select(ReferralPartner).order_by(ReferralPartner.city, ReferralPartner.name)
    if active_only:
        query = query.where(ReferralPartner.active)
    if city:
        query = query.where(func.lower(ReferralPartner.city) == city.lower())
    rows = list(session.scalars(query))
    # Levels are a short comma-separated list; matching whole keys in Python avoids "iop"
    # matching inside "iop_with_sober_living".
    wanted = {level} if isinstance(level, str) else level
    return [row for row in rows if wanted is None or wanted & set(row.level_list)]


def homes(
    session: Session, *, city: str | None, gender: str | None, active_only: bool
) -> list[SoberLivingHome]:
    query = select(SoberLivingHome).order_by(SoberLivingHome.city, SoberLivingHome.name)
    if active_only:
        query = query.where(SoberLivingHome.active)
    if city:
        query = query.where(func.lower(SoberLivingHome.city) == city.lower())
    if gender:
        query = query.where(SoberLivingHome.gender.in_([gender, "all"]))
    return list(session.scalars(query))


def cities(session: Session) -> list[str]:
    found = set(session.scalars(select(ReferralPartner.city).distinct()))
    found |= set(session.scalars(select(SoberLivingHome.city).distinct()))
    return sorted(found, key=str.casefold)


def partner(session: Session, partner_id: int) -> ReferralPartner | None:
    return session.get(ReferralPartner, partner_id)


def home(session: Session, home_id: int) -> SoberLivingHome | None:
    return session.get(SoberLivingHome, home_id)


def partner_named(session: Session, name: str) -> ReferralPartner | None:
    query = select(ReferralPartner).where(func.lower(ReferralPartner.name) == name.lower())
    return session.scalars(query).first()


def home_named(session: Session, name: str) -> SoberLivingHome | None:
    query = select(SoberLivingHome).where(func.lower(SoberLivingHome.name) == name.lower())
    return session.scalars(query).first()


def referrals_of(session: Session, inquiry_id: int) -> list[Referral]:
    query = select(Referral).where(Referral.inquiry_id == inquiry_id).order_by(Referral.id.desc())
    return list(session.scalars(query))


def add(session: Session, row: object) -> None:
    session.add(row)
    session.flush()
