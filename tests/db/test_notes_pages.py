"""Note pages: forms re-shown with values and errors, the HTMX autosave, Save and sign, the
view with its signature and addenda, the group note form, and who is refused."""

from __future__ import annotations

import re

import pytest

from openiop.models import ClinicalNote, GroupNote
from tests.db import support_notes as s
from tests.personas import csrf_of, sign_in


@pytest.fixture
def nw(db):  # type: ignore[no-untyped-def]
    return s.build(db)


def _form(token: str, **changes: str) -> dict[str, str]:
    return {
        "csrf_token": token,
        "format": "dap",
        "service_date": "2026-11-30",
        "service_time": "10:00",
        "data": "Talked about the weekend.",
        "assessment": "Motivated.",
        "plan": "Practise the urge-surfing exercise.",
        **changes,
    }


def _signed_in(client, persona: str) -> str:  # type: ignore[no-untyped-def]
    sign_in(client, f"{persona}@example.org")
    return csrf_of(client)


def test_a_new_note_with_a_bad_date_is_shown_again_with_the_error(client, db, nw):
    token = _signed_in(client, "care_counselor")
    url = f"/patients/{nw.pat.id}/notes/new"
    assert client.get(url + "?format=dap").status_code == 200
    response = client.post(url, data=_form(token, service_date="yesterday"))
    assert response.status_code == 422
    assert "Enter the date of service" in response.text
    assert "Talked about the weekend." in response.text  # what was typed is kept
    assert s.count(db, ClinicalNote) == 0


def test_save_autosave_sign_and_addendum_through_the_pages(client, db, nw):
    token = _signed_in(client, "care_counselor")
    created = client.post(
        f"/patients/{nw.pat.id}/notes/new", data=_form(token), follow_redirects=False
    )
    assert created.status_code == 303
    edit_url = created.headers["location"]
    note_id = int(re.search(r"/notes/(\d+)/edit", edit_url).group(1))  # type: ignore[union-attr]
    form_page = client.get(edit_url)
    assert f'hx-post="/notes/{note_id}/autosave"' in form_page.text
    assert 'hx-trigger="input throttle:20s, focusout"' in form_page.text

    saved = client.post(
        f"/notes/{note_id}/autosave", data=_form(token, version="1", plan="Call on Monday.")
    )
    assert saved.status_code == 200 and "Draft saved" in saved.text
    assert 'value="2"' in saved.text and "hx-swap-oob" in saved.text
    stale = client.post(f"/notes/{note_id}/autosave", data=_form(token, version="1"))
    assert "Not saved" in stale.text
    assert db.get(ClinicalNote, note_id).body["plan"] == "Call on Monday."

    signed = client.post(
        edit_url.split("?")[0],
        data=_form(token, version="2", action="sign"),
        follow_redirects=False,
    )
    assert signed.status_code == 303 and signed.headers["location"] == f"/notes/{note_id}"
    view = client.get(f"/notes/{note_id}")
    assert "Signed" in view.text and "Content hash" in view.text
    assert client.get(f"/notes/{note_id}/edit", follow_redirects=False).status_code == 303

    empty = client.post(
        f"/patients/{nw.pat.id}/notes/{note_id}/addenda", data={"csrf_token": token, "text": ""}
    )
    assert empty.status_code == 422 and "Write the addendum" in empty.text
    added = client.post(
        f"/patients/{nw.pat.id}/notes/{note_id}/addenda",
        data={"csrf_token": token, "text": "Patient called back."},
    )
    assert added.status_code == 200 and "Patient called back." in added.text
    assert view.headers["cache-control"] == "no-store"


def test_a_physician_note_form_has_medication_rows(client, db, nw):
    token = _signed_in(client, "care_physician")
    page = client.get(f"/patients/{nw.pat.id}/notes/new?format=soap")
    assert page.status_code == 200 and 'name="med-1-route"' in page.text
    data = {
        "csrf_token": token,
        "format": "soap",
        "service_date": "2026-11-30",
        "subjective": "s",
        "med-1-name": "Acamprosate",
        "med-1-dose": "666 mg",
        "med-1-route": "oral",
        "med-1-frequency": "three times daily",
    }
    created = client.post(f"/patients/{nw.pat.id}/notes/new", data=data, follow_redirects=False)
    assert created.status_code == 303
    note = db.query(ClinicalNote).one()
    view = client.get(f"/notes/{note.id}")
    assert "Acamprosate" in view.text and "three times daily" in view.text


def test_the_facilitator_writes_and_signs_the_group_note_on_one_page(client, db, nw):
    token = _signed_in(client, "facilitator")
    listing = client.get("/notes/groups")
    assert listing.status_code == 200 and "Write the note" in listing.text
    url = f"/group-sessions/{nw.group.id}/note"
    page = client.get(url)
    assert page.status_code == 200
    for patient in nw.attendees:
        assert patient.last_name in page.text
    data: dict[str, object] = {
        "csrf_token": token,
        "version": "",
        "topic": "Coping with cravings",
        "content": "Urge surfing and delay tactics.",
        "interventions": "Mindfulness practice.",
        "attended": [str(p.id) for p in nw.attendees[:3]],
        "action": "sign",
    }
    for p in nw.attendees[:3]:
        data[f"p{p.id}-participation"] = "Shared an example."
        data[f"p{p.id}-response"] = "Engaged."
    done = client.post(url, data=data, follow_redirects=False)
    assert done.status_code == 303, done.text
    note = db.query(GroupNote).one()
    assert note.status == "signed" and s.count(db, ClinicalNote) == 3


def test_a_group_sign_with_a_missing_part_reshows_the_form(client, db, nw):
    token = _signed_in(client, "facilitator")
    data = {
        "csrf_token": token,
        "version": "",
        "topic": "Coping with cravings",
        "content": "c",
        "interventions": "i",
        "attended": [str(nw.pat.id)],
        f"p{nw.pat.id}-participation": "Quiet today.",
        "action": "sign",
    }
    response = client.post(f"/group-sessions/{nw.group.id}/note", data=data)
    assert response.status_code == 422 and "Response is required" in response.text
    assert "Quiet today." in response.text
    assert s.count(db, GroupNote) == 0


@pytest.mark.parametrize("persona", ["site_counselor", "billing", "front_desk"])
def test_pages_refuse_those_outside_the_care_team(client, db, nw, persona):
    _signed_in(client, persona)
    assert client.get(f"/patients/{nw.pat.id}/notes").status_code == 403
    assert client.get(f"/group-sessions/{nw.group.id}/note").status_code == 403
    assert client.get(f"/patients/{nw.pat.id}/private-notes").status_code == 403
