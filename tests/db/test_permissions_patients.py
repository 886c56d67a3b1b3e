"""Who may list, read, register, edit and enroll patients — through the pages AND the API.

Pat Quillfeather is enrolled at site A (counselor, physician and track facilitator on her
care team, diagnosis F10.20). Robin Marrowby is enrolled at site B.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy import select

from openiop.models import BreakGlassGrant, Patient
from tests.db.test_patients_support import NEW_PATIENT, bearer, csrf_in, events, patient_count
from tests.personas import build_world, sign_in


@dataclass(frozen=True)
class Expect:
    lists: bool | None  # None: refused the list
    access: str | None  # "full", "limited", None: refused
    create: bool
    edit: bool
    enroll: bool


R = None
TABLE = {
    "care_counselor": Expect(True, "full", False, False, False),
    "care_physician": Expect(True, "full", False, False, False),
    "facilitator": Expect(True, "full", False, False, False),
    "site_counselor": Expect(True, "limited", False, False, False),
    "other_site_counselor": Expect(False, R, False, False, False),
    "director": Expect(True, "full", True, True, True),
    "admissions": Expect(True, "limited", True, True, True),
    "billing": Expect(True, "limited", False, False, False),
    "front_desk": Expect(True, "limited", False, True, False),
    "auditor": Expect(R, R, False, False, False),
    "admin": Expect(True, "limited", True, True, True),
}


def _assert_refused_event(db, email, action, patient_id=None):
    found = events(db, action=action, outcome="refused", email=email, patient_id=patient_id)
    assert found, f"no refused {action} event for {email}"


# ---- pages ------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", list(TABLE))
def test_pages_follow_the_permission_table(client, db, persona):
    world = build_world(db)
    expect = TABLE[persona]
    email = world.user(persona).email
    pat = world.patient
    sign_in(client, email)

    listing = client.get("/patients")
    if expect.lists is None:
        assert listing.status_code == 403
        _assert_refused_event(db, email, "patient.list")
    else:
        assert listing.status_code == 200
        assert ("Quillfeather, Pat" in listing.text) is expect.lists

    sheet = client.get(f"/patients/{pat.id}")
    _check_face_sheet_page(db, sheet, expect.access, email, pat.id)

    new_form = client.get("/patients/new")
    assert new_form.status_code == (200 if expect.create else 403)
    token = csrf_in(client.get("/account").text)
    before = patient_count(db)
    created = client.post(
        "/patients/new",
        data={
            **NEW_PATIENT,
            "registered_location_id": world.site_a.id,
            "csrf_token": token,
        },
        follow_redirects=False,
    )
    assert created.status_code == (303 if expect.create else 403)
    assert patient_count(db) == before + (1 if expect.create else 0)

    edited = client.post(
        f"/patients/{pat.id}/edit",
        data={
            "phone": "555-010-0199",
            "version": pat.version,
            "csrf_token": token,
        },
        follow_redirects=False,
    )
    assert edited.status_code == (303 if expect.edit else 403)
    db.expire_all()
    assert (db.get(Patient, pat.id).phone == "(555) 010-0199") is expect.edit

    enroll_form = client.get(f"/patients/{pat.id}/enrollments/new")
    assert enroll_form.status_code == (200 if expect.enroll else 403)


def _check_face_sheet_page(db, response, access, email, patient_id):
    if access is None:
        assert response.status_code == 403
        _assert_refused_event(db, email, "patient.read", patient_id)
        return
    assert response.status_code == 200
    assert "<h1>Pat Quillfeather" in response.text
    read = events(db, action="patient.read", outcome="allowed", email=email, patient_id=patient_id)
    assert read and read[-1].detail == f"access={access}"
    if access == "full":
        assert ">Clinical</h2>" in response.text
        assert "F10.20" in response.text
    else:
        assert ">Clinical</h2>" not in response.text
        assert "F10.20" not in response.text
        assert "limited to the patient's care team" in response.text


def test_patient_sees_only_their_own_record_on_pages(client, db):
    world = build_world(db)
    sign_in(client, "pat@example.org")
    assert client.get("/patients").status_code == 403
    _assert_refused_event(db, "pat@example.org", "patient.list")

    own = client.get(f"/patients/{world.patient.id}", follow_redirects=False)
    assert own.status_code == 303 and own.headers["location"] == "/me"
    me = client.get("/me")
    assert me.status_code == 200
    assert "<h1>Pat Quillfeather" in me.text and "F10.20" in me.text
    assert "break-glass" not in me.text and "Emergency access" not in me.text
    assert "Edit details" not in me.text and "New enrollment" not in me.text
    assert "/edit" not in me.text

    other = client.get(f"/patients/{world.other_patient.id}")
    assert other.status_code == 403
    assert "Marrowby" not in other.text and "Emergency access" not in other.text
    _assert_refused_event(db, "pat@example.org", "patient.read", world.other_patient.id)


def test_staff_asking_for_me_go_to_the_patient_list(client, db):
    world = build_world(db)
    sign_in(client, world.user("billing").email)
    response = client.get("/me", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/patients"


def test_other_site_staff_are_offered_emergency_access(client, db):
    world = build_world(db)
    sign_in(client, world.user("other_site_counselor").email)
    refused = client.get(f"/patients/{world.patient.id}")
    assert refused.status_code == 403
    assert f'href="/patients/{world.patient.id}/break-glass"' in refused.text
    assert "Emergency access" in refused.text
    assert "Quillfeather" not in refused.text


def test_auditor_is_not_offered_emergency_access_and_may_not_break_the_glass(client, db):
    world = build_world(db)
    sign_in(client, world.user("auditor").email)
    refused = client.get(f"/patients/{world.patient.id}")
    assert refused.status_code == 403
    assert f"/patients/{world.patient.id}/break-glass" not in refused.text
    assert client.get(f"/patients/{world.patient.id}/break-glass").status_code == 403
    _assert_refused_event(db, "auditor@example.org", "patient.break_glass", world.patient.id)


def test_unknown_patient_is_404(client, db):
    world = build_world(db)
    sign_in(client, world.user("director").email)
    assert client.get("/patients/999999").status_code == 404


# ---- break the glass --------------------------------------------------------------------


def test_break_glass_gives_full_access_and_is_listed_for_review(client, db):
    world = build_world(db)
    pat = world.patient
    sign_in(client, world.user("site_counselor").email)
    limited = client.get(f"/patients/{pat.id}")
    assert "F10.20" not in limited.text
    assert f'href="/patients/{pat.id}/break-glass"' in limited.text

    form = client.get(f"/patients/{pat.id}/break-glass")
    assert form.status_code == 200
    assert '<label for="f-reason">' in form.text and "<textarea" in form.text
    assert "logged and reviewed" in form.text

    token = csrf_in(form.text)
    short = client.post(
        f"/patients/{pat.id}/break-glass", data={"reason": "urgent", "csrf_token": token}
    )
    assert short.status_code == 422
    assert 'id="e-reason"' in short.text and ">urgent</textarea>" in short.text
    assert db.scalars(select(BreakGlassGrant)).all() == []

    reason = "Patient collapsed in group; paramedics need medication history."
    granted = client.post(
        f"/patients/{pat.id}/break-glass",
        data={"reason": reason, "csrf_token": token},
        follow_redirects=False,
    )
    assert granted.status_code == 303 and granted.headers["location"] == f"/patients/{pat.id}"

    full = client.get(f"/patients/{pat.id}")
    assert "F10.20" in full.text and ">Clinical</h2>" in full.text
    assert "Emergency access until" in full.text
    grant = db.scalars(select(BreakGlassGrant)).one()
    assert grant.reason == reason and grant.user_id == world.user("site_counselor").id
    assert grant.reviewed_at is None  # waiting in the review list
    assert (
        events(db, action="patient.read", email="site_counselor@example.org")[-1].detail
        == "access=full"
    )


def test_break_glass_from_another_site_opens_the_record(client, db):
    world = build_world(db)
    pat = world.patient
    sign_in(client, world.user("other_site_counselor").email)
    token = csrf_in(client.get(f"/patients/{pat.id}/break-glass").text)
    client.post(
        f"/patients/{pat.id}/break-glass",
        data={"reason": "Covering for site A on call tonight.", "csrf_token": token},
    )
    full = client.get(f"/patients/{pat.id}")
    assert full.status_code == 200 and "F10.20" in full.text


def test_director_reviews_the_grant_on_the_review_screen(client, db):
    world = build_world(db)
    pat = world.patient
    sign_in(client, world.user("site_counselor").email)
    token = csrf_in(client.get(f"/patients/{pat.id}/break-glass").text)
    client.post(
        f"/patients/{pat.id}/break-glass",
        data={"reason": "Crisis call, need the safety plan now.", "csrf_token": token},
    )
    client.post("/logout", data={"csrf_token": token})
    sign_in(client, world.user("director").email)
    review = client.get("/audit/break-glass")
    assert review.status_code == 200 and "Crisis call, need the safety plan now." in review.text


# ---- API --------------------------------------------------------------------------------


def _enrollment_body(world):
    return {
        "patient_id": world.patient.id,
        "program_id": world.program.id,
        "location_id": world.site_a.id,
        "admit_date": "2026-01-05",
        "status": "discharged",
        "discharge_date": "2026-03-01",
        "discharge_type": "completed",
    }


@pytest.mark.parametrize("persona", list(TABLE))
def test_api_follows_the_permission_table(client, db, persona):
    world = build_world(db)
    expect = TABLE[persona]
    user = world.user(persona)
    headers = bearer(db, user)
    pat = world.patient

    listing = client.get("/api/v1/patients", headers=headers)
    if expect.lists is None:
        assert listing.status_code == 403
        _assert_refused_event(db, user.email, "patient.list")
    else:
        assert listing.status_code == 200
        names = {item["last_name"] for item in listing.json()["items"]}
        assert ("Quillfeather" in names) is expect.lists

    sheet = client.get(f"/api/v1/patients/{pat.id}", headers=headers)
    if expect.access is None:
        assert sheet.status_code == 403
        _assert_refused_event(db, user.email, "patient.read", pat.id)
    else:
        body = sheet.json()
        assert sheet.status_code == 200 and body["access"] == expect.access
        assert (body["clinical"] is not None) is (expect.access == "full")
        assert ("F10.20" in sheet.text) is (expect.access == "full")

    created = client.post(
        "/api/v1/patients",
        headers=headers,
        json={**NEW_PATIENT, "registered_location_id": world.site_a.id},
    )
    assert created.status_code == (201 if expect.create else 403)

    patched = client.patch(
        f"/api/v1/patients/{pat.id}",
        headers=headers,
        json={"version": pat.version, "phone": "5550100177"},
    )
    assert patched.status_code == (200 if expect.edit else 403)

    enrolled = client.post("/api/v1/enrollments", headers=headers, json=_enrollment_body(world))
    assert enrolled.status_code == (201 if expect.enroll else 403), enrolled.text


def test_api_patient_sees_only_their_own_record(client, db):
    world = build_world(db)
    headers = bearer(db, world.user("patient"))
    assert client.get("/api/v1/patients", headers=headers).status_code == 403
    own = client.get(f"/api/v1/patients/{world.patient.id}", headers=headers)
    assert own.status_code == 200 and own.json()["access"] == "full"
    other = client.get(f"/api/v1/patients/{world.other_patient.id}", headers=headers)
    assert other.status_code == 403
    assert other.json()["error"] == "Not allowed"
    _assert_refused_event(db, "pat@example.org", "patient.read", world.other_patient.id)
    assert (
        client.get(
            f"/api/v1/enrollments?patient_id={world.patient.id}", headers=headers
        ).status_code
        == 200
    )
    assert client.get("/api/v1/enrollments", headers=headers).status_code == 403


def test_api_needs_a_token(client, db):
    world = build_world(db)
    for path in ("/api/v1/patients", f"/api/v1/patients/{world.patient.id}", "/api/v1/enrollments"):
        response = client.get(path)
        assert response.status_code == 401, path
        assert response.headers["www-authenticate"] == "Bearer"
    bad = client.get("/api/v1/patients", headers={"Authorization": "Bearer oiop_nope"})
    assert bad.status_code == 401


def test_api_unknown_ids_are_404(client, db):
    world = build_world(db)
    headers = bearer(db, world.user("director"))
    assert client.get("/api/v1/patients/999999", headers=headers).status_code == 404
    assert client.get("/api/v1/enrollments/999999", headers=headers).status_code == 404
    missing = client.patch("/api/v1/patients/999999", headers=headers, json={"version": 1})
    assert missing.status_code == 404


def test_api_break_glass_access_shows_in_the_api_too(client, db, settings):
    from openiop.security import service as security
    from openiop.security.audit import Actor
    from openiop.security.service import principal_for

    world = build_world(db)
    user = world.user("billing")
    headers = bearer(db, user)
    assert (
        client.get(f"/api/v1/patients/{world.patient.id}", headers=headers).json()["access"]
        == "limited"
    )
    security.break_glass(
        db,
        actor=Actor(principal_for(db, user), "web"),
        patient_id=world.patient.id,
        reason="Billing dispute needs the diagnosis today.",
        settings=settings,
    )
    db.flush()
    body = client.get(f"/api/v1/patients/{world.patient.id}", headers=headers).json()
    assert body["access"] == "full" and body["emergency_access_until"] is not None
