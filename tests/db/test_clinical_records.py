"""Measures, drug screens and discharge through the services and the API: the program's
measure schedule, the site's due list, screens with results per class, the discharge record
drafted from the ledger and the chart, signing that closes the enrollment, and the PDF."""

from __future__ import annotations

import io
from datetime import date

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from openiop.clinical import discharge_service, measures_service
from openiop.kit.errors import Conflict, ValidationFailed
from openiop.models import DailyMinutes, Enrollment, MeasureSchedule
from openiop.security.service import Refused
from tests import factories as f
from tests.db.support_clinical import as_persona, events, freeze, signed_plan
from tests.db.test_patients_support import bearer
from tests.personas import build_world


@pytest.fixture
def world(db):
    freeze()
    return build_world(db)


def _give(db, world, instrument, answers, on):  # type: ignore[no-untyped-def]
    data = {f"item_{n}": str(a) for n, a in enumerate(answers, 1)} | {"administered_on": on}
    return measures_service.give(
        db,
        actor=as_persona(db, world, "care_counselor"),
        patient_id=world.patient.id,
        instrument=instrument,
        data=data,
    )


# ---- measures ---------------------------------------------------------------------------


def test_scores_are_kept_as_computed_with_bands_and_subscales(db, world):
    phq = _give(db, world, "PHQ-9", [3, 3, 2, 2, 2, 2, 1, 1, 0], "2026-11-02")
    assert (phq.total, phq.band, phq.flags) == (16, "moderately_severe", [])
    answers = [1] * 23
    answers[19] = 4  # item 20 (printed 14) is answered 0 or 4
    bam = _give(db, world, "BAM", answers, "2026-11-09")
    assert bam.total is None and bam.subscales == {"use": 3, "risk": 6, "protective": 9}


def test_the_default_schedule_makes_measures_due_and_overdue(db, world):
    director = as_persona(db, world, "director")
    rows = measures_service.due_list(db, actor=director, location_id=world.site_a.id)
    [row] = rows  # only Pat is at site A
    assert {(d.instrument, d.state) for d in row.due} == {
        ("PHQ-9", "overdue"),
        ("GAD-7", "overdue"),
        ("BAM", "overdue"),
    }
    _give(db, world, "PHQ-9", [0] * 9, "2026-11-16")
    _give(db, world, "GAD-7", [0] * 7, "2026-11-16")
    _give(db, world, "BAM", [0] * 23, "2026-11-16")
    assert measures_service.due_list(db, actor=director, location_id=world.site_a.id) == []
    assert events(db, "measure.due_list")


def test_a_program_sets_its_own_schedule(db, world):
    director = as_persona(db, world, "director")
    data = {
        "phq9_active": "on",
        "phq9_at_intake": "on",
        "phq9_interval": "28",
        "gad7_interval": "14",  # GAD-7 turned off
        "bam_active": "on",
        "bam_interval": "7",
    }
    entries = measures_service.set_schedule(
        db, actor=director, program_id=world.program.id, data=data
    )
    assert [(e.instrument, e.at_intake, e.interval_days) for e in entries] == [
        ("PHQ-9", True, 28),
        ("BAM", False, 7),
    ]
    assert len(db.scalars(select(MeasureSchedule)).all()) == 3
    with pytest.raises(ValidationFailed) as refused:
        measures_service.set_schedule(
            db,
            actor=director,
            program_id=world.program.id,
            data={"phq9_active": "on", "phq9_interval": "0"},
        )
    assert "phq9_interval" in refused.value.field_errors
    with pytest.raises(Refused):
        measures_service.set_schedule(
            db,
            actor=as_persona(db, world, "care_counselor"),
            program_id=world.program.id,
            data=data,
        )


def test_bad_answers_name_the_item_and_store_nothing(client, db, world):
    headers = bearer(db, world.user("care_counselor"))
    url = f"/api/v1/patients/{world.patient.id}/measures"
    short = client.post(url, json={"instrument": "PHQ-9", "answers": [0] * 8}, headers=headers)
    assert short.status_code == 422 and "expected 9 answers" in short.json()["detail"]
    high = client.post(url, json={"instrument": "PHQ-9", "answers": [0] * 8 + [4]}, headers=headers)
    assert high.status_code == 422 and "item_9" in high.json()["fields"]
    assert client.get(url, headers=headers).json()["given"] == []


