"""Between the calendar's HTML forms and its services: local times in, instants out."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends
from fastapi.responses import RedirectResponse, Response

from openiop.calendar.rules import Week
from openiop.config import get_settings
from openiop.kit import clock
from openiop.web.deps import verify_csrf
from openiop.web.routing import TransactionalRoute


def page_router() -> APIRouter:
    return APIRouter(
        route_class=TransactionalRoute, dependencies=[Depends(verify_csrf)], include_in_schema=False
    )


def redirect(target: str) -> Response:
    return RedirectResponse(target, status_code=303)


def today() -> date:
    return clock.today_in(get_settings().default_time_zone)


def parse_date(raw: str | None) -> date | None:
    try:
        return date.fromisoformat((raw or "").strip())
    except ValueError:
        return None


def parse_time(raw: str | None) -> time | None:
    try:
        return time.fromisoformat((raw or "").strip())
    except ValueError:
        return None


def local_instant(day: str | None, at: str | None, zone: str) -> datetime | None:
    """A date and a wall-clock time typed for the location, as an aware instant."""
    d, t = parse_date(day), parse_time(at)
    if d is None or t is None:
        return None
    return datetime.combine(d, t, tzinfo=ZoneInfo(zone))


def parse_int(raw: str | None) -> int | None:
    raw = (raw or "").strip()
    return int(raw) if raw.isdigit() else None


def week_of(raw: str | None) -> Week:
    return Week.containing(parse_date(raw) or today())
