"""The clinical pages end to end through the HTTP client: build, sign and review a plan, give
measures (PHQ-9 item 9 raises the urgent task), record a drug screen, draft and sign the
discharge; bad input re-shows the form with the message and changes nothing."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from openiop.models import (
    ClinicalTask,
    DischargeSummary,
    DrugScreen,
    Enrollment,
    MeasureAdministration,
    PlanProblem,
    TreatmentPlan,
)
from tests.db.support_clinical import complete_plan, events, freeze, signed_plan
from tests.personas import build_world, csrf_of, sign_in


@pytest.fixture
def world(db):
    freeze()
    return build_world(db)


@pytest.fixture
def browser(client, world):
    def as_(persona: str) -> str:
        client.cookies.clear()
        sign_in(client, world.user(persona).email)
        return csrf_of(client)

    return as_


def count(db, model) -> int:
    return db.scalar(select(func.count(model.id))) or 0


def test_a_counselor_builds_a_plan_through_the_pages(client, db, world, browser):
    token = browser("care_counselor")
    pid = world.patient.id
    page = client.get(f"/patients/{pid}/plan")
    assert page.status_code == 200 and "Start a treatment plan" in page.text
    assert client.post(f"/patients/{pid}/plan/start", data={"csrf_token": token}).status_code == 200
    plan = db.scalars(select(TreatmentPlan)).one()
    response = client.post(
        f"/plans/{plan.id}/problems",
        data={"csrf_token": token, "statement": "Drinks daily after work", "asam_dimension": "5"},
    )
    assert response.status_code == 200 and "Drinks daily after work" in response.text


def test_an_empty_problem_reshows_the_form_with_its_message(client, db, world, browser):
    token = browser("care_counselor")
    plan = complete_plan(db, world)
    before = count(db, PlanProblem)
    response = client.post(
        f"/plans/{plan.id}/problems", data={"csrf_token": token, "statement": "  "}
    )
    assert response.status_code == 422
    assert "Enter the problem." in response.text
    assert 'aria-invalid="true"' in response.text
    assert count(db, PlanProblem) == before


def test_the_plan_page_shows_signatures_and_the_patient_signs(client, db, world, browser):
    plan = complete_plan(db, world)
    token = browser("care_counselor")
    page = client.get(f"/patients/{world.patient.id}/plan")
    assert "Sign as patient" in page.text and "Sign as counselor" in page.text
    assert "Sign as physician" not in page.text
    wrong = client.post(
        f"/plans/{plan.id}/sign",
        data={"csrf_token": token, "signer": "patient", "typed_name": "Someone Else"},
    )
    assert wrong.status_code == 422 and "own first and last name" in wrong.text
    right = client.post(
        f"/plans/{plan.id}/sign",
        data={"csrf_token": token, "signer": "patient", "typed_name": "Pat Quillfeather"},
    )
    assert right.status_code == 200 and "signed as “Pat Quillfeather”" in right.text


def test_measures_are_given_scored_and_charted(client, db, world, browser):
    token = browser("care_counselor")
    pid = world.patient.id
    form = client.get(f"/patients/{pid}/measures/PHQ-9")
    assert form.status_code == 200 and "item_9" in form.text
    for day, answers in (
        ("2026-11-02", [2, 2, 2, 2, 2, 2, 1, 1, 0]),
        ("2026-11-16", [1] * 8 + [0]),
    ):
        data = {"csrf_token": token, "administered_on": day}
        data |= {f"item_{n}": str(a) for n, a in enumerate(answers, 1)}
        assert client.post(f"/patients/{pid}/measures/PHQ-9", data=data).status_code == 200
    chart = client.get(f"/patients/{pid}/clinical")
    assert chart.status_code == 200
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in chart.text
    assert "PHQ-9 total over time" in chart.text
    assert "total 14 then 8 (down 6; lower is better)" in chart.text
    assert "<caption>PHQ-9 scores</caption>" in chart.text
    assert count(db, ClinicalTask) == 0


def test_phq9_item_9_above_zero_raises_an_urgent_same_day_task(client, db, world, browser):
    token = browser("care_counselor")
    pid = world.patient.id
    data = {"csrf_token": token} | {f"item_{n}": "1" for n in range(1, 10)}
    client.post(f"/patients/{pid}/measures/PHQ-9", data=data)
    task = db.scalars(select(ClinicalTask)).one()
    assert task.kind == "urgent_safety_follow_up" and task.status == "open"
    assert task.patient_id == pid and task.due_date.isoformat() == "2026-11-16"
    assert task.assigned_staff_id == world.user("care_counselor").staff_member_id
    given = db.scalars(select(MeasureAdministration)).one()
    assert given.urgent_task_id == task.id
    assert "Safety follow-up" in client.get(f"/patients/{pid}/clinical").text


def test_an_unanswered_item_reshows_the_questionnaire(client, db, world, browser):
    token = browser("care_counselor")
    data = {"csrf_token": token} | {f"item_{n}": "1" for n in range(1, 7)}  # GAD-7 missing 7
    response = client.post(f"/patients/{world.patient.id}/measures/GAD-7", data=data)
    assert response.status_code == 422 and "Answer item 7." in response.text
    assert 'value="1" checked' in response.text
    assert count(db, MeasureAdministration) == 0


def test_a_point_of_care_screen_goes_straight_to_its_results(client, db, world, browser):
    token = browser("care_counselor")
    pid = world.patient.id
    response = client.post(
        f"/patients/{pid}/drug-screens/new",
        data={
            "csrf_token": token,
            "collected_on": "2026-11-16",
            "observed": "yes",
            "specimen": "urine",
            "testing": "point_of_care",
        },
        follow_redirects=False,
    )
    screen = db.scalars(select(DrugScreen)).one()
    assert response.headers["location"] == f"/drug-screens/{screen.id}/results"
    missing = client.post(
        f"/drug-screens/{screen.id}/results",
        data={"csrf_token": token, "result_buprenorphine": "expected"},
    )
    assert missing.status_code == 422 and "prescribed medication" in missing.text
    done = client.post(
        f"/drug-screens/{screen.id}/results",
        data={
            "csrf_token": token,
            "result_buprenorphine": "expected",
            "medication_buprenorphine": "Buprenorphine-naloxone 8 mg",
            "result_alcohol": "negative",
        },
    )
    assert done.status_code == 200
    assert "Only expected positives" in done.text and "Drug screen results over time" in done.text
    again = client.post(
        f"/drug-screens/{screen.id}/results",
        data={"csrf_token": token, "result_alcohol": "positive"},
    )
    assert again.status_code == 422 and "already recorded" in again.text


def test_a_collection_in_the_future_is_refused(client, db, world, browser):
    token = browser("care_counselor")
    response = client.post(
        f"/patients/{world.patient.id}/drug-screens/new",
        data={
            "csrf_token": token,
            "collected_on": "2026-11-17",
            "observed": "no",
            "specimen": "oral_fluid",
            "testing": "lab",
            "lab_name": "",
        },
    )
    assert response.status_code == 422
    assert "cannot be in the future" in response.text and "Name the laboratory" in response.text
    assert count(db, DrugScreen) == 0


def test_discharge_is_drafted_signed_and_closes_the_enrollment(client, db, world, browser):
    signed_plan(db, world)
    token = browser("care_counselor")
    pid = world.patient.id
    bad = client.post(
        f"/patients/{pid}/discharge",
        data={
            "csrf_token": token,
            "discharge_type": "referred_higher_level",
            "discharge_date": "2026-11-16",
        },
    )
    assert bad.status_code == 422 and "Name the program or provider" in bad.text
    assert count(db, DischargeSummary) == 0
    draft = client.post(
        f"/patients/{pid}/discharge",
        data={
            "csrf_token": token,
            "discharge_type": "completed",
            "discharge_date": "2026-11-16",
            "clinical_course": "",
            "aftercare_plan": "",
        },
    )
    assert draft.status_code == 200 and "Drafted from the record" in draft.text
    assert "Treatment plan progress" in draft.text and "1 open" in draft.text
    summary = db.scalars(select(DischargeSummary)).one()
    refused = client.post(f"/discharges/{summary.id}/sign", data={"csrf_token": token})
    assert refused.status_code == 422 and "Write the clinical course" in refused.text
    client.post(
        f"/patients/{pid}/discharge",
        data={
            "csrf_token": token,
            "version": str(summary.version),
            "discharge_type": "completed",
            "discharge_date": "2026-11-16",
            "clinical_course": "Attended steadily; PHQ-9 fell from 14 to 8.",
            "aftercare_plan": "Weekly outpatient counseling; SMART Recovery Tuesdays.",
        },
    )
    signed = client.post(f"/discharges/{summary.id}/sign", data={"csrf_token": token})
    assert signed.status_code == 200 and "The enrollment is closed" in signed.text
    enrollment = db.scalars(select(Enrollment).where(Enrollment.patient_id == pid)).one()
    db.refresh(enrollment)
    assert enrollment.status == "discharged" and enrollment.discharge_type == "completed"
    assert events(db, "enrollment.discharge")
    again = client.post(f"/discharges/{summary.id}/sign", data={"csrf_token": token})
    assert again.status_code == 422 and "already signed" in again.text


def test_the_worklist_lists_the_site(client, db, world, browser):
    browser("director")
    page = client.get("/clinical")
    assert page.status_code == 200
    assert "Pat Quillfeather" in page.text and "No signed treatment plan yet." in page.text
    assert re.search(r"PHQ-9</a>: <strong>overdue</strong>", page.text)


def test_a_director_sets_the_programs_clinical_policy(client, db, world, browser):
    from openiop.models import ClinicalPolicy

    token = browser("director")
    url = f"/admin/programs/{world.program.id}/clinical"
    page = client.get(url)
    assert page.status_code == 200 and 'value="30"' in page.text
    form = {
        "csrf_token": token,
        "review_interval_days": "21",
        "physician_review_within_days": "30",
        "phq9_active": "on",
        "phq9_at_intake": "on",
        "phq9_interval": "14",
        "bam_active": "on",
        "bam_interval": "7",
    }
    bad = client.post(url, data={**form, "review_interval_days": "400"})
    assert bad.status_code == 422 and "from 7 to 90" in bad.text
    assert db.scalars(select(ClinicalPolicy)).first() is None
    saved = client.post(url, data=form)
    assert saved.status_code == 200 and "Saved." in saved.text
    assert db.scalars(select(ClinicalPolicy)).one().plan_review_interval_days == 21
    assert events(db, "plan.policy") and events(db, "measure.schedule")


def test_a_counselor_may_not_change_the_policy(client, db, world, browser):
    token = browser("care_counselor")
    url = f"/admin/programs/{world.program.id}/clinical"
    assert client.get(url).status_code == 403
    posted = client.post(url, data={"csrf_token": token, "review_interval_days": "60"})
    assert posted.status_code == 403
    assert events(db, "plan.policy", "refused")


def test_the_face_sheet_links_the_clinical_chart_for_the_care_team_only(client, db, world, browser):
    pid = world.patient.id
    browser("care_counselor")
    assert f'href="/patients/{pid}/clinical"' in client.get(f"/patients/{pid}").text
    browser("site_counselor")
    assert f'href="/patients/{pid}/clinical"' not in client.get(f"/patients/{pid}").text
    browser("patient")
    assert 'href="/me/plan"' in client.get("/me").text


def test_a_draft_item_is_removed_from_the_page(client, db, world, browser):
    plan = complete_plan(db, world)
    token = browser("care_counselor")
    goal = plan.problems[0].goals[0]
    page = client.get(f"/patients/{world.patient.id}/plan")
    assert f'action="/plan-items/goal/{goal.id}/remove"' in page.text
    done = client.post(f"/plan-items/goal/{goal.id}/remove", data={"csrf_token": token})
    assert done.status_code == 200 and "Stay sober one day at a time" not in done.text
    missing = client.post("/plan-items/goal/999999/remove", data={"csrf_token": token})
    assert missing.status_code == 404


def test_signatures_and_reviews_name_who_signed(client, db, world, browser):
    from openiop.clinical import plan_review_service
    from tests.db.support_clinical import as_persona

    plan = signed_plan(db, world)
    plan_review_service.record_review(
        db,
        actor=as_persona(db, world, "care_physician"),
        plan_id=plan.id,
        kind="physician",
        note="Sleep improving; continue.",
    )
    browser("director")
    page = client.get(f"/patients/{world.patient.id}/plan").text
    counselor = world.user("care_counselor").display_name
    physician = world.user("care_physician").display_name
    assert f"Counselor: {counselor}," in page and f"Physician: {physician}," in page
    assert f"<td>{physician}</td><td>Sleep improving; continue.</td>" in page
