"""Pure clinical rules: plan review timing at the day boundaries, signing, the plan-building
forms, the measure schedule, drug screen outcomes and the discharge form."""

from __future__ import annotations

from datetime import date

import pytest

from openiop.clinical import discharge_rules, drug_screen_rules, measures_rules
from openiop.clinical import plan_rules as rules
from openiop.kit.errors import ValidationFailed

ADMIT = date(2026, 3, 2)
POLICY = rules.ReviewPolicy(review_interval_days=30, physician_review_within_days=30)


def status(today: date, **facts) -> rules.ReviewStatus:  # type: ignore[no-untyped-def]
    base = {"admit_date": ADMIT, "activated_on": date(2026, 3, 5)}
    return rules.review_status(rules.PlanFacts(**{**base, **facts}), POLICY, today)


# ---- periodic review --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("today", "overdue"),
    [
        (date(2026, 4, 3), False),  # the day before it is due
        (date(2026, 4, 4), False),  # due that day: still on time
        (date(2026, 4, 5), True),  # the day after: overdue
    ],
)
def test_the_periodic_review_falls_due_30_days_after_activation(today, overdue):
    result = status(today, physician_reviews=(date(2026, 3, 5),))
    assert result.next_review_due == date(2026, 4, 4)
    assert result.review_overdue is overdue
    assert result.overdue is overdue


def test_a_review_restarts_the_interval_from_its_date():
    result = status(
        date(2026, 5, 3), periodic_reviews=(date(2026, 4, 3),), physician_reviews=(ADMIT,)
    )
    assert result.next_review_due == date(2026, 5, 3)
    assert not result.review_overdue
    assert status(
        date(2026, 5, 4), periodic_reviews=(date(2026, 4, 3),), physician_reviews=(ADMIT,)
    ).review_overdue


def test_the_latest_of_several_reviews_counts():
    reviews = (date(2026, 4, 1), date(2026, 3, 20))
    result = status(date(2026, 4, 20), periodic_reviews=reviews, physician_reviews=(ADMIT,))
    assert result.next_review_due == date(2026, 5, 1)


def test_a_program_may_set_another_interval():
    facts = rules.PlanFacts(ADMIT, date(2026, 3, 5), (), (ADMIT,))
    result = rules.review_status(facts, rules.ReviewPolicy(14, 30), date(2026, 3, 20))
    assert result.next_review_due == date(2026, 3, 19) and result.review_overdue


# ---- physician review -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("today", "overdue"),
    [(date(2026, 4, 1), False), (date(2026, 4, 2), True)],
)
def test_the_physician_review_is_due_within_30_days_of_admission(today, overdue):
    result = status(today)
    assert result.physician_review_due == date(2026, 4, 1)
    assert result.physician_overdue is overdue
    if overdue:
        assert "Physician review overdue" in result.problems[-1]


def test_a_late_physician_review_clears_the_flag():
    result = status(date(2026, 4, 20), physician_reviews=(date(2026, 4, 10),))
    assert not result.physician_overdue
    assert result.physician_reviewed_on == date(2026, 4, 10)


def test_no_signed_plan_is_a_problem_but_has_no_review_date():
    result = status(date(2026, 3, 3), activated_on=None)
    assert result.next_review_due is None and not result.review_overdue
    assert result.problems == ("No signed treatment plan yet.",)


# ---- signing ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "ok"),
    [
        ("Pat Quillfeather", True),
        ("  pat   QUILLFEATHER ", True),
        ("Pat Jo Quillfeather", True),
        ("Quillfeather Pat", False),
        ("Pat", False),
        ("", False),
        ("Robin Marrowby", False),
    ],
)
def test_the_patient_signs_with_their_own_name(typed, ok):
    assert rules.names_match(typed, "Pat", "Quillfeather") is ok


def _problem(**overrides):  # type: ignore[no-untyped-def]
    base = {
        "signer": "counselor",
        "role": "counselor",
        "already_signed": False,
        "plan_status": "draft",
        "complete": True,
    }
    return rules.signature_problem(**{**base, **overrides})


def test_signature_rules():
    assert _problem() is None
    assert _problem(signer="patient", role="counselor") is None  # on a staff device
    assert _problem(signer="physician", role="physician") is None
    assert "already signed" in _problem(already_signed=True)
    assert "draft" in _problem(plan_status="active")
    assert "measurable objective" in _problem(complete=False)
    assert "Only a physician" in _problem(signer="physician", role="counselor")
    assert "Only a counselor" in _problem(signer="counselor", role="program_director")


# ---- forms ------------------------------------------------------------------------------


def test_an_objective_needs_a_measure_and_a_target_date_from_today_on():
    today = date(2026, 3, 10)
    ok = rules.parse_objective(
        {"statement": "Attend 4 of 5 groups", "measure": "Attendance", "target_date": "2026-03-10"},
        today=today,
    )
    assert ok.target_date == today
    with pytest.raises(ValidationFailed) as refused:
        rules.parse_objective(
            {"statement": "", "measure": "", "target_date": "2026-03-09"}, today=today
        )
    assert set(refused.value.field_errors) == {"statement", "measure", "target_date"}


