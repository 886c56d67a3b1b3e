"""All SQL of the staff admissions pipeline: inquiries in scope, the contact log, referral
sources, owner candidates, duplicate candidates and the rows behind the conversion figures."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from openiop.kit.pagination import Page, PageRequest
from openiop.models import Inquiry, InquiryContact, Location, ReferralSource, User
from openiop.models.staff import staff_locations


@dataclass(frozen=True)
class InquiryFilter:
    stage: str | None = None
    owner_user_id: int | None = None
    location_id: int | None = None
    referral_source_id: int | None = None


def _in_scope(query: Select, location_ids: Collection[int] | None) -> Select:
    """Inquiries at these locations plus those with no preferred location; None means all."""
    if location_ids is None:
        return query
    return query.where(
        or_(Inquiry.location_id.is_(None), Inquiry.location_id.in_(list(location_ids)))
    )


def _filtered(query: Select, wanted: InquiryFilter) -> Select:
    if wanted.stage:
        query = query.where(Inquiry.stage == wanted.stage)
    if wanted.owner_user_id:
        query = query.where(Inquiry.owner_user_id == wanted.owner_user_id)
    if wanted.location_id:
        query = query.where(Inquiry.location_id == wanted.location_id)
    if wanted.referral_source_id:
        query = query.where(Inquiry.referral_source_id == wanted.referral_source_id)
    return query


def inquiries_in_scope(
    session: Session, location_ids: Collection[int] | None, stages: Collection[str]
) -> list[Inquiry]:
    """For the board: next action first (undated last), then oldest first."""
    query = _in_scope(select(Inquiry).where(Inquiry.stage.in_(list(stages))), location_ids)
    query = query.order_by(
        Inquiry.next_action_date.is_(None), Inquiry.next_action_date, Inquiry.created_at
    )
    return list(session.scalars(query))


def inquiry_page(
    session: Session,
    location_ids: Collection[int] | None,
    wanted: InquiryFilter,
    page: PageRequest,
) -> Page[Inquiry]:
    query = _filtered(_in_scope(select(Inquiry), location_ids), wanted)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(
        query.order_by(Inquiry.created_at.desc(), Inquiry.id.desc())
        .offset(page.offset)
        .limit(page.size)
    )
    return Page(list(rows), int(total), page)


def inquiry(session: Session, inquiry_id: int) -> Inquiry | None:
    return session.get(Inquiry, inquiry_id)


def contacts(session: Session, inquiry_id: int) -> list[InquiryContact]:
    query = (
        select(InquiryContact)
        .where(InquiryContact.inquiry_id == inquiry_id)
        .order_by(InquiryContact.contacted_at.desc(), InquiryContact.id.desc())
    )
    return list(session.scalars(query))


def possible_duplicates(
    session: Session,
    *,
    inquiry_id: int,
    phone_tail: str | None,
    email: str | None,
    date_of_birth: date | None,
) -> list[Inquiry]:
    """A coarse pre-filter; `pipeline_rules.find_duplicates` makes the real decision."""
    conditions = []
    if phone_tail:
        # Phones are stored as normalize_us_phone writes them; the bare digits cover the rest.
        shown = f"({phone_tail[:3]}) {phone_tail[3:6]}-{phone_tail[6:]}"
        conditions.append(Inquiry.phone.in_([shown, phone_tail]))
    if email:
        conditions.append(func.lower(Inquiry.email) == email.strip().lower())
    if date_of_birth:
        conditions.append(Inquiry.date_of_birth == date_of_birth)
    if not conditions:
        return []
    query = select(Inquiry).where(Inquiry.id != inquiry_id, or_(*conditions)).order_by(Inquiry.id)
    return list(session.scalars(query))


def referral_sources(session: Session, *, active_only: bool = False) -> list[ReferralSource]:
    query = select(ReferralSource).order_by(ReferralSource.name)
    if active_only:
        query = query.where(ReferralSource.active)
    return list(session.scalars(query))


def referral_source(session: Session, source_id: int) -> ReferralSource | None:
    return session.get(ReferralSource, source_id)


def referral_source_named(session: Session, name: str) -> ReferralSource | None:
    query = select(ReferralSource).where(func.lower(ReferralSource.name) == name.lower())
    return session.scalars(query).first()


def owner_candidates(
    session: Session, roles: Collection[str], location_id: int | None
) -> list[User]:
    """Active users with a pipeline role who work at the location (any location when the
    inquiry has none); administrators work everywhere."""
    query = select(User).where(User.active, User.role.in_(list(roles)))
    if location_id is not None:
        at_site = select(staff_locations.c.staff_member_id).where(
            staff_locations.c.location_id == location_id
        )
        query = query.where(or_(User.role == "admin", User.staff_member_id.in_(at_site)))
    return list(session.scalars(query.order_by(User.display_name)))


def outcome_rows(
    session: Session, location_ids: Collection[int] | None
) -> list[tuple[datetime, datetime | None, str | None, str | None]]:
    """(created_at, admitted_at, referral source name, location name) per inquiry in scope."""
    query = (
        select(Inquiry.created_at, Inquiry.admitted_at, ReferralSource.name, Location.name)
        .outerjoin(ReferralSource, ReferralSource.id == Inquiry.referral_source_id)
        .outerjoin(Location, Location.id == Inquiry.location_id)
    )
    return [tuple(row) for row in session.execute(_in_scope(query, location_ids))]


def locations(session: Session, location_ids: Collection[int] | None) -> list[Location]:
    query = select(Location).order_by(Location.name)
    if location_ids is not None:
        query = query.where(Location.id.in_(list(location_ids)))
    return list(session.scalars(query))


def user_names(session: Session, user_ids: Collection[int]) -> dict[int, str]:
    ids = sorted(set(user_ids))
    if not ids:
        return {}
    rows = session.execute(select(User.id, User.display_name).where(User.id.in_(ids)))
    return {row.id: row.display_name for row in rows}


def add(session: Session, row: object) -> None:
    session.add(row)
    session.flush()
