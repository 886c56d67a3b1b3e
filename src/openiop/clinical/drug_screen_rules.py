"""Pure rules for drug screens: the vocabulary, reading the collection and result forms, and
the per-screen outcome shown in a patient's trend. No I/O.

Results are per substance class. "expected" is a positive explained by a medication the
patient is prescribed (buprenorphine for a patient on buprenorphine): it is not a relapse
signal but must name the medication. "invalid" and "dilute" mean the specimen could not be
read or was too dilute to trust; they are shown apart from negatives.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from openiop.kit.errors import ValidationFailed

SPECIMENS = {
    "urine": "Urine",
    "oral_fluid": "Oral fluid",
    "breath": "Breath",
    "blood": "Blood",
    "hair": "Hair",
}
TESTING = {"point_of_care": "Point-of-care test", "lab": "Laboratory"}
SUBSTANCE_CLASSES = {
    "alcohol": "Alcohol (EtG/EtS or breath)",
    "amphetamines": "Amphetamines",
    "methamphetamine": "Methamphetamine",
    "benzodiazepines": "Benzodiazepines",
    "buprenorphine": "Buprenorphine",
    "cannabinoids": "Cannabinoids (THC)",
    "cocaine": "Cocaine",
    "fentanyl": "Fentanyl",
    "methadone": "Methadone",
    "opiates": "Opiates (morphine, codeine)",
    "oxycodone": "Oxycodone",
    "barbiturates": "Barbiturates",
}
RESULTS = {
    "negative": "Negative",
    "positive": "Positive",
    "expected": "Positive, expected (prescribed)",
    "invalid": "Invalid",
    "dilute": "Dilute",
}
# How one screen reads in the trend, worst first.
OUTCOMES = {
    "positive": "Unexpected positive",
    "unreadable": "Invalid or dilute",
    "expected": "Only expected positives",
    "negative": "All negative",
    "pending": "Awaiting results",
}


@dataclass(frozen=True)
class CollectionInput:
    collected_on: date
    observed: bool
    specimen: str
    testing: str
    lab_name: str | None
    note: str | None


def parse_collection(
    raw: Mapping[str, object], *, admit_date: date, today: date
) -> CollectionInput:
    errors: dict[str, str] = {}
    collected = _collected_on(raw.get("collected_on"), admit_date, today, errors)
    observed = str(raw.get("observed") or "")
    if observed not in {"yes", "no"}:
        errors["observed"] = "Say whether the collection was observed."
    specimen = _choice(raw, "specimen", SPECIMENS, "Choose the specimen type.", errors)
    testing = _choice(raw, "testing", TESTING, "Choose point-of-care or laboratory.", errors)
    lab = str(raw.get("lab_name") or "").strip() or None
    if testing == "lab" and lab is None:
        errors["lab_name"] = "Name the laboratory the specimen goes to."
    note = str(raw.get("note") or "").strip() or None
    if errors:
        raise ValidationFailed(next(iter(errors.values())), field_errors=errors)
    assert collected is not None
    return CollectionInput(collected, observed == "yes", specimen, testing, lab, note)


@dataclass(frozen=True)
class ResultInput:
    substance_class: str
    result: str
    medication: str | None


def parse_results(raw: Mapping[str, object]) -> list[ResultInput]:
    """Fields result_<class> (blank: not tested) and medication_<class> for "expected"."""
    rows, errors = [], {}
    for key in SUBSTANCE_CLASSES:
        result = str(raw.get(f"result_{key}") or "")
        if not result:
            continue
        if result not in RESULTS:
            errors[f"result_{key}"] = "Choose a result from the list."
            continue
        medication = str(raw.get(f"medication_{key}") or "").strip() or None
        if result == "expected" and medication is None:
            errors[f"medication_{key}"] = "Name the prescribed medication that explains it."
        rows.append(ResultInput(key, result, medication if result == "expected" else None))
    if not rows and not errors:
        errors["result_alcohol"] = "Record at least one substance class's result."
    if errors:
        raise ValidationFailed(next(iter(errors.values())), field_errors=errors)
    return rows


def outcome(results: Iterable[str]) -> str:
    found = set(results)
    if not found:
        return "pending"
    if "positive" in found:
        return "positive"
    if found & {"invalid", "dilute"}:
        return "unreadable"
    return "expected" if "expected" in found else "negative"


def _choice(
    raw: Mapping[str, object],
    name: str,
    options: Mapping[str, str],
    message: str,
    errors: dict[str, str],
) -> str:
    value = str(raw.get(name) or "")
    if value not in options:
        errors[name] = message
    return value


def _collected_on(
    value: object, admit_date: date, today: date, errors: dict[str, str]
) -> date | None:
    text = str(value or "").strip()
    try:
        collected = date.fromisoformat(text)
    except ValueError:
        errors["collected_on"] = "Enter the collection date as YYYY-MM-DD."
        return None
    if collected > today:
        errors["collected_on"] = "The collection date cannot be in the future."
    elif collected < admit_date:
        errors["collected_on"] = "The collection date cannot be before the admission date."
    return collected