def test_a_problem_dimension_is_1_to_6_or_none():
    assert rules.parse_problem({"statement": "x", "asam_dimension": ""}) == ("x", None)
    assert rules.parse_problem({"statement": "x", "asam_dimension": "6"}) == ("x", 6)
    with pytest.raises(ValidationFailed) as refused:
        rules.parse_problem({"statement": "x", "asam_dimension": "7"})
    assert "asam_dimension" in refused.value.field_errors


def test_an_intervention_names_modality_frequency_and_known_staff():
    staff = frozenset({4, 5})
    ok = rules.parse_intervention(
        {"description": "CBT", "modality": "group", "frequency": "5 days a week"}, staff_ids=staff
    )
    assert ok.responsible_staff_id is None
    with pytest.raises(ValidationFailed) as refused:
        rules.parse_intervention(
            {
                "description": "CBT",
                "modality": "yoga",
                "frequency": "",
                "responsible_staff_id": "9",
            },
            staff_ids=staff,
        )
    assert set(refused.value.field_errors) == {"modality", "frequency", "responsible_staff_id"}


# ---- measure schedule -------------------------------------------------------------------

PHQ = measures_rules.ScheduleEntry("PHQ-9", True, 14)


@pytest.mark.parametrize(
    ("last", "today", "due_on", "state"),
    [
        (None, ADMIT, ADMIT, "due"),  # at intake: due on the admission date
        (None, date(2026, 3, 3), ADMIT, "overdue"),
        (ADMIT, date(2026, 3, 15), date(2026, 3, 16), "upcoming"),
        (ADMIT, date(2026, 3, 16), date(2026, 3, 16), "due"),
        (ADMIT, date(2026, 3, 17), date(2026, 3, 16), "overdue"),
    ],
)
def test_a_measure_is_due_at_intake_then_every_interval(last, today, due_on, state):
    [row] = measures_rules.schedule_status(
        [PHQ], admit_date=ADMIT, last_given={"PHQ-9": last} if last else {}, today=today
    )
    assert (row.due_on, row.state) == (due_on, state)


def test_without_intake_the_first_is_due_one_interval_after_admission():
    entry = measures_rules.ScheduleEntry("BAM", False, 7)
    assert measures_rules.next_due(entry, ADMIT, None) == date(2026, 3, 9)


def test_answers_are_read_and_unanswered_items_named():
    assert measures_rules.parse_answers({"item_1": "2", "item_2": "0"}, 2) == [2, 0]
    with pytest.raises(ValidationFailed) as refused:
        measures_rules.parse_answers({"item_1": "2"}, 3)
    assert set(refused.value.field_errors) == {"item_2", "item_3"}


def test_the_date_given_is_not_in_the_future_nor_before_admission():
    today = date(2026, 3, 10)
    assert measures_rules.parse_given_on({}, admit_date=ADMIT, today=today) == today
    for bad in ("2026-03-11", "2026-03-01", "yesterday"):
        with pytest.raises(ValidationFailed):
            measures_rules.parse_given_on({"administered_on": bad}, admit_date=ADMIT, today=today)


# ---- drug screens -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("results", "outcome"),
    [
        ([], "pending"),
        (["negative", "negative"], "negative"),
        (["negative", "expected"], "expected"),
        (["expected", "dilute"], "unreadable"),
        (["invalid", "positive"], "positive"),
    ],
)
def test_a_screen_reads_as_its_worst_result(results, outcome):
    assert drug_screen_rules.outcome(results) == outcome


def test_an_expected_positive_names_the_medication():
    with pytest.raises(ValidationFailed) as refused:
        drug_screen_rules.parse_results({"result_methadone": "expected"})
    assert "medication_methadone" in refused.value.field_errors
    [row] = drug_screen_rules.parse_results(
        {"result_methadone": "expected", "medication_methadone": "Methadone 60 mg"}
    )
    assert row.medication == "Methadone 60 mg"
    with pytest.raises(ValidationFailed):
        drug_screen_rules.parse_results({})


# ---- discharge --------------------------------------------------------------------------


def test_a_referral_names_where_the_patient_goes():
    raw = {"discharge_type": "referred_higher_level", "discharge_date": "2026-03-20"}
    with pytest.raises(ValidationFailed) as refused:
        discharge_rules.parse_discharge(raw, admit_date=ADMIT, today=date(2026, 3, 20))
    assert "referral_to" in refused.value.field_errors
    ok = discharge_rules.parse_discharge(
        {**raw, "referral_to": "Residential program"}, admit_date=ADMIT, today=date(2026, 3, 20)
    )
    assert ok.referral_to == "Residential program"


def test_the_discharge_date_lies_between_admission_and_today():
    for bad in ("2026-03-01", "2026-03-21"):
        with pytest.raises(ValidationFailed):
            discharge_rules.parse_discharge(
                {"discharge_type": "completed", "discharge_date": bad},
                admit_date=ADMIT,
                today=date(2026, 3, 20),
            )


def test_signing_needs_a_course_and_an_aftercare_plan():
    assert set(discharge_rules.signing_problems("", " ")) == {"clinical_course", "aftercare_plan"}
    assert discharge_rules.signing_problems("Steady", "Outpatient weekly") == {}