def test_the_api_raises_the_urgent_task_for_item_9(client, db, world):
    headers = bearer(db, world.user("care_physician"))
    body = {"instrument": "PHQ-9", "answers": [1, 1, 1, 1, 1, 1, 1, 1, 2]}
    given = client.post(f"/api/v1/patients/{world.patient.id}/measures", json=body, headers=headers)
    assert given.status_code == 201
    assert given.json()["flags"] == ["urgent_same_day_follow_up"]
    assert given.json()["urgent_task_id"] is not None


# ---- drug screens -----------------------------------------------------------------------


def test_a_screen_with_results_through_the_api(client, db, world):
    headers = bearer(db, world.user("care_counselor"))
    url = f"/api/v1/patients/{world.patient.id}/drug-screens"
    body = {
        "collected_on": "2026-11-16",
        "observed": True,
        "specimen": "urine",
        "testing": "point_of_care",
        "results": {
            "opiates": {"result": "negative"},
            "buprenorphine": {"result": "expected", "medication": "Buprenorphine 8 mg"},
        },
    }
    made = client.post(url, json=body, headers=headers)
    assert made.status_code == 201, made.text
    assert made.json()["outcome"] == "expected"
    unknown = client.post(
        url, json={**body, "results": {"kryptonite": {"result": "negative"}}}, headers=headers
    )
    assert unknown.status_code == 422 and "kryptonite" in unknown.json()["detail"]
    assert [s["outcome"] for s in client.get(url, headers=headers).json()] == ["expected"]


# ---- discharge --------------------------------------------------------------------------


def _discharge(db, world, **changes):  # type: ignore[no-untyped-def]
    data = {
        "discharge_type": "stepped_down",
        "discharge_date": "2026-11-16",
        "referral_to": "Valley Outpatient Counseling",
        "clinical_course": "Engaged in groups; PHQ-9 fell from 16 to 6.",
        "aftercare_plan": "Outpatient counseling weekly; SMART Recovery on Tuesdays.",
    } | changes
    return discharge_service.save_draft(
        db, actor=as_persona(db, world, "care_counselor"), patient_id=world.patient.id, data=data
    )


def _ledger_day(db, world, day: date, **minutes):  # type: ignore[no-untyped-def]
    enrollment = db.scalars(
        select(Enrollment).where(Enrollment.patient_id == world.patient.id)
    ).one()
    row = DailyMinutes(
        enrollment_id=enrollment.id,
        patient_id=world.patient.id,
        location_id=world.site_a.id,
        service_date=day,
        **minutes,
    )
    db.add(row)
    db.flush()


def test_the_record_is_drafted_from_the_ledger_and_the_chart(db, world):
    signed_plan(db, world)
    _give(db, world, "PHQ-9", [3, 3, 2, 2, 2, 2, 1, 1, 0], "2026-11-02")
    _give(db, world, "PHQ-9", [1, 1, 1, 1, 1, 1, 0, 0, 0], "2026-11-16")
    _ledger_day(db, world, date(2026, 11, 3), group_minutes=180, group_sessions_attended=1)
    _ledger_day(
        db,
        world,
        date(2026, 11, 4),
        group_minutes=170,
        group_sessions_attended=1,
        individual_minutes=50,
        individual_sessions=1,
        physician_minutes=20,
        physician_visits=1,
    )
    summary = _discharge(db, world)
    record = summary.record
    assert record["stay"]["days"] == 15
    assert record["attendance"]["group_minutes"] == 350
    assert record["attendance"]["group_sessions"] == 2
    assert record["attendance"]["individual_minutes"] == 50
    assert record["attendance"]["source"] == "attendance minutes ledger"
    [phq] = record["measures"]
    assert phq["first"]["score"] == "16 (moderately severe)" and phq["last"]["score"] == "6 (mild)"
    assert record["plan"]["counts"]["Open"] == 1
    assert record["drug_screens"]["total"] == 0


