"""The admissions pipeline as pure rules: stages and the moves between them, duplicate
inquiries, and the conversion figures. No database, no web: tested by tables.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime

# ---- stages --------------------------------------------------------------------------------

OPEN_STAGES = (
    "new",
    "contacted",
    "screening_scheduled",
    "assessed",
    "insurance_verified",
    "admitted",
)
CLOSED_STAGES = ("referred_out", "not_admitted", "lost")
STAGES = OPEN_STAGES + CLOSED_STAGES
STAGE_LABELS = {
    "new": "New",
    "contacted": "Contacted",
    "screening_scheduled": "Screening scheduled",
    "assessed": "Assessed",
    "insurance_verified": "Insurance verified",
    "admitted": "Admitted",
    "referred_out": "Referred out",
    "not_admitted": "Not admitted",
    "lost": "Lost",
}
# A person who was lost or sent elsewhere may call back: the inquiry reopens as "contacted",
# since someone has just spoken with them.
REOPEN_STAGE = "contacted"


def transition_error(current: str, target: str, reason: str | None) -> tuple[str, str] | None:
    """None when moving from `current` to `target` is allowed, else (field, message).

    Allowed: staying put; forward one or more open stages; to a closed stage with a reason
    (also between closed stages, to correct the reason); reopening a closed inquiry as
    "contacted". Never out of "admitted", and never backwards among the open stages.
    """
    if target not in STAGES:
        return "stage", "Choose a stage from the list."
    if target == current:
        return None
    if current == "admitted":
        return "stage", "An admitted inquiry stays admitted."
    if target in CLOSED_STAGES:
        if not (reason or "").strip():
            return "closed_reason", "Say why this inquiry is closed."
        return None
    if current in CLOSED_STAGES:
        if target == REOPEN_STAGE:
            return None
        return "stage", "A closed inquiry can only be reopened as Contacted."
    if OPEN_STAGES.index(target) < OPEN_STAGES.index(current):
        return "stage", "An inquiry moves forward only; close it with a reason instead."
    return None


def next_stages(current: str) -> list[str]:
    """Where a board card may move without a reason: the open stages after this one."""
    if current in CLOSED_STAGES:
        return [REOPEN_STAGE]
    if current == "admitted":
        return []
    return list(OPEN_STAGES[OPEN_STAGES.index(current) + 1 :])


# ---- duplicates ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    inquiry_id: int
    name: str
    phone: str | None = None
    email: str | None = None
    date_of_birth: date | None = None


def phone_key(phone: str | None) -> str | None:
    """The last ten digits: "(555) 010-0123", "555.010.0123" and "+1 5550100123" match."""
    digits = re.sub(r"\D", "", phone or "")
    return digits[-10:] if len(digits) >= 10 else None


def name_key(name: str | None) -> str:
    return " ".join(re.sub(r"[^\w\s]", "", (name or "").casefold()).split())


def duplicate_reasons(one: Person, other: Person) -> list[str]:
    reasons = []
    if phone_key(one.phone) and phone_key(one.phone) == phone_key(other.phone):
        reasons.append("same phone")
    if one.email and other.email and one.email.strip().lower() == other.email.strip().lower():
        reasons.append("same email")
    if (
        one.date_of_birth
        and one.date_of_birth == other.date_of_birth
        and name_key(one.name)
        and name_key(one.name) == name_key(other.name)
    ):
        reasons.append("same name and date of birth")
    return reasons


def find_duplicates(person: Person, others: Iterable[Person]) -> list[tuple[Person, list[str]]]:
    """Other inquiries that look like the same person, with why; never the inquiry itself."""
    found = []
    for other in others:
        if other.inquiry_id == person.inquiry_id:
            continue
        reasons = duplicate_reasons(person, other)
        if reasons:
            found.append((other, reasons))
    return found


# ---- conversion figures --------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """One inquiry as the figures see it; `admitted_at` None when not (yet) admitted."""

    created_at: datetime
    admitted_at: datetime | None
    source: str
    location: str


@dataclass(frozen=True)
class Figure:
    group: str
    inquiries: int
    admitted: int
    median_days: float | None

    @property
    def rate_percent(self) -> float:
        return round(100 * self.admitted / self.inquiries, 1) if self.inquiries else 0.0

    @property
    def rate_text(self) -> str:
        return f"{self.rate_percent:g}%" if self.inquiries else "—"

    @property
    def median_text(self) -> str:
        return "—" if self.median_days is None else f"{self.median_days:g}"


def days_to_admission(outcome: Outcome) -> int | None:
    if outcome.admitted_at is None:
        return None
    return max(0, (outcome.admitted_at - outcome.created_at).days)


def median(values: list[int]) -> float | None:
    """The middle value; with an even count the mean of the two middle ones; None if empty."""
    return float(statistics.median(values)) if values else None


def figure(group: str, outcomes: list[Outcome]) -> Figure:
    days = [d for d in map(days_to_admission, outcomes) if d is not None]
    return Figure(group, len(outcomes), len(days), median(days))


def conversion_by(outcomes: Iterable[Outcome], key: Callable[[Outcome], str]) -> list[Figure]:
    """Figures per group, largest group first, then by name."""
    groups: dict[str, list[Outcome]] = {}
    for outcome in outcomes:
        groups.setdefault(key(outcome), []).append(outcome)
    figures = [figure(name, rows) for name, rows in groups.items()]
    return sorted(figures, key=lambda f: (-f.inquiries, f.group))


def by_source(outcomes: Iterable[Outcome]) -> list[Figure]:
    return conversion_by(outcomes, lambda o: o.source)


def by_location(outcomes: Iterable[Outcome]) -> list[Figure]:
    return conversion_by(outcomes, lambda o: o.location)
