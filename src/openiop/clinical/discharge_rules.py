"""Pure rules for discharge: the types, reading the form, what must be there before the
summary is signed, and the plain-words lines of the drafted record. No I/O."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from openiop.kit.errors import ValidationFailed
from openiop.patients.enrollment_rules import DISCHARGE_TYPES

# Where the patient goes next must be named for these types.
NEEDS_REFERRAL = frozenset({"stepped_down", "referred_higher_level"})
__all__ = ["DISCHARGE_TYPES", "NEEDS_REFERRAL", "DischargeInput", "parse_discharge"]


@dataclass(frozen=True)
class DischargeInput:
    discharge_type: str
    discharge_date: date
    referral_to: str | None
    clinical_course: str
    aftercare_plan: str


def parse_discharge(raw: Mapping[str, object], *, admit_date: date, today: date) -> DischargeInput:
    errors: dict[str, str] = {}
    kind = str(raw.get("discharge_type") or "")
    if kind not in DISCHARGE_TYPES:
        errors["discharge_type"] = "Choose how the enrollment ends."
    left = _date(raw.get("discharge_date"), errors)
    if left is not None and left < admit_date:
        errors["discharge_date"] = "The discharge date cannot be before the admission date."
    elif left is not None and left > today:
        errors["discharge_date"] = "The discharge date cannot be in the future."
    referral = str(raw.get("referral_to") or "").strip() or None
    if kind in NEEDS_REFERRAL and referral is None:
        errors["referral_to"] = "Name the program or provider the patient goes to."
    course = str(raw.get("clinical_course") or "").strip()
    aftercare = str(raw.get("aftercare_plan") or "").strip()
    if errors:
        raise ValidationFailed(next(iter(errors.values())), field_errors=errors)
    assert left is not None
    return DischargeInput(kind, left, referral, course, aftercare)


def signing_problems(course: str, aftercare: str) -> dict[str, str]:
    errors = {}
    if not course.strip():
        errors["clinical_course"] = "Write the clinical course before signing."
    if not aftercare.strip():
        errors["aftercare_plan"] = "Write the aftercare plan before signing."
    return errors


def _date(value: object, errors: dict[str, str]) -> date | None:
    try:
        return date.fromisoformat(str(value or "").strip())
    except ValueError:
        errors["discharge_date"] = "Enter the discharge date as YYYY-MM-DD."
        return None


def hours(minutes: int | None) -> str:
    if minutes is None:
        return "not recorded"
    whole, rest = divmod(minutes, 60)
    return f"{whole} h {rest:02d} min"


def record_lines(record: Mapping[str, Any]) -> list[tuple[str, list[str]]]:
    """The drafted record as headed sections of plain lines (the page and the PDF share it)."""
    stay = record["stay"]
    sections = [
        (
            "Episode",
            [
                f"Program: {stay['program']} at {stay['location']}",
                f"Admitted {stay['admit_date']}; discharged {stay['discharge_date']} "
                f"({stay['days']} days)",
            ],
        ),
        ("Attendance", _attendance_lines(record["attendance"])),
        ("Measures at admission and at discharge", _measure_lines(record["measures"])),
        ("Treatment plan progress", _plan_lines(record["plan"])),
        ("Drug screens", _screen_lines(record["drug_screens"])),
    ]
    return sections


def _attendance_lines(att: Mapping[str, Any]) -> list[str]:
    lines = [
        f"Group: {att['group_sessions']} sessions attended, {hours(att['group_minutes'])}",
        f"Individual sessions: {att['individual_sessions']}, {hours(att['individual_minutes'])}",
        f"Physician visits: {att['physician_visits']}, {hours(att['physician_minutes'])}",
    ]
    if att.get("no_shows"):
        lines.append(f"Missed appointments (no-show): {att['no_shows']}")
    lines.append(f"Source: {att['source']}")
    return lines


def _measure_lines(measures: list[Mapping[str, Any]]) -> list[str]:
    if not measures:
        return ["No measures given."]
    return [
        f"{m['instrument']}: {m['first']['on']} {m['first']['score']} → "
        f"{m['last']['on']} {m['last']['score']}"
        if m["last"]["on"] != m["first"]["on"]
        else f"{m['instrument']}: given once, {m['first']['on']} {m['first']['score']}"
        for m in measures
    ]


def _plan_lines(plan: Mapping[str, Any] | None) -> list[str]:
    if not plan:
        return ["No signed treatment plan."]
    lines = [
        f"{o['statement']} (target {o['target_date']}): {o['status']}" for o in plan["objectives"]
    ]
    counts = ", ".join(f"{n} {label.lower()}" for label, n in plan["counts"].items() if n)
    return [f"Objectives: {counts}", *lines]


def _screen_lines(screens: Mapping[str, Any]) -> list[str]:
    if not screens["total"]:
        return ["No drug screens collected."]
    parts = ", ".join(f"{n} {label.lower()}" for label, n in screens["by_outcome"].items() if n)
    return [f"{screens['total']} screens: {parts}"]
