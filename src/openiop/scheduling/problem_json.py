"""Instance files: JSON <-> Problem, refusing inconsistent input with the item named.

The formats are described by docs/schedule-instance.schema.json and
docs/schedule-plan.schema.json. Every InstanceError names the item at fault, both in words
("patient 'p-7' has no primary counselor") and as a path ("locations[0].patients[6]").
"""

from __future__ import annotations

from dataclasses import fields
from datetime import date
from typing import Any

from openiop.scheduling.problem import (
    DAY,
    DAYS,
    KINDS,
    ROLES,
    SLOT_CHOICES,
    WEEKLY_NEEDS,
    Block,
    InstanceError,
    LastWeek,
    Patient,
    Preferences,
    Problem,
    Room,
    Settings,
    Staff,
    Track,
    clock,
)
from openiop.scheduling.weights import Weights

INSTANCE_FORMAT = "openiop-schedule-instance/1"
Doc = dict[str, Any]


class _At:
    """Where we are in the document, for messages that name the item."""

    def __init__(self, path: str, name: str) -> None:
        self.path, self.name = path, name

    def sub(self, key: str | int, name: str | None = None) -> _At:
        path = f"{self.path}[{key}]" if isinstance(key, int) else f"{self.path}.{key}"
        return _At(path.lstrip("."), name or self.name)

    def fail(self, message: str) -> InstanceError:
        return InstanceError(f"{self.name}: {message}", item=self.path)


def _get(doc: Doc, key: str, at: _At, kind: type | tuple[type, ...], default: Any = ...) -> Any:
    if key not in doc or doc[key] is None:
        if default is ...:
            raise at.fail(f"'{key}' is missing")
        return default
    value = doc[key]
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is int):
        raise at.fail(f"'{key}' has the wrong type ({type(value).__name__})")
    return value


def _minute(text: Any, at: _At, what: str) -> int:
    try:
        hours, minutes = (int(part) for part in str(text).split(":"))
    except ValueError:
        raise at.fail(f"{what} '{text}' is not a time like 09:30") from None
    if not (0 <= minutes < 60 and 0 <= hours <= 24) or (hours == 24 and minutes):
        raise at.fail(f"{what} '{text}' is not a time of day")
    return hours * 60 + minutes


def _day(text: Any, at: _At) -> int:
    if text not in DAYS:
        raise at.fail(f"day '{text}' is not one of {', '.join(DAYS)}")
    return DAYS.index(text)


def _blocks(doc: Doc, at: _At, *, whole_day: bool = False) -> list[Block]:
    """One block spec, which may repeat on several days ("days": [...])."""
    days = doc.get("days") if "days" in doc else [doc.get("day")]
    if not isinstance(days, list) or not days:
        raise at.fail("'day' or 'days' is missing")
    label = str(doc.get("label") or doc.get("reason") or "")
    default_end = "24:00" if whole_day else ...
    start = _minute(_get(doc, "start", at, str, "00:00" if whole_day else ...), at, "start")
    end = _minute(_get(doc, "end", at, str, default_end), at, "end")
    if end <= start:
        raise at.fail(f"ends ({clock(end)}) at or before it starts ({clock(start)})")
    return [Block(_day(d, at) * DAY + start, _day(d, at) * DAY + end, label) for d in days]


def _block_list(items: list, at: _At, what: str, **kw) -> list[Block]:
    out: list[Block] = []
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            raise at.sub(i).fail(f"each {what} must be an object")
        label = item.get("label") or item.get("reason") or ""
        name = f"{at.name}, {what} '{label}'" if label else f"{at.name}, {what}"
        out.extend(_blocks(item, at.sub(i, name), **kw))
    _refuse_overlaps(out, at, what)
    return out


def _refuse_overlaps(blocks: list[Block], at: _At, what: str) -> None:
    ordered = sorted(blocks, key=lambda b: (b.start, b.end))
    for before, after in zip(ordered, ordered[1:], strict=False):
        if after.start < before.end:
            raise at.fail(
                f"{what} {before.describe()} overlaps {what} {after.describe()} (given twice?)"
            )


