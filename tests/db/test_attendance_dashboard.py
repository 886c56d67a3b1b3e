"""The location compliance dashboard: who is behind this week, who missed two days in a row,
who has nothing booked; a fixed number of queries however many patients; who may see it."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest
from sqlalchemy import event

from openiop.attendance import compliance_service, service
from openiop.security.service import Refused
from tests.db.support_attendance import (
    MONDAY,
    actor_for,
    appointment,
    enroll,
    freeze,
    group_session,
    scene,
)
from tests.db.test_patients_support import events
from tests.personas import sign_in

THURSDAY = date(2026, 12, 3)
LAST_FRIDAY = date(2026, 11, 27)


def _week(db):
    """Thursday afternoon. Pat came every day; Avery only on Monday; Blake missed last
    Friday and Monday, then came. Pat has an individual session and a physician visit
    booked; the others have nothing."""
    freeze(THURSDAY, time(13))
    s = scene(db, day=THURSDAY + timedelta(days=1), extra=2)  # Friday's session, still ahead
    pat, avery, blake = s.enrollments
    facilitator = actor_for(db, s.user("facilitator"))
    attended = {
        LAST_FRIDAY: {pat, avery},
        MONDAY: {pat, avery},
        MONDAY + timedelta(days=1): {pat, blake},
        MONDAY + timedelta(days=2): {pat, blake},
        THURSDAY: {pat, blake},
    }
    for day, present in attended.items():
        group = group_session(db, world=s.world, day=day)
        rows = [
            {"enrollment_id": e.id, "status": "present" if e in present else "absent_unexcused"}
            for e in s.enrollments
        ]
        service.record_attendance(
            db, actor=facilitator, session_id=group.id, rows=rows, reason="From the sign-in sheet"
        )
    for kind, persona in (("individual", "care_counselor"), ("physician", "care_physician")):
        appointment(
            db,
            world=s.world,
            patient_id=pat.patient_id,
            enrollment_id=pat.id,
            staff_member_id=s.staff_id(persona),
            day=THURSDAY + timedelta(days=1),
            kind=kind,
        )
    return s


def _board(db, s, persona="director", **kw):
    return compliance_service.dashboard(
        db, actor=actor_for(db, s.user(persona)), location_id=s.world.site_a.id, **kw
    )


def test_who_is_behind_who_missed_and_who_has_nothing_booked(db) -> None:
    s = _week(db)
    board = _board(db, s)
    rows = {row.enrollment_id: row for row in board.rows}
    pat, avery, blake = (rows[e.id] for e in s.enrollments)
    assert board.week == "2026-W49"
    assert (pat.compliance.group_minutes, pat.projected_minutes, pat.behind) == (720, 900, False)
    assert (avery.compliance.group_minutes, avery.projected_minutes, avery.behind) == (
        180,
        360,
        True,
    )
    assert (blake.compliance.group_minutes, blake.projected_minutes, blake.behind) == (
        540,
        720,
        True,
    )
    assert pat.percent == 80 and avery.percent == 20
    # Avery: Tuesday to Thursday; Blake: last Friday and Monday (the schedule, not the calendar).
    assert [r.missed_two_in_a_row for r in (pat, avery, blake)] == [False, True, True]
    assert (pat.individual_booked, pat.physician_booked) == (1, 1)
    assert [r.enrollment_id for r in board.unbooked] == [avery.enrollment_id, blake.enrollment_id]
    shown = events(db, action="compliance.dashboard")
    assert {e.patient_id for e in shown} == {e.patient_id for e in s.enrollments}


def test_a_past_week_lists_who_was_in_care_then_not_who_is_in_care_today(db) -> None:
    s = _week(db)
    pat, avery, blake = s.enrollments
    avery.status, avery.discharge_date = "discharged", MONDAY  # left on this week's Monday
    blake.status, blake.discharge_date = "discharged", LAST_FRIDAY - timedelta(days=7)
    db.flush()
    listed = {row.enrollment_id for row in _board(db, s, week="2026-W49").rows}
    assert listed == {pat.id, avery.id}  # Blake had left the week before
    listed_before = {row.enrollment_id for row in _board(db, s, week="2026-W47").rows}
    assert listed_before == {pat.id, avery.id, blake.id}


def test_the_page_shows_progress_bars_and_the_lists(client, db) -> None:
    s = _week(db)
    sign_in(client, s.user("director").email)
    page = client.get("/attendance/dashboard")
    assert page.status_code == 200
    assert '<progress max="900" value="720"' in page.text
    assert "720 of 900 (80%)" in page.text
    assert "2 behind on group hours" in page.text
    assert "2 missed two days in a row" in page.text
    assert '<th scope="col">Group minutes</th>' in page.text
    bad = client.get(f"/attendance/dashboard?location={s.world.site_a.id}&week=2026-W60")
    assert bad.status_code == 422
    assert 'id="f-week"' in bad.text and "ISO week like 2026-W49" in bad.text


def test_a_fixed_number_of_queries_however_many_patients(db) -> None:
    s = _week(db)
    engine = db.get_bind()
    statements: list[str] = []

    def count(conn, cursor, statement, *args):  # type: ignore[no-untyped-def]
        statements.append(statement)

    def queries() -> int:
        statements.clear()
        event.listen(engine, "before_cursor_execute", count)
        try:
            compliance_service._dashboard_rows(
                db, s.world.site_a.id, "America/Los_Angeles", "2026-W49", THURSDAY
            )
        finally:
            event.remove(engine, "before_cursor_execute", count)
        return len(statements)

    few = queries()
    for n in range(12):
        enroll(db, s.world, f"Extra{n}", f"Patient{n}")
    db.flush()
    assert queries() == few <= 5


@pytest.mark.parametrize(
    "persona", ["facilitator", "care_counselor", "billing", "front_desk", "auditor", "patient"]
)
def test_only_directors_see_the_dashboard(db, persona) -> None:
    s = _week(db)
    with pytest.raises(Refused):
        _board(db, s, persona)


def test_a_director_sees_only_their_own_sites(client, db) -> None:
    s = _week(db)
    with pytest.raises(Refused, match="not one of your sites"):
        compliance_service.dashboard(
            db, actor=actor_for(db, s.user("director")), location_id=s.world.site_b.id
        )
    sign_in(client, s.user("director").email)
    response = client.get(f"/attendance/dashboard?location={s.world.site_b.id}")
    assert response.status_code == 403
    refused = events(db, action="compliance.dashboard", outcome="refused")
    assert [e.object_id for e in refused] == [str(s.world.site_b.id)]


def test_an_admin_picks_any_site(client, db) -> None:
    s = _week(db)
    board = _board(db, s, "admin")
    assert board.location_name == "Site A"
    assert [name for _, name in board.sites] == ["Site A", "Site B"]
    other = compliance_service.dashboard(
        db, actor=actor_for(db, s.user("admin")), location_id=s.world.site_b.id
    )
    assert [row.patient_id for row in other.rows] == [s.world.other_patient.id]
    sign_in(client, s.user("admin").email)
    page = client.get("/attendance/dashboard")
    assert page.status_code == 200
    assert '<label for="f-location">Location' in page.text
    assert f'<option value="{s.world.site_b.id}" >Site B</option>' in page.text