def test_signing_closes_the_enrollment_and_the_pdf_reads_back(client, db, world):
    signed_plan(db, world)
    _give(db, world, "GAD-7", [2] * 7, "2026-11-02")
    summary = _discharge(db, world)
    with pytest.raises(Conflict):
        _discharge(db, world, version="99")
    who = as_persona(db, world, "care_counselor")
    discharge_service.sign(db, actor=who, summary_id=summary.id)
    enrollment = db.get(Enrollment, summary.enrollment_id)
    assert (enrollment.status, enrollment.discharge_type) == ("discharged", "stepped_down")
    assert enrollment.discharge_date == date(2026, 11, 16)
    with pytest.raises(ValidationFailed, match="no open enrollment"):
        discharge_service.save_draft(
            db,
            actor=as_persona(db, world, "director"),
            patient_id=world.patient.id,
            data={"discharge_type": "completed", "discharge_date": "2026-11-16"},
        )
    # the former care team still reads and exports the signed summary
    name, body = discharge_service.export_pdf(db, actor=who, summary_id=summary.id)
    assert name.startswith(f"discharge-{world.patient.mrn}-2026-11-16")
    reader = PdfReader(io.BytesIO(body))
    text = "\n".join(page.extract_text() for page in reader.pages)
    for expected in (
        "Discharge summary",
        "Pat Quillfeather",
        "Stepped down to a lower level of care",
        "Valley Outpatient Counseling",
        "Admitted 2026-11-02; discharged 2026-11-16 (15 days)",
        "GAD-7: given once, 2026-11-02 14 (moderate)",
        "Name three coping skills",
        "SMART Recovery on Tuesdays",
        "Signed electronically by",
    ):
        assert expected in text, expected
    assert events(db, "discharge.export")[-1].detail == "care team of the discharged episode"


def test_a_draft_is_not_exported_and_strangers_are_refused(client, db, world):
    summary = _discharge(db, world)
    with pytest.raises(ValidationFailed, match="Sign"):
        discharge_service.export_pdf(
            db, actor=as_persona(db, world, "care_counselor"), summary_id=summary.id
        )
    for persona in ("site_counselor", "billing", "auditor", "patient", "other_site_counselor"):
        with pytest.raises(Refused):
            discharge_service.export_pdf(
                db, actor=as_persona(db, world, persona), summary_id=summary.id
            )


def test_the_pdf_over_http(client, db, world):
    summary = _discharge(db, world)
    discharge_service.sign(db, actor=as_persona(db, world, "care_counselor"), summary_id=summary.id)
    headers = bearer(db, world.user("director"))
    response = client.get(f"/api/v1/discharges/{summary.id}/pdf", headers=headers)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    other = f.user(db, role="billing", email="billing2@example.org")
    refused = client.get(f"/api/v1/discharges/{summary.id}/pdf", headers=bearer(db, other))
    assert refused.status_code == 403


def test_the_plan_and_the_worklist_through_the_api(client, db, world):
    plan = signed_plan(db, world)
    headers = bearer(db, world.user("care_counselor"))
    body = client.get(f"/api/v1/patients/{world.patient.id}/treatment-plan", headers=headers).json()
    assert body["active"]["id"] == plan.id and body["draft"] is None
    objective = body["active"]["problems"][0]["goals"][0]["objectives"][0]
    assert objective["target_date"] == "2026-12-14"
    assert objective["interventions"][0]["modality"] == "individual"
    assert body["review"]["next_review_due"] == "2026-12-16"
    assert body["review"]["problems"] == []
    rows = client.get(
        f"/api/v1/locations/{world.site_a.id}/clinical-worklist",
        headers=bearer(db, world.user("director")),
    ).json()
    [row] = rows
    assert row["patient_name"] == "Pat Quillfeather" and row["plan_problems"] == []
    assert {d["instrument"] for d in row["measures_due"]} == {"PHQ-9", "GAD-7", "BAM"}
    other = client.get(
        f"/api/v1/locations/{world.site_b.id}/clinical-worklist",
        headers=bearer(db, world.user("director")),
    )
    assert other.status_code == 403
