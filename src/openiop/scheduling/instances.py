"""Synthetic instances of realistic shape, the same for the same seed (names are fictional).

Each location runs a morning track (groups 09:00-12:00) and an evening track (18:00-21:00),
Monday to Friday. Most evening patients work days (09:00-17:00 and similar); morning patients
work evening shifts, look after children in the afternoon, work part-time or not at all.
Counselors carry about 10-12 patients; the track leads carry fewer; each site has one
physician (days) and one nurse practitioner (afternoons, evenings and Saturday morning).
"""

from __future__ import annotations

import math
import random
from typing import Any

from openiop.scheduling.problem_json import INSTANCE_FORMAT

WEEK_START = "2026-03-02"  # a Monday; the generator never reads the clock
WEEKDAYS = ["mon", "tue", "wed", "thu", "fri"]
CASELOAD, LEAD_CASELOAD = 12, 6
Doc = dict[str, Any]

# (label, days, start, end, share) for each track's patients
EVENING_LIVES = [
    ("Work", WEEKDAYS, "09:00", "17:00", 0.55),
    ("Work", WEEKDAYS, "08:00", "16:00", 0.15),
    ("Work", WEEKDAYS, "07:00", "15:30", 0.10),
    ("Work", ["mon", "tue", "wed", "thu"], "09:00", "17:00", 0.12),
    ("Work", WEEKDAYS, "10:00", "14:00", 0.08),
]
MORNING_LIVES = [
    ("Work", WEEKDAYS, "15:00", "23:00", 0.30),
    ("Work", ["tue", "wed", "thu", "fri", "sat"], "16:00", "22:00", 0.15),
    ("Childcare", WEEKDAYS, "15:00", "18:30", 0.20),
    ("Work", WEEKDAYS, "13:30", "17:30", 0.10),
    (None, [], "", "", 0.25),
]


def _pick(rng: random.Random, lives: list) -> tuple:
    roll, total = rng.random(), 0.0
    for life in lives:
        total += life[-1]
        if roll < total:
            return life
    return lives[-1]


def _hours(days: list[str], start: str, end: str) -> list[Doc]:
    return [{"days": days, "start": start, "end": end}]


def _counselor(loc: int, sid: str, track: str, e: int, lead: bool) -> Doc:
    if track == "morning":
        hours = _hours(WEEKDAYS, "08:00", "16:30")
    elif e % 2 == 1:
        hours = _hours(WEEKDAYS[1:], "13:00", "22:00") + _hours(["sat"], "09:00", "14:00")
    else:
        hours = _hours(WEEKDAYS, "13:00", "22:00")
    return {
        "id": sid,
        "name": f"Counselor {sid.removeprefix(f'L{loc}-C')} of site {loc}",
        "role": "counselor",
        "hours": hours,
        "caseload_cap": LEAD_CASELOAD if lead else CASELOAD,
        "max_per_day": 8,
    }


def _team_size(patients: int) -> int:
    """The track lead plus enough counselors for the rest at a full caseload."""
    return 1 + math.ceil(max(0, patients - LEAD_CASELOAD) / CASELOAD)


def _staff(loc: int, per_track: dict[str, int]) -> tuple[list[Doc], dict[str, list[str]]]:
    shift: dict[str, list[str]] = {"morning": [], "evening": []}
    staff: list[Doc] = []
    for track, patients in per_track.items():
        for e in range(_team_size(patients)):
            sid = f"L{loc}-C{len(staff) + 1}"
            staff.append(_counselor(loc, sid, track, e, lead=e == 0))
            shift[track].append(sid)
    staff.append(
        {
            "id": f"L{loc}-MD",
            "name": f"Physician {loc}",
            "role": "physician",
            "hours": _hours(WEEKDAYS, "08:00", "16:30"),
            "max_per_day": 18,
        }
    )
    staff.append(
        {
            "id": f"L{loc}-NP",
            "name": f"Nurse Practitioner {loc}",
            "role": "nurse_practitioner",
            "hours": _hours(WEEKDAYS[:4], "13:00", "22:00") + _hours(["sat"], "09:00", "13:00"),
            "max_per_day": 18,
        }
    )
    return staff, shift


def _rooms(loc: int, counselors: int) -> list[Doc]:
    rooms = [{"id": f"L{loc}-G", "name": "Group room", "capacity": 16, "kinds": []}]
    for k in range(max(2, counselors - 1)):
        rooms.append(
            {
                "id": f"L{loc}-O{k + 1}",
                "name": f"Office {k + 1}",
                "capacity": 3,
                "kinds": ["individual", "intake", "physician"],
            }
        )
    rooms.append(
        {
            "id": f"L{loc}-X",
            "name": "Exam room",
            "capacity": 3,
            "kinds": ["physician", "drug_screen"],
        }
    )
    rooms.append(
        {
            "id": f"L{loc}-F",
            "name": "Family room",
            "capacity": 6,
            "kinds": ["family_session", "individual", "intake"],
        }
    )
    return rooms


