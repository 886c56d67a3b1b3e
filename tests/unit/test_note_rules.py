"""Note formats and the note lifecycle as pure rules (no database)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from openiop.kit.errors import Conflict, Forbidden, ValidationFailed
from openiop.notes import rules
from openiop.notes.rules import NoteState

AUTHOR, OTHER = 1, 2
DRAFT = NoteState(patient_id=10, author_user_id=AUTHOR, status="draft")
SIGNED = NoteState(patient_id=10, author_user_id=AUTHOR, status="signed")
NEEDS_COSIGN = NoteState(10, AUTHOR, "signed", cosign_required=True)


@pytest.mark.parametrize(
    ("credentials", "needed"),
    [
        (["LCSW"], False),
        (["MD"], False),
        (["CADC"], False),
        (["AMFT"], True),
        (["ACSW"], True),
        (["APCC"], True),
        (["RADT"], True),
        (["RADT", "LCSW"], False),  # any independent credential is enough
        ([], True),  # unknown: safer to ask for a co-signature
        (["XYZ"], True),
    ],
)
def test_who_needs_a_cosignature(credentials, needed):
    assert rules.needs_cosign(credentials) is needed


@pytest.mark.parametrize(
    ("credentials", "may"),
    [(["LCSW"], True), (["MD"], True), (["RN"], False), (["AMFT"], False), ([], False)],
)
def test_who_may_supervise(credentials, may):
    assert rules.may_supervise(credentials) is may


def test_drafts_are_edited_by_their_author_only():
    rules.check_editable(DRAFT, AUTHOR)
    with pytest.raises(Forbidden):
        rules.check_editable(DRAFT, OTHER)
    with pytest.raises(Conflict, match="signed and locked"):
        rules.check_editable(SIGNED, AUTHOR)


def test_signing_twice_or_by_someone_else_is_refused():
    rules.check_sign(DRAFT, AUTHOR)
    with pytest.raises(Conflict, match="already signed"):
        rules.check_sign(SIGNED, AUTHOR)
    with pytest.raises(Forbidden):
        rules.check_sign(DRAFT, OTHER)


def test_cosigning_rules():
    rules.check_cosign(NEEDS_COSIGN, OTHER, ["LCSW"])
    with pytest.raises(Forbidden, match="your own"):
        rules.check_cosign(NEEDS_COSIGN, AUTHOR, ["LCSW"])
    with pytest.raises(Forbidden, match="supervisor"):
        rules.check_cosign(NEEDS_COSIGN, OTHER, ["RN"])
    with pytest.raises(Conflict, match="must sign"):
        rules.check_cosign(NoteState(10, AUTHOR, "draft", cosign_required=True), OTHER, ["LCSW"])
    with pytest.raises(Conflict, match="does not need"):
        rules.check_cosign(SIGNED, OTHER, ["LCSW"])
    done = NoteState(10, AUTHOR, "signed", cosign_required=True, cosigned=True)
    with pytest.raises(Conflict, match="already co-signed"):
        rules.check_cosign(done, OTHER, ["LCSW"])


def test_addenda_go_on_signed_notes_of_the_same_patient():
    assert rules.check_addendum(SIGNED, 10, "  Called back.  ") == "Called back."
    with pytest.raises(ValidationFailed, match="another patient"):
        rules.check_addendum(SIGNED, 11, "x")
    with pytest.raises(Conflict, match="draft"):
        rules.check_addendum(DRAFT, 10, "x")
    with pytest.raises(ValidationFailed):
        rules.check_addendum(SIGNED, 10, "   ")
    with pytest.raises(ValidationFailed):
        rules.check_addendum(SIGNED, 10, "x" * (rules.MAX_SECTION + 1))


def test_a_group_notes_shared_part_takes_no_addendum():
    shared = NoteState(patient_id=None, author_user_id=AUTHOR, status="signed")
    with pytest.raises(ValidationFailed):
        rules.check_addendum(shared, 10, "x")


@pytest.mark.parametrize(
    ("hours_after", "limit", "late"),
    [(1, 24, False), (24, 24, False), (24.02, 24, True), (47, 48, False), (49, 48, True)],
)
def test_late_entries(hours_after, limit, late):
    service = datetime(2026, 11, 30, 20, tzinfo=UTC)
    assert rules.is_late(service, service + timedelta(hours=hours_after), limit) is late


def test_the_hash_is_stable_and_sensitive():
    one = rules.content_hash({"b": "x", "a": [1, 2]})
    assert one == rules.content_hash({"a": [1, 2], "b": "x"})  # key order does not matter
    assert one != rules.content_hash({"a": [1, 2], "b": "y"})
    assert len(one) == 64


def test_sections_are_trimmed_and_required_ones_named_for_signing():
    fmt = rules.FORMATS["birp"]
    body, problems = rules.clean_sections(fmt.sections, {"behavior": "  calm ", "plan": 5})
    assert body == {"behavior": "calm", "intervention": "", "response": "", "plan": ""}
    assert problems == {}
    missing = rules.missing_for_signing(fmt.sections, body)
    assert set(missing) == {"intervention", "response", "plan"}
    optional = rules.FORMATS["group"]
    part = {"participation": "p", "response": "r", "progress": ""}
    assert rules.missing_for_signing(optional.sections, part, "p7-") == {}


def test_every_format_has_sections_and_a_known_kind():
    assert set(rules.WRITABLE_FORMATS) | {"group"} == set(rules.FORMATS)
    for fmt in rules.FORMATS.values():
        assert fmt.sections and fmt.kind in {
            "counseling",
            "physician",
            "intake",
            "contact",
            "group",
        }
    with pytest.raises(ValidationFailed):
        rules.note_format("sonnet")


def test_medication_rows():
    rows = [
        {"name": "Naltrexone", "dose": "50 mg", "route": "oral", "frequency": "daily"},
        {"name": " ", "dose": "", "route": "", "frequency": ""},
        {"name": "Gabapentin", "dose": "300 mg", "route": "by mouth", "frequency": ""},
    ]
    meds, problems = rules.clean_medications(rows)
    assert [m.name for m in meds] == ["Naltrexone", "Gabapentin"]
    assert set(problems) == {"med-3-route", "med-3-frequency"}
    many = [{"name": "m", "dose": "1", "route": "oral", "frequency": "d"}] * 13
    assert "medications" in rules.clean_medications(many)[1]


def test_contact_methods():
    assert rules.contact_problems("phone") == {}
    assert "contact_method" in rules.contact_problems("pigeon")
    assert "contact_method" in rules.contact_problems(None)
