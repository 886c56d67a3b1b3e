"""The clinical task list (/admissions/tasks): urgent first, overdue flagged, marking done with
who and when kept, the clinicians' assessment worklist, who sees which task, and refusals."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from openiop.kit import clock
from openiop.models import ClinicalTask
from tests.db import support_admissions as support
from tests.db.support_admissions import decided_inquiry, events, staff_id

world, signed_in, frozen = support.world, support.signed_in, support.frozen
pytestmark = pytest.mark.usefixtures("frozen")


def task(db, world, kind: str, due: date, **kw) -> ClinicalTask:
    values = {"location_id": world.site_a.id, **kw}
    row = ClinicalTask(kind=kind, due_date=due, status="open", created_at=clock.now(), **values)
    db.add(row)
    db.flush()
    return row


def done(client, row, token, **extra):
    data = {"csrf_token": token, "version": str(row.version), **extra}
    return client.post(f"/admissions/tasks/{row.id}/done", data=data, follow_redirects=False)


def test_open_tasks_come_urgent_first_then_overdue_then_by_date(client, db, world, signed_in):
    inquiry = decided_inquiry(db, world, level=None, decision=None)
    later = task(db, world, "intake", date(2026, 12, 2), patient_id=world.patient.id,
                 title="Complete the intake", assigned_staff_id=staff_id(world, "care_counselor"))  # fmt: skip
    overdue = task(db, world, "physician_visit", date(2026, 11, 28),
                   patient_id=world.patient.id, title="Schedule the first physician visit")  # fmt: skip
    urgent = task(db, world, "urgent_safety_follow_up", date(2026, 11, 30), inquiry_id=inquiry.id)
    elsewhere = task(db, world, "intake", date(2026, 11, 29), location_id=world.site_b.id,
                     patient_id=world.other_patient.id, title="Other site intake")  # fmt: skip
    signed_in("site_counselor")
    page = client.get("/admissions/tasks")
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    text = page.text
    positions = [text.index(f"/admissions/tasks/{t.id}/done") for t in (urgent, overdue, later)]
    assert positions == sorted(positions)
    assert "Overdue" in text and "Urgent" in text and "Other site intake" not in text
    assert f"/admissions/tasks/{elsewhere.id}/done" not in text
    assert "Quillfeather" in text  # the patient the tasks are about
    shown = {e.patient_id for e in events(db, "task.list") if e.patient_id}
    assert shown == {world.patient.id}  # each patient named is audited, not the other site's
    assert inquiry.name in text  # waiting for an assessment
    assert f"/admissions/inquiries/{inquiry.id}/assessment" in text


def test_mine_shows_only_tasks_assigned_to_me(client, db, world, signed_in):
    mine = task(db, world, "intake", date(2026, 12, 1), patient_id=world.patient.id,
                title="Mine", assigned_staff_id=staff_id(world, "care_counselor"))  # fmt: skip
    other = task(db, world, "intake", date(2026, 12, 1), patient_id=world.patient.id,
                 title="Theirs", assigned_staff_id=staff_id(world, "site_counselor"))  # fmt: skip
    signed_in("care_counselor")
    text = client.get("/admissions/tasks?mine=1").text
    assert f"/admissions/tasks/{mine.id}/done" in text
    assert f"/admissions/tasks/{other.id}/done" not in text


def test_marking_done_keeps_who_and_when_and_is_audited(client, db, world, signed_in):
    row = task(db, world, "intake", date(2026, 11, 30), patient_id=world.patient.id)
    token = signed_in("care_counselor")
    response = done(client, row, token)
    assert response.status_code == 303 and response.headers["location"].endswith("done=1")
    db.refresh(row)
    assert row.status == "done" and row.done_at == clock.now()
    assert row.done_by_user_id == world.user("care_counselor").id
    logged = events(db, "task.done")
    assert len(logged) == 1 and logged[0].patient_id == world.patient.id
    page = client.get("/admissions/tasks")
    assert (
        "Done in the last 7 days" in page.text
        and "Marked done." in client.get("/admissions/tasks?done=1").text
    )
    again = done(client, row, token)
    assert again.headers["location"].endswith("done=conflict")
    assert len(events(db, "task.done")) == 1


def test_a_stale_version_changes_nothing(client, db, world, signed_in):
    row = task(db, world, "intake", date(2026, 11, 30), patient_id=world.patient.id)
    token = signed_in("admissions")
    response = done(client, row, token, version="7")
    assert response.headers["location"].endswith("done=conflict")
    db.refresh(row)
    assert row.status == "open"


def test_referral_follow_ups_are_for_pipeline_staff_not_clinicians(client, db, world, signed_in):
    inquiry = decided_inquiry(db, world, level="residential", decision="overridden")
    row = task(db, world, "referral_follow_up", date(2026, 12, 7), inquiry_id=inquiry.id,
               title="Check that the person reached Harbor")  # fmt: skip
    token = signed_in("site_counselor")
    assert "Check that the person reached" not in client.get("/admissions/tasks").text
    assert done(client, row, token).status_code == 403
    assert events(db, "task.done", "refused")
    token = signed_in("admissions")
    assert "Check that the person reached" in client.get("/admissions/tasks").text
    assert done(client, row, token).status_code == 303


@pytest.mark.parametrize("persona", ["billing", "front_desk", "auditor", "patient"])
def test_roles_without_tasks_are_refused(client, db, world, signed_in, persona):
    row = task(db, world, "intake", date(2026, 11, 30), patient_id=world.patient.id)
    token = signed_in(persona)
    assert client.get("/admissions/tasks").status_code == 403
    assert done(client, row, token).status_code == 403
    assert events(db, "task.list", "refused") and events(db, "task.done", "refused")
    db.refresh(row)
    assert row.status == "open"


def test_staff_of_another_site_may_not_close_its_tasks(client, db, world, signed_in):
    row = task(db, world, "intake", date(2026, 11, 30), patient_id=world.patient.id)
    token = signed_in("other_site_counselor")
    assert f"/admissions/tasks/{row.id}/done" not in client.get("/admissions/tasks").text
    assert done(client, row, token).status_code == 403
    assert "location=" in events(db, "task.done", "refused")[-1].detail
    db.refresh(row)
    assert row.status == "open"


def test_the_menu_leads_clinicians_to_their_tasks(client, db, world, signed_in):
    signed_in("care_physician")
    assert 'href="/admissions/tasks"' in client.get("/account").text
    signed_in("billing")
    assert 'href="/admissions/tasks"' not in client.get("/account").text


def test_an_admission_puts_its_first_week_on_the_list(client, db, world, signed_in):
    from tests.db.support_admissions import admit_form

    row = decided_inquiry(db, world)
    token = signed_in("admissions")
    assert client.post(f"/admissions/inquiries/{row.id}/admit", data=admit_form(token, world, row),
                       follow_redirects=False).status_code == 303  # fmt: skip
    signed_in("site_counselor")
    text = client.get("/admissions/tasks?mine=1").text
    assert "Complete the intake" in text and "Schedule the first individual session" in text
    assert "Schedule the first physician visit" not in text  # that one is the physician's
    assert db.scalars(select(ClinicalTask).where(ClinicalTask.kind == "intake")).one()
