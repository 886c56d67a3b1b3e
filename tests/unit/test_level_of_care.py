"""Level-of-care rules: a table for every recommendation and every boundary, the reasons given,
input checks, and hypothesis properties (worse answers never lower the level; urgent wins)."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from openiop.admissions.assessment import HOME_ENVIRONMENTS
from openiop.admissions.dimensions import DIMENSIONS, RATINGS, suggest_ratings
from openiop.admissions.level_of_care import (
    DEFAULT,
    INTENSITY,
    LEVEL_LABELS,
    RULES,
    Assessment,
    AssessmentInputError,
    Reason,
    Thresholds,
    recommend,
)
from openiop.instruments import INSTRUMENTS, ScoringSettings, score

LOW = {d: 1 for d in "123456"}  # every dimension rated, none above the outpatient limit


def fill(instrument: str, total: int) -> list[int] | None:
    """Answers adding up to `total`, largest first; None when no answers can make it. The PHQ-9's
    item 9 is kept at 0 so that only the total changes."""
    items = INSTRUMENTS[instrument].items
    allowed = [
        (0,) if instrument == "PHQ-9" and n == 9 else i.allowed for n, i in enumerate(items, 1)
    ]
    reach = [{0}]  # reach[k]: totals the last k items can make
    for points in reversed(allowed):
        reach.append({r + p for r in reach[-1] for p in points})
    if total not in reach[-1]:
        return None
    chosen, left = [], total
    for n, points in enumerate(allowed):
        chosen.append(max(p for p in points if left - p in reach[len(allowed) - n - 1]))
        left -= chosen[-1]
    return chosen


def answers(instrument: str, total: int) -> list[int]:
    found = fill(instrument, total)
    assert found is not None, f"{instrument} cannot total {total}"
    return found


def case(
    criteria: int = 5,
    *,
    home: str = "safe_home",
    ratings: dict[str, int] | None = None,
    **totals: int,
) -> Assessment:
    """Alcohol with `criteria` met; instrument totals by keyword (PHQ_9=20, CIWA_Ar=10)."""
    instruments = {
        name.replace("_", "-"): answers(name.replace("_", "-"), t) for name, t in totals.items()
    }
    return Assessment(
        substances=["alcohol"],
        dsm5_criteria_met={"alcohol": criteria},
        home_environment=home,
        instruments=instruments,
        dimension_ratings=LOW if ratings is None else ratings,
    )


def rated(**changes: int) -> dict[str, int]:
    """LOW with some dimensions changed: rated(d5=3)."""
    return {**LOW, **{name[1:]: value for name, value in changes.items()}}


# ---- the rule table -----------------------------------------------------------------------------

MODERATE = {"moderate_use_disorder"}
TABLE = [
    # use disorder severity and home environment
    ("moderate, safe home", case(5), "iop", MODERATE | {"fits_iop"}),
    ("moderate, sober living", case(5, home="sober_living"), "iop", MODERATE | {"fits_iop"}),
    ("moderate, unsafe home", case(5, home="unsafe"), "iop_with_sober_living", MODERATE | {"unsafe_home"}),
    ("no disorder (1 criterion)", case(1), "outpatient", {"no_use_disorder"}),
    ("no disorder, unsafe home", case(0, home="unsafe"), "outpatient", {"no_use_disorder"}),
    ("mild (2), low risk", case(2), "outpatient", {"mild_low_risk"}),
    ("mild (3), low risk, sober living", case(3, home="sober_living", ratings={d: 0 for d in "123456"}),
     "outpatient", {"mild_low_risk"}),
    ("mild, unsafe home", case(3, home="unsafe"), "iop_with_sober_living", {"mild_use_disorder", "unsafe_home"}),
    ("mild, dimension 4 rated 2", case(3, ratings=rated(d4=2)), "iop", {"mild_use_disorder", "fits_iop"}),
    ("mild, dimensions not rated", case(3, ratings={}), "iop", {"mild_use_disorder", "fits_iop"}),
    ("DSM-5 5 criteria", case(5), "iop", MODERATE | {"fits_iop"}),
    ("DSM-5 6 criteria", case(6), "partial_hospitalization", {"severe_use_disorder"}),
    ("severe, dimension 5 rated 2", case(6, ratings=rated(d5=2)), "partial_hospitalization", {"severe_use_disorder"}),
    ("severe, dimension 5 rated 3", case(6, ratings=rated(d5=3)), "residential",
     {"severe_use_disorder", "severe_with_high_risk"}),
    ("severe, dimension 6 rated 3", case(6, ratings=rated(d6=3)), "residential",
     {"severe_use_disorder", "severe_with_high_risk", "dimension6_high"}),
    ("severe, sober living", case(6, home="sober_living"), "partial_hospitalization", {"severe_use_disorder"}),
    ("severe, unsafe home", case(6, home="unsafe"), "residential",
     {"severe_use_disorder", "severe_with_high_risk", "unsafe_home"}),
    # co-occurring conditions
    ("PHQ-9 19", case(PHQ_9=19), "iop", MODERATE | {"fits_iop"}),
    ("PHQ-9 20", case(PHQ_9=20), "co_occurring_program", MODERATE | {"phq9_severe"}),
    ("GAD-7 14", case(GAD_7=14), "iop", MODERATE | {"fits_iop"}),
    ("GAD-7 15", case(GAD_7=15), "co_occurring_program", MODERATE | {"gad7_severe"}),
    ("PCL-5 32", case(PCL_5=32), "iop", MODERATE | {"fits_iop"}),
    ("PCL-5 33", case(PCL_5=33), "co_occurring_program", MODERATE | {"pcl5_probable_ptsd"}),
    ("dimension 3 rated 2", case(ratings=rated(d3=2)), "iop", MODERATE | {"fits_iop"}),
    ("dimension 3 rated 3", case(ratings=rated(d3=3)), "co_occurring_program", MODERATE | {"dimension3_high"}),
    # withdrawal
    ("CIWA-Ar 9", case(CIWA_Ar=9), "iop", MODERATE | {"fits_iop"}),
    ("CIWA-Ar 10", case(CIWA_Ar=10), "withdrawal_management", MODERATE | {"ciwa_ar_high"}),
    ("COWS 12", case(COWS=12), "iop", MODERATE | {"fits_iop"}),
    ("COWS 13", case(COWS=13), "withdrawal_management", MODERATE | {"cows_high"}),
    ("dimension 1 rated 2", case(ratings=rated(d1=2)), "iop", MODERATE | {"fits_iop"}),
    ("dimension 1 rated 3", case(ratings=rated(d1=3)), "withdrawal_management", MODERATE | {"dimension1_high"}),
    # other dimensions
    ("dimension 2 rated 2", case(ratings=rated(d2=2)), "iop", MODERATE | {"fits_iop"}),
    ("dimension 2 rated 3", case(ratings=rated(d2=3)), "residential", MODERATE | {"dimension2_high"}),
    ("dimension 5 rated 3", case(ratings=rated(d5=3)), "iop", MODERATE | {"fits_iop"}),
    ("dimension 5 rated 4", case(ratings=rated(d5=4)), "residential", MODERATE | {"dimension5_high"}),
    ("dimension 6 rated 2", case(ratings=rated(d6=2)), "iop", MODERATE | {"fits_iop"}),
    ("dimension 6 rated 3", case(ratings=rated(d6=3)), "iop_with_sober_living", MODERATE | {"dimension6_high"}),
    ("no disorder, dimension 6 rated 4", case(1, ratings=rated(d6=4)), "outpatient", {"no_use_disorder"}),
    # the urgent flag
    ("PHQ-9 item 9 answered 1", dataclasses.replace(case(2), instruments={"PHQ-9": [0] * 8 + [1]}),
     "urgent_safety_assessment", {"mild_low_risk", "phq9_item9_urgent"}),
]  # fmt: skip


@pytest.mark.parametrize(
    ("inputs", "level", "rules"), [row[1:] for row in TABLE], ids=[row[0] for row in TABLE]
)
def test_rule_table(inputs: Assessment, level: str, rules: set[str]) -> None:
    result = recommend(inputs)
    assert result.level == level
    assert {r.rule for r in result.reasons} == rules
    assert result.reasons[0].rule in {name for name, rule in RULES.items() if rule.level == level}


def test_every_level_and_every_rule_is_reached_by_the_table() -> None:
    assert {row[2] for row in TABLE} == set(INTENSITY)
    assert set().union(*(row[3] for row in TABLE)) == set(RULES)


# ---- reasons carry the values that made them fire -------------------------------------------


@pytest.mark.parametrize(
    ("inputs", "reason"),
    [
        (case(PHQ_9=21), Reason("phq9_severe", "PHQ-9 total 21 ≥ 20")),
        (case(GAD_7=15), Reason("gad7_severe", "GAD-7 total 15 ≥ 15")),
        (case(PCL_5=40), Reason("pcl5_probable_ptsd", "PCL-5 total 40 ≥ 33")),
        (case(CIWA_Ar=10), Reason("ciwa_ar_high", "CIWA-Ar total 10 ≥ 10")),
        (case(COWS=13), Reason("cows_high", "COWS total 13 ≥ 13")),
        (case(ratings=rated(d1=4)), Reason("dimension1_high", "dimension 1 rated 4 ≥ 3")),
        (case(ratings=rated(d5=4)), Reason("dimension5_high", "dimension 5 rated 4 ≥ 4")),
        (case(6), Reason("severe_use_disorder", "alcohol: 6 of 11 criteria, severe")),
        (case(4), Reason("moderate_use_disorder", "alcohol: 4 of 11 criteria, moderate")),
        (case(5, home="unsafe"), Reason("unsafe_home", "home environment unsafe")),
        (case(7, home="unsafe", ratings=rated(d5=3)),
         Reason("severe_with_high_risk", "alcohol: 7 of 11 criteria, severe; dimension 5 rated 3 ≥ 3; home environment unsafe")),
        (case(2), Reason("mild_low_risk", "alcohol: 2 of 11 criteria, mild; all six dimensions rated ≤ 1")),
        (case(3, ratings={"5": 2, "1": 0}),
         Reason("mild_use_disorder", "alcohol: 3 of 11 criteria, mild; not outpatient: dimension 5 rated 2 > 1, dimensions 2, 3, 4, 6 not rated")),
        (case(3, home="unsafe", ratings=rated(d3=2)),
         Reason("mild_use_disorder", "alcohol: 3 of 11 criteria, mild; not outpatient: dimension 3 rated 2 > 1, home environment unsafe")),
        (case(5, PHQ_9=19, CIWA_Ar=4),
         Reason("fits_iop", "alcohol: 5 of 11 criteria, moderate (not severe); PHQ-9 total 19 < 20; CIWA-Ar total 4 < 10; home: safe home")),
        (dataclasses.replace(case(5), instruments={"PHQ-9": [0] * 8 + [2]}),
         Reason("phq9_item9_urgent", "PHQ-9 item 9 answered 2 > 0")),
    ],
)  # fmt: skip
def test_reasons_name_the_values(inputs: Assessment, reason: Reason) -> None:
    assert reason in recommend(inputs).reasons


def test_no_disorder_lists_every_substance() -> None:
    inputs = Assessment(["alcohol", "cannabis"], {"alcohol": 1, "cannabis": 0}, "safe_home")
    assert recommend(inputs).reasons == (
        Reason(
            "no_use_disorder", "alcohol: 1 of 11 criteria, none; cannabis: 0 of 11 criteria, none"
        ),
    )


def test_the_most_severe_substance_decides() -> None:
    inputs = Assessment(
        ["alcohol", "opioids"], {"alcohol": 2, "opioids": 6}, "safe_home", dimension_ratings=LOW
    )
    result = recommend(inputs)
    assert result.level == "partial_hospitalization"
    assert Reason("severe_use_disorder", "opioids: 6 of 11 criteria, severe") in result.reasons
    assert [f.substance for f in result.findings] == ["opioids", "alcohol"]


def test_most_intensive_level_wins_and_the_outranked_ones_are_kept() -> None:
    result = recommend(case(6, PHQ_9=20))
    assert result.level == "partial_hospitalization"
    assert result.also_indicated == ("co_occurring_program",)
    assert [r.rule for r in result.reasons] == ["severe_use_disorder", "phq9_severe"]

    result = recommend(case(5, CIWA_Ar=10, ratings=rated(d5=4)))
    assert result.level == "withdrawal_management"
    assert result.also_indicated == ("residential", "iop")
    assert [r.rule for r in result.reasons] == [
        "ciwa_ar_high",
        "dimension5_high",
        "moderate_use_disorder",
    ]


def test_urgent_flag_overrides_the_worst_of_everything_and_keeps_every_other_reason() -> None:
    everything_bad = Assessment(
        substances=["alcohol", "opioids"],
        dsm5_criteria_met={"alcohol": 11, "opioids": 11},
        home_environment="unsafe",
        instruments={"PHQ-9": [3] * 9, "GAD-7": [3] * 7, "PCL-5": [4] * 20, "CIWA-Ar": answers("CIWA-Ar", 67),
                     "COWS": answers("COWS", 48)},
        dimension_ratings={d: 4 for d in "123456"},
    )  # fmt: skip
    result = recommend(everything_bad)
    assert result.level == "urgent_safety_assessment"
    assert result.reasons[0] == Reason("phq9_item9_urgent", "PHQ-9 item 9 answered 3 > 0")
    assert result.also_indicated[0] == "withdrawal_management"
    assert len(result.reasons) == 14


def test_thresholds_are_one_configurable_frozen_object() -> None:
    stricter = Thresholds(phq9_co_occurring_from=15, ciwa_ar_withdrawal_from=8)
    assert recommend(case(PHQ_9=15), stricter).level == "co_occurring_program"
    assert recommend(case(PHQ_9=15)).level == "iop"
    assert recommend(case(CIWA_Ar=8), stricter).reasons[0] == Reason(
        "ciwa_ar_high", "CIWA-Ar total 8 ≥ 8"
    )
    assert (
        recommend(case(3, ratings=rated(d5=2)), Thresholds(outpatient_max_rating=2)).level
        == "outpatient"
    )
    with pytest.raises(dataclasses.FrozenInstanceError):
        DEFAULT.phq9_co_occurring_from = 10  # type: ignore[misc]
    assert (
        DEFAULT.phq9_co_occurring_from,
        DEFAULT.gad7_co_occurring_from,
        DEFAULT.pcl5_co_occurring_from,
    ) == (20, 15, 33)
    assert (
        DEFAULT.ciwa_ar_withdrawal_from,
        DEFAULT.cows_withdrawal_from,
        DEFAULT.dimension3_co_occurring_from,
    ) == (10, 13, 3)


def test_scores_and_the_api_shape() -> None:
    result = recommend(case(5, PHQ_9=12, AUDIT=17))
    assert set(result.scores) == {"PHQ-9", "AUDIT"}
    assert result.scores["AUDIT"].band.code == "zone_3"
    body = result.as_dict()
    assert json.loads(json.dumps(body)) == body  # JSON-ready
    assert body["recommendation"] == "iop"
    assert body["scores"]["PHQ-9"]["total"] == 12
    assert body["reasons"][0] == {
        "rule": "moderate_use_disorder",
        "detail": "alcohol: 5 of 11 criteria, moderate",
    }
    assert body["dsm5"] == [{"substance": "alcohol", "criteria_met": 5, "severity": "moderate"}]
    assert result.label == LEVEL_LABELS["iop"]


def test_dast10_needs_the_licence_setting() -> None:
    inputs = dataclasses.replace(case(5), instruments={"DAST-10": [1] * 10})
    with pytest.raises(AssessmentInputError) as caught:
        recommend(inputs)
    assert "instruments.DAST-10" in caught.value.field_errors
    licensed = recommend(inputs, scoring=ScoringSettings(dast10_licensed=True))
    assert licensed.scores["DAST-10"].total == 10  # answers are points: ten "yes"-scored answers


def test_the_rules_are_pure_and_load_no_framework() -> None:
    code = (
        "import sys, openiop.admissions.level_of_care, openiop.admissions.dimensions, openiop.instruments\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'fastapi', 'sqlalchemy', 'jinja2', 'starlette'}))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert loaded.stdout.strip() == "[]"


# ---- input checks name the field ----------------------------------------------------------------

BASE = {
    "substances": ["alcohol"],
    "dsm5_criteria_met": {"alcohol": 5},
    "home_environment": "safe_home",
}


@pytest.mark.parametrize(
    ("changes", "field", "fragment"),
    [
        ({"substances": []}, "substances", "at least one substance"),
        ({"substances": "alcohol"}, "substances", "at least one substance"),
        ({"substances": ["beer"], "dsm5_criteria_met": {}}, "substances", "'beer' is not a known substance"),
        ({"substances": ["alcohol", "Alcohol"]}, "substances", "alcohol is listed twice"),
        ({"dsm5_criteria_met": {"alcohol": 12}}, "dsm5_criteria_met.alcohol", "from 0 to 11; got 12"),
        ({"dsm5_criteria_met": {"alcohol": -1}}, "dsm5_criteria_met.alcohol", "from 0 to 11; got -1"),
        ({"dsm5_criteria_met": {"alcohol": "5"}}, "dsm5_criteria_met.alcohol", "whole number"),
        ({"dsm5_criteria_met": {"alcohol": 5, "Alcohol": 6}}, "dsm5_criteria_met.Alcohol", "given twice"),
        ({"dsm5_criteria_met": {}}, "dsm5_criteria_met.alcohol", "count the DSM-5 criteria met for alcohol"),
        ({"dsm5_criteria_met": [5]}, "dsm5_criteria_met", "per substance"),
        ({"substances": ["alcohol", "opioids"]}, "dsm5_criteria_met.opioids", "for opioids"),
        ({"dsm5_criteria_met": {"alcohol": 5, "cannabis": 2}}, "dsm5_criteria_met.cannabis", "not one of the substances listed"),
        ({"home_environment": "house"}, "home_environment", "'house' is not one of safe_home, sober_living, unsafe"),
        ({"home_environment": None}, "home_environment", "is not one of"),
        ({"dimension_ratings": {"7": 1}}, "dimension_ratings.7", "dimensions are 1–6"),
        ({"dimension_ratings": {"2": 5}}, "dimension_ratings.2", "from 0 to 4, not 5"),
        ({"dimension_ratings": {"3": -1}}, "dimension_ratings.3", "from 0 to 4, not -1"),
        ({"dimension_ratings": {"1": "2"}}, "dimension_ratings.1", "from 0 to 4, not '2'"),
        ({"dimension_ratings": [1, 2]}, "dimension_ratings", '{"1": 0'),
        ({"instruments": {"PHQ-9": [1] * 8}}, "instruments.PHQ-9", "PHQ-9 has 9 items: expected 9 answers, got 8."),
        ({"instruments": {"PHQ-9": [0] * 8 + [4]}}, "instruments.PHQ-9", "PHQ-9 item 9: 4 is out of range; allowed 0–3."),
        ({"instruments": {"COWS": [0] * 10 + [4]}}, "instruments.COWS", "COWS item 11: 4 is not a possible answer"),
        ({"instruments": {"C-SSRS": [0] * 6}}, "instruments.C-SSRS", "Unknown instrument 'C-SSRS'"),
        ({"instruments": {"PHQ-9": [0] * 9, "phq-9": [0] * 9}}, "instruments.phq-9", "PHQ-9 is given twice"),
        ({"instruments": [1, 2]}, "instruments", "give answers as"),
    ],
)  # fmt: skip
def test_bad_input_names_the_field(changes: dict[str, Any], field: str, fragment: str) -> None:
    with pytest.raises(AssessmentInputError) as caught:
        recommend(Assessment(**{**BASE, **changes}))
    assert caught.value.status_code == 422
    assert fragment in caught.value.field_errors[field]
    assert field.split(".")[-1] in caught.value.field_errors[field] or field.startswith(
        "instruments."
    )
    assert caught.value.field_errors[field] in caught.value.message


def test_every_problem_is_reported_at_once() -> None:
    with pytest.raises(AssessmentInputError) as caught:
        recommend(
            Assessment(
                substances=["alcohol"],
                dsm5_criteria_met={"alcohol": 12},
                home_environment="tent",
                instruments={"GAD-7": [9] * 7},
                dimension_ratings={"9": 1},
            )
        )
    assert set(caught.value.field_errors) == {
        "dsm5_criteria_met.alcohol",
        "home_environment",
        "instruments.GAD-7",
        "dimension_ratings.9",
    }


def test_missing_optional_parts_are_fine() -> None:
    assert (
        recommend(Assessment(["Alcohol "], {"alcohol": 4}, "sober_living", None, None)).level
        == "iop"
    )  # type: ignore[arg-type]


# ---- properties -------------------------------------------------------------------------------------

SUBSTANCES = ["alcohol", "opioids", "cannabis", "methamphetamine"]
MEASURED = ["PHQ-9", "GAD-7", "PCL-5", "CIWA-Ar", "COWS", "AUDIT"]
HOMES = list(HOME_ENVIRONMENTS)
# Safe home and sober living are equally good; an unsafe home is worse than either.
WORSE_HOMES = {"safe_home": HOMES, "sober_living": HOMES, "unsafe": ["unsafe"]}


@st.composite
def answer_lists(draw: st.DrawFn, name: str) -> list[int]:
    """Answers capped at a drawn level, so totals spread over the whole range, not its middle."""
    items = INSTRUMENTS[name].items
    cap = draw(st.integers(0, max(max(item.allowed) for item in items)))
    return [draw(st.sampled_from([p for p in item.allowed if p <= cap])) for item in items]


def worse_than(given: int, allowed: tuple[int, ...]) -> st.SearchStrategy[int]:
    """Often the same answer, otherwise any higher one."""
    return st.one_of(st.just(given), st.sampled_from([p for p in allowed if p >= given]))


@st.composite
def assessments(draw: st.DrawFn) -> Assessment:
    substances = draw(st.lists(st.sampled_from(SUBSTANCES), min_size=1, max_size=3, unique=True))
    rated_dimensions = draw(st.lists(st.sampled_from("123456"), unique=True))
    measured = draw(st.lists(st.sampled_from(MEASURED), max_size=2, unique=True))
    rating_cap = draw(st.integers(0, 4))  # so that low-risk assessments are common too
    return Assessment(
        substances=substances,
        dsm5_criteria_met={s: draw(st.integers(0, 11)) for s in substances},
        home_environment=draw(st.sampled_from(HOMES)),
        instruments={name: draw(answer_lists(name)) for name in measured},
        dimension_ratings={d: draw(st.integers(0, rating_cap)) for d in rated_dimensions},
    )


@st.composite
def worsened(draw: st.DrawFn, base: Assessment) -> Assessment:
    """More criteria (maybe another substance), higher item scores and ratings, a worse home."""
    criteria = {s: draw(st.integers(c, 11)) for s, c in base.dsm5_criteria_met.items()}
    extra = [s for s in SUBSTANCES if s not in criteria and draw(st.booleans())]
    criteria.update({s: draw(st.integers(0, 11)) for s in extra})
    instruments = {
        name: [
            draw(worse_than(given, item.allowed))
            for item, given in zip(INSTRUMENTS[name].items, given_answers, strict=True)
        ]
        for name, given_answers in base.instruments.items()
    }
    return Assessment(
        substances=[*base.substances, *extra],
        dsm5_criteria_met=criteria,
        home_environment=draw(st.sampled_from(WORSE_HOMES[base.home_environment])),
        instruments=instruments,
        dimension_ratings={d: draw(st.integers(r, 4)) for d, r in base.dimension_ratings.items()},
    )


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_worse_answers_never_lead_to_a_less_intensive_level(data: st.DataObject) -> None:
    base = data.draw(assessments(), label="base")
    worse = data.draw(worsened(base), label="worse")
    assert INTENSITY.index(recommend(worse).level) >= INTENSITY.index(recommend(base).level)


def levels_along(inputs: Assessment, steps: list[Assessment]) -> list[int]:
    return [INTENSITY.index(recommend(step).level) for step in [inputs, *steps]]


@pytest.mark.parametrize("home", list(HOME_ENVIRONMENTS))
@pytest.mark.parametrize("criteria", [1, 3, 5, 6])
def test_raising_any_one_measure_step_by_step_never_lowers_the_level(
    criteria: int, home: str
) -> None:
    base = case(criteria, home=home)
    walks = {
        f"dimension {d}": [
            dataclasses.replace(base, dimension_ratings=rated(**{f"d{d}": r})) for r in range(5)
        ]
        for d in "123456"
    }
    walks["criteria"] = [case(c, home=home) for c in range(12)]
    for name in MEASURED:  # PHQ-9 item 9 stays 0 here, so only the total rises
        fills = (fill(name, total) for total in range(INSTRUMENTS[name].max_total + 1))
        walks[name] = [
            dataclasses.replace(base, instruments={name: f}) for f in fills if f is not None
        ]
    for name, steps in walks.items():
        levels = levels_along(steps[0], steps[1:])
        assert levels == sorted(levels), name


@settings(max_examples=100, deadline=None)
@given(assessments(), st.integers(1, 3))
def test_the_urgent_flag_always_wins(inputs: Assessment, item9: int) -> None:
    phq9 = list(inputs.instruments.get("PHQ-9", [0] * 9))
    phq9[8] = item9
    flagged = dataclasses.replace(inputs, instruments={**inputs.instruments, "PHQ-9": phq9})
    result = recommend(flagged)
    assert result.level == "urgent_safety_assessment"
    assert result.reasons[0].rule == "phq9_item9_urgent"


@settings(max_examples=200, deadline=None)
@given(assessments())
def test_reasons_are_never_empty_and_explain_the_level(inputs: Assessment) -> None:
    result = recommend(inputs)
    assert result.reasons
    assert all(r.rule in RULES and r.detail for r in result.reasons)
    levels = [INTENSITY.index(RULES[r.rule].level) for r in result.reasons]
    assert INTENSITY[max(levels)] == result.level
    assert levels == sorted(levels, reverse=True)
    assert all(
        INTENSITY.index(level) < INTENSITY.index(result.level) for level in result.also_indicated
    )
    phq9 = inputs.instruments.get("PHQ-9")
    assert (result.level == "urgent_safety_assessment") == (phq9 is not None and phq9[8] > 0)


# ---- suggested dimension ratings ------------------------------------------------------------------


def test_the_six_dimensions_and_the_rating_scale() -> None:
    assert list(DIMENSIONS) == ["1", "2", "3", "4", "5", "6"]
    assert DIMENSIONS["4"] == "Readiness to change"
    assert list(RATINGS) == [0, 1, 2, 3, 4]


@pytest.mark.parametrize(
    ("scores", "home", "expected"),
    [
        ({}, None, {}),
        ({"CIWA-Ar": 0}, None, {"1": 0}),
        ({"CIWA-Ar": 9}, None, {"1": 2}),
        ({"CIWA-Ar": 10}, None, {"1": 3}),
        ({"CIWA-Ar": 16, "COWS": 4}, None, {"1": 4}),
        ({"COWS": 12}, None, {"1": 2}),
        ({"COWS": 13}, None, {"1": 3}),
        ({"PHQ-9": 19}, None, {"3": 2}),
        ({"PHQ-9": 20}, None, {"3": 3}),
        ({"GAD-7": 7}, None, {"3": 1}),
        ({"GAD-7": 15, "PHQ-9": 4}, None, {"3": 3}),
        ({"PCL-5": 32}, None, {"3": 1}),
        ({"PCL-5": 33}, None, {"3": 3}),
        ({}, "safe_home", {"6": 0}),
        ({}, "sober_living", {"6": 0}),
        ({}, "unsafe", {"6": 3}),
    ],
)
def test_suggested_ratings_follow_the_instruments(
    scores: dict[str, int], home: str | None, expected: dict[str, int]
) -> None:
    computed = {name: score(name, answers(name, total)) for name, total in scores.items()}
    suggested = suggest_ratings(computed, home)
    assert {d: s.rating for d, s in suggested.items()} == expected
    assert all(s.because for s in suggested.values())


def test_phq9_item_9_suggests_the_top_rating_for_dimension_3() -> None:
    suggested = suggest_ratings({"PHQ-9": score("PHQ-9", [0] * 8 + [1])})
    assert suggested["3"].rating == 4
    assert "item 9" in suggested["3"].because
