"""Which group sessions a track should have over a date range: pure, no I/O.

One session per local date the track meets, from its wall-clock times in the location's
zone (so 09:00 stays 09:00 across daylight saving), in the track's room. Closed days are
skipped and dates that already have a session are left alone, which makes generation
idempotent: running it twice over the same range adds nothing the second time.

The topic and facilitator rotate by the meeting's number counted from a fixed epoch, not
from the start of the range, so generating week by week gives the same rotation as
generating a month at once, and a regenerated week keeps its topics.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from openiop.calendar.rules import local_span

MAX_RANGE_DAYS = 92  # a quarter: enough to plan ahead, small enough to review
NO_CURRICULUM = "Open group (no curriculum set)"


@dataclass(frozen=True)
class TrackFacts:
    id: int
    name: str
    weekdays: str  # ISO digits, "12345"
    start_time: time
    end_time: time
    room_id: int | None
    facilitator_ids: tuple[int, ...]


@dataclass(frozen=True)
class Topic:
    id: int
    title: str


@dataclass(frozen=True)
class Planned:
    track_id: int
    session_date: date
    starts_at: datetime
    ends_at: datetime
    topic_id: int | None
    topic: str
    facilitator_id: int | None
    room_id: int | None


@dataclass(frozen=True)
class Skipped:
    track_id: int
    session_date: date
    reason: str  # "exists" or "closed: <why>"


def meeting_number(track: TrackFacts, day: date) -> int:
    """How many meetings of this weekday pattern lie between the epoch and `day`."""
    days = sorted(int(d) for d in track.weekdays if d.isdigit())
    week = (day.toordinal() - 1) // 7  # ordinal 1 (0001-01-01) is a Monday
    return week * len(days) + days.index(day.isoweekday())


def dates_between(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def range_problems(first: date, last: date) -> dict[str, str]:
    if last < first:
        return {"last": "The end date must not be before the start date."}
    if (last - first).days + 1 > MAX_RANGE_DAYS:
        return {"last": f"Generate at most {MAX_RANGE_DAYS} days at a time."}
    return {}


def _facilitator(
    track: TrackFacts, n: int, span: tuple[datetime, datetime], away: dict[int, list]
) -> int | None:
    """The facilitator in turn, passing over anyone on time off then; None when all are."""
    people = track.facilitator_ids
    for k in range(len(people)):
        candidate = people[(n + k) % len(people)]
        if not any(s < span[1] and span[0] < e for s, e in away.get(candidate, [])):
            return candidate
    return None


def plan_track(
    track: TrackFacts,
    days: list[date],
    *,
    zone: str,
    topics: list[Topic],
    closed: dict[date, str],
    existing: set[date],
    away: dict[int, list[tuple[datetime, datetime]]],
) -> tuple[list[Planned], list[Skipped]]:
    planned: list[Planned] = []
    skipped: list[Skipped] = []
    for day in days:
        if str(day.isoweekday()) not in track.weekdays:
            continue
        if day in existing:
            skipped.append(Skipped(track.id, day, "exists"))
            continue
        if day in closed:
            skipped.append(Skipped(track.id, day, f"closed: {closed[day]}"))
            continue
        n = meeting_number(track, day)
        span = local_span(day, track.start_time, track.end_time, zone)
        topic = topics[n % len(topics)] if topics else None
        planned.append(
            Planned(
                track_id=track.id,
                session_date=day,
                starts_at=span[0],
                ends_at=span[1],
                topic_id=topic.id if topic else None,
                topic=topic.title if topic else NO_CURRICULUM,
                facilitator_id=_facilitator(track, n, span, away)
                if track.facilitator_ids
                else None,
                room_id=track.room_id,
            )
        )
    return planned, skipped
