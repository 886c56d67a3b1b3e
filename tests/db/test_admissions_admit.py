"""Admitting an inquiry (/admissions/inquiries/{id}/admit): a new or linked patient, the
enrollment with track and care team, weekly commitments and track clashes, consent to treatment
signed on screen, the first week's to-dos, the stage move, and the audit trail."""

from __future__ import annotations

import hashlib
from datetime import date, time

import pytest
from sqlalchemy import func, select

from openiop.admissions.admit_consent import CONSENT_TEXT, CONSENT_VERSION
from openiop.models import (
    AdmissionRecord,
    ClinicalTask,
    Commitment,
    Enrollment,
    Inquiry,
    Patient,
)
from tests import factories as f
from tests.db import support_admissions as support
from tests.db.support_admissions import admit_form, decided_inquiry, events, staff_id

# Fixtures shared with the referral and task tests.
world, signed_in, frozen = support.world, support.signed_in, support.frozen

pytestmark = pytest.mark.usefixtures("frozen")


def post(client, row, form):
    return client.post(f"/admissions/inquiries/{row.id}/admit", data=form, follow_redirects=False)


def count(db, model) -> int:
    return db.scalar(select(func.count()).select_from(model))


def test_admitting_registers_the_patient_enrolls_them_and_plans_the_first_week(
    client, db, world, signed_in
):
    row = decided_inquiry(db, world)
    token = signed_in("admissions")
    page = client.get(f"/admissions/inquiries/{row.id}/admit")
    assert page.status_code == 200 and "Consent to treatment" in page.text
    assert page.headers["cache-control"] == "no-store"
    form = admit_form(
        token, world, row, c1_kind="work", c1_days=["6"], c1_start="08:00", c1_end="12:00",
        c1_label="Market stall",
    )  # fmt: skip
    response = post(client, row, form)
    assert response.status_code == 303, response.text
    patient = db.scalars(select(Patient).where(Patient.last_name == "Newcomer")).one()
    assert patient.registered_location_id == world.site_a.id and patient.mrn.startswith("M")
    enrollment = db.scalars(select(Enrollment).where(Enrollment.patient_id == patient.id)).one()
    assert (enrollment.track_id, enrollment.location_id, enrollment.status) == (
        world.track_a.id, world.site_a.id, "active",
    )  # fmt: skip
    assert enrollment.primary_counselor_id == staff_id(world, "site_counselor")
    assert enrollment.physician_id == staff_id(world, "care_physician")
    assert enrollment.admit_date == date(2026, 11, 30) and enrollment.primary_substance == "alcohol"
    saved = db.scalars(select(Commitment).where(Commitment.patient_id == patient.id)).all()
    assert [(c.weekday, c.start_time, c.label) for c in saved] == [(6, time(8), "Market stall")]
    tasks = db.scalars(
        select(ClinicalTask).where(ClinicalTask.patient_id == patient.id).order_by(ClinicalTask.id)
    ).all()
    assert [(t.kind, t.due_date, t.assigned_staff_id, t.status) for t in tasks] == [
        ("intake", date(2026, 11, 30), staff_id(world, "site_counselor"), "open"),
        ("individual_session", date(2026, 12, 6), staff_id(world, "site_counselor"), "open"),
        ("physician_visit", date(2026, 12, 6), staff_id(world, "care_physician"), "open"),
    ]
    record = db.scalars(select(AdmissionRecord).where(AdmissionRecord.inquiry_id == row.id)).one()
    assert record.patient_was_new and record.enrollment_id == enrollment.id
    assert record.consent_version == CONSENT_VERSION
    assert record.consent_sha256 == hashlib.sha256(CONSENT_TEXT.encode()).hexdigest()
    assert (record.consent_signer, record.consent_signed_name) == ("self", "Wren Newcomer")
    assert record.consent_signed_at is not None and record.admitted_by_user_id
    db.refresh(row)
    assert row.stage == "admitted" and row.admitted_at is not None
    admitted = events(db, "inquiry.admit")
    assert len(admitted) == 1 and admitted[0].patient_id == patient.id
    assert "patient=new" in admitted[0].detail and "tasks=3" in admitted[0].detail
    # The patients area audits its own steps, each naming the new patient.
    assert [e.patient_id for e in events(db, "patient.create")] == [patient.id]
    assert {e.patient_id for e in events(db, "enrollment.create")} == {patient.id}
    summary = client.get(f"/admissions/inquiries/{row.id}/admit")
    assert "Admitted" in summary.text and patient.mrn in summary.text
    assert "Complete the intake" in summary.text


