"""Chart notes: drafts, signing, co-signing, addenda, late entries and bad input, through the
service on SQLite and PostgreSQL. Every error leaves the note as it was."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from openiop.kit import clock
from openiop.kit.errors import Conflict, Forbidden, ValidationFailed
from openiop.models import ClinicalNote, NoteAddendum, NoteMedication, note_objectives
from openiop.notes import rules, service
from tests.db import support_notes as s


@pytest.fixture
def nw(db):  # type: ignore[no-untyped-def]
    return s.build(db)


def _create(db, nw, settings, persona="care_counselor", data=None):  # type: ignore[no-untyped-def]
    return service.create_note(
        db,
        actor=s.actor(db, nw.user(persona)),
        patient_id=nw.pat.id,
        data=data or s.dap(),
        settings=settings,
    )


def test_a_draft_is_saved_and_read_back_with_its_sections(db, nw, settings):
    note = _create(db, nw, settings)
    view = service.read_note(db, actor=s.actor(db, nw.user("care_counselor")), note_id=note.id)
    assert view.status == "draft" and view.format == "dap"
    assert [x.text for x in view.sections] == [
        "Reports two sober days.",
        "Engaged.",
        "Meet Friday.",
    ]
    assert view.service_date.isoformat() == "2026-11-30"
    assert s.events(db, "note.create") and s.events(db, "note.read")


def test_signing_locks_with_signer_time_and_hash(db, nw, settings):
    note = _create(db, nw, settings)
    author = s.actor(db, nw.user("care_counselor"))
    service.sign_note(db, actor=author, note_id=note.id, settings=settings)
    assert note.status == "signed" and note.signed_at == s.SOON_AFTER
    assert note.signed_by_user_id == nw.user("care_counselor").id
    assert len(note.content_hash) == 64
    assert note.cosign_required is False  # LCSW practises independently
    assert note.late is False  # 1 hour after the service
    with pytest.raises(Conflict, match="already signed"):
        service.sign_note(db, actor=author, note_id=note.id, settings=settings)
    with pytest.raises(Conflict, match="signed and locked"):
        service.update_note(
            db,
            actor=author,
            note_id=note.id,
            version=note.version,
            data={"sections": {"data": "changed"}},
            settings=settings,
        )
    db.refresh(note)
    assert note.body["data"] == "Reports two sober days."


def test_the_hash_covers_the_content(db, nw, settings):
    one = _create(db, nw, settings)
    two = _create(db, nw, settings, data=s.dap(plan="Meet Monday instead."))
    author = s.actor(db, nw.user("care_counselor"))
    for note in (one, two):
        service.sign_note(db, actor=author, note_id=note.id, settings=settings)
    assert one.content_hash != two.content_hash


def test_signing_needs_every_required_section(db, nw, settings):
    note = _create(db, nw, settings, data=s.dap(assessment="  "))
    with pytest.raises(ValidationFailed) as error:
        service.sign_note(
            db, actor=s.actor(db, nw.user("care_counselor")), note_id=note.id, settings=settings
        )
    assert "assessment" in error.value.field_errors
    db.refresh(note)
    assert note.status == "draft" and note.signed_at is None


def test_only_the_author_edits_or_signs_a_draft(db, nw, settings):
    note = _create(db, nw, settings)
    physician = s.actor(db, nw.user("care_physician"))  # on the care team, not the author
    with pytest.raises(Forbidden):
        service.sign_note(db, actor=physician, note_id=note.id, settings=settings)
    with pytest.raises(Forbidden):
        service.update_note(
            db,
            actor=physician,
            note_id=note.id,
            version=note.version,
            data={"sections": {"plan": "x"}},
            settings=settings,
        )


def test_a_stale_version_is_a_conflict_and_changes_nothing(db, nw, settings):
    note = _create(db, nw, settings)
    author = s.actor(db, nw.user("care_counselor"))
    with pytest.raises(Conflict):
        service.update_note(
            db,
            actor=author,
            note_id=note.id,
            version=note.version + 1,
            data={"sections": {"data": "new", "assessment": "a", "plan": "p"}},
            settings=settings,
        )
    db.refresh(note)
    assert note.body["data"] == "Reports two sober days."


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({**s.dap(), "service_date": "30/11/2026"}, "service_date"),
        ({**s.dap(), "service_date": "2026-12-25"}, "service_date"),
        ({**s.dap(), "service_time": "25:99"}, "service_time"),
        ({**s.dap(), "format": "poem"}, "format"),
        ({**s.dap(), "format": "group"}, "format"),
        ({**s.dap(), "sections": {"data": "x" * 9000}}, "data"),
        (
            {"format": "contact", "service_date": "2026-11-30", "contact_method": "fax"},
            "contact_method",
        ),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(db, nw, settings, data, field):
    before = s.count(db, ClinicalNote)
    with pytest.raises(ValidationFailed) as error:
        _create(db, nw, settings, data=data)
    assert field in error.value.field_errors
    assert s.count(db, ClinicalNote) == before


def test_a_physician_note_keeps_its_medication_list(db, nw, settings):
    meds = [
        {"name": "Naltrexone", "dose": "50 mg", "route": "oral", "frequency": "once daily"},
        {"name": "", "dose": "", "route": "", "frequency": ""},  # a blank form row: dropped
    ]
    data = {
        "format": "soap",
        "service_date": "2026-11-30",
        "sections": {"subjective": "s", "objective": "o", "assessment": "a", "plan": "p"},
        "medications": meds,
    }
    note = _create(db, nw, settings, persona="care_physician", data=data)
    view = service.read_note(db, actor=s.actor(db, nw.user("care_physician")), note_id=note.id)
    assert [(m.name, m.dose, m.route, m.frequency) for m in view.medications] == [
        ("Naltrexone", "50 mg", "oral", "once daily")
    ]


def test_an_incomplete_medication_row_is_refused(db, nw, settings):
    data = {
        "format": "soap",
        "service_date": "2026-11-30",
        "medications": [{"name": "Buprenorphine", "dose": "8 mg", "route": "chewed"}],
    }
    with pytest.raises(ValidationFailed) as error:
        _create(db, nw, settings, persona="care_physician", data=data)
    assert set(error.value.field_errors) == {"med-1-route", "med-1-frequency"}
    assert s.count(db, NoteMedication) == 0


def test_a_supervised_author_needs_a_cosignature_from_a_supervisor(db, nw, settings):
    note = _create(db, nw, settings, persona="associate")
    associate = s.actor(db, nw.user("associate"))
    with pytest.raises(Conflict, match="sign the note before"):
        service.cosign_note(db, actor=s.actor(db, nw.user("care_counselor")), note_id=note.id)
    service.sign_note(db, actor=associate, note_id=note.id, settings=settings)
    assert note.cosign_required is True
    with pytest.raises(Forbidden, match="your own note"):
        service.cosign_note(db, actor=associate, note_id=note.id)
    supervisor = s.actor(db, nw.user("care_counselor"))
    service.cosign_note(db, actor=supervisor, note_id=note.id)
    assert note.cosigned_by_user_id == nw.user("care_counselor").id
    assert note.cosigned_at == s.SOON_AFTER
    with pytest.raises(Conflict, match="already co-signed"):
        service.cosign_note(db, actor=supervisor, note_id=note.id)


def test_a_licensed_authors_note_needs_no_cosignature(db, nw, settings):
    note = _create(db, nw, settings)
    service.sign_note(
        db, actor=s.actor(db, nw.user("care_counselor")), note_id=note.id, settings=settings
    )
    with pytest.raises(Conflict, match="does not need"):
        service.cosign_note(db, actor=s.actor(db, nw.user("care_physician")), note_id=note.id)


def test_a_note_signed_after_the_limit_is_flagged_late(db, nw, settings):
    note = _create(db, nw, settings)  # service ended 10:00 Pacific = 18:00 UTC
    clock.freeze(datetime(2026, 12, 1, 18, 1, tzinfo=UTC))  # 24 h 1 min later
    service.sign_note(
        db, actor=s.actor(db, nw.user("care_counselor")), note_id=note.id, settings=settings
    )
    assert note.late is True


def test_the_late_limit_is_a_setting(db, nw, settings):
    note = _create(db, nw, settings)
    clock.freeze(datetime(2026, 12, 1, 18, 1, tzinfo=UTC))
    generous = s.settings_for(settings, notes_late_hours=48)
    service.sign_note(
        db, actor=s.actor(db, nw.user("care_counselor")), note_id=note.id, settings=generous
    )
    assert note.late is False


def _signed(db, nw, settings):  # type: ignore[no-untyped-def]
    note = _create(db, nw, settings)
    service.sign_note(
        db, actor=s.actor(db, nw.user("care_counselor")), note_id=note.id, settings=settings
    )
    return note


def test_addenda_are_dated_and_come_from_the_author_or_care_team(db, nw, settings):
    note = _signed(db, nw, settings)
    hash_before = note.content_hash
    for persona in ("care_counselor", "care_physician", "facilitator"):
        service.add_addendum(
            db,
            actor=s.actor(db, nw.user(persona)),
            patient_id=nw.pat.id,
            note_id=note.id,
            text=f"Added by {persona}.",
        )
    view = service.read_note(db, actor=s.actor(db, nw.user("care_counselor")), note_id=note.id)
    assert [a.text for a in view.addenda] == [
        "Added by care_counselor.",
        "Added by care_physician.",
        "Added by facilitator.",
    ]
    assert all(a.created_at == s.SOON_AFTER for a in view.addenda)
    db.refresh(note)
    assert note.content_hash == hash_before


def test_an_addendum_on_a_draft_or_empty_is_refused(db, nw, settings):
    draft = _create(db, nw, settings)
    author = s.actor(db, nw.user("care_counselor"))
    with pytest.raises(Conflict, match="draft"):
        service.add_addendum(db, actor=author, patient_id=nw.pat.id, note_id=draft.id, text="x")
    signed = _signed(db, nw, settings)
    with pytest.raises(ValidationFailed) as error:
        service.add_addendum(db, actor=author, patient_id=nw.pat.id, note_id=signed.id, text=" ")
    assert "text" in error.value.field_errors
    assert s.count(db, NoteAddendum) == 0


def test_an_addendum_on_another_patients_note_is_refused(db, nw, settings):
    pats_note = _signed(db, nw, settings)
    morgan = nw.attendees[1]  # also on the care counselor's caseload
    with pytest.raises(ValidationFailed, match="another patient"):
        service.add_addendum(
            db,
            actor=s.actor(db, nw.user("care_counselor")),
            patient_id=morgan.id,
            note_id=pats_note.id,
            text="Meant for Morgan.",
        )
    assert s.count(db, NoteAddendum) == 0


def test_objectives_link_only_to_the_patients_own_plan(db, nw, settings):
    mine = s.objective_for(db, nw.pat, nw.world)
    theirs = s.objective_for(db, nw.attendees[1], nw.world)
    note = _create(db, nw, settings, data={**s.dap(), "objective_ids": [mine.id]})
    view = service.read_note(db, actor=s.actor(db, nw.user("care_counselor")), note_id=note.id)
    assert [o.id for o in view.objectives] == [mine.id]
    with pytest.raises(ValidationFailed) as error:
        _create(db, nw, settings, data={**s.dap(), "objective_ids": [theirs.id]})
    assert "objective_ids" in error.value.field_errors
    rows = db.execute(select(note_objectives)).all()
    assert [(r.note_id, r.objective_id) for r in rows] == [(note.id, mine.id)]


def test_contact_notes_need_a_method_to_sign(db, nw, settings):
    data = {
        "format": "contact",
        "service_date": "2026-11-30",
        "contact_method": "collateral",
        "sections": {"contact_with": "Probation officer", "summary": "Confirmed attendance."},
    }
    note = _create(db, nw, settings, data=data)
    service.sign_note(
        db, actor=s.actor(db, nw.user("care_counselor")), note_id=note.id, settings=settings
    )
    assert note.contact_method == "collateral" and note.status == rules.SIGNED


def test_a_note_about_this_morning_without_a_time_is_accepted(db, nw, settings):
    # 08:00 Pacific on the day of service: noon has not come yet.
    clock.freeze(datetime(2026, 11, 30, 16, 0, tzinfo=UTC))
    data = {**s.dap(), "service_time": ""}
    note = _create(db, nw, settings, data=data)
    assert note.service_at == datetime(2026, 11, 30, 16, 0, tzinfo=UTC)
    later_today = {**s.dap(), "service_time": "15:00"}
    with pytest.raises(ValidationFailed) as error:
        _create(db, nw, settings, data=later_today)
    assert "service_time" in error.value.field_errors
