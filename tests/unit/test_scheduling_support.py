"""Small hand-made weeks for the scheduling tests, built as instance documents.

The base week: one site, counselors C1 and C2 and physician MD working Monday to Friday
09:00-17:00, an office and a group room, an evening track (18:00-21:00) and patient P1 of
counselor C1 who needs an individual session. Tests change what they need and solve.
"""

from __future__ import annotations

import copy
from typing import Any

from openiop.scheduling.problem import Problem
from openiop.scheduling.problem_json import parse_instance
from openiop.scheduling.solver import SolveOptions, solve

WEEKDAYS = ["mon", "tue", "wed", "thu", "fri"]
FAST = SolveOptions(time_limit=5.0, num_workers=1, random_seed=0)


def hours(days: list[str], start: str, end: str, label: str | None = None) -> dict:
    block: dict[str, Any] = {"days": days, "start": start, "end": end}
    if label:
        block["label"] = label
    return block


def patient(pid: str = "P1", **fields: Any) -> dict:
    doc = {
        "id": pid,
        "name": f"Test Patient {pid}",
        "track": "T",
        "primary_counselor": "C1",
        "telehealth_ok": False,
        "needs": ["individual"],
    }
    doc.update(fields)
    return doc


def week(**location: Any) -> dict:
    """The base instance; keyword arguments replace parts of the location."""
    loc = {
        "id": "L",
        "name": "Example Site",
        "rooms": [
            {"id": "O1", "name": "Office 1", "capacity": 3, "kinds": ["individual", "physician"]},
            {"id": "G", "name": "Group room", "capacity": 12, "kinds": []},
        ],
        "staff": [
            {
                "id": "C1",
                "name": "Counselor One",
                "role": "counselor",
                "hours": [hours(WEEKDAYS, "09:00", "17:00")],
            },
            {
                "id": "C2",
                "name": "Counselor Two",
                "role": "counselor",
                "hours": [hours(WEEKDAYS, "09:00", "17:00")],
            },
            {
                "id": "MD",
                "name": "Doctor Example",
                "role": "physician",
                "hours": [hours(WEEKDAYS, "09:00", "17:00")],
            },
        ],
        "tracks": [
            {
                "id": "T",
                "name": "Evening track",
                "room": "G",
                "facilitators": [],
                "sessions": [hours(WEEKDAYS, "18:00", "21:00")],
            },
        ],
        "closures": [],
        "patients": [patient()],
    }
    loc.update(copy.deepcopy(location))
    return {
        "format": "openiop-schedule-instance/1",
        "week_start": "2026-03-02",
        "settings": {"slot_minutes": 10, "travel_buffer_minutes": 30},
        "locations": [loc],
    }


def problem_of(doc: dict) -> Problem:
    [problem] = parse_instance(doc)
    return problem


def solved(doc: dict, options: SolveOptions = FAST):
    problem = problem_of(doc)
    return problem, solve(problem, options)


def at(day: str, clock: str) -> int:
    """Minute of the week of a day and time, as the engine counts."""
    hours_, minutes = (int(x) for x in clock.split(":"))
    return WEEKDAYS.index(day) * 1440 + hours_ * 60 + minutes


def test_the_base_week_asks_for_one_individual_session():
    problem = problem_of(week())
    assert [(r.patient, r.kind, r.minutes) for r in problem.requests] == [("P1", "individual", 50)]
