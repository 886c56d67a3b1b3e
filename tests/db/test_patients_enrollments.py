"""Enrollments: opening, editing and discharging episodes of care, with their rules, through
the pages and the API."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from openiop.models import Enrollment, StaffMember
from tests import factories as f
from tests.db.test_patients_support import bearer, csrf_in, events, signed_in, version_in
from tests.personas import build_world


def _staff_id(world, persona):
    return world.user(persona).staff_member_id


def _new_patient(db, world):
    return f.patient(
        db,
        organization_id=world.site_a.organization_id,
        registered_location_id=world.site_a.id,
        first_name="Wren",
        last_name="Tumbleweed",
        date_of_birth=date(1990, 6, 15),
    )


def _good(world, **change):
    return {
        "program_id": world.program.id,
        "location_id": world.site_a.id,
        "track_id": world.track_a.id,
        "admit_date": "2026-11-16",
        "primary_counselor_id": _staff_id(world, "care_counselor"),
        "physician_id": _staff_id(world, "care_physician"),
        "status": "active",
        "primary_substance": "opioids",
        "diagnosis_codes": "F11.20, F10.10",
        **change,
    }


def _enrollment_count(db):
    return db.scalar(select(func.count(Enrollment.id)))


def _post_new(client, patient_id, data):
    token = csrf_in(client.get(f"/patients/{patient_id}/enrollments/new").text)
    return client.post(
        f"/patients/{patient_id}/enrollments/new",
        data={**data, "csrf_token": token},
        follow_redirects=False,
    )


def test_admissions_enrolls_a_new_patient(client, db):
    world = signed_in(client, db, "admissions")
    wren = _new_patient(db, world)
    form = client.get(f"/patients/{wren.id}/enrollments/new").text
    for name in (
        "program_id",
        "location_id",
        "track_id",
        "primary_counselor_id",
        "physician_id",
        "admit_date",
        "status",
        "discharge_date",
        "discharge_type",
        "primary_substance",
        "diagnosis_codes",
    ):
        assert f'<label for="f-{name}">' in form, name
    # Only prescribers are offered as physician.
    physician_select = form.split('id="f-physician_id"')[1].split("</select>")[0]
    assert "(MD)" in physician_select and "(CADC)" not in physician_select

    response = _post_new(client, wren.id, _good(world))
    assert response.status_code == 303 and response.headers["location"] == f"/patients/{wren.id}"
    row = db.scalars(select(Enrollment).where(Enrollment.patient_id == wren.id)).one()
    assert row.diagnosis_codes == "F11.20,F10.10" and row.status == "active"
    assert events(db, action="enrollment.create", patient_id=wren.id)
    sheet = client.get(f"/patients/{wren.id}").text  # admissions: limited
    assert world.track_a.name in sheet and "Mon–Fri 9:00 AM–12:00 PM" in sheet
    assert "F11.20" not in sheet and "opioids" not in sheet.lower()


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"location_id": "B"}, "location_id", "your own sites"),
        ({"track_id": "B"}, "track_id", "chosen site"),
        ({"physician_id": "facilitator"}, "physician_id", "MD, DO, NP or PA"),
        ({"primary_counselor_id": "other_site_counselor"}, "primary_counselor_id", "does not work"),
        ({"diagnosis_codes": "F20.9"}, "diagnosis_codes", "F10-F19"),
        ({"admit_date": "1980-01-01"}, "admit_date", "date of birth"),
        (
            {"status": "discharged", "discharge_date": "2026-11-01", "discharge_type": "completed"},
            "discharge_date",
            "before the admit date",
        ),
        ({"status": "discharged"}, "discharge_date", "needs its discharge date"),
    ],
)
def test_invalid_enrollment_is_422_naming_the_field_and_writes_nothing(
    client, db, change, field, message
):
    world = signed_in(client, db, "admissions")
    wren = _new_patient(db, world)
    b_track = f.track(db, program_id=world.program.id, location_id=world.site_b.id)
    aliases = {
        "B": world.site_b.id if field == "location_id" else b_track.id,
        "facilitator": _staff_id(world, "facilitator"),
        "other_site_counselor": _staff_id(world, "other_site_counselor"),
    }
    data = _good(world, **{k: aliases.get(v, v) for k, v in change.items()})
    before = _enrollment_count(db)
    response = _post_new(client, wren.id, data)
    assert response.status_code == 422
    assert f'id="e-{field}"' in response.text and message in response.text
    assert _enrollment_count(db) == before


def test_only_one_open_enrollment_at_a_time_then_discharge_and_reenroll(client, db):
    world = signed_in(client, db, "director")
    pat = world.patient
    second = _post_new(client, pat.id, _good(world, primary_counselor_id=""))
    assert second.status_code == 422 and "already has an open enrollment" in second.text

    current = db.scalars(select(Enrollment).where(Enrollment.patient_id == pat.id)).one()
    form = client.get(f"/enrollments/{current.id}/edit").text
    assert 'value="F10.20"' in form  # the director has full access
    discharged = client.post(
        f"/enrollments/{current.id}/edit",
        follow_redirects=False,
        data={
            "csrf_token": csrf_in(form),
            "version": version_in(form),
            "program_id": world.program.id,
            "location_id": world.site_a.id,
            "track_id": world.track_a.id,
            "admit_date": "2026-11-02",
            "primary_counselor_id": _staff_id(world, "care_counselor"),
            "physician_id": _staff_id(world, "care_physician"),
            "status": "discharged",
            "discharge_date": "2026-11-20",
            "discharge_type": "stepped_down",
            "primary_substance": "alcohol",
            "diagnosis_codes": "F10.20",
        },
    )
    assert discharged.status_code == 303
    sheet = client.get(f"/patients/{pat.id}").text
    assert "Not currently enrolled." in sheet
    assert "Stepped down to a lower level of care" in sheet and "11/20/2026" in sheet
    again = _post_new(client, pat.id, _good(world, admit_date="2026-11-23"))
    assert again.status_code == 303


def test_counselor_at_the_caseload_cap_is_refused(client, db):
    world = signed_in(client, db, "admissions")
    counselor = db.get(StaffMember, _staff_id(world, "care_counselor"))
    counselor.caseload_cap = 1  # Pat already fills it
    db.flush()
    wren = _new_patient(db, world)
    response = _post_new(client, wren.id, _good(world))
    assert response.status_code == 422 and "(cap 1)" in response.text
    pending_without = _post_new(client, wren.id, _good(world, primary_counselor_id=""))
    assert pending_without.status_code == 303


def test_limited_writer_edits_without_seeing_or_losing_the_diagnosis(client, db):
    world = signed_in(client, db, "admissions")
    current = db.scalars(select(Enrollment).where(Enrollment.patient_id == world.patient.id)).one()
    form = client.get(f"/enrollments/{current.id}/edit").text
    assert form.count("F10.20") == 0 and 'id="f-diagnosis_codes"' not in form
    assert "shown to the care team only" in form
    saved = client.post(
        f"/enrollments/{current.id}/edit",
        follow_redirects=False,
        data={
            "csrf_token": csrf_in(form),
            "version": version_in(form),
            "program_id": world.program.id,
            "location_id": world.site_a.id,
            "track_id": "",
            "admit_date": "2026-11-02",
            "primary_counselor_id": _staff_id(world, "care_counselor"),
            "physician_id": _staff_id(world, "care_physician"),
            "status": "active",
        },
    )
    assert saved.status_code == 303
    db.expire_all()
    row = db.get(Enrollment, current.id)
    assert row.track_id is None and row.diagnosis_codes == "F10.20"
    assert row.primary_substance == "alcohol"


def test_enrollment_edit_conflict_keeps_the_first_edit(client, db):
    world = signed_in(client, db, "director")
    current = db.scalars(select(Enrollment).where(Enrollment.patient_id == world.patient.id)).one()
    form = client.get(f"/enrollments/{current.id}/edit").text
    base = {
        "csrf_token": csrf_in(form),
        "version": version_in(form),
        "program_id": world.program.id,
        "location_id": world.site_a.id,
        "admit_date": "2026-11-02",
        "status": "active",
        "primary_counselor_id": _staff_id(world, "care_counselor"),
    }
    first = client.post(
        f"/enrollments/{current.id}/edit",
        data={**base, "diagnosis_codes": "F10.21"},
        follow_redirects=False,
    )
    assert first.status_code == 303
    second = client.post(
        f"/enrollments/{current.id}/edit", data={**base, "diagnosis_codes": "F10.99"}
    )
    assert second.status_code == 409 and f'href="/enrollments/{current.id}/edit"' in second.text
    db.expire_all()
    assert db.get(Enrollment, current.id).diagnosis_codes == "F10.21"


def test_enrollment_at_another_site_may_not_be_edited(client, db):
    world = build_world(db)
    # Robin was once seen at site A, so site A staff see Robin; the open enrollment is at B.
    f.enrollment(
        db,
        patient_id=world.other_patient.id,
        program_id=world.program.id,
        location_id=world.site_a.id,
        status="discharged",
        admit_date=date(2025, 1, 6),
        discharge_date=date(2025, 3, 1),
        discharge_type="completed",
    )
    at_b = db.scalars(
        select(Enrollment).where(
            Enrollment.patient_id == world.other_patient.id,
            Enrollment.location_id == world.site_b.id,
        )
    ).one()
    headers = bearer(db, world.user("director"))
    response = client.patch(
        f"/api/v1/enrollments/{at_b.id}",
        headers=headers,
        json={"version": at_b.version, "status": "pending"},
    )
    assert response.status_code == 403
    assert events(db, action="enrollment.update", outcome="refused", email="director@example.org")


# ---- API --------------------------------------------------------------------------------


def test_api_enrollment_views_follow_access(client, db):
    world = build_world(db)
    pat = world.patient
    care = client.get(
        f"/api/v1/enrollments?patient_id={pat.id}", headers=bearer(db, world.user("care_counselor"))
    ).json()
    assert care["total"] == 1 and care["items"][0]["diagnosis_codes"] == ["F10.20"]
    billing = client.get(
        f"/api/v1/enrollments?patient_id={pat.id}", headers=bearer(db, world.user("billing"))
    )
    assert billing.status_code == 200 and "diagnosis_codes" not in billing.json()["items"][0]
    assert "F10.20" not in billing.text
    one = client.get(
        f"/api/v1/enrollments/{care['items'][0]['id']}",
        headers=bearer(db, world.user("care_physician")),
    )
    assert one.json()["primary_substance"] == "alcohol"
    refused = client.get(
        f"/api/v1/enrollments/{care['items'][0]['id']}", headers=bearer(db, world.user("auditor"))
    )
    assert refused.status_code == 403
    assert events(db, action="enrollment.read", outcome="refused", email="auditor@example.org")


def test_api_enrollment_list_is_scoped_and_audited(client, db):
    world = build_world(db)
    body = client.get(
        "/api/v1/enrollments", headers=bearer(db, world.user("other_site_counselor"))
    ).json()
    assert [item["patient_id"] for item in body["items"]] == [world.other_patient.id]
    assert "diagnosis_codes" not in body["items"][0]
    listed = events(db, action="enrollment.list", email="other_site_counselor@example.org")
    assert [e.patient_id for e in listed] == [world.other_patient.id]


def test_api_create_and_patch_an_enrollment(client, db):
    world = build_world(db)
    wren = _new_patient(db, world)
    headers = bearer(db, world.user("director"))
    body = {"patient_id": wren.id, **_good(world), "diagnosis_codes": ["F11.20"]}
    created = client.post("/api/v1/enrollments", headers=headers, json=body)
    assert created.status_code == 201, created.text
    made = created.json()
    assert made["diagnosis_codes"] == ["F11.20"] and made["track_name"] == world.track_a.name
    bad = client.patch(
        f"/api/v1/enrollments/{made['id']}",
        headers=headers,
        json={"version": made["version"], "physician_id": _staff_id(world, "billing")},
    )
    assert bad.status_code == 422 and list(bad.json()["fields"]) == ["physician_id"]
    moved = client.patch(
        f"/api/v1/enrollments/{made['id']}",
        headers=headers,
        json={"version": made["version"], "track_id": None, "status": "pending"},
    )
    assert moved.status_code == 200
    assert moved.json()["track_name"] is None and moved.json()["version"] == made["version"] + 1
    stale = client.patch(
        f"/api/v1/enrollments/{made['id']}",
        headers=headers,
        json={"version": made["version"], "status": "active"},
    )
    assert stale.status_code == 409
    twice = client.post("/api/v1/enrollments", headers=headers, json=body)
    assert twice.status_code == 422 and "status" in twice.json()["fields"]
