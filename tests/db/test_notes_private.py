"""Private SUD counseling notes: encrypted at rest, visible only to their author, absent from
the chart, the API and every other role's view."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from openiop.config import ConfigError, Settings, check_notes_key
from openiop.kit.errors import ValidationFailed
from openiop.models import PrivateCounselingNote
from openiop.notes import crypto, private_service
from openiop.security.service import Refused
from tests.db import support_notes as s
from tests.personas import sign_in

SECRET_TEXT = "Patient disclosed a painful memory about the family business."


@pytest.fixture
def nw(db):  # type: ignore[no-untyped-def]
    return s.build(db)


def _write(db, nw, settings, persona="care_counselor"):  # type: ignore[no-untyped-def]
    return private_service.write_private_note(
        db,
        actor=s.actor(db, nw.user(persona)),
        patient_id=nw.pat.id,
        service_date="2026-11-30",
        text=SECRET_TEXT,
        settings=settings,
    )


def test_the_raw_row_holds_no_plaintext(db, nw, settings):
    note = _write(db, nw, settings)
    raw = db.execute(
        text("SELECT ciphertext FROM private_counseling_notes WHERE id = :id"), {"id": note.id}
    ).scalar_one()
    assert "painful" not in raw and "family" not in raw
    assert crypto.decrypt(settings, raw) == SECRET_TEXT
    row_text = str(db.execute(text("SELECT * FROM private_counseling_notes")).all())
    assert "painful" not in row_text


def test_a_different_key_cannot_read_it(db, nw, settings):
    note = _write(db, nw, settings)
    other = s.settings_for(settings, notes_key="b3RoZXIta2V5LW9mLTMyLWJ5dGVzLWZvci10ZXN0cyE=")
    with pytest.raises(crypto.NoteKeyError):
        crypto.decrypt(other, note.ciphertext)


def test_only_the_author_sees_their_private_notes(db, nw, settings):
    _write(db, nw, settings)
    author = private_service.my_private_notes(
        db, actor=s.actor(db, nw.user("care_counselor")), patient_id=nw.pat.id, settings=settings
    )
    assert [n.text for n in author] == [SECRET_TEXT]
    # The physician is on the care team and may write their own, but never sees the counselor's.
    physician = private_service.my_private_notes(
        db, actor=s.actor(db, nw.user("care_physician")), patient_id=nw.pat.id, settings=settings
    )
    assert physician == []


@pytest.mark.parametrize(
    "persona",
    ["site_counselor", "other_site_counselor", "billing", "auditor", "patient", "front_desk"],
)
def test_other_roles_are_refused(db, nw, settings, persona):
    with pytest.raises(Refused):
        private_service.my_private_notes(
            db, actor=s.actor(db, nw.user(persona)), patient_id=nw.pat.id, settings=settings
        )
    with pytest.raises(Refused):
        _write(db, nw, settings, persona=persona)


def test_the_api_lists_never_include_them(client, db, nw, settings):
    note = _write(db, nw, settings)
    headers = s.bearer(db, nw.user("care_counselor"))
    listing = client.get(f"/api/v1/patients/{nw.pat.id}/notes", headers=headers)
    assert listing.status_code == 200 and listing.json()["items"] == []
    assert "painful" not in listing.text
    assert client.get(f"/api/v1/notes/{note.id}", headers=headers).status_code == 404
    paths = client.get("/openapi.json").json()["paths"]
    assert not [p for p in paths if "private" in p]


def test_the_chart_page_does_not_show_them(client, db, nw, settings):
    _write(db, nw, settings)
    sign_in(client, "care_counselor@example.org")
    chart = client.get(f"/patients/{nw.pat.id}/notes")
    assert chart.status_code == 200 and "painful" not in chart.text
    own = client.get(f"/patients/{nw.pat.id}/private-notes")
    assert own.status_code == 200 and SECRET_TEXT in own.text


def test_bad_input_is_refused_and_nothing_written(db, nw, settings):
    actor = s.actor(db, nw.user("care_counselor"))
    for day, body, field in [("2026-11-30", "  ", "text"), ("someday", "x", "service_date")]:
        with pytest.raises(ValidationFailed) as error:
            private_service.write_private_note(
                db,
                actor=actor,
                patient_id=nw.pat.id,
                service_date=day,
                text=body,
                settings=settings,
            )
        assert field in error.value.field_errors
    assert s.count(db, PrivateCounselingNote) == 0


def test_production_refuses_to_start_without_a_notes_key():
    with pytest.raises(ConfigError, match="OPENIOP_NOTES_KEY"):
        Settings(secret_key="k" * 40, dev_mode=False, notes_key="").check_secret()
    with pytest.raises(ConfigError, match="OPENIOP_NOTES_KEY"):
        check_notes_key("not-a-key")
    Settings(secret_key="k" * 40, dev_mode=False, notes_key=s.TEST_KEY).check_secret()


def test_dev_mode_derives_a_working_key():
    dev = Settings(dev_mode=True, notes_key="")
    dev.check_secret()
    assert crypto.decrypt(dev, crypto.encrypt(dev, "hello")) == "hello"
