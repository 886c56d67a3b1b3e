"""One Jinja2 environment over every area's templates folder, addressed as "area/file.html"."""

from __future__ import annotations

from datetime import date, datetime
from importlib.resources import files
from zoneinfo import ZoneInfo

from fastapi.templating import Jinja2Templates
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, PrefixLoader, select_autoescape

from openiop.config import get_settings

AREAS = (
    "security",
    "programs",
    "patients",
    "admissions",
    "calendar",
    "attendance",
    "notes",
    "clinical",
)


def _loader() -> ChoiceLoader:
    root = files("openiop")
    areas = {area: FileSystemLoader(str(root / area / "templates")) for area in AREAS}
    return ChoiceLoader([FileSystemLoader(str(root / "web" / "templates")), PrefixLoader(areas)])


def local_time(
    value: datetime | None, zone: str | None = None, fmt: str = "%b %-d, %Y %-I:%M %p"
) -> str:
    if value is None:
        return ""
    return value.astimezone(ZoneInfo(zone or get_settings().default_time_zone)).strftime(fmt)


def us_date(value: date | None) -> str:
    return value.strftime("%m/%d/%Y") if value else ""


def weekday_names(digits: str) -> str:
    names = {"1": "Mon", "2": "Tue", "3": "Wed", "4": "Thu", "5": "Fri", "6": "Sat", "7": "Sun"}
    if digits == "12345":
        return "Mon–Fri"
    return ", ".join(names[d] for d in digits if d in names)


def build_environment() -> Environment:
    # No auto_reload: it checks every template file's modification time on every render, and
    # templates only change with a new release (restart the server after editing one).
    env = Environment(loader=_loader(), autoescape=select_autoescape(["html"]), auto_reload=False)
    env.filters.update(local_time=local_time, us_date=us_date, weekdays=weekday_names)
    return env


templates = Jinja2Templates(env=build_environment())
