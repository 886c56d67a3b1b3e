"""Visits for feed and reminder tests: appointments and group sessions at local wall-clock
times, built on the personas world (tests/personas.py)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from openiop.models import Appointment, GroupSession, Location, Track

PACIFIC = ZoneInfo("America/Los_Angeles")


def local(day: date, at: time) -> datetime:
    """A Pacific wall-clock time as an aware datetime (DST applied by the zone)."""
    return datetime.combine(day, at, tzinfo=PACIFIC)


def appointment(  # type: ignore[no-untyped-def]
    db: Session,
    *,
    patient_id: int,
    staff_member_id: int,
    location: Location,
    day: date,
    at: time,
    minutes: int = 50,
    **kw,
) -> Appointment:
    starts = local(day, at)
    row = Appointment(
        **{
            "patient_id": patient_id,
            "staff_member_id": staff_member_id,
            "location_id": location.id,
            "kind": "individual",
            "starts_at": starts,
            "ends_at": starts + timedelta(minutes=minutes),
            **kw,
        }
    )
    db.add(row)
    db.flush()
    return row


def group_session(  # type: ignore[no-untyped-def]
    db: Session, *, track: Track, day: date, facilitator_id: int | None, **kw
) -> GroupSession:
    row = GroupSession(
        **{
            "track_id": track.id,
            "location_id": track.location_id,
            "session_date": day,
            "starts_at": local(day, track.start_time),
            "ends_at": local(day, track.end_time),
            "topic": "Relapse prevention",
            "facilitator_id": facilitator_id,
            **kw,
        }
    )
    db.add(row)
    db.flush()
    return row
