"""Instrument scoring against hand-worked examples, every band edge, and every refusal."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given
from hypothesis import strategies as st

from openiop.instruments import (
    DEFAULT_SCORING,
    INSTRUMENTS,
    URGENT_SAME_DAY_FOLLOW_UP,
    Instrument,
    InstrumentInputError,
    ScoringSettings,
    audit_c_from_audit,
    available_instruments,
    get_instrument,
    score,
)
from openiop.kit.errors import ValidationFailed

LICENSED = ScoringSettings(dast10_licensed=True)
SCORED = [i for i in INSTRUMENTS.values() if i.has_total]


def answers_for(instrument: Instrument, total: int) -> list[int]:
    """Answers adding up to `total`, filled greedily from item 1 (every scale here allows it)."""
    answers, left = [], total
    for item in instrument.items:
        points = max(p for p in item.allowed if p <= left)
        answers.append(points)
        left -= points
    assert left == 0, f"cannot make {total} on {instrument.id}"
    return answers


# ---- what is shipped -----------------------------------------------------------------------


def test_the_catalogue_is_exactly_the_agreed_instruments() -> None:
    assert set(INSTRUMENTS) == {
        "AUDIT",
        "AUDIT-C",
        "PHQ-9",
        "GAD-7",
        "PCL-5",
        "CIWA-Ar",
        "COWS",
        "BAM",
        "DAST-10",
    }
    assert not any("SSRS" in name.upper() for name in INSTRUMENTS)  # the C-SSRS needs a licence


@pytest.mark.parametrize(
    ("instrument_id", "items", "max_total"),
    [
        ("AUDIT", 10, 40),
        ("AUDIT-C", 3, 12),
        ("PHQ-9", 9, 27),
        ("GAD-7", 7, 21),
        ("CIWA-Ar", 10, 67),
        ("COWS", 11, 48),
        ("PCL-5", 20, 80),
        ("DAST-10", 10, 10),
    ],
)
def test_item_counts_and_ranges(instrument_id: str, items: int, max_total: int) -> None:
    instrument = INSTRUMENTS[instrument_id]
    assert len(instrument.items) == items
    assert instrument.max_total == max_total
    assert (
        score(instrument_id, answers_for(instrument, max_total), settings=LICENSED).total
        == max_total
    )


@pytest.mark.parametrize("instrument", list(INSTRUMENTS.values()), ids=lambda i: i.id)
def test_every_instrument_carries_its_citation_licence_and_options(instrument: Instrument) -> None:
    assert instrument.citation and instrument.licence and instrument.name and instrument.stem
    for item in instrument.items:
        assert item.text and len(item.options) >= 2
        assert item.allowed[0] == 0
        assert len({o.points for o in item.options}) == len(item.options)


@pytest.mark.parametrize("instrument", SCORED, ids=lambda i: i.id)
def test_bands_cover_every_total_exactly_once(instrument: Instrument) -> None:
    bands = instrument.bands_for(DEFAULT_SCORING)
    for total in range(instrument.max_total + 1):
        assert sum(b.contains(total) for b in bands) == 1, total


def test_ciwa_ar_has_nine_items_rated_0_to_7_and_orientation_0_to_4() -> None:
    ciwa = INSTRUMENTS["CIWA-Ar"]
    assert [i.allowed for i in ciwa.items] == [tuple(range(8))] * 9 + [tuple(range(5))]
    assert ciwa.rated_by == "clinician"


def test_cows_items_have_their_own_point_sets() -> None:
    assert [i.allowed for i in INSTRUMENTS["COWS"].items] == [
        (0, 1, 2, 4),
        (0, 1, 2, 3, 4),
        (0, 1, 3, 5),
        (0, 1, 2, 5),
        (0, 1, 2, 4),
        (0, 1, 2, 4),
        (0, 1, 2, 3, 5),
        (0, 1, 2, 4),
        (0, 1, 2, 4),
        (0, 1, 2, 4),
        (0, 3, 5),
    ]


def test_audit_questions_9_and_10_score_0_2_or_4() -> None:
    audit = INSTRUMENTS["AUDIT"]
    assert [i.allowed for i in audit.items] == [tuple(range(5))] * 8 + [(0, 2, 4)] * 2
    assert audit.items[:3] == INSTRUMENTS["AUDIT-C"].items


def test_dast10_is_offered_only_with_a_licence() -> None:
    without = {i.id for i in available_instruments(dast10_licensed=False)}
    with_licence = {i.id for i in available_instruments(dast10_licensed=True)}
    assert "DAST-10" not in without
    assert with_licence == without | {"DAST-10"}
    assert "non-commercial" in INSTRUMENTS["DAST-10"].licence


def test_lookup_ignores_case() -> None:
    assert get_instrument("phq-9") is INSTRUMENTS["PHQ-9"]
    assert score("ciwa-ar", [0] * 10).instrument == "CIWA-Ar"


# ---- worked examples, by hand ----------------------------------------------------------------


def test_phq9_worked_example() -> None:
    result = score("PHQ-9", [0, 1, 2, 3, 0, 1, 2, 3, 0])  # 0+1+2+3+0+1+2+3+0 = 12
    assert result.total == 12
    assert (result.band.code, result.band.label) == ("moderate", "Moderate")
    assert result.flags == ()


def test_phq9_item_9_above_0_flags_same_day_follow_up_whatever_the_total() -> None:
    assert score("PHQ-9", [0] * 8 + [1]).flags == (URGENT_SAME_DAY_FOLLOW_UP,)
    assert score("PHQ-9", [0] * 8 + [1]).band.code == "minimal"
    assert score("PHQ-9", [0] * 8 + [3]).flags == ("urgent_same_day_follow_up",)
    assert score("PHQ-9", [3] * 8 + [0]).flags == ()  # 24, severe, but item 9 is 0


def test_gad7_worked_example() -> None:
    result = score("GAD-7", [3, 3, 2, 2, 1, 1, 3])  # 15
    assert (result.total, result.band.code) == (15, "severe")


def test_audit_worked_example_with_its_domains() -> None:
    answers = [4, 3, 2, 1, 0, 0, 1, 0, 2, 4]  # 9 + 1 + 7 = 17
    result = score("AUDIT", answers)
    assert (result.total, result.band.code) == (17, "zone_3")
    assert result.subscales == {"consumption": 9, "dependence": 1, "harm": 7}


def test_audit_c_is_the_first_three_audit_answers() -> None:
    audit = [4, 3, 2, 1, 0, 0, 1, 0, 2, 4]
    from_audit = audit_c_from_audit(audit)
    assert from_audit == score("AUDIT-C", [4, 3, 2])
    assert (from_audit.instrument, from_audit.total, from_audit.band.code) == (
        "AUDIT-C",
        9,
        "positive",
    )
    assert audit_c_from_audit([1, 1, 1, 4, 4, 4, 4, 4, 4, 4]).band.code == "negative"  # 3


def test_audit_c_from_audit_checks_the_whole_audit() -> None:
    with pytest.raises(InstrumentInputError, match="AUDIT item 9: 1 is not a possible answer"):
        audit_c_from_audit([0] * 8 + [1, 0])


def test_ciwa_ar_worked_example() -> None:
    result = score("CIWA-Ar", [2, 3, 1, 4, 2, 0, 0, 1, 1, 0])  # 14
    assert (result.total, result.band.code) == (14, "moderate")


def test_cows_worked_example() -> None:
    result = score("COWS", [1, 2, 1, 1, 2, 1, 2, 1, 1, 1, 3])  # 16
    assert (result.total, result.band.code) == (16, "moderate")


def test_pcl5_worked_example_with_its_clusters() -> None:
    result = score("PCL-5", [2] * 16 + [1] * 4)  # 32 + 4 = 36
    assert (result.total, result.band.code) == (36, "probable_ptsd")
    assert result.subscales == {"intrusion": 10, "avoidance": 4, "cognition_mood": 14, "arousal": 8}


def test_pcl5_cut_off_is_a_setting() -> None:
    lower = ScoringSettings(pcl5_probable_ptsd_from=31)
    assert (
        score("PCL-5", answers_for(INSTRUMENTS["PCL-5"], 31), settings=lower).band.code
        == "probable_ptsd"
    )
    assert score("PCL-5", answers_for(INSTRUMENTS["PCL-5"], 31)).band.code == "below_cut_off"
    assert (
        score("PCL-5", answers_for(INSTRUMENTS["PCL-5"], 30), settings=lower).band.code
        == "below_cut_off"
    )


def test_audit_c_cut_off_is_a_setting() -> None:
    three = ScoringSettings(audit_c_positive_from=3)
    assert score("AUDIT-C", [1, 1, 1], settings=three).band.code == "positive"
    assert score("AUDIT-C", [1, 1, 1]).band.code == "negative"


def test_bam_has_subscales_and_no_total() -> None:
    answers = [3, 2, 4, 1, 0, 2, 0, 0, 0, 0, 2, 0, 0, 3, 1, 0, 2, 0, 1, 4, 2, 3, 2]
    result = score("BAM", answers)
    assert result.total is None and result.band is None
    # use 1+0+2; risk 3+2+4+3(8)+2(11)+2(15); protective 1(9)+0(10)+0(12)+1(13)+4(14)+3(16)
    assert result.subscales == {"use": 3, "risk": 16, "protective": 9}
    assert result.as_dict()["total"] is None


def test_dast10_worked_example_counts_no_on_question_3() -> None:
    result = score("DAST-10", [1, 1, 0, 0, 1, 0, 0, 0, 1, 0], settings=LICENSED)
    assert (result.total, result.band.code) == (4, "moderate")
    assert INSTRUMENTS["DAST-10"].items[2].options[0].label == "No"
    assert INSTRUMENTS["DAST-10"].items[2].options[0].points == 1


EDGES = [
    ("PHQ-9", [(0, "minimal"), (4, "minimal"), (5, "mild"), (9, "mild"), (10, "moderate"), (14, "moderate"),
               (15, "moderately_severe"), (19, "moderately_severe"), (20, "severe"), (27, "severe")]),
    ("GAD-7", [(0, "minimal"), (4, "minimal"), (5, "mild"), (9, "mild"), (10, "moderate"), (14, "moderate"),
               (15, "severe"), (21, "severe")]),
    ("AUDIT", [(0, "zone_1"), (7, "zone_1"), (8, "zone_2"), (15, "zone_2"), (16, "zone_3"), (19, "zone_3"),
               (20, "zone_4"), (40, "zone_4")]),
    ("AUDIT-C", [(0, "negative"), (3, "negative"), (4, "positive"), (12, "positive")]),
    ("PCL-5", [(0, "below_cut_off"), (32, "below_cut_off"), (33, "probable_ptsd"), (80, "probable_ptsd")]),
    ("CIWA-Ar", [(0, "minimal_to_mild"), (9, "minimal_to_mild"), (10, "moderate"), (15, "moderate"),
                 (16, "severe"), (67, "severe")]),
    ("COWS", [(0, "none_or_minimal"), (4, "none_or_minimal"), (5, "mild"), (12, "mild"), (13, "moderate"),
              (24, "moderate"), (25, "moderately_severe"), (36, "moderately_severe"), (37, "severe"),
              (48, "severe")]),
    ("DAST-10", [(0, "none"), (1, "low"), (2, "low"), (3, "moderate"), (5, "moderate"), (6, "substantial"),
                 (8, "substantial"), (9, "severe"), (10, "severe")]),
]  # fmt: skip


@pytest.mark.parametrize(
    ("instrument_id", "total", "band"),
    [(name, total, band) for name, rows in EDGES for total, band in rows],
)
def test_every_band_edge(instrument_id: str, total: int, band: str) -> None:
    answers = answers_for(INSTRUMENTS[instrument_id], total)
    result = score(instrument_id, answers, settings=LICENSED)
    assert (result.total, result.band.code) == (total, band)


# ---- refusals name the instrument and the item -------------------------------------------------


def test_refusals_are_422_validation_errors() -> None:
    with pytest.raises(ValidationFailed) as caught:
        score("PHQ-9", [])
    assert caught.value.status_code == 422


def test_unknown_instrument() -> None:
    with pytest.raises(InstrumentInputError) as caught:
        score("PHQ-10", [0] * 10)
    error = caught.value
    assert (error.instrument, error.item) == ("PHQ-10", None)
    assert "Unknown instrument 'PHQ-10'" in error.message and "PHQ-9" in error.message
    assert set(error.field_errors) == {"instrument"}


@pytest.mark.parametrize("instrument", list(INSTRUMENTS.values()), ids=lambda i: i.id)
@pytest.mark.parametrize("change", [-1, +1])
def test_wrong_item_count_names_expected_and_given(instrument: Instrument, change: int) -> None:
    n = len(instrument.items)
    with pytest.raises(InstrumentInputError) as caught:
        score(instrument.id, [0] * (n + change), settings=LICENSED)
    assert (caught.value.instrument, caught.value.item) == (instrument.id, None)
    assert caught.value.message == (
        f"{instrument.id} has {n} items: expected {n} answers, got {n + change}."
    )
    assert set(caught.value.field_errors) == {"answers"}


@pytest.mark.parametrize("instrument", list(INSTRUMENTS.values()), ids=lambda i: i.id)
def test_answer_above_range_names_the_item_and_the_allowed_range(instrument: Instrument) -> None:
    n = len(instrument.items)
    top = max(instrument.items[-1].allowed)
    with pytest.raises(InstrumentInputError) as caught:
        score(instrument.id, [0] * (n - 1) + [top + 1], settings=LICENSED)
    assert (caught.value.instrument, caught.value.item) == (instrument.id, n)
    assert f"{instrument.id} item {n}" in caught.value.message
    assert f"{top + 1} is out of range; allowed " in caught.value.message
    assert set(caught.value.field_errors) == {f"item_{n}"}


@pytest.mark.parametrize(
    ("instrument_id", "answers", "message"),
    [
        ("PHQ-9", [0, 0, 4, 0, 0, 0, 0, 0, 0], "PHQ-9 item 3: 4 is out of range; allowed 0–3."),
        ("PHQ-9", [-1] + [0] * 8, "PHQ-9 item 1: -1 is out of range; allowed 0–3."),
        ("GAD-7", [0] * 6 + [9], "GAD-7 item 7: 9 is out of range; allowed 0–3."),
        ("AUDIT", [0] * 9 + [3], "AUDIT item 10: 3 is not a possible answer; allowed 0, 2 or 4."),
        ("AUDIT", [5] + [0] * 9, "AUDIT item 1: 5 is out of range; allowed 0–4."),
        ("CIWA-Ar", [0] * 9 + [5], "CIWA-Ar item 10: 5 is out of range; allowed 0–4."),
        ("CIWA-Ar", [8] + [0] * 9, "CIWA-Ar item 1: 8 is out of range; allowed 0–7."),
        ("COWS", [3] + [0] * 10, "COWS item 1: 3 is not a possible answer; allowed 0, 1, 2 or 4."),
        ("COWS", [0] * 10 + [1], "COWS item 11: 1 is not a possible answer; allowed 0, 3 or 5."),
        ("PCL-5", [0] * 19 + [5], "PCL-5 item 20: 5 is out of range; allowed 0–4."),
        ("BAM", [0] * 8 + [5] + [0] * 14, "BAM item 9 (7C): 5 is out of range; allowed 0–4."),
        (
            "BAM",
            [0] * 19 + [2] + [0] * 3,
            "BAM item 20 (14): 2 is not a possible answer; allowed 0 or 4.",
        ),
        (
            "PHQ-9",
            [0, "2"] + [0] * 7,
            "PHQ-9 item 2: the answer must be a whole number (0–3), not '2'.",
        ),
        (
            "PHQ-9",
            [0, 1.0] + [0] * 7,
            "PHQ-9 item 2: the answer must be a whole number (0–3), not 1.0.",
        ),
        (
            "GAD-7",
            [True] + [0] * 6,
            "GAD-7 item 1: the answer must be a whole number (0–3), not True.",
        ),
        (
            "GAD-7",
            [None] + [0] * 6,
            "GAD-7 item 1: the answer must be a whole number (0–3), not None.",
        ),
    ],
)
def test_bad_answers_are_named_exactly(instrument_id: str, answers: list, message: str) -> None:
    with pytest.raises(InstrumentInputError) as caught:
        score(instrument_id, answers)
    assert caught.value.message == message
    assert caught.value.instrument == instrument_id
    assert caught.value.item == int(message.split(" item ")[1].split(":")[0].split(" ")[0])


@pytest.mark.parametrize("answers", ["000000000", {"1": 0}, None, 7])
def test_answers_must_be_a_list(answers: object) -> None:
    with pytest.raises(InstrumentInputError, match="PHQ-9 needs a list of 9 answers"):
        score("PHQ-9", answers)  # type: ignore[arg-type]


def test_dast10_is_refused_without_the_licence_setting() -> None:
    with pytest.raises(InstrumentInputError) as caught:
        score("DAST-10", [0] * 10)
    assert caught.value.instrument == "DAST-10"
    assert "turned off" in caught.value.message and "non-commercial" in caught.value.message


def test_settings_and_scores_are_frozen() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        DEFAULT_SCORING.pcl5_probable_ptsd_from = 1  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        score("GAD-7", [0] * 7).total = 3  # type: ignore[misc]


def test_score_as_dict() -> None:
    assert score("PHQ-9", [1] * 9).as_dict() == {
        "instrument": "PHQ-9",
        "total": 9,
        "band": {"code": "mild", "label": "Mild"},
        "subscales": {},
        "flags": ["urgent_same_day_follow_up"],
    }


# ---- properties ------------------------------------------------------------------------------


@st.composite
def valid_answers(draw: st.DrawFn) -> tuple[Instrument, list[int]]:
    instrument = draw(st.sampled_from(list(INSTRUMENTS.values())))
    return instrument, [draw(st.sampled_from(item.allowed)) for item in instrument.items]


@given(valid_answers())
def test_any_valid_answers_score_to_their_sum_inside_one_band(
    case: tuple[Instrument, list[int]],
) -> None:
    instrument, answers = case
    result = score(instrument.id, answers, settings=LICENSED)
    assert result.answers == tuple(answers)
    if instrument.has_total:
        assert result.total == sum(answers)
        assert result.band is not None and result.band.contains(result.total)
    for subscale in instrument.subscales:
        assert result.subscales[subscale.code] == sum(answers[n - 1] for n in subscale.items)


def test_bam_messages_give_the_printed_number_only_where_it_differs() -> None:
    with pytest.raises(InstrumentInputError, match=r"^BAM item 1: 5 is out of range"):
        score("BAM", [5] + [0] * 22)
    with pytest.raises(InstrumentInputError, match=r"^BAM item 14 \(8\): 5 is out of range"):
        score("BAM", [0] * 13 + [5] + [0] * 9)
