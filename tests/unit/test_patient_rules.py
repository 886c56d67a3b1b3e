"""Table tests for the registry's pure rules (patients/rules.py and enrollment_rules.py):
search parsing, demographics, commitments, enrollments."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, time

import pytest

from openiop.patients import enrollment_rules, rules
from openiop.patients.enrollment_rules import (
    EnrollmentFacts,
    EnrollmentInput,
    StaffFacts,
    TrackFacts,
)
from openiop.patients.rules import PatientSearch, RuleError

TODAY = date(2026, 11, 30)

# ---- search -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", PatientSearch()),
        ("   ", PatientSearch()),
        ("quill", PatientSearch(words=("quill",))),
        ("Pat  QUILL", PatientSearch(words=("pat", "quill"))),
        ("Quillfeather, Pat", PatientSearch(last_prefix="quillfeather", first_prefix="pat")),
        ("quill,", PatientSearch(last_prefix="quill")),
        ("M000123", PatientSearch(mrn="M000123")),
        ("m000123", PatientSearch(mrn="M000123")),
        ("000123", PatientSearch(mrn="000123")),
        ("04/12/1985", PatientSearch(date_of_birth=date(1985, 4, 12))),
        ("4/2/1985", PatientSearch(date_of_birth=date(1985, 4, 2))),
        ("1985-04-12", PatientSearch(date_of_birth=date(1985, 4, 12))),
        ("o'neil", PatientSearch(words=("o'neil",))),
    ],
)
def test_parse_search(query, expected):
    assert rules.parse_search(query) == expected


@pytest.mark.parametrize("query", ["13/45/1985", "1985-02-30", "a b c d e f"])
def test_parse_search_refuses_impossible_input(query):
    with pytest.raises(RuleError):
        rules.parse_search(query)


def test_empty_search_is_empty_and_a_name_is_not():
    assert rules.parse_search("").is_empty
    assert not rules.parse_search("pat").is_empty


# ---- demographics -----------------------------------------------------------------------

GOOD_PATIENT = {
    "first_name": " Pat ",
    "last_name": "Quillfeather",
    "date_of_birth": "04/12/1985",
    "registered_location_id": "3",
    "phone": "555-010-0123",
    "email": "Pat@Example.org",
    "state": "ca",
    "postal_code": "94110",
}


def test_a_good_patient_is_cleaned():
    values, errors = rules.check_patient(GOOD_PATIENT, today=TODAY)
    assert errors == {}
    assert values["first_name"] == "Pat"
    assert values["date_of_birth"] == date(1985, 4, 12)
    assert values["registered_location_id"] == 3
    assert values["phone"] == "(555) 010-0123"
    assert values["email"] == "pat@example.org"
    assert values["state"] == "CA"
    assert values["sex_at_birth"] == "unknown"
    assert values["preferred_language"] == "English"
    assert values["preferred_name"] is None


@pytest.mark.parametrize(
    ("field", "value", "message_part"),
    [
        ("first_name", "", "Required"),
        ("last_name", "   ", "Required"),
        ("first_name", "x" * 101, "at most 100"),
        ("date_of_birth", "", "Required"),
        ("date_of_birth", "2026-11-30", "in the past"),
        ("date_of_birth", "2030-01-01", "in the past"),
        ("date_of_birth", "12/31/1899", "before 1900"),
        ("date_of_birth", "02/30/1990", "not a real date"),
        ("date_of_birth", "yesterday", "MM/DD/YYYY"),
        ("phone", "555-0100", "10-digit"),
        ("emergency_contact_phone", "12", "10-digit"),
        ("email", "not-an-email", "email address"),
        ("email", "a@b", "email address"),
        ("postal_code", "9411", "12345"),
        ("postal_code", "10001", "California"),
        ("state", "Calif", "two-letter"),
        ("sex_at_birth", "robot", "listed options"),
        ("registered_location_id", "", "site"),
        ("registered_location_id", "abc", "listed options"),
    ],
)
def test_patient_field_errors_name_the_field(field, value, message_part):
    _values, errors = rules.check_patient({**GOOD_PATIENT, field: value}, today=TODAY)
    assert list(errors) == [field]
    assert message_part in errors[field]


@pytest.mark.parametrize(
    ("state", "postal_code", "ok"),
    [
        ("CA", "90001", True),
        ("CA", "96162-1234", True),
        ("", "95814", True),
        ("CA", "97201", False),
        ("", "89501", False),
        ("NV", "89501", True),  # a patient may live across the state line
    ],
)
def test_zip_codes_in_california(state, postal_code, ok):
    _values, errors = rules.check_patient(
        {**GOOD_PATIENT, "state": state, "postal_code": postal_code}, today=TODAY
    )
    assert ("postal_code" not in errors) is ok


def test_earliest_birth_date_is_allowed():
    _values, errors = rules.check_patient(
        {**GOOD_PATIENT, "date_of_birth": "1900-01-01"}, today=TODAY
    )
    assert errors == {}


def test_age():
    assert rules.age_on(date(1985, 4, 12), date(2026, 4, 11)) == 40
    assert rules.age_on(date(1985, 4, 12), date(2026, 4, 12)) == 41


# ---- commitments ------------------------------------------------------------------------


def test_a_good_commitment():
    entry, errors = rules.check_commitment(
        {
            "kind": "work",
            "weekday": "3",
            "start_time": "13:00",
            "end_time": "17:30",
            "label": " Warehouse ",
        }
    )
    assert errors == {}
    assert entry == rules.CommitmentInput("work", 3, time(13), time(17, 30), "Warehouse")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"kind": "party"}, "kind"),
        ({"weekday": "0"}, "weekday"),
        ({"weekday": "8"}, "weekday"),
        ({"weekday": ""}, "weekday"),
        ({"start_time": ""}, "start_time"),
        ({"start_time": "25:00"}, "start_time"),
        ({"end_time": "13:00"}, "end_time"),  # equal to the start
        ({"end_time": "12:00"}, "end_time"),  # before the start
        ({"label": "x" * 101}, "label"),
    ],
)
def test_commitment_errors(change, field):
    raw = {"kind": "school", "weekday": "1", "start_time": "13:00", "end_time": "15:00", **change}
    entry, errors = rules.check_commitment(raw)
    assert entry is None
    assert list(errors) == [field]


def test_commitment_accepts_am_pm_times():
    entry, _ = rules.check_commitment(
        {"kind": "childcare", "weekday": "7", "start_time": "8:15 am", "end_time": "9:00 AM"}
    )
    assert entry is not None and entry.start_time == time(8, 15)


# ---- enrollments ------------------------------------------------------------------------

GOOD_ENROLLMENT = {
    "program_id": "1",
    "location_id": "10",
    "track_id": "100",
    "admit_date": "2026-11-02",
    "primary_counselor_id": "7",
    "physician_id": "8",
    "status": "active",
    "primary_substance": "alcohol",
    "diagnosis_codes": "f10.20, F12.10,F10.20",
}


def test_a_good_enrollment_is_parsed():
    entry, errors = enrollment_rules.parse_enrollment(GOOD_ENROLLMENT)
    assert errors == {}
    assert entry is not None
    assert entry.diagnosis_codes == ("F10.20", "F12.10")
    assert entry.admit_date == date(2026, 11, 2)
    assert entry.is_open


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"program_id": ""}, "program_id"),
        ({"location_id": ""}, "location_id"),
        ({"track_id": "x"}, "track_id"),
        ({"admit_date": ""}, "admit_date"),
        ({"admit_date": "11/31/2026"}, "admit_date"),
        ({"status": ""}, "status"),
        ({"status": "paused"}, "status"),
        ({"primary_substance": "chocolate"}, "primary_substance"),
        ({"diagnosis_codes": "F20.9"}, "diagnosis_codes"),  # schizophrenia: not F10-F19
        ({"diagnosis_codes": "F10"}, "diagnosis_codes"),
        ({"diagnosis_codes": "F10.2000"}, "diagnosis_codes"),
        ({"diagnosis_codes": "F10.20; F11.20"}, "diagnosis_codes"),
        ({"discharge_date": "2026-11-20"}, "discharge_date"),  # open with a discharge date
        ({"discharge_type": "completed"}, "discharge_type"),
        ({"status": "discharged", "discharge_type": "completed"}, "discharge_date"),
        ({"status": "discharged", "discharge_date": "2026-11-20"}, "discharge_type"),
        (
            {"status": "discharged", "discharge_date": "2026-11-01", "discharge_type": "completed"},
            "discharge_date",
        ),
        (
            {"status": "discharged", "discharge_date": "2026-11-20", "discharge_type": "bored"},
            "discharge_type",
        ),
    ],
)
def test_enrollment_field_errors(change, field):
    entry, errors = enrollment_rules.parse_enrollment({**GOOD_ENROLLMENT, **change})
    assert entry is None
    assert list(errors) == [field]


@pytest.mark.parametrize(
    "discharge_type",
    [
        "completed",
        "left_before_completion",
        "administrative",
        "stepped_down",
        "referred_higher_level",
    ],
)
def test_every_discharge_type_is_accepted(discharge_type):
    entry, errors = enrollment_rules.parse_enrollment(
        {
            **GOOD_ENROLLMENT,
            "status": "discharged",
            "discharge_date": "2026-11-02",
            "discharge_type": discharge_type,
        }
    )
    assert errors == {} and entry is not None and not entry.is_open


def test_diagnosis_codes_accept_a_list():
    assert enrollment_rules.parse_diagnosis_codes(["F11.20", " f19.10 "]) == ("F11.20", "F19.10")
    assert enrollment_rules.parse_diagnosis_codes("") == ()


COUNSELOR = StaffFacts("Casey Counselor", True, frozenset({10}), frozenset({"LCSW"}), 3, 20)
PHYSICIAN = StaffFacts("Devi Doctor", True, frozenset({10}), frozenset({"MD"}), 0, 0)
FACTS = EnrollmentFacts(
    today=TODAY,
    date_of_birth=date(1985, 4, 12),
    actor_location_ids=frozenset({10}),
    program_ids=frozenset({1}),
    track=TrackFacts(program_id=1, location_id=10, active=True),
    counselor=COUNSELOR,
    physician=PHYSICIAN,
    counselor_newly_assigned=True,
    other_open_enrollment=False,
)


def _entry(**change) -> EnrollmentInput:  # type: ignore[no-untyped-def]
    entry, errors = enrollment_rules.parse_enrollment(GOOD_ENROLLMENT)
    assert entry is not None, errors
    return replace(entry, **change)


def test_good_facts_raise_no_problem():
    assert enrollment_rules.enrollment_problems(_entry(), FACTS) == {}


@pytest.mark.parametrize(
    ("entry_change", "facts_change", "field", "message_part"),
    [
        ({}, {"program_ids": frozenset({2})}, "program_id", "active programs"),
        ({}, {"actor_location_ids": frozenset({11})}, "location_id", "your own sites"),
        ({"admit_date": date(1980, 1, 1)}, {}, "admit_date", "date of birth"),
        ({"admit_date": date(2028, 1, 1)}, {}, "admit_date", "more than a year"),
        (
            {
                "status": "discharged",
                "discharge_date": date(2026, 12, 5),
                "discharge_type": "completed",
            },
            {},
            "discharge_date",
            "future",
        ),
        ({}, {"track": None}, "track_id", "active tracks"),
        ({}, {"track": TrackFacts(1, 10, False)}, "track_id", "active tracks"),
        ({}, {"track": TrackFacts(1, 11, True)}, "track_id", "chosen site"),
        ({}, {"track": TrackFacts(2, 10, True)}, "track_id", "chosen program"),
        ({}, {"counselor": None}, "primary_counselor_id", "active staff"),
        (
            {},
            {"counselor": replace(COUNSELOR, active=False)},
            "primary_counselor_id",
            "active staff",
        ),
        (
            {},
            {"counselor": replace(COUNSELOR, location_ids=frozenset({11}))},
            "primary_counselor_id",
            "does not work",
        ),
        ({}, {"counselor": replace(COUNSELOR, open_caseload=20)}, "primary_counselor_id", "cap 20"),
        ({}, {"physician": None}, "physician_id", "active staff"),
        (
            {},
            {"physician": replace(PHYSICIAN, location_ids=frozenset({11}))},
            "physician_id",
            "does not work",
        ),
        (
            {},
            {"physician": replace(PHYSICIAN, credentials=frozenset({"LCSW"}))},
            "physician_id",
            "MD, DO, NP or PA",
        ),
        ({}, {"other_open_enrollment": True}, "status", "already has an open enrollment"),
        ({"status": "pending"}, {"other_open_enrollment": True}, "status", "already has"),
    ],
)
def test_enrollment_problems(entry_change, facts_change, field, message_part):
    problems = enrollment_rules.enrollment_problems(
        _entry(**entry_change), replace(FACTS, **facts_change)
    )
    assert list(problems) == [field]
    assert message_part in problems[field]


@pytest.mark.parametrize("credential", ["MD", "DO", "NP", "PA"])
def test_each_prescriber_credential_may_be_the_physician(credential):
    facts = replace(FACTS, physician=replace(PHYSICIAN, credentials=frozenset({credential, "X"})))
    assert enrollment_rules.enrollment_problems(_entry(), facts) == {}


@pytest.mark.parametrize(
    ("entry_change", "facts_change"),
    [
        ({}, {"counselor": replace(COUNSELOR, open_caseload=19)}),  # one place left
        ({}, {"counselor": replace(COUNSELOR, open_caseload=50, caseload_cap=0)}),  # no cap set
        (
            {},
            {"counselor": replace(COUNSELOR, open_caseload=25), "counselor_newly_assigned": False},
        ),
        (
            {
                "status": "discharged",
                "discharge_date": date(2026, 11, 20),
                "discharge_type": "completed",
            },
            {"counselor": replace(COUNSELOR, open_caseload=25), "other_open_enrollment": True},
        ),
        (
            {"track_id": None, "primary_counselor_id": None, "physician_id": None},
            {"track": None, "counselor": None, "physician": None},
        ),
        ({}, {"actor_location_ids": None}),  # an organization-wide admin
    ],
)
def test_enrollment_cases_that_are_allowed(entry_change, facts_change):
    assert (
        enrollment_rules.enrollment_problems(_entry(**entry_change), replace(FACTS, **facts_change))
        == {}
    )