def test_consent_is_required_and_nothing_is_written_without_it(client, db, world, signed_in):
    row = decided_inquiry(db, world)
    token = signed_in("admissions")
    patients_before = count(db, Patient)
    form = admit_form(token, world, row)
    del form["consent_agreed"]
    response = post(client, row, form)
    assert response.status_code == 422
    assert "The person must tick that they agree to treatment." in response.text
    assert 'value="Wren"' in response.text  # the form keeps what was entered
    wrong_name = post(client, row, admit_form(token, world, row, consent_signed_name="W. N."))
    assert wrong_name.status_code == 422 and "must be the person" in wrong_name.text
    rep = post(client, row, admit_form(token, world, row, consent_signer="representative"))
    assert rep.status_code == 422 and "related to the person" in rep.text
    assert count(db, Patient) == patients_before
    assert count(db, AdmissionRecord) == 0 and count(db, ClinicalTask) == 0
    db.refresh(row)
    assert row.stage == "assessed"


def test_a_representative_may_sign_with_their_relationship(client, db, world, signed_in):
    row = decided_inquiry(db, world)
    token = signed_in("director")
    form = admit_form(
        token, world, row, consent_signer="representative",
        consent_signed_name="Morgan Newcomer", consent_relationship="Parent (legal guardian)",
    )  # fmt: skip
    assert post(client, row, form).status_code == 303
    record = db.scalars(select(AdmissionRecord)).one()
    assert record.consent_relationship == "Parent (legal guardian)"


def test_tracks_that_clash_with_commitments_are_flagged_and_need_acknowledging(
    client, db, world, signed_in
):
    row = decided_inquiry(db, world)
    token = signed_in("admissions")
    evening = f.track(
        db, program_id=world.program.id, location_id=world.site_a.id, name="Evenings",
        start_time=time(18), end_time=time(21),
    )  # fmt: skip
    shift = {"c1_kind": "work", "c1_days": ["1", "3"], "c1_start": "07:00", "c1_end": "10:00"}
    checked = post(client, row, admit_form(token, world, row, step="check", **shift))
    assert checked.status_code == 200
    assert "Clashes: Mon, Wed 09:00–12:00 overlaps Work 07:00–10:00" in checked.text
    assert checked.text.count("No clash with the commitments shown.") == 1  # the evening track
    refused = post(client, row, admit_form(token, world, row, **shift))
    assert refused.status_code == 422 and "clashes with the person" in refused.text
    assert count(db, AdmissionRecord) == 0
    fine = post(client, row, admit_form(token, world, row, track_id=str(evening.id), **shift))
    assert fine.status_code == 303


def test_a_clash_may_be_accepted_when_the_person_will_rearrange(client, db, world, signed_in):
    row = decided_inquiry(db, world)
    token = signed_in("admissions")
    shift = {"c1_kind": "work", "c1_days": ["2"], "c1_start": "11:00", "c1_end": "15:00"}
    form = admit_form(token, world, row, clash_acknowledged="yes", **shift)
    assert post(client, row, form).status_code == 303


