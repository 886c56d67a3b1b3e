"""Synthetic patients whose weeks look real: jobs, shifts and childcare decide their track.

A patient working 09:00-17:00 on weekdays can only come to the evening group; one on an
evening shift comes in the mornings. Counselors and physicians are given the least-loaded
colleague at the patient's site, so caseloads stay even, as a director would arrange them.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

from openiop.demo import names
from openiop.security.permissions import Role

if TYPE_CHECKING:
    from openiop.demo.plan import StaffPlan, TrackPlan

# Time to get from work or school to the group room.
TRAVEL = timedelta(minutes=30)
WEEKDAYS = (1, 2, 3, 4, 5)


@dataclass(frozen=True)
class CommitmentPlan:
    kind: str  # work, school, childcare, other
    weekday: int  # ISO, Monday=1
    start: time
    end: time
    label: str


@dataclass(frozen=True)
class EnrollmentPlan:
    location_code: str
    track_key: str | None
    status: str  # pending, active, discharged
    admit_date: date
    discharge_date: date | None
    discharge_type: str | None
    counselor_key: str
    physician_key: str
    primary_substance: str
    diagnosis_codes: str


@dataclass(frozen=True)
class PatientPlan:
    mrn: str
    first_name: str
    last_name: str
    date_of_birth: date
    sex_at_birth: str
    gender_identity: str | None
    pronouns: str | None
    phone: str
    email: str
    address_line1: str
    city: str
    postal_code: str
    preferred_language: str
    emergency_contact_name: str
    emergency_contact_relationship: str
    emergency_contact_phone: str
    commitments: tuple[CommitmentPlan, ...]
    enrollment: EnrollmentPlan

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


@dataclass(frozen=True)
class Site:
    code: str
    city: str
    postal_code: str
    tracks: tuple[TrackPlan, ...]


# Weekly routines and how common they are among the program's adults.
_ROUTINES: dict[str, tuple[float, tuple[tuple[str, tuple[int, ...], int, int, int, int, str], ...]]] = {
    "office": (0.35, (("work", WEEKDAYS, 9, 0, 17, 0, "Work, 9 to 5"),)),
    "early_shift": (0.10, (("work", WEEKDAYS, 6, 0, 14, 30, "Work, early shift"),)),
    "evening_shift": (0.15, (("work", (2, 3, 4, 5, 6), 15, 0, 23, 0, "Work, evening shift"),)),
    "school_pickup": (0.10, (("childcare", WEEKDAYS, 14, 30, 19, 0, "School pick-up and dinner"),)),
    "school_dropoff": (0.05, (("childcare", WEEKDAYS, 7, 30, 9, 30, "School drop-off"),)),
    "college": (0.05, (("school", (1, 3, 5), 10, 0, 14, 0, "Community college classes"),)),
    "weekend_job": (0.05, (("work", (6, 7), 8, 0, 16, 0, "Weekend job"),)),
    "none": (0.15, ()),
}  # fmt: skip
SUBSTANCES = {  # primary substance: (weight, ICD-10-CM code for a moderate/severe use disorder)
    "alcohol": (0.35, "F10.20"),
    "opioids": (0.20, "F11.20"),
    "methamphetamine": (0.18, "F15.20"),
    "cannabis": (0.12, "F12.20"),
    "cocaine": (0.10, "F14.20"),
    "sedatives": (0.05, "F13.20"),
}
_CO_OCCURRING = ("F32.1", "F41.1", "F43.10", "F33.1")
# The registry's vocabulary (patients.enrollment_rules); a test keeps the two in step.
DISCHARGE_TYPES = (
    ("completed", 0.5),
    ("left_before_completion", 0.2),
    ("stepped_down", 0.15),
    ("referred_higher_level", 0.1),
    ("administrative", 0.05),
)
_LANGUAGES = (("English", 0.8), ("Spanish", 0.14), ("Vietnamese", 0.03), ("Tagalog", 0.03))
_SITE_WEIGHTS = (0.4, 0.3, 0.3)


def fictional_phone(rng: random.Random) -> str:
    """Area code 555 with an exchange starting 0: a shape no real US number has."""
    return f"(555) 01{rng.randrange(10)}-{rng.randrange(10000):04d}"


def with_email(patient: PatientPlan, email: str) -> PatientPlan:
    return replace(patient, email=email)


def _pick(rng: random.Random, weighted: Sequence[tuple[str, float]]) -> str:
    return rng.choices([k for k, _ in weighted], weights=[w for _, w in weighted])[0]


def commitments_for(routine: str) -> tuple[CommitmentPlan, ...]:
    blocks = _ROUTINES[routine][1]
    return tuple(
        CommitmentPlan(kind, day, time(h1, m1), time(h2, m2), label)
        for kind, days, h1, m1, h2, m2, label in blocks
        for day in days
    )


def fits(track: TrackPlan, commitments: Sequence[CommitmentPlan]) -> bool:
    """True when no commitment, plus travel time either side, overlaps a group day."""
    day = date(2000, 1, 3)  # any Monday: only times of day matter
    start, end = datetime.combine(day, track.start), datetime.combine(day, track.end)
    for c in commitments:
        if str(c.weekday) not in track.weekdays:
            continue
        c_start, c_end = datetime.combine(day, c.start), datetime.combine(day, c.end)
        if c_start - TRAVEL < end and start < c_end + TRAVEL:
            return False
    return True


@dataclass
class _Loads:
    """Open (active or pending) enrollments per track and per staff member."""

    track: dict[str, int]
    staff: dict[str, int]

    def least_loaded(self, keys: Sequence[str]) -> str:
        return min(keys, key=lambda k: self.staff.get(k, 0))


def build_patients(
    rng: random.Random,
    *,
    count: int,
    today: date,
    sites: Sequence[Site],
    staff: Sequence[StaffPlan],
) -> tuple[PatientPlan, ...]:
    pairs = [(first, last) for last in names.PATIENT_SURNAMES for first in names.FIRST_NAMES]
    rng.shuffle(pairs)
    mrns = rng.sample(range(100000, 1000000), count)
    loads = _Loads({}, {})
    result = []
    for index in range(count):
        site = rng.choices(list(sites), weights=_SITE_WEIGHTS[: len(sites)])[0]
        first, last = pairs[index]
        routine = _pick(rng, [(k, v[0]) for k, v in _ROUTINES.items()])
        commitments = commitments_for(routine)
        enrollment = _enrollment(rng, site, commitments, today, staff, loads)
        result.append(_patient(rng, f"DEMO-{mrns[index]}", first, last, site, today,
                               commitments, enrollment))  # fmt: skip
    return tuple(result)


def _patient(
    rng: random.Random,
    mrn: str,
    first: str,
    last: str,
    site: Site,
    today: date,
    commitments: tuple[CommitmentPlan, ...],
    enrollment: EnrollmentPlan,
) -> PatientPlan:
    sex = "female" if rng.random() < 0.45 else "male"
    identity, pronouns = ("woman", "she/her") if sex == "female" else ("man", "he/him")
    if rng.random() < 0.06:
        identity, pronouns = "non-binary", "they/them"
    contact_first = rng.choice(names.FIRST_NAMES)
    contact_last = rng.choice((last, rng.choice(names.PATIENT_SURNAMES)))
    return PatientPlan(
        mrn=mrn,
        first_name=first,
        last_name=last,
        date_of_birth=today - timedelta(days=rng.randrange(19 * 365 + 5, 67 * 365)),
        sex_at_birth=sex,
        gender_identity=identity,
        pronouns=pronouns,
        phone=fictional_phone(rng),
        email=f"{first}.{last}@example.org".lower(),
        address_line1=f"{rng.randrange(10, 9900)} {rng.choice(names.STREETS)}",
        city=site.city,
        postal_code=site.postal_code,
        preferred_language=_pick(rng, _LANGUAGES),
        emergency_contact_name=f"{contact_first} {contact_last}",
        emergency_contact_relationship=rng.choice(names.RELATIONSHIPS),
        emergency_contact_phone=fictional_phone(rng),
        commitments=commitments,
        enrollment=enrollment,
    )


def _enrollment(
    rng: random.Random,
    site: Site,
    commitments: Sequence[CommitmentPlan],
    today: date,
    staff: Sequence[StaffPlan],
    loads: _Loads,
) -> EnrollmentPlan:
    roll = rng.random()
    status = "active" if roll < 0.68 else "discharged" if roll < 0.9 else "pending"
    fitting = [t for t in site.tracks if fits(t, commitments)]
    track = _choose_track(fitting, loads, counting=status != "discharged")
    if track is None and status == "active":
        status = "pending"  # no seat in a group that fits their week: on the wait list
    counselor = _assign(site, staff, Role.COUNSELOR, loads, counting=status != "discharged")
    physician = _assign(site, staff, Role.PHYSICIAN, loads, counting=status != "discharged")
    admit, discharge, discharge_type = _dates(rng, status, today)
    substance = _pick(rng, [(k, v[0]) for k, v in SUBSTANCES.items()])
    codes = [SUBSTANCES[substance][1]]
    if rng.random() < 0.4:
        codes.append(rng.choice(_CO_OCCURRING))
    if rng.random() < 0.2:
        codes.append("F17.210")  # nicotine dependence, cigarettes
    return EnrollmentPlan(
        location_code=site.code,
        track_key=track.key if track else None,
        status=status,
        admit_date=admit,
        discharge_date=discharge,
        discharge_type=discharge_type,
        counselor_key=counselor,
        physician_key=physician,
        primary_substance=substance,
        diagnosis_codes=",".join(codes),
    )


def _choose_track(fitting: list[TrackPlan], loads: _Loads, *, counting: bool) -> TrackPlan | None:
    if not counting:
        return fitting[0] if fitting else None
    open_seats = [t for t in fitting if loads.track.get(t.key, 0) < t.group_size_cap]
    if not open_seats:
        return None
    chosen = min(open_seats, key=lambda t: loads.track.get(t.key, 0))
    loads.track[chosen.key] = loads.track.get(chosen.key, 0) + 1
    return chosen


def _assign(
    site: Site, staff: Sequence[StaffPlan], role: Role, loads: _Loads, *, counting: bool
) -> str:
    keys = [s.key for s in staff if s.role is role and site.code in s.location_codes]
    chosen = loads.least_loaded(keys)
    if counting:
        loads.staff[chosen] = loads.staff.get(chosen, 0) + 1
    return chosen


def _dates(rng: random.Random, status: str, today: date) -> tuple[date, date | None, str | None]:
    if status == "pending":
        return today + timedelta(days=rng.randrange(1, 11)), None, None
    if status == "active":
        return today - timedelta(days=rng.randrange(1, 57)), None, None
    admit = today - timedelta(days=rng.randrange(60, 180))
    discharge = admit + timedelta(days=rng.randrange(21, 56))
    return admit, discharge, _pick(rng, DISCHARGE_TYPES)