def _tracks(loc: int, shift: dict[str, list[str]], closed_friday_pm: bool) -> list[Doc]:
    def sessions(start: str, end: str) -> list[Doc]:
        days = WEEKDAYS[:4] if closed_friday_pm and start >= "13:00" else WEEKDAYS
        return _hours(days, start, end)

    return [
        {
            "id": f"L{loc}-AM",
            "name": "Morning track",
            "room": f"L{loc}-G",
            "facilitators": shift["morning"][:1],
            "sessions": sessions("09:00", "12:00"),
        },
        {
            "id": f"L{loc}-PM",
            "name": "Evening track",
            "room": f"L{loc}-G",
            "facilitators": shift["evening"][:1],
            "sessions": sessions("18:00", "21:00"),
        },
    ]


def _last_week(rng: random.Random, morning: bool) -> list[Doc]:
    out = []
    if rng.random() < 0.6:
        start = rng.choice(["12:00", "12:10", "13:00"] if morning else ["21:00", "21:10", "16:00"])
        out.append({"kind": "individual", "day": rng.choice(WEEKDAYS), "start": start})
    if rng.random() < 0.4:
        start = rng.choice(["12:00", "14:00"] if morning else ["17:30", "21:00"])
        out.append({"kind": "physician", "day": rng.choice(WEEKDAYS[:4]), "start": start})
    return out


def _preferences(rng: random.Random) -> Doc:
    prefs: Doc = {}
    if rng.random() < 0.25:
        prefs["days"] = sorted(rng.sample(WEEKDAYS, rng.choice([2, 3])), key=WEEKDAYS.index)
    if rng.random() < 0.2:
        prefs["windows"] = [
            rng.choice([{"start": "12:00", "end": "14:00"}, {"start": "17:00", "end": "22:00"}])
        ]
    return prefs


def _patient(
    rng: random.Random, loc: int, k: int, morning: bool, shift: dict[str, list[str]], load: dict
) -> Doc:
    track = "morning" if morning else "evening"
    label, days, start, end, _share = _pick(rng, MORNING_LIVES if morning else EVENING_LIVES)
    commitments = [{"label": label, "days": days, "start": start, "end": end}] if label else []
    if not morning and start >= "09:00" and rng.random() < 0.25:
        commitments.append(
            {"label": "School drop-off", "days": WEEKDAYS, "start": "07:15", "end": "08:15"}
        )
    team = shift[track]
    caps = {c: LEAD_CASELOAD if c == team[0] else CASELOAD for c in team}
    primary = min(team, key=lambda c: (load[c] / caps[c], team.index(c)))
    load[primary] += 1
    needs = ["individual", "physician"]
    if rng.random() < 0.25:
        needs.append("drug_screen")
    if rng.random() < 0.08:
        needs.append("family_session")
    return {
        "id": f"L{loc}-P{k + 1:03d}",
        "name": f"Test Patient {loc}-{k + 1:03d}",
        "track": f"L{loc}-{'AM' if morning else 'PM'}",
        "primary_counselor": primary,
        "other_counselor_allowed": rng.random() < 0.85,
        "qualified_counselors": [c for c in team if c != primary],
        "telehealth_ok": rng.random() < 0.5,
        "commitments": commitments,
        "preferences": _preferences(rng),
        "last_week": _last_week(rng, morning),
        "needs": needs,
    }


def generate_location(loc: int, patients: int, seed: int) -> Doc:
    rng = random.Random(seed * 7919 + loc)
    mornings = [rng.random() < 0.45 for _ in range(patients)]
    per_track = {"morning": sum(mornings), "evening": patients - sum(mornings)}
    staff, shift = _staff(loc, per_track)
    closed_friday_pm = rng.random() < 0.1
    load = dict.fromkeys(shift["morning"] + shift["evening"], 0)
    counselors = len(shift["morning"]) + len(shift["evening"])
    return {
        "id": f"L{loc}",
        "name": f"Example Site {loc}",
        "timezone": "America/Los_Angeles",
        "rooms": _rooms(loc, counselors),
        "staff": staff,
        "tracks": _tracks(loc, shift, closed_friday_pm),
        "closures": [{"day": "fri", "start": "13:00", "reason": "Staff training"}]
        if closed_friday_pm
        else [],
        "patients": [
            _patient(rng, loc, k, morning, shift, load) for k, morning in enumerate(mornings)
        ],
    }


def generate_instance(patients: int, locations: int, seed: int) -> Doc:
    """An instance document with `patients` spread evenly over `locations` sites."""
    if patients < 1 or locations < 1 or locations > patients:
        raise ValueError("need at least one patient per location")
    sizes = [patients // locations + (i < patients % locations) for i in range(locations)]
    return {
        "format": INSTANCE_FORMAT,
        "week_start": WEEK_START,
        "settings": {"slot_minutes": 10, "travel_buffer_minutes": 30},
        "locations": [generate_location(i + 1, n, seed) for i, n in enumerate(sizes)],
    }