def _unique(items: list[Doc], at: _At, what: str) -> None:
    seen: set[str] = set()
    for i, item in enumerate(items):
        ident = _get(item, "id", at.sub(i), str)
        if ident in seen:
            raise at.sub(i).fail(f"{what} id '{ident}' is used twice")
        seen.add(ident)


def _kind_list(values: list, at: _At) -> tuple[str, ...]:
    for value in values:
        if value not in KINDS:
            raise at.fail(f"unknown appointment kind '{value}' (known: {', '.join(KINDS)})")
    return tuple(values)


def parse_settings(doc: Doc) -> Settings:
    at = _At("settings", "settings")
    slot = _get(doc, "slot_minutes", at, int, 10)
    if slot not in SLOT_CHOICES:
        raise at.fail(f"slot_minutes must be one of {SLOT_CHOICES}, not {slot}")
    buffer = _get(doc, "travel_buffer_minutes", at, int, 30)
    if not 0 <= buffer <= 240:
        raise at.fail("travel_buffer_minutes must be between 0 and 240")
    minutes = _get(doc, "minutes", at, dict, {})
    _kind_list(list(minutes), at.sub("minutes"))
    for kind, value in minutes.items():
        if not isinstance(value, int) or not 5 <= value <= 480:
            raise at.sub("minutes").fail(f"minutes for '{kind}' must be 5 to 480")
    weights = _get(doc, "weights", at, dict, {})
    for name, value in weights.items():
        if name not in Weights.names() or not isinstance(value, int) or value < 0:
            raise at.sub("weights").fail(f"weight '{name}' is unknown or not a whole number >= 0")
    return Settings(
        slot_minutes=slot,
        travel_buffer_minutes=buffer,
        other_counselor_allowed=_get(doc, "other_counselor_allowed", at, bool, True),
        minutes=tuple(sorted(minutes.items())),
        weights=Weights(**weights),
    )


def _room(doc: Doc, at: _At) -> Room:
    capacity = _get(doc, "capacity", at, int)
    if capacity < 1:
        raise at.fail("capacity must be at least 1")
    kinds = _kind_list(_get(doc, "kinds", at, list, list(KINDS)), at)
    return Room(doc["id"], _get(doc, "name", at, str, doc["id"]), capacity, frozenset(kinds))


def _staff(doc: Doc, at: _At) -> Staff:
    role = _get(doc, "role", at, str)
    if role not in ROLES:
        raise at.fail(f"role '{role}' is not one of {', '.join(ROLES)}")
    hours = _block_list(_get(doc, "hours", at, list, []), at.sub("hours"), "working hours")
    caps = [_get(doc, k, at, int, None) for k in ("caseload_cap", "max_per_day")]
    if any(c is not None and c < 0 for c in caps):
        raise at.fail("caps cannot be negative")
    name = _get(doc, "name", at, str, doc["id"])
    return Staff(doc["id"], name, role, tuple(sorted(hours, key=lambda b: b.start)), *caps)


def _known(ident: Any, table: dict, at: _At, what: str) -> str:
    if ident not in table:
        raise at.fail(f"unknown {what} '{ident}'")
    return ident


def _track(doc: Doc, at: _At, rooms: dict, staff: dict) -> Track:
    room = doc.get("room")
    if room is not None:
        _known(room, rooms, at, "room")
    leads = [_known(s, staff, at, "staff member") for s in _get(doc, "facilitators", at, list, [])]
    sessions = _block_list(_get(doc, "sessions", at, list, []), at.sub("sessions"), "session")
    name = _get(doc, "name", at, str, doc["id"])
    return Track(
        doc["id"], name, room, tuple(leads), tuple(sorted(sessions, key=lambda b: b.start))
    )


def _counselor(ident: Any, staff: dict[str, Staff], at: _At) -> str:
    _known(ident, staff, at, "staff member")
    if staff[ident].role != "counselor":
        raise at.fail(f"'{ident}' is a {staff[ident].role}, not a counselor")
    return ident