def test_an_existing_patient_found_as_a_duplicate_is_linked_not_registered_again(
    client, db, world, signed_in
):
    row = decided_inquiry(db, world)
    same = f.patient(
        db, organization_id=world.site_a.organization_id, registered_location_id=world.site_a.id,
        first_name="Wren", last_name="Newcomer", phone="(555) 013-4477",
    )  # fmt: skip
    f.patient(
        db, organization_id=world.site_b.organization_id, registered_location_id=world.site_b.id,
        first_name="Wren", last_name="Elsewhere", email="wren.newcomer@example.org",
    )  # fmt: skip
    token = signed_in("admissions")
    page = client.get(f"/admissions/inquiries/{row.id}/admit")
    assert same.mrn in page.text and "same phone" in page.text
    assert "1 registered patient(s) at another site" in page.text
    assert "Elsewhere" not in page.text
    assert [e.patient_id for e in events(db, "patient.match")] == [same.id]
    before = count(db, Patient)
    response = post(client, row, admit_form(token, world, row, patient_id=str(same.id)))
    assert response.status_code == 303, response.text
    assert count(db, Patient) == before
    record = db.scalars(select(AdmissionRecord)).one()
    assert record.patient_id == same.id and not record.patient_was_new


def test_care_team_must_be_qualified_active_and_at_the_track_site(client, db, world, signed_in):
    row = decided_inquiry(db, world)
    token = signed_in("admissions")
    technician = f.staff(
        db, organization_id=world.site_a.organization_id, locations=[world.site_a],
        credentials="RADT",
    )  # fmt: skip
    cases = {
        "primary_counselor_id": [
            (technician.id, "does not hold a counseling credential"),
            (staff_id(world, "other_site_counselor"), "does not work at the site of the track"),
        ],
        "physician_id": [(staff_id(world, "site_counselor"), "does not hold a prescriber")],
    }
    for name, tries in cases.items():
        for chosen, message in tries:
            response = post(client, row, admit_form(token, world, row, **{name: str(chosen)}))
            assert response.status_code == 422 and message in response.text, (name, chosen)
    page = client.get(f"/admissions/inquiries/{row.id}/admit")
    assert "caseload 1 of 20" in page.text  # the care counselor's one open case
    assert technician.last_name not in page.text  # only qualified counselors are offered
    assert count(db, AdmissionRecord) == 0


def test_a_counselor_at_caseload_cap_is_refused(client, db, world, signed_in):
    row = decided_inquiry(db, world)
    full = f.staff(
        db, organization_id=world.site_a.organization_id, locations=[world.site_a], caseload_cap=1,
    )  # fmt: skip
    f.enrollment(
        db, patient_id=world.patient.id, program_id=world.program.id,
        location_id=world.site_a.id, primary_counselor_id=full.id, status="pending",
    )  # fmt: skip
    token = signed_in("admissions")
    assert "at cap" in client.get(f"/admissions/inquiries/{row.id}/admit").text
    response = post(client, row, admit_form(token, world, row, primary_counselor_id=str(full.id)))
    assert response.status_code == 422 and "cap 1" in response.text


def test_admission_needs_a_decision_for_this_program(client, db, world, signed_in):
    token = signed_in("admissions")
    undecided = decided_inquiry(db, world, level=None, decision=None)
    page = client.get(f"/admissions/inquiries/{undecided.id}/admit")
    assert "accept or override its recommendation first" in page.text
    assert post(client, undecided, admit_form(token, world, undecided)).status_code == 422
    residential = decided_inquiry(db, world, level="residential", decision="overridden")
    response = post(client, residential, admit_form(token, world, residential))
    assert response.status_code == 422 and "refer the person out instead" in response.text
    sober = decided_inquiry(db, world, level="iop_with_sober_living")
    assert post(client, sober, admit_form(token, world, sober)).status_code == 303
    assert count(db, AdmissionRecord) == 1


