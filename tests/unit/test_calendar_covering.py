"""Who may stand in as a group session's facilitator, and the clashes named, without a
database (calendar/covering.py)."""

from __future__ import annotations

from datetime import date, time

import pytest

from openiop.calendar import covering, rules
from openiop.calendar.covering import Candidate
from openiop.calendar.rules import Busy

ZONE = "America/Los_Angeles"
MON = date(2026, 12, 7)


def at(hour: int, minute: int = 0):  # type: ignore[no-untyped-def]
    return rules.local_span(MON, time(hour, minute), time(hour, minute), ZONE)[0]


def ana(**changes) -> Candidate:  # type: ignore[no-untyped-def]
    values = {
        "id": 7,
        "name": "Ana Ruiz",
        "active": True,
        "credentials": ("LMFT",),
        "location_ids": frozenset({1}),
    }
    return Candidate(**{**values, **changes})


def test_an_active_counselor_at_the_site_is_fit():
    assert covering.problems(ana(), location_id=1, current_id=3) == []


@pytest.mark.parametrize("credential", sorted(rules.COUNSELING))
def test_every_counseling_credential_may_lead_a_group(credential):
    assert covering.may_lead_groups((credential,))


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"credentials": ("MD",)}, "Ana Ruiz (MD) is not qualified to lead a group."),
        ({"credentials": ()}, "(no credential on file) is not qualified"),
        ({"credentials": ("RN", "LVN")}, "(RN, LVN) is not qualified"),
        ({"active": False}, "is no longer active here"),
        ({"location_ids": frozenset({2})}, "does not work at this site"),
    ],
)
def test_unfit_candidates_are_named_with_the_reason(changes, words):
    (problem,) = covering.problems(ana(**changes), location_id=1, current_id=3)
    assert words in problem


def test_the_current_facilitator_is_not_a_cover_and_every_problem_is_listed():
    assert "already leads" in covering.problems(ana(), location_id=1, current_id=7)[0]
    many = covering.problems(
        ana(active=False, credentials=("MD",), location_ids=frozenset()),
        location_id=1,
        current_id=3,
    )
    assert len(many) == 3


def test_clashes_name_each_overlap_and_ignore_back_to_back():
    busy = (
        Busy(at(8), at(9), "individual counseling with Lee O."),  # ends as the group starts
        Busy(at(11), at(11, 50), "individual counseling with Pat Q."),
        Busy(at(10), at(13), "leading group 'Late mornings' (Family roles)"),
        Busy(at(7), at(9, 30), "time off (dentist)"),
    )
    found = covering.clashes(ana(), at(9), at(12), ZONE, busy)
    assert [(c.code, c.field) for c in found] == [
        ("staff_overlap", "facilitator_id"),
        ("staff_overlap", "facilitator_id"),
        ("staff_time_off", "facilitator_id"),
    ]
    assert (
        found[0].message == "Ana Ruiz: overlaps individual counseling with Pat Q. Mon 11:00–11:50."
    )
    assert "overlaps time off (dentist) Mon 07:00–09:30" in found[2].message
    assert covering.clashes(ana(), at(13), at(15), ZONE, busy) == []


# ---- how a calendar marks a stand-in --------------------------------------------------------

USUAL = [(3, "Noor Halloway")]


def test_the_tracks_own_facilitator_is_not_covering():
    assert covering.standing_in_for(3, USUAL) is None


def test_a_session_without_a_facilitator_is_not_covering():
    assert covering.standing_in_for(None, USUAL) is None


def test_a_stand_in_covers_for_the_tracks_facilitator():
    assert covering.standing_in_for(7, USUAL) == "Noor Halloway"


def test_with_several_in_rotation_every_one_is_named_in_name_order():
    usual = [(4, "Zed Ames"), (3, "Noor Halloway"), (5, "Bo Ek")]
    assert covering.standing_in_for(7, usual) == "Bo Ek, Noor Halloway or Zed Ames"
    assert covering.standing_in_for(7, usual[:2]) == "Noor Halloway or Zed Ames"
    assert covering.standing_in_for(4, usual) is None


def test_anyone_leading_a_track_without_facilitators_is_covering_for_nobody_named():
    assert covering.standing_in_for(7, []) == ""


def test_a_recorded_replaced_facilitator_is_named_alone_even_with_several_in_rotation():
    usual = [(4, "Zed Ames"), (3, "Noor Halloway")]
    assert covering.standing_in_for(7, usual, "Zed Ames") == "Zed Ames"
    # another of the track's facilitators standing in is covering too, once it is recorded
    assert covering.standing_in_for(3, usual, "Zed Ames") == "Zed Ames"
    assert covering.standing_in_for(None, usual, "Zed Ames") is None


@pytest.mark.parametrize(
    ("current", "recorded", "new", "replaced"),
    [
        (3, None, 7, 3),  # first cover: the facilitator before it
        (7, 3, 8, 3),  # cover changed again: still the original, not the previous stand-in
        (7, 3, 3, None),  # the usual facilitator is back: nobody replaced
        (None, None, 7, None),  # nobody led it, so nobody was replaced
    ],
)
def test_whom_a_cover_replaces(current, recorded, new, replaced):
    assert covering.replaced(current, recorded, new) == replaced
