"""The attendance pages: today's sessions, the roster as a plain form and with HTMX, errors
re-shown with nothing saved, and who is refused."""

from __future__ import annotations

from datetime import time

from sqlalchemy import func, select

from openiop.models import GroupAttendance
from tests.db.support_attendance import WEDNESDAY, freeze, ledger, scene
from tests.db.test_patients_support import csrf_in, events
from tests.personas import sign_in


def _signed_in(client, db, persona="facilitator", extra=2):
    freeze(WEDNESDAY, time(12, 30))
    s = scene(db, extra=extra)
    sign_in(client, s.user(persona).email)
    return s


def _form(s, token, **changes):
    data = {"csrf_token": token, "version": str(s.session.version)}
    for e in s.enrollments:
        data[f"status-{e.id}"] = "present"
        data[f"check_in-{e.id}"] = ""
        data[f"check_out-{e.id}"] = ""
    data.update(changes)
    return data


def _saved(db) -> int:
    return db.scalar(select(func.count(GroupAttendance.id))) or 0


def test_today_lists_the_facilitators_sessions(client, db) -> None:
    s = _signed_in(client, db)
    page = client.get("/attendance")
    assert page.status_code == 200
    assert 'href="/attendance"' in page.text  # in the menu
    assert f'href="/attendance/sessions/{s.session.id}"' in page.text
    assert "9:00 AM–12:00 PM" in page.text
    assert page.headers["cache-control"] == "no-store"


def test_the_roster_defaults_everyone_to_present(client, db) -> None:
    s = _signed_in(client, db)
    page = client.get(f"/attendance/sessions/{s.session.id}")
    assert page.status_code == 200
    for e in s.enrollments:
        assert f'<label class="visually-hidden" for="f-status-{e.id}">' in page.text
        assert f'id="f-check_in-{e.id}"' in page.text
    assert page.text.count('<option value="present" selected>') == len(s.enrollments)
    assert "Quillfeather" in page.text  # Pat, from the personas
    assert len(events(db, action="attendance.roster")) == len(s.enrollments)


def test_plain_form_saves_and_redirects(client, db) -> None:
    s = _signed_in(client, db)
    token = csrf_in(client.get(f"/attendance/sessions/{s.session.id}").text)
    late = s.enrollments[1]
    data = _form(s, token, **{f"status-{late.id}": "late", f"check_in-{late.id}": "09:15"})
    response = client.post(
        f"/attendance/sessions/{s.session.id}", data=data, follow_redirects=False
    )
    assert response.status_code == 303
    assert response.headers["location"] == f"/attendance/sessions/{s.session.id}?saved=1"
    page = client.get(response.headers["location"])
    assert "Attendance saved: 3 of 3 recorded." in page.text
    assert ledger(db, late.id, WEDNESDAY).group_minutes == 165  # type: ignore[union-attr]


def test_htmx_swaps_the_form_in_place(client, db) -> None:
    s = _signed_in(client, db)
    token = csrf_in(client.get(f"/attendance/sessions/{s.session.id}").text)
    response = client.post(
        f"/attendance/sessions/{s.session.id}",
        data=_form(s, token),
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert response.text.lstrip().startswith("<form")
    assert "<html" not in response.text
    assert "Attendance saved: 3 of 3 recorded." in response.text
    assert "Session status: <strong>Held</strong>" in response.text
    assert _saved(db) == 3


def test_errors_are_reshown_with_the_values_and_nothing_saved(client, db) -> None:
    s = _signed_in(client, db)
    token = csrf_in(client.get(f"/attendance/sessions/{s.session.id}").text)
    pat = s.enrollments[0]
    data = _form(s, token, **{f"check_in-{pat.id}": "10:30", f"check_out-{pat.id}": "10:00"})
    response = client.post(f"/attendance/sessions/{s.session.id}", data=data)
    assert response.status_code == 422
    assert "Nothing was saved" in response.text
    assert "Pat Quillfeather: The check-out time must be after the check-in time." in response.text
    assert (
        f'id="f-check_out-{pat.id}" name="check_out-{pat.id}" type="time" value="10:00" aria-invalid="true"'
        in response.text
    )
    assert _saved(db) == 0
    htmx = client.post(
        f"/attendance/sessions/{s.session.id}", data=data, headers={"HX-Request": "true"}
    )
    assert htmx.status_code == 200 and "Nothing was saved" in htmx.text
    assert _saved(db) == 0


def test_a_form_without_the_csrf_token_is_refused(client, db) -> None:
    s = _signed_in(client, db)
    response = client.post(f"/attendance/sessions/{s.session.id}", data=_form(s, "forged"))
    assert response.status_code == 403
    assert _saved(db) == 0


def test_a_counselor_who_does_not_lead_the_group_is_refused(client, db) -> None:
    s = _signed_in(client, db, "site_counselor")
    response = client.get(f"/attendance/sessions/{s.session.id}")
    assert response.status_code == 403
    assert "Quillfeather" not in response.text
    refused = events(db, action="attendance.roster", outcome="refused")
    assert [e.user_email for e in refused] == [s.user("site_counselor").email]


def test_billing_has_no_attendance_pages(client, db) -> None:
    s = _signed_in(client, db, "billing")
    assert client.get("/attendance").status_code == 403
    assert 'href="/attendance"' not in client.get("/patients").text
    assert client.get(f"/attendance/sessions/{s.session.id}").status_code == 403
