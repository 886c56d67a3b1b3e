"""All admissions SQL: what the public pages show, inquiries, and the per-location day rates."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from sqlalchemy import case, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from openiop.models import Inquiry, Location, LocationRate, Program, Track, User

# ---- what the public pages show ------------------------------------------------------------


def public_program(session: Session) -> Program | None:
    """The active program the public pages describe: an adult level 2.1 program if there is
    one, else the first active program."""
    preferred = case(((Program.asam_level == "2.1") & (Program.population == "adult"), 0), else_=1)
    query = select(Program).where(Program.active).order_by(preferred, Program.id).limit(1)
    return session.scalars(query).first()


def active_locations(session: Session) -> list[Location]:
    return list(session.scalars(select(Location).where(Location.active).order_by(Location.name)))


def all_locations(session: Session) -> list[Location]:
    return list(session.scalars(select(Location).order_by(Location.name)))


def active_tracks(session: Session, program_id: int) -> list[Track]:
    query = (
        select(Track)
        .where(Track.program_id == program_id, Track.active)
        .order_by(Track.location_id, Track.start_time, Track.name)
    )
    return list(session.scalars(query))


def location(session: Session, location_id: int) -> Location | None:
    return session.get(Location, location_id)


def active_location(session: Session, location_id: int) -> Location | None:
    found = session.get(Location, location_id)
    return found if found is not None and found.active else None


# ---- inquiries -----------------------------------------------------------------------------


def inquiry_by_key(session: Session, idempotency_key: str) -> Inquiry | None:
    query = select(Inquiry).where(Inquiry.idempotency_key == idempotency_key)
    return session.scalars(query).first()


def inquiries_from(session: Session, ip_hash: str, since: datetime) -> int:
    query = select(func.count(Inquiry.id)).where(
        Inquiry.ip_hash == ip_hash, Inquiry.created_at >= since
    )
    return int(session.scalar(query) or 0)


def insert_inquiry(session: Session, row: Inquiry) -> Inquiry | None:
    """Insert in a savepoint; None when the idempotency key is already taken (a twin form
    sent at the same moment), leaving the outer transaction usable."""
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:
        return None
    return row


# ---- day rates -----------------------------------------------------------------------------


def rate(session: Session, rate_id: int) -> LocationRate | None:
    return session.get(LocationRate, rate_id)


def rate_on(session: Session, location_id: int, effective_from: date) -> LocationRate | None:
    query = select(LocationRate).where(
        LocationRate.location_id == location_id, LocationRate.effective_from == effective_from
    )
    return session.scalars(query).first()


def rates_at(session: Session, location_ids: Iterable[int]) -> list[LocationRate]:
    """Every rate row at these locations, newest first within each location."""
    query = (
        select(LocationRate)
        .where(LocationRate.location_id.in_(list(location_ids)))
        .order_by(LocationRate.location_id, LocationRate.effective_from.desc())
    )
    return list(session.scalars(query))


def rate_in_force(session: Session, location_id: int, on: date) -> LocationRate | None:
    query = (
        select(LocationRate)
        .where(LocationRate.location_id == location_id, LocationRate.effective_from <= on)
        .order_by(LocationRate.effective_from.desc())
        .limit(1)
    )
    return session.scalars(query).first()


def user_names(session: Session, user_ids: Iterable[int]) -> dict[int, str]:
    ids = sorted(set(user_ids))
    if not ids:
        return {}
    rows = session.execute(select(User.id, User.display_name).where(User.id.in_(ids)))
    return {row.id: row.display_name for row in rows}


def add(session: Session, row: object) -> None:
    session.add(row)
    session.flush()