def _preferences(doc: Doc, at: _At) -> Preferences:
    days = frozenset(_day(d, at) for d in _get(doc, "days", at, list, []))
    windows = []
    for i, w in enumerate(_get(doc, "windows", at, list, [])):
        start, end = _minute(w.get("start"), at.sub(i), "start"), _minute(w.get("end"), at, "end")
        if end <= start:
            raise at.sub(i).fail(f"preferred time ends ({clock(end)}) before it starts")
        windows.append((start, end))
    return Preferences(days, tuple(windows))


def _last_week(doc: Doc, at: _At, staff: dict) -> LastWeek:
    kind = _kind_list([_get(doc, "kind", at, str)], at)[0]
    start = _day(doc.get("day"), at) * DAY + _minute(doc.get("start"), at, "start")
    who = doc.get("staff")
    return LastWeek(kind, start, who if who is None else _known(who, staff, at, "staff member"))


def _patient(
    doc: Doc, at: _At, staff: dict[str, Staff], tracks: dict, settings: Settings
) -> Patient:
    if not doc.get("primary_counselor"):
        raise at.fail("has no primary counselor")
    primary = _counselor(doc["primary_counselor"], staff, at)
    track = doc.get("track")
    if track is not None:
        _known(track, tracks, at, "track")
    qualified = doc.get("qualified_counselors")
    if qualified is not None:
        qualified = tuple(_counselor(c, staff, at) for c in qualified)
    commitments = _block_list(
        _get(doc, "commitments", at, list, []), at.sub("commitments"), "commitment"
    )
    return Patient(
        id=doc["id"],
        name=_get(doc, "name", at, str, doc["id"]),
        primary_counselor=primary,
        track=track,
        active=_get(doc, "active", at, bool, True),
        other_counselor_allowed=_get(
            doc, "other_counselor_allowed", at, bool, settings.other_counselor_allowed
        ),
        qualified_counselors=qualified,
        telehealth_ok=_get(doc, "telehealth_ok", at, bool, False),
        commitments=tuple(sorted(commitments, key=lambda b: b.start)),
        preferences=_preferences(_get(doc, "preferences", at, dict, {}), at.sub("preferences")),
        last_week=tuple(
            _last_week(d, at.sub("last_week").sub(i), staff)
            for i, d in enumerate(_get(doc, "last_week", at, list, []))
        ),
        needs=_kind_list(_get(doc, "needs", at, list, list(WEEKLY_NEEDS)), at.sub("needs")),
    )


def _table(doc: Doc, key: str, at: _At, what: str, build) -> dict:
    items = _get(doc, key, at, list, [])
    _unique(items, at.sub(key), what)
    return {
        item["id"]: build(item, at.sub(key).sub(i, f"{what} '{item['id']}'"))
        for i, item in enumerate(items)
    }


def parse_location(doc: Doc, at: _At, week_start: date, settings: Settings) -> Problem:
    rooms = _table(doc, "rooms", at, "room", _room)
    staff = _table(doc, "staff", at, "staff member", _staff)
    tracks = _table(doc, "tracks", at, "track", lambda d, a: _track(d, a, rooms, staff))
    patients = _table(
        doc, "patients", at, "patient", lambda d, a: _patient(d, a, staff, tracks, settings)
    )
    closures = _block_list(
        _get(doc, "closures", at, list, []), at.sub("closures"), "closure", whole_day=True
    )
    return Problem(
        location_id=doc["id"],
        location_name=_get(doc, "name", at, str, doc["id"]),
        week_start=week_start,
        timezone=_get(doc, "timezone", at, str, "America/Los_Angeles"),
        settings=settings,
        rooms=tuple(rooms.values()),
        staff=tuple(staff.values()),
        tracks=tuple(tracks.values()),
        patients=tuple(patients.values()),
        closures=tuple(sorted(closures, key=lambda b: b.start)),
    )


