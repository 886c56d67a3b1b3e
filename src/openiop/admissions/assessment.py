"""What a clinician enters for a level-of-care decision, and the check that it all makes sense.

`validate` collects every problem before refusing, so a form or the API can show them all at
once, each under the field it concerns ("substances", "dsm5_criteria_met.alcohol",
"instruments.PHQ-9", "home_environment", "dimension_ratings.5"). Pure.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from openiop.admissions import dsm5
from openiop.admissions.dimensions import DIMENSIONS
from openiop.instruments import DEFAULT_SCORING, Score, ScoringSettings, score
from openiop.kit.errors import ValidationFailed

HOME_ENVIRONMENTS: dict[str, str] = {
    "safe_home": "Safe home",
    "sober_living": "Sober-living home",
    "unsafe": "Unsafe or unstable home",
}
MAX_RATING = 4


class AssessmentInputError(ValidationFailed):
    """One or more fields are wrong; the message lists them all, `field_errors` maps each."""


@dataclass(frozen=True)
class Assessment:
    """The API's request body as a value. Instruments and dimension ratings are optional."""

    substances: Sequence[str]
    dsm5_criteria_met: Mapping[str, int]
    home_environment: str
    instruments: Mapping[str, Sequence[int]] = field(default_factory=dict)
    dimension_ratings: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Facts:
    """A checked assessment: normalised names, DSM-5 findings and instrument scores."""

    findings: tuple[dsm5.Finding, ...]  # most severe first
    scores: dict[str, Score]
    ratings: dict[str, int]  # only the dimensions that were rated
    home_environment: str

    @property
    def worst(self) -> dsm5.Finding:
        return self.findings[0]

    def rating(self, dimension: str) -> int | None:
        return self.ratings.get(dimension)

    def total(self, instrument: str) -> int | None:
        found = self.scores.get(instrument)
        return None if found is None else found.total


def validate(inputs: Assessment, scoring: ScoringSettings = DEFAULT_SCORING) -> Facts:
    errors: dict[str, str] = {}
    substances = _substances(inputs.substances, errors)
    findings = _findings(inputs.dsm5_criteria_met, substances, errors)
    home = _home(inputs.home_environment, errors)
    ratings = _ratings(inputs.dimension_ratings, errors)
    scores = _scores(inputs.instruments, scoring, errors)
    if errors:
        raise AssessmentInputError(" ".join(errors.values()), field_errors=errors)
    return Facts(findings=findings, scores=scores, ratings=ratings, home_environment=home)


def _is_list(value: Any) -> bool:
    return isinstance(value, Sequence) and not isinstance(value, str | bytes)


def _substances(raw: Any, errors: dict[str, str]) -> list[str]:
    if not _is_list(raw) or not raw:
        errors["substances"] = "substances: name at least one substance of concern."
        return []
    found: list[str] = []
    for name in raw:
        key = dsm5.normalize_substance(name)
        if key is None:
            known = ", ".join(dsm5.SUBSTANCES)
            errors["substances"] = (
                f"substances: {name!r} is not a known substance; use one of: {known}."
            )
        elif key in found:
            errors["substances"] = f"substances: {key} is listed twice."
        else:
            found.append(key)
    return found


def _findings(raw: Any, substances: list[str], errors: dict[str, str]) -> tuple[dsm5.Finding, ...]:
    if not isinstance(raw, Mapping):
        errors["dsm5_criteria_met"] = (
            "dsm5_criteria_met: give the number of criteria met per substance."
        )
        return ()
    counts: dict[str, int] = {}
    for name, count in raw.items():
        where = f"dsm5_criteria_met.{name}"
        key = dsm5.normalize_substance(name)
        if key is None or key not in substances:
            errors[where] = f"{where}: {name!r} is not one of the substances listed."
            continue
        try:
            dsm5.check_count(count, field=where)
        except dsm5.Dsm5InputError as error:
            errors[where] = error.message
            continue
        if key in counts:
            errors[where] = f"{where}: {key} is given twice."
        counts[key] = count
    for substance in substances:
        if substance not in counts and f"dsm5_criteria_met.{substance}" not in errors:
            where = f"dsm5_criteria_met.{substance}"
            errors[where] = f"{where}: count the DSM-5 criteria met for {substance} (0–11)."
    return dsm5.assess(counts) if counts else ()


def _home(raw: Any, errors: dict[str, str]) -> str:
    if not isinstance(raw, str) or raw not in HOME_ENVIRONMENTS:
        allowed = ", ".join(HOME_ENVIRONMENTS)
        errors["home_environment"] = f"home_environment: {raw!r} is not one of {allowed}."
    return raw


def _ratings(raw: Any, errors: dict[str, str]) -> dict[str, int]:
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        errors["dimension_ratings"] = 'dimension_ratings: give ratings as {"1": 0, ..., "6": 4}.'
        return {}
    ratings: dict[str, int] = {}
    for dimension, rating in raw.items():
        key = str(dimension)
        where = f"dimension_ratings.{key}"
        if key not in DIMENSIONS:
            errors[where] = f"{where}: there is no dimension {dimension!r}; dimensions are 1–6."
        elif (
            isinstance(rating, bool) or not isinstance(rating, int) or not 0 <= rating <= MAX_RATING
        ):
            errors[where] = f"{where}: a rating is a whole number from 0 to 4, not {rating!r}."
        else:
            ratings[key] = rating
    return ratings


def _scores(raw: Any, scoring: ScoringSettings, errors: dict[str, str]) -> dict[str, Score]:
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        errors["instruments"] = 'instruments: give answers as {"PHQ-9": [9 item scores], ...}.'
        return {}
    scores: dict[str, Score] = {}
    for name, answers in raw.items():
        where = f"instruments.{name}"
        try:
            result = score(name, answers, settings=scoring)
        except ValidationFailed as error:
            errors[where] = error.message
            continue
        if result.instrument in scores:
            errors[where] = f"{where}: {result.instrument} is given twice."
        scores[result.instrument] = result
    return scores
