"""DSM-5 substance use disorder checklist: 11 criteria over the past 12 months, counted per
substance, give the severity. Pure.

The criteria below are our own plain-language paraphrases, written for a clinician's checklist;
the manual's wording is copyrighted and is not reproduced. The clinician decides whether each
criterion is met; this module only counts and names the severity.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import NoReturn

from openiop.kit.errors import ValidationFailed

CRITERIA_COUNT = 11

# The substance classes the checklist is counted for; the patient registry's primary-substance
# choices use this same list, so a substance recorded at assessment carries across.
SUBSTANCES: dict[str, str] = {
    "alcohol": "Alcohol",
    "opioids": "Opioids",
    "methamphetamine": "Methamphetamine",
    "cocaine": "Cocaine",
    "other_stimulants": "Other stimulants",
    "cannabis": "Cannabis",
    "sedatives": "Sedatives, hypnotics or anxiolytics",
    "hallucinogens": "Hallucinogens",
    "inhalants": "Inhalants",
    "other": "Other",
}


@dataclass(frozen=True)
class Criterion:
    number: int
    key: str
    group: str
    paraphrase: str


# Grouped as the manual groups them: control, social life, risky use, the body's adaptation.
_ROWS = (
    ("more_or_longer", "control", "Often ends up using more, or for longer, than meant to."),
    ("cannot_cut_down", "control", "Wants to cut down or stop, or has tried, without managing it."),
    ("time_spent", "control", "A lot of time goes on getting it, using it, or getting over it."),
    ("craving", "control", "Has strong urges or cravings to use."),
    ("role_failure", "social", "Use keeps getting in the way of duties at work, school or home."),
    ("relationship_problems", "social", "Keeps using though it causes or worsens trouble with other people."),
    ("activities_given_up", "social", "Has dropped or cut back important activities because of use."),
    ("hazardous_use", "risky_use", "Uses again and again where it is physically dangerous."),
    ("use_despite_harm", "risky_use", "Keeps using while knowing it causes or worsens a health problem, physical or mental."),
    ("tolerance", "adaptation", "Needs more for the same effect, or gets less effect from the same amount."),
    ("withdrawal", "adaptation", "Has withdrawal symptoms, or uses to ease or avoid them."),
)  # fmt: skip
CRITERIA: tuple[Criterion, ...] = tuple(Criterion(n, *row) for n, row in enumerate(_ROWS, start=1))
# Tolerance and withdrawal do not count for a medicine taken only as prescribed under medical care.
PRESCRIBED_USE_NOTE = (
    "Do not count tolerance (10) or withdrawal (11) when they come only from a medicine taken as "
    "prescribed under medical care."
)

SEVERITIES = ("none", "mild", "moderate", "severe")
SEVERITY_LABELS = {
    "none": "No use disorder (0–1 criteria)",
    "mild": "Mild (2–3 criteria)",
    "moderate": "Moderate (4–5 criteria)",
    "severe": "Severe (6 or more criteria)",
}
SEVERITY_RANK = {name: rank for rank, name in enumerate(SEVERITIES)}
_BY_KEY = {c.key: c for c in CRITERIA}


class Dsm5InputError(ValidationFailed):
    """A count or checklist that cannot be right; `field_errors` names the field."""


def severity(criteria_met: int) -> str:
    """0–1 none, 2–3 mild, 4–5 moderate, 6–11 severe."""
    check_count(criteria_met, field="criteria_met")
    if criteria_met >= 6:
        return "severe"
    if criteria_met >= 4:
        return "moderate"
    return "mild" if criteria_met >= 2 else "none"


def check_count(criteria_met: object, *, field: str) -> None:
    if isinstance(criteria_met, bool) or not isinstance(criteria_met, int):
        _fail(
            field,
            f"{field}: criteria met must be a whole number from 0 to 11, not {criteria_met!r}.",
        )
    if not 0 <= criteria_met <= CRITERIA_COUNT:
        _fail(field, f"{field}: criteria met must be from 0 to 11; got {criteria_met}.")


def count_checklist(met: Iterable[int | str], *, field: str = "criteria") -> int:
    """How many distinct criteria a checklist ticks; each given by number (1–11) or key."""
    numbers: set[int] = set()
    for entry in met:
        criterion = _BY_KEY.get(entry) if isinstance(entry, str) else None
        if criterion is None and isinstance(entry, int) and not isinstance(entry, bool):
            criterion = CRITERIA[entry - 1] if 1 <= entry <= CRITERIA_COUNT else None
        if criterion is None:
            _fail(
                field, f"{field}: {entry!r} is not a DSM-5 criterion; use 1–11 or a criterion key."
            )
        numbers.add(criterion.number)
    return len(numbers)


def normalize_substance(name: object) -> str | None:
    """The substance key, ignoring case and spaces; None when it is not a known class."""
    if not isinstance(name, str):
        return None
    key = name.strip().casefold()
    return key if key in SUBSTANCES else None


@dataclass(frozen=True)
class Finding:
    """The checklist result for one substance."""

    substance: str
    criteria_met: int
    severity: str

    @property
    def has_disorder(self) -> bool:
        return self.severity != "none"

    def describe(self) -> str:
        """For reasons and pages, e.g. alcohol: 5 of 11 criteria, moderate."""
        return f"{self.substance}: {self.criteria_met} of 11 criteria, {self.severity}"


def assess(criteria_met: Mapping[str, int]) -> tuple[Finding, ...]:
    """A finding per substance, most severe first (ties keep the order given)."""
    findings = []
    for substance, count in criteria_met.items():
        key = normalize_substance(substance)
        if key is None:
            _fail(f"dsm5_criteria_met.{substance}", _unknown_substance(substance))
        check_count(count, field=f"dsm5_criteria_met.{substance}")
        findings.append(Finding(key, count, severity(count)))
    return tuple(sorted(findings, key=lambda f: -f.criteria_met))


def most_severe(findings: Iterable[Finding]) -> Finding | None:
    return max(findings, key=lambda f: f.criteria_met, default=None)


def _unknown_substance(name: object) -> str:
    return f"{name!r} is not a known substance; use one of: {', '.join(SUBSTANCES)}."


def _fail(field: str, message: str) -> NoReturn:
    raise Dsm5InputError(message, field_errors={field: message})
