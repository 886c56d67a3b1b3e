"""DSM-5 substance use disorder checklist: counting criteria and naming the severity."""

from __future__ import annotations

import pytest

from openiop.admissions import dsm5
from openiop.admissions.dsm5 import (
    CRITERIA,
    Dsm5InputError,
    Finding,
    assess,
    count_checklist,
    severity,
)


@pytest.mark.parametrize(
    ("criteria_met", "expected"),
    [
        (0, "none"),
        (1, "none"),
        (2, "mild"),
        (3, "mild"),
        (4, "moderate"),
        (5, "moderate"),
        (6, "severe"),
        (7, "severe"),
        (8, "severe"),
        (9, "severe"),
        (10, "severe"),
        (11, "severe"),
    ],
)
def test_severity_for_every_count(criteria_met: int, expected: str) -> None:
    assert severity(criteria_met) == expected


@pytest.mark.parametrize("bad", [-1, 12, "3", 2.5, True, None])
def test_counts_outside_0_to_11_are_refused_naming_the_field(bad: object) -> None:
    with pytest.raises(Dsm5InputError) as caught:
        severity(bad)  # type: ignore[arg-type]
    assert caught.value.status_code == 422
    assert set(caught.value.field_errors) == {"criteria_met"}
    assert "0 to 11" in caught.value.message


def test_eleven_paraphrased_criteria_in_four_groups() -> None:
    assert [c.number for c in CRITERIA] == list(range(1, 12))
    assert len({c.key for c in CRITERIA}) == 11
    assert len({c.paraphrase for c in CRITERIA}) == 11
    assert {c.group for c in CRITERIA} == {"control", "social", "risky_use", "adaptation"}
    assert [c.key for c in CRITERIA][9:] == ["tolerance", "withdrawal"]
    assert "tolerance (10)" in dsm5.PRESCRIBED_USE_NOTE


def test_checklist_counts_distinct_criteria_by_number_or_key() -> None:
    assert count_checklist([]) == 0
    assert count_checklist([1, 4, 11]) == 3
    assert count_checklist(["craving", 4, "tolerance", 10]) == 2  # same two criteria twice
    assert severity(count_checklist(range(1, 7))) == "severe"


@pytest.mark.parametrize("bad", [0, 12, "cravings", True])
def test_checklist_refuses_unknown_criteria(bad: object) -> None:
    with pytest.raises(Dsm5InputError, match="is not a DSM-5 criterion") as caught:
        count_checklist([1, bad], field="checklist.alcohol")  # type: ignore[list-item]
    assert set(caught.value.field_errors) == {"checklist.alcohol"}


def test_assess_per_substance_most_severe_first() -> None:
    findings = assess({"alcohol": 3, "Opioids ": 7, "cannabis": 1})
    assert findings == (
        Finding("opioids", 7, "severe"),
        Finding("alcohol", 3, "mild"),
        Finding("cannabis", 1, "none"),
    )
    assert findings[0].describe() == "opioids: 7 of 11 criteria, severe"
    assert [f.has_disorder for f in findings] == [True, True, False]
    assert dsm5.most_severe(findings) == findings[0]
    assert dsm5.most_severe([]) is None


def test_assess_names_the_substance_at_fault() -> None:
    with pytest.raises(Dsm5InputError) as caught:
        assess({"alcohol": 3, "cannabis": 14})
    assert set(caught.value.field_errors) == {"dsm5_criteria_met.cannabis"}
    with pytest.raises(Dsm5InputError, match="'beer' is not a known substance") as caught:
        assess({"beer": 3})
    assert set(caught.value.field_errors) == {"dsm5_criteria_met.beer"}


def test_substance_names_are_normalised_or_rejected() -> None:
    assert dsm5.normalize_substance(" Alcohol") == "alcohol"
    assert dsm5.normalize_substance("beer") is None
    assert dsm5.normalize_substance(3) is None
