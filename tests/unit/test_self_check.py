"""The public self-check's guidance: a rule table, and the crisis answer always winning."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from openiop.admissions import self_check
from openiop.admissions.self_check import Answers, guide, read_answers
from openiop.kit.errors import ValidationFailed


def answers(**changes) -> Answers:
    base = {
        "substances": ("alcohol",),
        "frequency": "daily",
        "audit_c": (3, 1, 2),  # AUDIT-C 6: a positive screen, not very heavy
        "drug_signs": frozenset(),
        "dangerous_withdrawal": False,
        "mood": (1, 0),
        "safety": 0,
        "home": "safe_home",
        "commitments": frozenset(),
    }
    return Answers(**{**base, **changes})


@pytest.mark.parametrize(
    ("changes", "outcome"),
    [
        ({}, "likely_fit"),
        ({"home": "sober_living"}, "likely_fit"),
        ({"safety": 1}, "seek_help_now"),
        ({"dangerous_withdrawal": True}, "talk_with_us"),
        ({"audit_c": (4, 3, 2)}, "likely_fit"),  # 9: below the 10 cut-off
        ({"audit_c": (4, 3, 3)}, "talk_with_us"),  # 10
        ({"mood": (2, 2)}, "likely_fit"),  # 4
        ({"mood": (3, 2)}, "talk_with_us"),  # 5
        ({"home": "unsafe"}, "talk_with_us"),
        (
            {
                "substances": ("opioids",),
                "audit_c": None,
                "drug_signs": frozenset(list(self_check.DRUG_SIGNS)[:3]),
            },
            "likely_fit",
        ),
        (
            {
                "substances": ("opioids",),
                "audit_c": None,
                "drug_signs": frozenset(list(self_check.DRUG_SIGNS)[:4]),
            },
            "talk_with_us",
        ),
        ({"frequency": "monthly", "audit_c": (1, 0, 0)}, "lighter_support"),
        ({"frequency": "monthly", "audit_c": (2, 1, 1)}, "likely_fit"),  # AUDIT-C 4: positive
        ({"frequency": "weekly", "audit_c": (1, 0, 0)}, "likely_fit"),
        (
            {
                "frequency": "monthly",
                "substances": ("cannabis",),
                "audit_c": None,
                "drug_signs": frozenset({"more_than_meant"}),
            },
            "likely_fit",
        ),
    ],
)
def test_outcomes(changes, outcome):
    assert guide(answers(**changes)).outcome == outcome


def test_every_outcome_gives_reasons_in_plain_words():
    for changes in (
        {},
        {"safety": 2},
        {"home": "unsafe"},
        {"frequency": "monthly", "audit_c": (0, 0, 0)},
    ):
        result = guide(answers(**changes))
        assert result.reasons and all(r.endswith(".") for r in result.reasons)


def test_mood_in_the_middle_adds_a_note_and_commitments_mention_times():
    result = guide(answers(mood=(2, 1), commitments=frozenset({"work_days"})))
    assert result.outcome == "likely_fit"
    assert any("mood" in note for note in result.notes)
    assert any("set times" in note for note in result.notes)


@given(
    safety=st.integers(1, 3),
    mood=st.tuples(st.integers(0, 3), st.integers(0, 3)),
    withdrawal=st.booleans(),
    home=st.sampled_from(list(self_check.HOMES)),
    frequency=st.sampled_from(list(self_check.FREQUENCIES)),
)
def test_any_risk_to_self_always_routes_to_seek_help_now(safety, mood, withdrawal, home, frequency):
    result = guide(
        answers(
            safety=safety,
            mood=mood,
            dangerous_withdrawal=withdrawal,
            home=home,
            frequency=frequency,
        )
    )
    assert result.outcome == "seek_help_now"


FORM = {
    "frequency": "daily",
    "audit_c_1": "3",
    "audit_c_2": "1",
    "audit_c_3": "2",
    "dangerous_withdrawal": "no",
    "mood_1": "1",
    "mood_2": "0",
    "safety": "0",
    "home": "safe_home",
}


def test_read_answers_from_a_form():
    read = read_answers(FORM, {"substances": ["alcohol", "alcohol", "bogus"], "drug_signs": ["x"]})
    assert read.substances == ("alcohol",)
    assert read.audit_c == (3, 1, 2) and read.drug_signs == frozenset()


def test_drinking_questions_are_needed_only_when_alcohol_is_chosen():
    form = {k: v for k, v in FORM.items() if not k.startswith("audit_c")}
    assert read_answers(form, {"substances": ["cannabis"]}).audit_c is None
    with pytest.raises(ValidationFailed) as caught:
        read_answers(form, {"substances": ["alcohol"]})
    assert set(caught.value.field_errors) == {"audit_c_1", "audit_c_2", "audit_c_3"}


def test_read_answers_names_every_missing_or_bad_answer():
    with pytest.raises(ValidationFailed) as caught:
        read_answers({"safety": "7", "mood_1": "x", "home": "castle"}, {})
    assert set(caught.value.field_errors) == {
        "substances",
        "frequency",
        "dangerous_withdrawal",
        "mood_1",
        "mood_2",
        "safety",
        "home",
    }
