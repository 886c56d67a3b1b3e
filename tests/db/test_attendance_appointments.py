"""Individual and physician appointments completed with their actual minutes: the ledger in
the same transaction, bad minutes changing nothing, past days with a reason, who may."""

from __future__ import annotations

import json
from datetime import date, time

import pytest
from sqlalchemy import select

from openiop.attendance import appointment_service
from openiop.kit.errors import ValidationFailed
from openiop.models import AttendanceCorrection
from openiop.security.service import Refused
from tests.db.support_attendance import WEDNESDAY, actor_for, appointment, freeze, ledger, scene
from tests.db.test_patients_support import csrf_in, events
from tests.personas import sign_in


def _visit(db, s, *, kind="individual", persona="care_counselor", **kw):
    pat = s.enrollments[0]
    return appointment(
        db,
        world=s.world,
        patient_id=pat.patient_id,
        staff_member_id=s.staff_id(persona),
        day=kw.pop("day", WEDNESDAY),
        kind=kind,
        **kw,
    )


def _complete(db, s, visit, persona="care_counselor", **kw):
    return appointment_service.complete_appointment(
        db, actor=actor_for(db, s.user(persona)), appointment_id=visit.id, **kw
    )


def test_individual_and_physician_minutes_reach_the_ledger(db) -> None:
    freeze(WEDNESDAY, time(17))
    s = scene(db, extra=0)
    pat = s.enrollments[0]
    # No enrollment on the appointment: it counts towards the patient's open one at the site.
    individual = _visit(db, s, start=time(14), minutes=60)
    physician = _visit(
        db, s, kind="physician", persona="care_physician", start=time(15), minutes=30
    )
    _complete(db, s, individual, status="completed", actual_minutes="55")
    _complete(db, s, physician, "care_physician", status="completed", actual_minutes=25)
    day = ledger(db, pat.id, WEDNESDAY)
    assert day is not None
    assert (day.individual_minutes, day.individual_sessions, day.individual_longest_minutes) == (
        55,
        1,
        55,
    )
    assert (day.physician_minutes, day.physician_visits) == (25, 1)
    assert individual.status == "completed" and individual.actual_minutes == 55
    audited = events(db, action="appointment.complete")
    assert [e.patient_id for e in audited] == [pat.patient_id, pat.patient_id]


def test_a_no_show_takes_the_minutes_back_out(db) -> None:
    freeze(WEDNESDAY, time(17))
    s = scene(db, extra=0)
    visit = _visit(db, s, enrollment_id=s.enrollments[0].id)
    _complete(db, s, visit, status="completed", actual_minutes=50)
    _complete(db, s, visit, status="no_show", actual_minutes=None)
    day = ledger(db, s.enrollments[0].id, WEDNESDAY)
    assert day is not None and (day.individual_minutes, day.individual_sessions) == (0, 0)
    assert visit.status == "no_show" and visit.actual_minutes is None


@pytest.mark.parametrize(
    ("status", "minutes", "field"),
    [
        ("completed", "61", "actual_minutes"),
        ("completed", "", "actual_minutes"),
        ("no_show", "20", "actual_minutes"),
        ("scheduled", "20", "status"),
    ],
)
def test_bad_minutes_change_nothing(db, status, minutes, field) -> None:
    freeze(WEDNESDAY, time(17))
    s = scene(db, extra=0)
    visit = _visit(db, s, minutes=60)
    with pytest.raises(ValidationFailed) as error:
        _complete(db, s, visit, status=status, actual_minutes=minutes)
    assert list(error.value.field_errors) == [field]
    db.expire_all()
    assert visit.status == "scheduled" and visit.actual_minutes is None
    assert ledger(db, s.enrollments[0].id, WEDNESDAY) is None


def test_an_appointment_that_has_not_started_cannot_be_completed(db) -> None:
    freeze(WEDNESDAY, time(10))
    s = scene(db, extra=0)
    visit = _visit(db, s, start=time(14))
    with pytest.raises(ValidationFailed, match="not started"):
        _complete(db, s, visit, status="completed", actual_minutes=50)


def test_a_past_day_needs_a_reason(db) -> None:
    freeze(date(2026, 12, 4), time(10))
    s = scene(db, extra=0)
    visit = _visit(db, s)
    with pytest.raises(ValidationFailed) as error:
        _complete(db, s, visit, status="completed", actual_minutes=50)
    assert list(error.value.field_errors) == ["reason"]
    _complete(
        db, s, visit, status="completed", actual_minutes=50, reason="Entered late: EHR outage"
    )
    correction = db.execute(select(AttendanceCorrection)).scalar_one()
    assert (correction.object_type, correction.object_id) == ("appointment", visit.id)
    assert json.loads(correction.before) == {"status": "scheduled", "actual_minutes": None}
    assert json.loads(correction.after) == {"status": "completed", "actual_minutes": 50}
    assert events(db, action="attendance.correct")[0].patient_id == s.enrollments[0].patient_id


def test_a_covering_clinician_records_their_own_appointment(db) -> None:
    freeze(WEDNESDAY, time(17))
    s = scene(db, extra=0)
    visit = _visit(db, s, persona="site_counselor", covering=True)
    _complete(db, s, visit, "site_counselor", status="completed", actual_minutes=50)
    assert visit.actual_minutes == 50


@pytest.mark.parametrize(
    ("persona", "words"),
    [
        ("site_counselor", "scope"),  # neither the appointment's clinician nor the care team
        ("other_site_counselor", "another site"),
        ("billing", "role"),
        ("front_desk", "role"),
        ("auditor", "role"),
        ("patient", "role"),
    ],
)
def test_others_may_not_complete_appointments(db, persona, words) -> None:
    freeze(WEDNESDAY, time(17))
    s = scene(db, extra=0)
    visit = _visit(db, s)
    with pytest.raises(Refused) as refused:
        _complete(db, s, visit, persona, status="completed", actual_minutes=50)
    assert words in refused.value.message
    assert visit.status == "scheduled"


def test_the_day_page_completes_an_appointment_and_reshows_errors(client, db) -> None:
    freeze(WEDNESDAY, time(17))
    s = scene(db, extra=0)
    visit = _visit(db, s, minutes=60)
    sign_in(client, s.user("care_counselor").email)
    page = client.get("/attendance")
    assert page.status_code == 200
    assert f'id="appointment-{visit.id}"' in page.text
    assert f'<label for="f-actual_minutes-{visit.id}">Minutes delivered</label>' in page.text
    token = csrf_in(page.text)
    bad = client.post(
        f"/attendance/appointments/{visit.id}",
        data={
            "csrf_token": token,
            "status": "completed",
            "actual_minutes": "75",
            "day": "2026-12-02",
        },
    )
    assert bad.status_code == 422
    assert "75 minutes is longer than the appointment (60 minutes)." in bad.text
    assert 'value="75"' in bad.text
    good = client.post(
        f"/attendance/appointments/{visit.id}",
        data={
            "csrf_token": token,
            "status": "completed",
            "actual_minutes": "50",
            "day": "2026-12-02",
        },
        follow_redirects=False,
    )
    assert good.status_code == 303
    assert good.headers["location"].startswith("/attendance?day=2026-12-02&saved=appointment")
    day = ledger(db, s.enrollments[0].id, WEDNESDAY)
    assert day is not None and day.individual_minutes == 50
