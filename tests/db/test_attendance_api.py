"""The attendance API: reading and recording a roster, completing an appointment; field-named
422s with nothing saved, refusals audited."""

from __future__ import annotations

from datetime import time

import pytest
from sqlalchemy import func, select

from openiop.models import GroupAttendance
from tests.db.support_attendance import WEDNESDAY, appointment, freeze, ledger, scene
from tests.db.test_patients_support import bearer, events


def _url(s) -> str:
    return f"/api/v1/attendance/sessions/{s.session.id}"


def _saved(db) -> int:
    return db.scalar(select(func.count(GroupAttendance.id))) or 0


def test_read_and_record_a_roster(client, db) -> None:
    freeze(WEDNESDAY, time(12, 30))
    s = scene(db, extra=2)
    headers = bearer(db, s.user("facilitator"))
    roster = client.get(_url(s), headers=headers)
    assert roster.status_code == 200
    body = roster.json()
    assert body["scheduled_minutes"] == 180 and body["status"] == "scheduled"
    assert [row["status"] for row in body["rows"]] == [None, None, None]
    pat, late, _ = s.enrollments
    response = client.put(
        _url(s),
        headers=headers,
        json={
            "rows": [{"enrollment_id": late.id, "status": "late", "check_in": "9:40 am"}],
            "others": "present",
            "version": s.session.version,
        },
    )
    assert response.status_code == 200, response.text
    rows = {row["enrollment_id"]: row for row in response.json()["rows"]}
    assert (rows[late.id]["status"], rows[late.id]["check_in"], rows[late.id]["minutes"]) == (
        "late",
        "09:40",
        140,
    )
    assert rows[pat.id]["minutes"] == 180
    assert response.json()["status"] == "held"
    assert ledger(db, late.id, WEDNESDAY).group_minutes == 140  # type: ignore[union-attr]
    assert len(events(db, action="attendance.record")) == 3


def test_bad_rows_are_422_keyed_by_row_and_nothing_saved(client, db) -> None:
    freeze(WEDNESDAY, time(12, 30))
    s = scene(db, extra=1)
    pat, other = s.enrollments
    response = client.put(
        _url(s),
        headers=bearer(db, s.user("facilitator")),
        json={
            "rows": [
                {"enrollment_id": pat.id, "status": "left_early", "check_out": "12:00"},
                {"enrollment_id": other.id, "status": "on holiday"},
            ],
            "others": "present",
        },
    )
    assert response.status_code == 422
    fields = response.json()["fields"]
    assert set(fields) == {f"check_out-{pat.id}", f"status-{other.id}"}
    assert _saved(db) == 0


def test_a_stale_version_is_409(client, db) -> None:
    freeze(WEDNESDAY, time(12, 30))
    s = scene(db, extra=0)
    headers = bearer(db, s.user("facilitator"))
    response = client.put(_url(s), headers=headers, json={"others": "present", "version": 99})
    assert response.status_code == 409
    assert _saved(db) == 0


@pytest.mark.parametrize(
    "persona", ["site_counselor", "other_site_counselor", "billing", "auditor", "patient"]
)
def test_others_are_refused_and_audited(client, db, persona) -> None:
    freeze(WEDNESDAY, time(12, 30))
    s = scene(db, extra=0)
    user = s.user(persona)
    headers = bearer(db, user)
    assert client.get(_url(s), headers=headers).status_code == 403
    response = client.put(_url(s), headers=headers, json={"others": "present"})
    assert response.status_code == 403
    assert "Quillfeather" not in response.text
    assert _saved(db) == 0
    refused = events(db, outcome="refused", email=user.email)
    assert [e.action for e in refused] == ["attendance.roster", "attendance.record"]


def test_complete_an_appointment(client, db) -> None:
    freeze(WEDNESDAY, time(17))
    s = scene(db, extra=0)
    pat = s.enrollments[0]
    visit = appointment(
        db,
        world=s.world,
        patient_id=pat.patient_id,
        enrollment_id=pat.id,
        staff_member_id=s.staff_id("care_physician"),
        day=WEDNESDAY,
        kind="physician",
        minutes=30,
    )
    url = f"/api/v1/attendance/appointments/{visit.id}"
    headers = bearer(db, s.user("care_physician"))
    too_long = client.post(url, headers=headers, json={"status": "completed", "actual_minutes": 45})
    assert too_long.status_code == 422
    assert too_long.json()["fields"] == {
        "actual_minutes": "45 minutes is longer than the appointment (30 minutes)."
    }
    done = client.post(url, headers=headers, json={"status": "completed", "actual_minutes": 25})
    assert done.status_code == 200
    assert (done.json()["status"], done.json()["actual_minutes"]) == ("completed", 25)
    day = ledger(db, pat.id, WEDNESDAY)
    assert day is not None and (day.physician_minutes, day.physician_visits) == (25, 1)
    refused = client.post(
        url,
        headers=bearer(db, s.user("billing")),
        json={"status": "no_show"},
    )
    assert refused.status_code == 403
