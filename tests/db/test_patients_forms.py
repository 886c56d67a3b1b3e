"""Registering and editing patients: validation, MRNs, optimistic locking, the front desk's
contact-only edits and weekly commitments — through the pages and the API."""

from __future__ import annotations

import re
from datetime import time

import pytest
from sqlalchemy import select

from openiop.models import Commitment, Patient
from tests import factories as f
from tests.db.test_patients_support import (
    NEW_PATIENT,
    bearer,
    csrf_in,
    events,
    patient_count,
    signed_in,
    version_in,
)
from tests.personas import build_world


def _register(client, world, **change):
    token = csrf_in(client.get("/patients/new").text)
    data = {**NEW_PATIENT, "registered_location_id": world.site_a.id, "csrf_token": token, **change}
    return client.post("/patients/new", data=data, follow_redirects=False)


# ---- registering ------------------------------------------------------------------------


def test_registering_assigns_readable_mrns_and_audits(client, db):
    world = signed_in(client, db, "admissions")
    first = _register(client, world)
    second = _register(client, world, first_name="Birch")
    assert first.status_code == second.status_code == 303
    ids = [int(r.headers["location"].rsplit("/", 1)[1]) for r in (first, second)]
    mrns = [db.get(Patient, i).mrn for i in ids]
    assert all(re.fullmatch(r"M\d{6}", mrn) for mrn in mrns)
    assert int(mrns[1][1:]) == int(mrns[0][1:]) + 1
    wren = db.get(Patient, ids[0])
    assert wren.phone == "(555) 010-0142" and wren.organization_id == world.site_a.organization_id
    created = events(db, action="patient.create", patient_id=ids[0])
    assert created and created[0].detail == f"mrn={mrns[0]}"
    sheet = client.get(first.headers["location"])
    assert "<h1>Wren Tumbleweed" in sheet.text and mrns[0] in sheet.text


def test_new_patient_form_is_labelled(client, db):
    signed_in(client, db, "director")
    html = client.get("/patients/new").text
    for name in (
        "first_name",
        "last_name",
        "date_of_birth",
        "sex_at_birth",
        "phone",
        "email",
        "postal_code",
        "registered_location_id",
        "emergency_contact_phone",
    ):
        assert f'<label for="f-{name}">' in html, name
        assert f'id="f-{name}"' in html


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("first_name", "", "Required."),
        ("last_name", "", "Required."),
        ("date_of_birth", "2099-01-01", "must be in the past"),
        ("date_of_birth", "1899-12-31", "before 1900"),
        ("phone", "12345", "10-digit US phone"),
        ("email", "wren-at-example", "email address"),
        ("postal_code", "10001", "California ZIP"),
        ("sex_at_birth", "dragon", "listed options"),
    ],
)
def test_invalid_registration_is_422_naming_the_field_and_writes_nothing(
    client, db, field, value, message
):
    world = signed_in(client, db, "admissions")
    before = patient_count(db)
    response = _register(client, world, **{field: value})
    assert response.status_code == 422
    assert f'id="e-{field}"' in response.text and message in response.text
    assert f'aria-invalid="true" aria-describedby="e-{field}' in response.text
    if field != "first_name":
        assert 'value="Wren"' in response.text  # what was typed is kept
    assert patient_count(db) == before
    assert events(db, action="patient.create") == []


def test_registering_at_someone_elses_site_is_refused_as_a_field_error(client, db):
    world = signed_in(client, db, "admissions")
    before = patient_count(db)
    response = _register(client, world, registered_location_id=world.site_b.id)
    assert response.status_code == 422 and "Choose one of your own sites." in response.text
    assert patient_count(db) == before


def test_api_validation_names_the_field_and_writes_nothing(client, db):
    world = build_world(db)
    headers = bearer(db, world.user("admissions"))
    before = patient_count(db)
    body = {**NEW_PATIENT, "registered_location_id": world.site_a.id, "date_of_birth": "02/30/1990"}
    response = client.post("/api/v1/patients", headers=headers, json=body)
    assert response.status_code == 422
    assert list(response.json()["fields"]) == ["date_of_birth"]
    unknown = client.post("/api/v1/patients", headers=headers, json={**body, "shoe_size": 9})
    assert unknown.status_code == 422 and "shoe_size" in unknown.json()["fields"]
    missing = client.post("/api/v1/patients", headers=headers, json={"first_name": "Only"})
    assert set(missing.json()["fields"]) == {"last_name", "date_of_birth", "registered_location_id"}
    assert patient_count(db) == before


def test_api_registration_returns_the_face_sheet(client, db):
    world = build_world(db)
    headers = bearer(db, world.user("director"))
    response = client.post(
        "/api/v1/patients",
        headers=headers,
        json={**NEW_PATIENT, "registered_location_id": world.site_a.id},
    )
    assert response.status_code == 201
    body = response.json()
    assert body["patient"]["mrn"].startswith("M") and body["patient"]["version"] == 1
    assert body["access"] == "full" and body["clinical"] == {"enrollments": []}