def test_a_stale_form_and_a_second_admission_change_nothing(client, db, world, signed_in):
    row = decided_inquiry(db, world)
    token = signed_in("admissions")
    stale = admit_form(token, world, row, version=str(row.version + 5))
    assert post(client, row, stale).status_code == 409
    assert post(client, row, admit_form(token, world, row)).status_code == 303
    db.refresh(row)
    again = post(client, row, admit_form(token, world, row, first_name="Other"))
    assert again.status_code == 422 and "already been admitted" in again.text
    assert count(db, AdmissionRecord) == 1


def test_bad_input_names_each_field_and_never_500s(client, db, world, signed_in):
    row = decided_inquiry(db, world)
    token = signed_in("admissions")
    form = admit_form(
        token, world, row, first_name="", date_of_birth="31/31/1990", admit_date="soon",
        track_id="x" * 40, primary_counselor_id="-1", physician_id="", c2_days=["9"],
        c2_start="25:00", c2_end="", patient_id="nobody",
    )  # fmt: skip
    response = post(client, row, form)
    assert response.status_code == 422
    for where in ("c2_days", "c2_kind", "c2_start", "c2_end", "patient_id"):
        assert f'href="#f-{where}"' in response.text, where
    response = post(client, row, admit_form(token, world, row, first_name="", admit_date="soon"))
    assert response.status_code == 422
    for where in ("first_name", "admit_date"):
        assert f'href="#f-{where}"' in response.text, where
    far = post(client, row, admit_form(token, world, row, admit_date="2027-06-01"))
    assert far.status_code == 422 and "at most 60 days ahead" in far.text
    assert count(db, AdmissionRecord) == 0


@pytest.mark.parametrize(
    "persona", ["billing", "front_desk", "auditor", "site_counselor", "care_physician", "patient"]
)
def test_roles_that_do_not_admit_are_refused_and_audited(client, db, world, signed_in, persona):
    row = decided_inquiry(db, world)
    token = signed_in(persona)
    assert client.get(f"/admissions/inquiries/{row.id}/admit").status_code == 403
    assert post(client, row, admit_form(token, world, row)).status_code == 403
    assert len(events(db, "inquiry.admit", "refused")) == 2
    assert count(db, AdmissionRecord) == 0


def test_admissions_staff_at_another_site_are_refused(client, db, world, signed_in):
    from tests.personas import csrf_of, sign_in

    row = decided_inquiry(db, world)
    member = f.staff(db, organization_id=world.site_b.organization_id, locations=[world.site_b])
    west = f.user(db, role="admissions", email="west.admissions@example.org",
                  staff_member_id=member.id)  # fmt: skip
    client.cookies.clear()
    sign_in(client, west.email)
    token = csrf_of(client)
    assert client.get(f"/admissions/inquiries/{row.id}/admit").status_code == 403
    assert post(client, row, admit_form(token, world, row)).status_code == 403
    refused = events(db, "inquiry.admit", "refused")
    assert refused and "outside location" in refused[-1].detail
    assert db.get(Inquiry, row.id).stage == "assessed"


def test_an_administrator_may_admit_anywhere(client, db, world, signed_in):
    row = decided_inquiry(db, world)
    token = signed_in("admin")
    assert post(client, row, admit_form(token, world, row)).status_code == 303


def test_the_decided_assessment_leads_admissions_staff_to_admit_or_refer(
    client, db, world, signed_in
):
    row = decided_inquiry(db, world)
    signed_in("admissions")
    page = client.get(f"/admissions/inquiries/{row.id}/assessment").text
    assert f'href="/admissions/inquiries/{row.id}/admit"' in page
    assert f'href="/admissions/inquiries/{row.id}/refer"' in page
    residential = decided_inquiry(db, world, level="residential", decision="overridden")
    page = client.get(f"/admissions/inquiries/{residential.id}/assessment").text
    assert f'href="/admissions/inquiries/{residential.id}/admit"' not in page
    signed_in("site_counselor")  # assesses, but neither admits nor refers
    page = client.get(f"/admissions/inquiries/{row.id}/assessment").text
    assert f'href="/admissions/inquiries/{row.id}/admit"' not in page
