"""Pure rules for enrollments (episodes of care): reading the form, then checking it against
the facts the service gathers — sites, tracks, staff credentials, caseloads, other open
enrollments. No I/O. Every check returns {field: message}.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from openiop.admissions.dsm5 import SUBSTANCES  # one substance vocabulary for the product
from openiop.patients.rules import RuleError, parse_date, parse_id, text

ENROLLMENT_STATUSES = {"pending": "Pending", "active": "Active", "discharged": "Discharged"}
OPEN_STATUSES = frozenset({"pending", "active"})
DISCHARGE_TYPES = {
    "completed": "Completed the program",
    "left_before_completion": "Left before completion",
    "administrative": "Administrative discharge",
    "stepped_down": "Stepped down to a lower level of care",
    "referred_higher_level": "Referred to a higher level of care",
}
# Who may be the physician of record: prescribers (physicians, nurse practitioners, PAs).
PRESCRIBER_CREDENTIALS = frozenset({"MD", "DO", "NP", "PA"})
ICD10_SUD = re.compile(r"^F1[0-9]\.[0-9]{1,3}$")


@dataclass(frozen=True)
class EnrollmentInput:
    program_id: int
    location_id: int
    track_id: int | None
    admit_date: date
    primary_counselor_id: int | None
    physician_id: int | None
    status: str
    discharge_date: date | None
    discharge_type: str | None
    primary_substance: str | None
    diagnosis_codes: tuple[str, ...]

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


def parse_diagnosis_codes(raw: object) -> tuple[str, ...]:
    """Comma-separated ICD-10-CM codes for substance use (F10-F19), e.g. "F10.20, F12.10"."""
    parts = raw if isinstance(raw, list | tuple) else text(raw).split(",")
    codes: list[str] = []
    for part in parts:
        code = text(part).upper()
        if not code:
            continue
        if not ICD10_SUD.match(code):
            raise RuleError(f"{code} is not an ICD-10-CM substance-use code like F10.20 (F10-F19).")
        if code not in codes:
            codes.append(code)
    if len(", ".join(codes)) > 200:
        raise RuleError("Too many codes: keep the list under 200 characters.")
    return tuple(codes)


_ENROLLMENT_READERS = {
    "program_id": parse_id,
    "location_id": parse_id,
    "track_id": parse_id,
    "primary_counselor_id": parse_id,
    "physician_id": parse_id,
    "admit_date": parse_date,
    "discharge_date": parse_date,
    "diagnosis_codes": parse_diagnosis_codes,
}


def parse_enrollment(raw: Mapping[str, object]) -> tuple[EnrollmentInput | None, dict[str, str]]:
    """Read the form; check each field's own shape and the discharge fields' consistency."""
    values: dict[str, object] = {}
    errors: dict[str, str] = {}
    for name, reader in _ENROLLMENT_READERS.items():
        try:
            values[name] = reader(raw.get(name))
        except RuleError as error:
            errors[name] = str(error)
    for name, message in (
        ("program_id", "Choose a program."),
        ("location_id", "Choose a site."),
        ("admit_date", "Required."),
    ):
        if name not in errors and values.get(name) is None:
            errors[name] = message
    _choice(raw, "status", ENROLLMENT_STATUSES, values, errors, required=True)
    _choice(raw, "discharge_type", DISCHARGE_TYPES, values, errors)
    _choice(raw, "primary_substance", SUBSTANCES, values, errors)
    errors.update(_discharge_problems(values, errors))
    if errors:
        return None, errors
    return EnrollmentInput(**values), {}  # type: ignore[arg-type]


def _choice(raw, name, options, values, errors, required=False) -> None:  # type: ignore[no-untyped-def]
    value = text(raw.get(name))
    if value and value not in options:
        errors[name] = "Choose one of the listed options."
    elif not value and required:
        errors[name] = "Required."
    values[name] = value or None


def _discharge_problems(values: Mapping[str, object], errors: Mapping[str, str]) -> dict[str, str]:
    problems: dict[str, str] = {}
    admitted, left = values.get("admit_date"), values.get("discharge_date")
    if values.get("status") == "discharged":
        if left is None and "discharge_date" not in errors:
            problems["discharge_date"] = "A discharged enrollment needs its discharge date."
        if values.get("discharge_type") is None and "discharge_type" not in errors:
            problems["discharge_type"] = "Say how the enrollment ended."
    elif values.get("status") in OPEN_STATUSES:
        if left is not None:
            problems["discharge_date"] = "Only a discharged enrollment has a discharge date."
        if values.get("discharge_type") is not None:
            problems["discharge_type"] = "Only a discharged enrollment has a discharge type."
    if isinstance(admitted, date) and isinstance(left, date) and left < admitted:
        problems["discharge_date"] = "The discharge date cannot be before the admit date."
    return problems


@dataclass(frozen=True)
class StaffFacts:
    name: str
    active: bool
    location_ids: frozenset[int]
    credentials: frozenset[str]
    open_caseload: int  # open enrollments as primary counselor, not counting this one
    caseload_cap: int  # 0: no cap set


@dataclass(frozen=True)
class TrackFacts:
    program_id: int
    location_id: int
    active: bool


@dataclass(frozen=True)
class EnrollmentFacts:
    today: date
    date_of_birth: date
    actor_location_ids: frozenset[int] | None  # None: every site
    program_ids: frozenset[int]  # the organization's active programs
    track: TrackFacts | None
    counselor: StaffFacts | None
    physician: StaffFacts | None
    counselor_newly_assigned: bool
    other_open_enrollment: bool


def enrollment_problems(entry: EnrollmentInput, facts: EnrollmentFacts) -> dict[str, str]:
    """Checks against the rest of the record: sites, tracks, staff, caseloads, overlaps."""
    problems: dict[str, str] = {}
    if entry.program_id not in facts.program_ids:
        problems["program_id"] = "Choose one of the active programs."
    if facts.actor_location_ids is not None and entry.location_id not in facts.actor_location_ids:
        problems["location_id"] = "Choose one of your own sites."
    problems.update(_date_problems(entry, facts))
    problems.update(_track_problems(entry, facts.track))
    problems.update(_counselor_problems(entry, facts))
    problems.update(_physician_problems(entry, facts.physician))
    if entry.is_open and facts.other_open_enrollment:
        problems["status"] = (
            "This patient already has an open enrollment: discharge it before opening another."
        )
    return problems


def _date_problems(entry: EnrollmentInput, facts: EnrollmentFacts) -> dict[str, str]:
    problems = {}
    if entry.admit_date < facts.date_of_birth:
        problems["admit_date"] = "The admit date cannot be before the date of birth."
    elif entry.admit_date > facts.today + timedelta(days=365):
        problems["admit_date"] = "The admit date is more than a year away."
    if entry.discharge_date and entry.discharge_date > facts.today:
        problems["discharge_date"] = "The discharge date cannot be in the future."
    return problems


def _track_problems(entry: EnrollmentInput, track: TrackFacts | None) -> dict[str, str]:
    if entry.track_id is None:
        return {}
    if track is None or not track.active:
        return {"track_id": "Choose one of the active tracks."}
    if track.location_id != entry.location_id or track.program_id != entry.program_id:
        return {"track_id": "The track must run at the chosen site, in the chosen program."}
    return {}


def _counselor_problems(entry: EnrollmentInput, facts: EnrollmentFacts) -> dict[str, str]:
    if entry.primary_counselor_id is None:
        return {}
    counselor = facts.counselor
    if counselor is None or not counselor.active:
        return {"primary_counselor_id": "Choose one of the active staff."}
    if entry.location_id not in counselor.location_ids:
        return {"primary_counselor_id": f"{counselor.name} does not work at the chosen site."}
    # A counselor at their cap is refused rather than warned: caseload caps exist for
    # safe care, and a director can raise the cap in staff setup when it is justified.
    at_cap = counselor.caseload_cap and counselor.open_caseload >= counselor.caseload_cap
    if entry.is_open and facts.counselor_newly_assigned and at_cap:
        return {
            "primary_counselor_id": f"{counselor.name} already has {counselor.open_caseload} open "
            f"cases (cap {counselor.caseload_cap}). Choose another counselor."
        }
    return {}


def _physician_problems(entry: EnrollmentInput, physician: StaffFacts | None) -> dict[str, str]:
    if entry.physician_id is None:
        return {}
    if physician is None or not physician.active:
        return {"physician_id": "Choose one of the active staff."}
    if entry.location_id not in physician.location_ids:
        return {"physician_id": f"{physician.name} does not work at the chosen site."}
    if not physician.credentials & PRESCRIBER_CREDENTIALS:
        return {"physician_id": f"{physician.name} does not hold an MD, DO, NP or PA credential."}
    return {}
