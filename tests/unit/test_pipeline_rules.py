"""The admissions pipeline rules: stage moves, duplicate inquiries, conversion figures."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from openiop.admissions import pipeline_rules as rules
from openiop.admissions.pipeline_rules import Outcome, Person

# ---- transitions ---------------------------------------------------------------------------

ALLOWED = [
    ("new", "new", None),
    ("new", "contacted", None),
    ("new", "admitted", None),  # forward several steps at once
    ("contacted", "screening_scheduled", None),
    ("assessed", "insurance_verified", None),
    ("insurance_verified", "admitted", None),
    ("new", "lost", "no answer after three calls"),
    ("assessed", "referred_out", "needs residential"),
    ("insurance_verified", "not_admitted", "chose another program"),
    ("lost", "not_admitted", "called back, declined"),  # correcting the closing
    ("lost", "contacted", None),  # reopened
    ("referred_out", "contacted", None),
    ("admitted", "admitted", None),
]
REFUSED = [
    ("contacted", "new", None, "stage"),
    ("insurance_verified", "assessed", None, "stage"),
    ("admitted", "lost", "changed their mind", "stage"),
    ("admitted", "insurance_verified", None, "stage"),
    ("new", "lost", None, "closed_reason"),
    ("new", "referred_out", "   ", "closed_reason"),
    ("assessed", "not_admitted", "", "closed_reason"),
    ("lost", "admitted", None, "stage"),
    ("lost", "assessed", None, "stage"),
    ("new", "enrolled", None, "stage"),
]


@pytest.mark.parametrize(("current", "target", "reason"), ALLOWED)
def test_allowed_moves(current, target, reason):
    assert rules.transition_error(current, target, reason) is None


@pytest.mark.parametrize(("current", "target", "reason", "field"), REFUSED)
def test_refused_moves_name_the_field(current, target, reason, field):
    problem = rules.transition_error(current, target, reason)
    assert problem is not None and problem[0] == field


def test_board_moves_offer_only_later_open_stages():
    assert rules.next_stages("assessed") == ["insurance_verified", "admitted"]
    assert rules.next_stages("admitted") == []
    assert rules.next_stages("lost") == ["contacted"]


# ---- duplicates ----------------------------------------------------------------------------

BASE = Person(1, "Juniper Thistlewood", "(555) 010-0142", "Juniper@Example.org", date(1990, 3, 4))


@pytest.mark.parametrize(
    ("other", "reasons"),
    [
        (Person(2, "Someone Else", phone="555.010.0142"), ["same phone"]),
        (Person(3, "Someone Else", phone="+1 555 010 0142"), ["same phone"]),
        (Person(4, "Someone Else", email=" juniper@example.ORG"), ["same email"]),
        (
            Person(5, "juniper  thistlewood", date_of_birth=date(1990, 3, 4)),
            ["same name and date of birth"],
        ),
        (Person(6, "Juniper Thistlewood", date_of_birth=date(1990, 3, 5)), []),
        (Person(7, "Juniper Thistlewood"), []),  # a name alone is not enough
        (Person(8, "Other Person", date_of_birth=date(1990, 3, 4)), []),
        (Person(9, "X", phone="(555) 010-0143", email="other@example.org"), []),
        (
            Person(
                10, "Juniper Thistlewood", "5550100142", "juniper@example.org", date(1990, 3, 4)
            ),
            ["same phone", "same email", "same name and date of birth"],
        ),
    ],
)
def test_duplicate_reasons(other, reasons):
    assert rules.duplicate_reasons(BASE, other) == reasons


def test_find_duplicates_skips_the_inquiry_itself_and_strangers():
    others = [BASE, Person(2, "A", phone="5550100142"), Person(3, "B", phone="5550100199")]
    found = rules.find_duplicates(BASE, others)
    assert [(p.inquiry_id, r) for p, r in found] == [(2, ["same phone"])]


def test_short_phone_numbers_never_match():
    assert rules.phone_key("010-0142") is None
    assert rules.duplicate_reasons(Person(1, "A", phone="0142"), Person(2, "B", phone="0142")) == []


# ---- conversion ----------------------------------------------------------------------------

T0 = datetime(2026, 10, 1, 15, tzinfo=UTC)


def outcome(days: int | None, source: str = "Clinic", location: str = "Site A") -> Outcome:
    admitted = None if days is None else T0 + timedelta(days=days, hours=2)
    return Outcome(T0, admitted, source, location)


@pytest.mark.parametrize(
    ("values", "expected"),
    [([], None), ([4], 4.0), ([9, 1, 5], 5.0), ([2, 5], 3.5), ([10, 1, 3, 4], 3.5)],
)
def test_median_with_odd_and_even_counts(values, expected):
    assert rules.median(values) == expected


def test_figure_rate_and_median():
    figure = rules.figure("All", [outcome(2), outcome(5), outcome(None), outcome(None)])
    assert (figure.inquiries, figure.admitted) == (4, 2)
    assert figure.rate_percent == 50.0 and figure.rate_text == "50%"
    assert figure.median_days == 3.5 and figure.median_text == "3.5"


def test_no_admissions_show_a_dash():
    figure = rules.figure("Court", [outcome(None), outcome(None), outcome(None)])
    assert figure.rate_text == "0%" and figure.median_text == "—"
    assert rules.figure("Nobody", []).rate_text == "—"


def test_rate_is_rounded_to_one_decimal():
    assert rules.figure("x", [outcome(1), outcome(None), outcome(None)]).rate_percent == 33.3


def test_grouping_by_source_and_location():
    rows = [
        outcome(1, "Clinic", "Site A"),
        outcome(3, "Clinic", "Site B"),
        outcome(None, "Court", "Site B"),
        outcome(7, "Clinic", "Site B"),
    ]
    sources = {f.group: (f.inquiries, f.admitted, f.median_days) for f in rules.by_source(rows)}
    assert sources == {"Clinic": (3, 3, 3.0), "Court": (1, 0, None)}
    places = rules.by_location(rows)
    assert [f.group for f in places] == ["Site B", "Site A"]  # largest group first
    assert places[0].median_days == 5.0