# ---- editing and optimistic locking -----------------------------------------------------


def test_second_edit_of_the_same_version_is_a_409_and_the_first_is_kept(client, db):
    world = signed_in(client, db, "admissions")
    pat = world.patient
    form = client.get(f"/patients/{pat.id}/edit").text
    token, version = csrf_in(form), version_in(form)
    first = client.post(
        f"/patients/{pat.id}/edit",
        follow_redirects=False,
        data={
            "csrf_token": token,
            "version": version,
            "first_name": "Pat",
            "last_name": "Quillfeather",
            "date_of_birth": "1985-04-12",
            "registered_location_id": world.site_a.id,
            "phone": "555-010-0111",
        },
    )
    assert first.status_code == 303
    second = client.post(
        f"/patients/{pat.id}/edit",
        data={
            "csrf_token": token,
            "version": version,
            "phone": "555-010-0122",
        },
    )
    assert second.status_code == 409
    assert "changed by someone else" in second.text
    assert f'href="/patients/{pat.id}/edit"' in second.text
    db.expire_all()
    kept = db.get(Patient, pat.id)
    assert kept.phone == "(555) 010-0111" and kept.version == int(version) + 1


def test_api_patch_needs_the_version_and_409s_on_a_stale_one(client, db):
    world = build_world(db)
    headers = bearer(db, world.user("director"))
    pat = world.patient
    no_version = client.patch(
        f"/api/v1/patients/{pat.id}", headers=headers, json={"phone": "5550100133"}
    )
    assert no_version.status_code == 422 and "version" in no_version.json()["fields"]
    ok = client.patch(
        f"/api/v1/patients/{pat.id}",
        headers=headers,
        json={"version": pat.version, "pronouns": "she/her"},
    )
    assert ok.status_code == 200 and ok.json()["patient"]["version"] == pat.version + 1
    stale = client.patch(
        f"/api/v1/patients/{pat.id}",
        headers=headers,
        json={"version": pat.version, "pronouns": "they/them"},
    )
    assert stale.status_code == 409 and "changed by someone else" in stale.json()["detail"]
    version = ok.json()["patient"]["version"]
    db.expire_all()
    assert db.get(Patient, pat.id).pronouns == "she/her"
    bad = client.patch(
        f"/api/v1/patients/{pat.id}", headers=headers, json={"version": version, "email": "nope"}
    )
    assert bad.status_code == 422 and list(bad.json()["fields"]) == ["email"]


def test_edits_are_audited_with_the_changed_fields(client, db):
    world = build_world(db)
    headers = bearer(db, world.user("admissions"))
    pat = world.patient
    client.patch(
        f"/api/v1/patients/{pat.id}",
        headers=headers,
        json={"version": pat.version, "city": "Sampleton", "postal_code": "94110"},
    )
    changes = [
        e
        for e in events(db, action="patient.update", patient_id=pat.id)
        if e.detail and e.detail.startswith("changed")
    ]
    assert changes[-1].detail == "changed: city, postal_code"


def test_front_desk_sees_and_changes_contact_fields_only(client, db):
    world = signed_in(client, db, "front_desk")
    pat = world.patient
    form = client.get(f"/patients/{pat.id}/edit").text
    assert 'id="f-phone"' in form and 'id="f-emergency_contact_name"' in form
    assert 'id="f-first_name"' not in form and 'id="f-date_of_birth"' not in form
    assert "Add a commitment" not in form
    token, version = csrf_in(form), version_in(form)
    crafted = client.post(
        f"/patients/{pat.id}/edit",
        data={
            "csrf_token": token,
            "version": version,
            "first_name": "Patty",
        },
    )
    assert crafted.status_code == 403
    refused = events(db, action="patient.update", outcome="refused", email="front_desk@example.org")
    assert refused and refused[-1].detail == "fields: first_name"
    ok = client.post(
        f"/patients/{pat.id}/edit",
        follow_redirects=False,
        data={
            "csrf_token": token,
            "version": version,
            "emergency_contact_name": "Sky Quillfeather",
            "emergency_contact_phone": "(555) 010-0155",
        },
    )
    assert ok.status_code == 303
    db.expire_all()
    saved = db.get(Patient, pat.id)
    assert saved.first_name == "Pat" and saved.emergency_contact_name == "Sky Quillfeather"


def test_front_desk_api_patch_of_a_name_is_refused(client, db):
    world = build_world(db)
    headers = bearer(db, world.user("front_desk"))
    pat = world.patient
    response = client.patch(
        f"/api/v1/patients/{pat.id}",
        headers=headers,
        json={"version": pat.version, "last_name": "Other"},
    )
    assert response.status_code == 403
    same = client.patch(
        f"/api/v1/patients/{pat.id}",
        headers=headers,
        json={"version": pat.version, "last_name": "Quillfeather", "city": "Sampleton"},
    )
    assert same.status_code == 200  # sending an unchanged name is not a change


