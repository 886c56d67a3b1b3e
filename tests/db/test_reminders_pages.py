"""Who may see and change a patient's reminder choices, and the form's errors."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from openiop.models import AuditEvent, ReminderPreference
from tests import factories as f
from tests.personas import build_world, csrf_of
from tests.personas import sign_in as _sign_in


def sign_in(client, email: str) -> None:  # type: ignore[no-untyped-def]
    client.cookies.clear()
    _sign_in(client, email)


@pytest.fixture
def world(db):  # type: ignore[no-untyped-def]
    w = build_world(db)
    w.page = f"/calendar/reminders/patients/{w.patient.id}"
    return w


def _post(client, page: str, **choices: str):  # type: ignore[no-untyped-def]
    token = csrf_of(client, "/account")
    return client.post(page, data={"csrf_token": token, **choices}, follow_redirects=False)


def test_patient_opts_in_once_an_email_is_on_file(client, db, world):
    sign_in(client, "pat@example.org")
    page = client.get("/calendar/reminders/mine")
    assert page.status_code == 200 and "Your appointment reminders" in page.text
    assert 'href="/calendar/feeds/mine"' in page.text
    title = page.text.split("<title>", 1)[1].split("</title>", 1)[0]
    assert title.startswith("Appointment reminders") and "<" not in title
    refused = _post(client, "/calendar/reminders/mine", email_opt_in="yes")
    assert refused.status_code == 422
    assert "Add an email address to the patient&#39;s details first." in refused.text
    assert 'aria-invalid="true"' in refused.text and "checked" in refused.text
    assert db.get(ReminderPreference, world.patient.id) is None  # nothing half-written
    world.patient.email = "pat.q@example.net"
    db.flush()
    saved = _post(client, "/calendar/reminders/mine", email_opt_in="yes", group_days="yes")
    assert saved.status_code == 303
    row = db.get(ReminderPreference, world.patient.id)
    assert (row.email_opt_in, row.group_days) == (True, True)
    assert _post(client, "/calendar/reminders/mine", group_days="yes").status_code == 303
    db.refresh(row)
    assert (row.email_opt_in, row.group_days) == (False, False)  # no group days without email


@pytest.mark.parametrize("persona", ["care_counselor", "director", "front_desk", "admissions"])
def test_care_team_and_front_office_may_change_the_choice(client, db, world, persona):
    world.patient.email = "pat.q@example.net"
    db.flush()
    sign_in(client, f"{persona}@example.org")
    assert client.get(world.page).status_code == 200
    assert _post(client, world.page, email_opt_in="yes").status_code == 303
    assert db.get(ReminderPreference, world.patient.id).email_opt_in is True


def test_site_staff_without_the_right_may_look_but_not_change(client, db, world):
    world.patient.email = "pat.q@example.net"
    db.flush()
    sign_in(client, "site_counselor@example.org")
    page = client.get(world.page)
    assert page.status_code == 200 and '<form method="post" action="/calendar' not in page.text
    assert _post(client, world.page, email_opt_in="yes").status_code == 403
    assert db.get(ReminderPreference, world.patient.id) is None
    refusal = db.scalars(
        select(AuditEvent).where(
            AuditEvent.action == "reminders.change", AuditEvent.outcome == "refused"
        )
    ).one()
    assert refusal.patient_id == world.patient.id


@pytest.mark.parametrize("persona", ["other_site_counselor", "auditor"])
def test_other_sites_and_auditors_are_refused(client, db, world, persona):
    sign_in(client, f"{persona}@example.org")
    assert client.get(world.page).status_code == 403
    assert _post(client, world.page, email_opt_in="yes").status_code == 403


def test_another_patient_is_refused_and_staff_have_no_own_page(client, db, world):
    f.user(db, role="patient", email="robin@example.org", patient_id=world.other_patient.id)
    sign_in(client, "robin@example.org")
    assert client.get(world.page).status_code == 403
    assert _post(client, world.page, email_opt_in="yes").status_code == 403
    sign_in(client, "care_counselor@example.org")
    assert client.get("/calendar/reminders/mine").status_code == 403