def parse_instance(doc: Any) -> list[Problem]:
    """Every location of an instance document, each a Problem ready to solve."""
    top = _At("", "instance")
    if not isinstance(doc, dict):
        raise top.fail("the document must be a JSON object")
    if doc.get("format", INSTANCE_FORMAT) != INSTANCE_FORMAT:
        raise top.fail(f"format must be '{INSTANCE_FORMAT}'")
    try:
        week_start = date.fromisoformat(_get(doc, "week_start", top, str))
    except ValueError:
        raise top.fail(f"week_start '{doc['week_start']}' is not a date") from None
    if week_start.isoweekday() != 1:
        raise top.fail(f"week_start {week_start} is not a Monday")
    settings = parse_settings(_get(doc, "settings", top, dict, {}))
    locations = _get(doc, "locations", top, list)
    if not locations:
        raise top.fail("'locations' is empty")
    _unique(locations, top.sub("locations"), "location")
    return [
        parse_location(loc, _At(f"locations[{i}]", f"location '{loc['id']}'"), week_start, settings)
        for i, loc in enumerate(locations)
    ]


# ---- back to JSON ---------------------------------------------------------------------------


def _block_docs(blocks: tuple[Block, ...], label_key: str = "label") -> list[Doc]:
    """Blocks with the same label and hours on several days become one entry with "days"."""
    grouped: dict[tuple[str, int, int], list[str]] = {}
    for b in blocks:
        day = b.start // DAY
        grouped.setdefault((b.label, b.start - day * DAY, b.end - day * DAY), []).append(DAYS[day])
    out = []
    for (label, start, end), days in grouped.items():
        doc: Doc = {label_key: label} if label else {}
        doc.update({"days": days, "start": clock(start), "end": clock(end)})
        out.append(doc)
    return out


def _patient_doc(p: Patient) -> Doc:
    return {
        "id": p.id,
        "name": p.name,
        "active": p.active,
        "track": p.track,
        "primary_counselor": p.primary_counselor,
        "other_counselor_allowed": p.other_counselor_allowed,
        "qualified_counselors": list(p.qualified_counselors)
        if p.qualified_counselors is not None
        else None,
        "telehealth_ok": p.telehealth_ok,
        "commitments": _block_docs(p.commitments),
        "preferences": {
            "days": [DAYS[d] for d in sorted(p.preferences.days)],
            "windows": [{"start": clock(a), "end": clock(b)} for a, b in p.preferences.windows],
        },
        "last_week": [
            {"kind": lw.kind, "day": DAYS[lw.start // DAY], "start": clock(lw.start % DAY)}
            | ({"staff": lw.staff} if lw.staff else {})
            for lw in p.last_week
        ],
        "needs": list(p.needs),
    }


def location_doc(problem: Problem) -> Doc:
    return {
        "id": problem.location_id,
        "name": problem.location_name,
        "timezone": problem.timezone,
        "rooms": [
            {"id": r.id, "name": r.name, "capacity": r.capacity, "kinds": sorted(r.kinds)}
            for r in problem.rooms
        ],
        "staff": [
            {"id": s.id, "name": s.name, "role": s.role, "hours": _block_docs(s.hours)}
            | {
                k: getattr(s, k)
                for k in ("caseload_cap", "max_per_day")
                if getattr(s, k) is not None
            }
            for s in problem.staff
        ],
        "tracks": [
            {"id": t.id, "name": t.name, "room": t.room, "facilitators": list(t.facilitators)}
            | {"sessions": _block_docs(t.sessions)}
            for t in problem.tracks
        ],
        "closures": _block_docs(problem.closures, "reason"),
        "patients": [_patient_doc(p) for p in problem.patients],
    }


def settings_doc(settings: Settings) -> Doc:
    return {
        "slot_minutes": settings.slot_minutes,
        "travel_buffer_minutes": settings.travel_buffer_minutes,
        "other_counselor_allowed": settings.other_counselor_allowed,
        "minutes": dict(settings.minutes),
        "weights": {f.name: getattr(settings.weights, f.name) for f in fields(Weights)},
    }


def instance_doc(problems: list[Problem]) -> Doc:
    """The instance document for problems of the same week and settings."""
    first = problems[0]
    return {
        "format": INSTANCE_FORMAT,
        "week_start": first.week_start.isoformat(),
        "settings": settings_doc(first.settings),
        "locations": [location_doc(p) for p in problems],
    }