def test_edit_form_shows_validation_errors_with_the_typed_values(client, db):
    world = signed_in(client, db, "director")
    pat = world.patient
    form = client.get(f"/patients/{pat.id}/edit").text
    assert 'value="1985-04-12"' in form  # the date input's own format
    response = client.post(
        f"/patients/{pat.id}/edit",
        data={
            "csrf_token": csrf_in(form),
            "version": version_in(form),
            "first_name": "Patience",
            "last_name": "",
            "postal_code": "ABCDE",
        },
    )
    assert response.status_code == 422
    assert 'id="e-last_name"' in response.text and 'id="e-postal_code"' in response.text
    assert 'value="Patience"' in response.text
    db.expire_all()
    assert db.get(Patient, pat.id).first_name == "Pat"


def test_edit_needs_access_to_the_patient(client, db):
    world = build_world(db)
    # A director at site B only.
    member = f.staff(
        db,
        organization_id=world.site_a.organization_id,
        locations=[world.site_b],
        email="director_b@example.org",
    )
    user = f.user(
        db, role="program_director", email="director_b@example.org", staff_member_id=member.id
    )
    headers = bearer(db, user)
    pat = world.patient
    response = client.patch(
        f"/api/v1/patients/{pat.id}",
        headers=headers,
        json={"version": pat.version, "city": "Elsewhere"},
    )
    assert response.status_code == 403
    assert events(db, action="patient.update", outcome="refused", email="director_b@example.org")


# ---- weekly commitments -----------------------------------------------------------------


def test_add_and_remove_a_commitment(client, db):
    world = signed_in(client, db, "admissions")
    pat = world.patient
    token = csrf_in(client.get(f"/patients/{pat.id}/edit").text)
    added = client.post(
        f"/patients/{pat.id}/commitments",
        follow_redirects=False,
        data={
            "csrf_token": token,
            "kind": "work",
            "weekday": "2",
            "start_time": "13:00",
            "end_time": "17:30",
            "label": "Warehouse shift",
        },
    )
    assert added.status_code == 303
    row = db.scalars(select(Commitment).where(Commitment.patient_id == pat.id)).one()
    assert (row.weekday, row.start_time, row.end_time) == (2, time(13), time(17, 30))
    sheet = client.get(f"/patients/{pat.id}").text
    assert "Tuesday" in sheet and "Warehouse shift" in sheet and "1:00 PM" in sheet
    removed = client.post(
        f"/patients/{pat.id}/commitments/{row.id}/remove",
        data={"csrf_token": token},
        follow_redirects=False,
    )
    assert removed.status_code == 303
    assert db.scalars(select(Commitment)).all() == []
    assert events(db, action="patient.commitment.remove", patient_id=pat.id)


@pytest.mark.parametrize(
    ("change", "field"),
    [({"end_time": "12:00"}, "end_time"), ({"weekday": "9"}, "weekday"), ({"kind": ""}, "kind")],
)
def test_invalid_commitment_is_422_and_not_saved(client, db, change, field):
    world = signed_in(client, db, "admissions")
    pat = world.patient
    token = csrf_in(client.get(f"/patients/{pat.id}/edit").text)
    data = {
        "csrf_token": token,
        "kind": "school",
        "weekday": "1",
        "start_time": "13:00",
        "end_time": "15:00",
        **change,
    }
    response = client.post(f"/patients/{pat.id}/commitments", data=data)
    assert response.status_code == 422 and f'id="e-{field}"' in response.text
    assert db.scalars(select(Commitment)).all() == []


def test_front_desk_may_not_change_commitments(client, db):
    world = signed_in(client, db, "front_desk")
    pat = world.patient
    token = csrf_in(client.get(f"/patients/{pat.id}/edit").text)
    response = client.post(
        f"/patients/{pat.id}/commitments",
        data={
            "csrf_token": token,
            "kind": "school",
            "weekday": "1",
            "start_time": "13:00",
            "end_time": "15:00",
        },
    )
    assert response.status_code == 403
    assert events(
        db, action="patient.commitment.add", outcome="refused", email="front_desk@example.org"
    )
    assert db.scalars(select(Commitment)).all() == []


def test_removing_another_patients_commitment_is_404(client, db):
    world = signed_in(client, db, "director")
    other = Commitment(
        patient_id=world.other_patient.id,
        kind="work",
        weekday=1,
        start_time=time(9),
        end_time=time(10),
    )
    db.add(other)
    db.flush()
    token = csrf_in(client.get("/account").text)
    response = client.post(
        f"/patients/{world.patient.id}/commitments/{other.id}/remove", data={"csrf_token": token}
    )
    assert response.status_code == 404
    assert db.get(Commitment, other.id) is not None


def test_forms_need_the_csrf_token(client, db):
    world = signed_in(client, db, "director")
    response = client.post(f"/patients/{world.patient.id}/edit", data={"version": "1", "city": "X"})
    assert response.status_code == 403 and "expired" in response.text
