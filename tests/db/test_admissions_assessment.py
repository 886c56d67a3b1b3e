"""Clinicians' screening and assessment of an inquiry (/admissions/inquiries/{id}/assessment):
stored answers and scores, the recommendation with its reasons, accept or override, the urgent
same-day task for PHQ-9 item 9, who may do what, optimistic locking and the audit trail."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from openiop.models import AdmissionAssessment, AuditEvent, ClinicalTask
from tests import factories as f
from tests.personas import build_world, csrf_of, sign_in

MODERATE = ["more_or_longer", "cannot_cut_down", "craving", "tolerance"]  # 4: moderate


@pytest.fixture
def world(db):
    return build_world(db)


@pytest.fixture
def signed_in(client, world):
    def sign(persona: str) -> str:
        client.cookies.clear()  # a second persona in one test starts a fresh browser
        sign_in(client, world.user(persona).email)
        return csrf_of(client)

    return sign


def events(db, action: str, outcome: str = "allowed") -> list[AuditEvent]:
    query = select(AuditEvent).where(AuditEvent.action == action, AuditEvent.outcome == outcome)
    return list(db.scalars(query.order_by(AuditEvent.seq)))


def assessment_form(token: str, *, phq9=(1, 1, 1, 1, 1, 1, 0, 0, 0), **changes) -> dict:
    form = {
        "csrf_token": token,
        "step": "save",
        "substances": ["alcohol"],
        "dsm5.alcohol": MODERATE,
        "home_environment": "safe_home",
        "sober_living_home": "",
        "commitments": "Works weekdays 7 am to 3 pm",
        **{f"dim_{d}": "1" for d in "123456"},
        **{f"dim_{d}_note": "" for d in "123456"},
        **{f"PHQ-9.{n}": str(a) for n, a in enumerate(phq9, start=1)},
    }
    return {**form, **changes}


def assessments(db) -> list[AdmissionAssessment]:
    return list(db.scalars(select(AdmissionAssessment).order_by(AdmissionAssessment.id)))


def post(client, inquiry_id: int, form: dict):
    return client.post(
        f"/admissions/inquiries/{inquiry_id}/assessment", data=form, follow_redirects=False
    )


def decide(client, row: AdmissionAssessment, token: str, **form):
    return client.post(
        f"/admissions/inquiries/{row.inquiry_id}/assessment/{row.id}/decision",
        data={"csrf_token": token, "version": str(row.version), **form},
        follow_redirects=False,
    )


def test_assessment_is_stored_and_shows_the_recommendation_with_every_reason(
    client, db, world, signed_in
):
    inquiry = f.inquiry(db, location_id=world.site_a.id)
    token = signed_in("site_counselor")
    page = client.get(f"/admissions/inquiries/{inquiry.id}/assessment")
    assert page.status_code == 200 and "Criteria met for Alcohol" in page.text
    assert page.headers["cache-control"] == "no-store"
    response = post(client, inquiry.id, assessment_form(token))
    assert response.status_code == 303, response.text
    [row] = assessments(db)
    assert row.recommendation == "iop" and row.decision is None
    assert row.dsm5_criteria == {"alcohol": MODERATE}
    assert row.instrument_answers["PHQ-9"] == [1, 1, 1, 1, 1, 1, 0, 0, 0]
    assert row.scores["PHQ-9"]["total"] == 6
    assert row.dimensions["1"] == {"rating": 1, "note": ""}
    assert row.commitments == "Works weekdays 7 am to 3 pm"
    rules = {r["rule"] for r in row.reasons}
    assert {"moderate_use_disorder", "fits_iop"} <= rules
    shown = client.get(f"/admissions/inquiries/{inquiry.id}/assessment").text
    assert "Intensive outpatient program" in shown
    for reason in row.reasons:
        assert reason["rule"] in shown
        assert reason["detail"].replace("<", "&lt;").replace(">", "&gt;") in shown
    [event] = events(db, "assessment.create")
    assert event.detail.startswith(f"assessment={row.id}; recommendation=iop")
    assert "alcohol" not in event.detail and "Works" not in event.detail  # no answers in audit
    assert db.scalar(select(func.count(ClinicalTask.id))) == 0


def test_bad_answers_are_refused_naming_the_item_and_nothing_is_stored(
    client, db, world, signed_in
):
    inquiry = f.inquiry(db, location_id=world.site_a.id)
    token = signed_in("site_counselor")
    form = assessment_form(
        token, **{"PHQ-9.4": "", "GAD-7.1": "7", **{f"GAD-7.{n}": "0" for n in range(2, 8)}}
    )
    form["GAD-7.1"] = "7"
    response = post(client, inquiry.id, form)
    assert response.status_code == 422
    assert "PHQ-9 item 4" in response.text
    assert assessments(db) == []
    form = assessment_form(token, **{f"GAD-7.{n}": "0" for n in range(2, 8)}, **{"GAD-7.1": "7"})
    response = post(client, inquiry.id, form)
    assert response.status_code == 422
    assert "GAD-7 item 1" in response.text and "out of range" in response.text
    response = post(client, inquiry.id, assessment_form(token, home_environment="sober_living"))
    assert response.status_code == 422 and "sober_living_home" in response.text
    assert assessments(db) == []


def test_accepting_the_recommendation(client, db, world, signed_in):
    inquiry = f.inquiry(db, location_id=world.site_a.id)
    token = signed_in("care_physician")
    post(client, inquiry.id, assessment_form(token))
    [row] = assessments(db)
    response = decide(client, row, token, decision="accepted", decided_level="", override_reason="")
    assert response.status_code == 303, response.text
    db.refresh(row)
    assert (row.decision, row.decided_level, row.override_reason) == ("accepted", "iop", None)
    assert row.decided_by_user_id == world.user("care_physician").id and row.decided_at
    [event] = events(db, "assessment.decide")
    assert event.detail == f"assessment={row.id}; decision=accepted; level=iop"


def test_override_needs_a_reason_and_then_keeps_it(client, db, world, signed_in):
    inquiry = f.inquiry(db, location_id=world.site_a.id)
    token = signed_in("director")
    post(client, inquiry.id, assessment_form(token))
    [row] = assessments(db)
    response = decide(
        client, row, token, decision="overridden", decided_level="residential", override_reason="  "
    )
    assert response.status_code == 422
    assert "override_reason" in response.text
    db.refresh(row)
    assert row.decision is None and row.decided_level is None and row.version == 1
    assert events(db, "assessment.decide") == []
    reason = "Two relapses after outpatient care this year"
    response = decide(
        client,
        row,
        token,
        decision="overridden",
        decided_level="residential",
        override_reason=reason,
    )
    assert response.status_code == 303, response.text
    db.refresh(row)
    assert (row.recommendation, row.decision, row.decided_level) == (
        "iop",
        "overridden",
        "residential",
    )
    assert row.override_reason == reason
    [event] = events(db, "assessment.decide")
    assert reason not in event.detail
    assert reason in client.get(f"/admissions/inquiries/{inquiry.id}/assessment").text


def test_phq9_item9_above_zero_raises_an_urgent_same_day_task_and_a_board_banner(
    client, db, world, signed_in
):
    inquiry = f.inquiry(db, location_id=world.site_a.id)
    token = signed_in("site_counselor")
    response = post(client, inquiry.id, assessment_form(token, phq9=(0,) * 8 + (1,)))
    assert response.status_code == 303, response.text
    [row] = assessments(db)
    assert row.recommendation == "urgent_safety_assessment"
    [task] = db.scalars(select(ClinicalTask)).all()
    assert (task.kind, task.status, task.inquiry_id) == (
        "urgent_safety_follow_up",
        "open",
        inquiry.id,
    )
    assert task.location_id == world.site_a.id and task.assessment_id == row.id
    from openiop.kit import clock

    assert task.due_date == clock.today_in(world.site_a.time_zone)
    assert (
        "Urgent same-day safety follow-up"
        in client.get(f"/admissions/inquiries/{inquiry.id}/assessment").text
    )
    signed_in("admissions")
    board = client.get("/admissions")
    assert board.status_code == 200
    assert "1 urgent same-day follow-up" in board.text


def test_no_banner_without_an_open_urgent_task(client, db, world, signed_in):
    f.inquiry(db, location_id=world.site_a.id)
    signed_in("admissions")
    assert "urgent same-day follow-up" not in client.get("/admissions").text


@pytest.mark.parametrize("persona", ["billing", "front_desk", "auditor"])
def test_billing_front_desk_and_auditors_are_refused_and_audited(
    client, db, world, signed_in, persona
):
    inquiry = f.inquiry(db, location_id=world.site_a.id)
    token = signed_in(persona)
    assert client.get(f"/admissions/inquiries/{inquiry.id}/assessment").status_code == 403
    assert post(client, inquiry.id, assessment_form(token)).status_code == 403
    assert assessments(db) == []
    assert len(events(db, "assessment.read", "refused")) == 1
    assert len(events(db, "assessment.create", "refused")) == 1


def test_admissions_may_view_but_not_record_or_decide(client, db, world, signed_in):
    inquiry = f.inquiry(db, location_id=world.site_a.id)
    token = signed_in("site_counselor")
    post(client, inquiry.id, assessment_form(token))
    [row] = assessments(db)
    token = signed_in("admissions")
    page = client.get(f"/admissions/inquiries/{inquiry.id}/assessment")
    assert page.status_code == 200 and "Intensive outpatient program" in page.text
    assert "Record decision" not in page.text and "Save and recommend" not in page.text
    assert post(client, inquiry.id, assessment_form(token)).status_code == 403
    assert decide(client, row, token, decision="accepted").status_code == 403
    assert len(events(db, "assessment.create", "refused")) == 1
    assert len(events(db, "assessment.decide", "refused")) == 1
    db.refresh(row)
    assert row.decision is None and len(assessments(db)) == 1


def test_a_clinician_at_another_location_is_refused(client, db, world, signed_in):
    inquiry = f.inquiry(db, location_id=world.site_a.id)
    token = signed_in("other_site_counselor")
    assert post(client, inquiry.id, assessment_form(token)).status_code == 403
    [event] = events(db, "assessment.create", "refused")
    assert event.detail == f"outside location {world.site_a.id}"


def test_a_stale_version_is_a_conflict(client, db, world, signed_in):
    inquiry = f.inquiry(db, location_id=world.site_a.id)
    token = signed_in("site_counselor")
    post(client, inquiry.id, assessment_form(token))
    [row] = assessments(db)
    response = client.post(
        f"/admissions/inquiries/{inquiry.id}/assessment/{row.id}/decision",
        data={"csrf_token": token, "version": str(row.version + 1), "decision": "accepted"},
        follow_redirects=False,
    )
    assert response.status_code == 409
    assert re.search("changed by someone else", response.text)
    db.refresh(row)
    assert row.decision is None


def test_suggest_fills_blank_ratings_from_the_questionnaires_without_storing(
    client, db, world, signed_in
):
    inquiry = f.inquiry(db, location_id=world.site_a.id)
    token = signed_in("site_counselor")
    form = assessment_form(token, phq9=(3, 3, 3, 3, 2, 2, 2, 2, 0), step="suggest", dim_3="")
    page = post(client, inquiry.id, form)
    assert page.status_code == 200
    assert "Suggested: 3 (PHQ-9 total 20)" in page.text
    assert re.search(r'<option value="3"\s+selected>3 – serious', page.text)
    assert assessments(db) == []


def test_the_inquiry_page_links_to_the_assessment(client, db, world, signed_in):
    inquiry = f.inquiry(db, location_id=world.site_a.id)
    signed_in("admissions")
    page = client.get(f"/admissions/inquiries/{inquiry.id}")
    assert f'href="/admissions/inquiries/{inquiry.id}/assessment"' in page.text


@pytest.mark.parametrize("persona", ["site_counselor", "care_physician", "director"])
def test_every_link_on_the_assessment_page_opens_for_whoever_sees_it(
    client, db, world, signed_in, persona
):
    """Counselors and physicians assess but may not open the admissions pipeline: the page
    must not send them to an inquiry that refuses them."""
    inquiry = f.inquiry(db, location_id=world.site_a.id)
    signed_in(persona)
    page = client.get(f"/admissions/inquiries/{inquiry.id}/assessment")
    assert page.status_code == 200
    links = set(re.findall(r'href="(/admissions/[^"#]*)', page.text))
    assert links, "the page links somewhere to go back to"
    for link in links:
        assert client.get(link).status_code == 200, link
