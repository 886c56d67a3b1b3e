"""Who may list, read, write, sign and add to chart notes, through the API. Refusals are tested
as carefully as what the author and the care team may do, and every refusal is audited."""

from __future__ import annotations

import pytest

from openiop.models import ClinicalNote, NoteAddendum
from openiop.notes import service
from tests.db import support_notes as s

REFUSED = [
    "site_counselor",  # same site, not on Pat's care team: limited face sheet only
    "other_site_counselor",
    "billing",
    "front_desk",
    "admissions",
    "auditor",
    "patient",
    "admin",  # organization-wide, but not clinical: limited face sheet
]
CARE_TEAM = ["care_counselor", "care_physician", "facilitator", "director"]


@pytest.fixture
def nw(db):  # type: ignore[no-untyped-def]
    return s.build(db)


@pytest.fixture
def signed(db, nw, settings):  # type: ignore[no-untyped-def]
    author = s.actor(db, nw.user("care_counselor"))
    note = service.create_note(
        db, actor=author, patient_id=nw.pat.id, data=s.dap(), settings=settings
    )
    service.sign_note(db, actor=author, note_id=note.id, settings=settings)
    return note


@pytest.mark.parametrize("persona", REFUSED)
def test_refused_roles_cannot_list_read_or_write(client, db, nw, signed, persona):
    headers = s.bearer(db, nw.user(persona))
    pat = nw.pat.id
    assert client.get(f"/api/v1/patients/{pat}/notes", headers=headers).status_code == 403
    read = client.get(f"/api/v1/notes/{signed.id}", headers=headers)
    assert read.status_code == 403 and "Quillfeather" not in read.text
    created = client.post(f"/api/v1/patients/{pat}/notes", json=s.dap(), headers=headers)
    assert created.status_code == 403
    addendum = client.post(
        f"/api/v1/patients/{pat}/notes/{signed.id}/addenda", json={"text": "x"}, headers=headers
    )
    assert addendum.status_code == 403
    assert client.post(f"/api/v1/notes/{signed.id}/cosign", headers=headers).status_code == 403
    assert s.count(db, ClinicalNote) == 1 and s.count(db, NoteAddendum) == 0
    refused = [e for e in s.events(db, "note.list", "refused") if e.user_email]
    assert refused and refused[-1].user_email == nw.user(persona).email


@pytest.mark.parametrize("persona", CARE_TEAM)
def test_the_care_team_and_director_may_read_and_add_addenda(client, db, nw, signed, persona):
    headers = s.bearer(db, nw.user(persona))
    listing = client.get(f"/api/v1/patients/{nw.pat.id}/notes", headers=headers)
    assert listing.status_code == 200 and [i["id"] for i in listing.json()["items"]] == [signed.id]
    assert client.get(f"/api/v1/notes/{signed.id}", headers=headers).status_code == 200
    added = client.post(
        f"/api/v1/patients/{nw.pat.id}/notes/{signed.id}/addenda",
        json={"text": f"Follow-up by {persona}."},
        headers=headers,
    )
    assert added.status_code == 201, added.text
    assert added.json()["addenda"][-1]["text"] == f"Follow-up by {persona}."
    assert s.events(db, "note.read") and s.events(db, "note.addendum")


def test_a_patient_cannot_read_their_own_clinical_notes_here(client, db, nw, signed):
    # Patients see their record on the portal; clinical notes are released there, not here.
    headers = s.bearer(db, nw.user("patient"))
    assert client.get(f"/api/v1/patients/{nw.pat.id}/notes", headers=headers).status_code == 403


def test_the_api_lifecycle_end_to_end(client, db, nw):
    headers = s.bearer(db, nw.user("care_counselor"))
    created = client.post(f"/api/v1/patients/{nw.pat.id}/notes", json=s.dap(), headers=headers)
    assert created.status_code == 201, created.text
    note = created.json()
    patched = client.patch(
        f"/api/v1/notes/{note['id']}",
        json={"version": note["version"], "sections": {**s.dap()["sections"], "plan": "Friday."}},
        headers=headers,
    )
    assert patched.status_code == 200 and patched.json()["sections"][2]["text"] == "Friday."
    stale = client.patch(
        f"/api/v1/notes/{note['id']}", json={"version": note["version"]}, headers=headers
    )
    assert stale.status_code == 409
    signed = client.post(f"/api/v1/notes/{note['id']}/sign", headers=headers)
    assert signed.status_code == 200 and signed.json()["signature"]["content_hash"]
    assert client.post(f"/api/v1/notes/{note['id']}/sign", headers=headers).status_code == 409


def test_bad_api_input_is_422_naming_the_field(client, db, nw):
    headers = s.bearer(db, nw.user("care_counselor"))
    bad = client.post(
        f"/api/v1/patients/{nw.pat.id}/notes",
        json={**s.dap(), "service_time": "noon"},
        headers=headers,
    )
    assert bad.status_code == 422 and "service_time" in bad.json()["fields"]
    unknown = client.post(
        f"/api/v1/patients/{nw.pat.id}/notes", json={**s.dap(), "colour": "red"}, headers=headers
    )
    assert unknown.status_code == 422
    assert s.count(db, ClinicalNote) == 0


def test_an_addendum_through_another_patients_chart_is_refused(client, db, nw, signed):
    morgan = nw.attendees[1]
    response = client.post(
        f"/api/v1/patients/{morgan.id}/notes/{signed.id}/addenda",
        json={"text": "Wrong chart."},
        headers=s.bearer(db, nw.user("care_counselor")),
    )
    assert response.status_code == 422 and "another patient" in response.json()["detail"]
    assert s.count(db, NoteAddendum) == 0
