"""Who may stand in as one group session's facilitator, and what they would collide with:
pure rules, no I/O.

The stand-in is checked like an appointment's clinician (rules._staff), with two
differences. Group counseling needs a counseling credential, as individual counseling does.
Working hours are not asked for: generation does not ask them of a track's own facilitators
either, so asking them of a stand-in would refuse a cover the usual facilitator could hold.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from openiop.calendar.rules import COUNSELING, Busy, Conflict, describe

FIELD = "facilitator_id"


@dataclass(frozen=True)
class Candidate:
    """A staff member as the cover rules see them."""

    id: int
    name: str
    active: bool
    credentials: tuple[str, ...]
    location_ids: frozenset[int]


def may_lead_groups(credentials: tuple[str, ...] | list[str]) -> bool:
    return bool(set(credentials) & COUNSELING)


def problems(candidate: Candidate, *, location_id: int, current_id: int | None) -> list[str]:
    """Why this person cannot be chosen at all (422), whatever the time."""
    if candidate.id == current_id:
        return [f"{candidate.name} already leads this group; choose someone else."]
    out = []
    if not candidate.active:
        out.append(f"{candidate.name} is no longer active here; choose someone else.")
    if location_id not in candidate.location_ids:
        out.append(f"{candidate.name} does not work at this site.")
    if not may_lead_groups(candidate.credentials):
        held = ", ".join(candidate.credentials) or "no credential on file"
        out.append(f"{candidate.name} ({held}) is not qualified to lead a group.")
    return out


def clashes(
    candidate: Candidate, start: datetime, end: datetime, zone: str, busy: tuple[Busy, ...]
) -> list[Conflict]:
    """Everything the stand-in is already doing during the session (409), each named."""
    out = []
    for item in busy:
        if item.overlaps(start, end):
            when = describe(item.start, item.end, zone)
            code = "staff_time_off" if item.label.startswith("time off") else "staff_overlap"
            out.append(Conflict(code, FIELD, f"{candidate.name}: overlaps {item.label} {when}."))
    return out


def replaced(current_id: int | None, covering_for_id: int | None, new_id: int) -> int | None:
    """Whom the session records as replaced once `new_id` leads it: the facilitator before the
    first cover, kept through later covers (not the previous stand-in), and nobody once that
    facilitator is back (or when nobody led it before)."""
    original = covering_for_id if covering_for_id is not None else current_id
    return None if original == new_id else original


def standing_in_for(
    facilitator_id: int | None, usual: list[tuple[int, str]], replaced_name: str | None = None
) -> str | None:
    """Whom a session's facilitator covers for, as a calendar shows it: None when nobody leads
    it or they are not covering, "" when it is not known whom.

    A session covered since 0013 records whom the stand-in replaced (`replaced_name`), even
    when the stand-in is another of the track's facilitators. Older covers did not, so for
    them a stand-in from outside the track is shown covering for all the track's facilitators
    in rotation: "Ana Ruiz or Ben Ode"."""
    if facilitator_id is None:
        return None
    if replaced_name is not None:
        return replaced_name
    if facilitator_id in {i for i, _ in usual}:
        return None
    names = sorted(name for _, name in usual)
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " or " + names[-1]
