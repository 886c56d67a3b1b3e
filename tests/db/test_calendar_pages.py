"""The calendar's HTML screens through HTTP: week views, booking with conflicts named on the
form, moving, cancelling, availability and setup screens, and who is refused."""

from __future__ import annotations

import html
import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from openiop.kit import clock
from openiop.models import Appointment, CurriculumTopic, GroupSession, LocationClosure, PatientBlock
from tests.db import test_calendar_api as api_cases
from tests.db.support_calendar import MONDAY, NOW, build_scene, count, events, la
from tests.personas import csrf_of, sign_in


@pytest.fixture(autouse=True)
def frozen():
    clock.freeze(NOW)
    yield
    clock.freeze(None)


@pytest.fixture
def scene(db):
    return build_scene(db)


def as_(client, persona: str) -> str:
    sign_in(client, f"{persona}@example.org" if persona != "patient" else "pat@example.org")
    client.follow_redirects = False  # so a saved form's 303 can be asserted
    return csrf_of(client)


def booking(scene, token, **changes):
    return {
        "csrf_token": token,
        "location_id": str(scene.world.site_a.id),
        "patient_id": str(scene.world.patient.id),
        "staff_member_id": str(scene.staff_id("care_counselor")),
        "kind": "individual",
        "day": "2026-12-08",
        "start": "14:00",
        "minutes": "50",
        "room_id": str(scene.office.id),
        **changes,
    }


def test_the_site_week_shows_groups_and_appointments_and_audits_each_patient(client, db, scene):
    token = as_(client, "front_desk")
    done = client.post(
        "/calendar/appointments/new", data=booking(scene, token, day="2026-12-07", start="13:00")
    )
    assert done.status_code == 303
    page = client.get(f"/calendar/locations/{scene.world.site_a.id}?week=2026-12-09")
    assert page.status_code == 200
    assert "Group: " in page.text and "Coping skills" in page.text
    assert "Individual counseling · Pat Q." in page.text
    assert "Mon Dec 7" in page.text and "Sun Dec 13" in page.text
    shown = events(db, "calendar.location")
    assert [e.patient_id for e in shown] == [scene.world.patient.id]
    day = client.get(f"/calendar/locations/{scene.world.site_a.id}?day=2026-12-08")
    assert "Tue Dec 8" in day.text and "Mon Dec 7" not in day.text


def test_a_clash_re_shows_the_form_with_the_item_named_and_writes_nothing(client, db, scene):
    token = as_(client, "care_counselor")
    response = client.post("/calendar/appointments/new", data=booking(scene, token))
    assert response.status_code == 409
    assert "Overlaps Pat Q.&#39;s work shift Tue 13:00–17:00" in response.text
    assert 'id="e-start"' in response.text  # the message sits next to the start time
    assert 'value="14:00"' in response.text  # what was typed is kept
    assert count(db, Appointment) == 0


def test_bad_input_is_422_naming_the_field(client, db, scene):
    token = as_(client, "care_counselor")
    response = client.post(
        "/calendar/appointments/new", data=booking(scene, token, start="", minutes="abc")
    )
    assert response.status_code == 422
    assert 'id="e-start"' in response.text and 'id="e-minutes"' in response.text
    assert count(db, Appointment) == 0


def test_book_then_move_cancel_from_the_detail_page(client, db, scene):
    token = as_(client, "care_counselor")
    done = client.post(
        "/calendar/appointments/new",
        data=booking(scene, token, day="2026-12-07", start="13:00"),
        follow_redirects=False,
    )
    target = done.headers["location"].split("?")[0]
    page = client.get(target)
    assert page.status_code == 200 and "Move or reassign" in page.text
    version = re.search(r'name="version" value="(\d+)"', page.text).group(1)
    clash = client.post(
        target + "/move",
        data={"csrf_token": token, "version": version, "day": "2026-12-08", "start": "14:00", "minutes": "50",
              "staff_member_id": str(scene.staff_id("care_counselor")), "room_id": str(scene.office.id)},
    )  # fmt: skip
    assert clash.status_code == 409 and "work shift" in clash.text
    moved = client.post(
        target + "/move",
        data={"csrf_token": token, "version": version, "day": "2026-12-07", "start": "14:00", "minutes": "50",
              "staff_member_id": str(scene.staff_id("care_counselor")), "room_id": str(scene.office.id)},
    )  # fmt: skip
    assert moved.status_code == 303
    moved = client.get(target)
    assert "14:00" in moved.text
    version = re.search(r'name="version" value="(\d+)"', moved.text).group(1)
    empty = client.post(
        target + "/cancel",
        data={"csrf_token": token, "version": version, "reason": "", "notice": ""},
    )
    assert empty.status_code == 422 and 'id="e-reason"' in empty.text
    gone = client.post(
        target + "/cancel",
        data={"csrf_token": token, "version": version, "reason": "Moved away", "notice": ""},
    )
    assert gone.status_code == 303
    gone = client.get(target)
    assert "Moved away" in gone.text and "Cancelled" in gone.text


def test_patient_week_shows_requirements_and_commitments(client, db, scene):
    token = as_(client, "care_counselor")
    client.post(
        "/calendar/appointments/new", data=booking(scene, token, day="2026-12-07", start="13:00")
    )
    page = client.get(f"/calendar/patients/{scene.world.patient.id}?week=2026-12-07")
    assert page.status_code == 200
    assert "This week's requirements" in page.text
    assert "Busy: work shift" in page.text
    assert "Not yet planned" in page.text  # the physician visit
    assert re.search(r"Individual session.*?Planned", page.text, re.S)


def test_a_patient_sees_their_own_week_only(client, db, scene):
    as_(client, "patient")
    mine = client.get("/calendar/me", follow_redirects=True)
    assert mine.status_code == 200 and "This week's requirements" in mine.text
    other = client.get(f"/calendar/patients/{scene.world.other_patient.id}")
    assert other.status_code == 403
    site = client.get(f"/calendar/locations/{scene.world.site_a.id}")
    assert site.status_code == 403


@pytest.mark.parametrize("persona", ["patient", "care_counselor"])
def test_every_link_on_a_patients_week_opens_for_whoever_sees_it(client, db, scene, persona):
    """A patient sees their groups but may not open the staff's session page: no link to it."""
    as_(client, persona)
    page = client.get(f"/calendar/patients/{scene.world.patient.id}?week={MONDAY.isoformat()}")
    assert page.status_code == 200 and "Group: " in page.text
    links = set(re.findall(r'href="(/calendar/[^"#]*)"', page.text))
    sessions = [link for link in links if link.startswith("/calendar/group-sessions/")]
    assert bool(sessions) == (persona != "patient")
    for link in links:
        assert client.get(html.unescape(link)).status_code in (200, 303), link


@pytest.mark.parametrize("persona", ["auditor", "other_site_counselor"])
def test_site_calendar_refused_outside_scope_and_audited(client, db, scene, persona):
    as_(client, persona)
    response = client.get(f"/calendar/locations/{scene.world.site_a.id}")
    assert response.status_code == 403
    assert events(db, "calendar.location", "refused")


def test_billing_reads_the_calendar_but_cannot_book(client, db, scene):
    token = as_(client, "billing")
    assert client.get(f"/calendar/locations/{scene.world.site_a.id}").status_code == 200
    assert client.post("/calendar/appointments/new", data=booking(scene, token)).status_code == 403
    assert count(db, Appointment) == 0


def test_director_manages_curriculum_closures_and_generates_sessions(client, db, scene):
    token = as_(client, "director")
    program = scene.world.program.id
    for title in ("Relapse prevention", "Coping skills"):
        assert (
            client.post(
                "/admin/curriculum",
                data={"csrf_token": token, "program_id": program, "title": title},
            ).status_code
            == 303
        )
    dup = client.post(
        "/admin/curriculum",
        data={"csrf_token": token, "program_id": program, "title": "coping SKILLS"},
    )
    assert dup.status_code == 422 and "already in this curriculum" in dup.text
    second = db.query(CurriculumTopic).filter_by(title="Coping skills").one()
    client.post(f"/admin/curriculum/{second.id}", data={"csrf_token": token, "action": "up"})
    db.refresh(second)
    assert second.position == 1
    site = scene.world.site_a.id
    closed = client.post(
        f"/calendar/locations/{site}/closures",
        data={"csrf_token": token, "closed_on": "2026-12-25", "reason": "Winter holiday"},
    )
    assert closed.status_code == 303
    assert db.query(LocationClosure).count() == 1
    before = count(db, GroupSession)
    made = client.post(
        f"/calendar/locations/{site}/generate",
        data={"csrf_token": token, "first": "2026-12-14", "last": "2026-12-27"},
    )
    assert (
        made.status_code == 200
        and "9 group session(s) created" in made.text
        and "Fri Dec 25" in made.text
    )
    assert count(db, GroupSession) == before + 9


def test_counselor_may_not_configure(client, db, scene):
    token = as_(client, "care_counselor")
    response = client.post(
        "/admin/curriculum",
        data={"csrf_token": token, "program_id": scene.world.program.id, "title": "Mindfulness"},
    )
    assert response.status_code == 403
    site = scene.world.site_a.id
    assert (
        client.post(
            f"/calendar/locations/{site}/generate",
            data={"csrf_token": token, "first": "2026-12-14", "last": "2026-12-18"},
        ).status_code
        == 403
    )
    assert count(db, CurriculumTopic) == 0


def test_patient_blocks_and_preferences_from_the_patients_calendar(client, db, scene):
    token = as_(client, "front_desk")
    base = f"/calendar/patients/{scene.world.patient.id}/availability"
    assert client.get(base).status_code == 200
    bad = client.post(
        f"/calendar/patients/{scene.world.patient.id}/blocks",
        data={"csrf_token": token, "day": "2026-12-09", "start_time": "15:00", "end_time": "14:00"},
    )
    assert bad.status_code == 422 and "end must be after the start" in bad.text
    ok = client.post(
        f"/calendar/patients/{scene.world.patient.id}/blocks",
        data={
            "csrf_token": token,
            "day": "2026-12-09",
            "start_time": "14:00",
            "end_time": "15:00",
            "label": "court date",
        },
    )
    assert ok.status_code == 303 and count(db, PatientBlock) == 1
    saved = client.post(
        f"/calendar/patients/{scene.world.patient.id}/preferences",
        data={
            "csrf_token": token,
            "preferred_weekdays": ["1", "3"],
            "part_of_day": "afternoon",
            "telehealth_ok": "1",
        },
    )
    assert saved.status_code == 303
    page = client.get(base)
    assert "court date" in page.text and 'value="afternoon" selected' in page.text
    assert events(db, "patient_block.read")[0].patient_id == scene.world.patient.id


def test_staff_hours_and_time_off_screen(client, db, scene):
    token = as_(client, "director")
    staff = scene.staff_id("site_counselor")
    page = client.get(f"/calendar/staff/{staff}/availability")
    assert page.status_code == 200 and "Monday" in page.text
    overlap = client.post(
        f"/calendar/staff/{staff}/hours",
        data={
            "csrf_token": token,
            "location_id": scene.world.site_a.id,
            "weekday": "1",
            "start_time": "16:00",
            "end_time": "19:00",
        },
    )
    assert overlap.status_code == 422 and "Overlaps their hours 08:00–17:00" in overlap.text
    off = client.post(
        f"/calendar/staff/{staff}/time-off",
        data={
            "csrf_token": token,
            "start_day": "2026-12-10",
            "end_day": "2026-12-11",
            "reason": "conference",
        },
    )
    assert off.status_code == 303
    assert "conference" in client.get(f"/calendar/staff/{staff}/availability").text


def test_director_cancels_a_group_with_a_reason(client, db, scene):
    token = as_(client, "director")
    group = db.query(GroupSession).filter_by(session_date=MONDAY).one()
    page = client.get(f"/calendar/group-sessions/{group.id}")
    assert page.status_code == 200 and "Coping skills" in page.text
    done = client.post(
        f"/calendar/group-sessions/{group.id}/cancel",
        data={"csrf_token": token, "version": group.version, "reason": "Facilitator ill"},
    )
    assert done.status_code == 303
    db.refresh(group)
    assert group.status == "cancelled" and group.cancel_reason == "Facilitator ill"


def test_the_patients_chart_links_to_their_calendar_and_availability(client, db, scene):
    as_(client, "front_desk")
    sheet = client.get(f"/patients/{scene.world.patient.id}")
    assert f'href="/calendar/patients/{scene.world.patient.id}"' in sheet.text
    assert f'href="/calendar/patients/{scene.world.patient.id}/availability"' in sheet.text


def test_the_site_calendar_offers_each_staff_members_calendar(client, db, scene):
    as_(client, "director")
    page = client.get(f"/calendar/locations/{scene.world.site_a.id}?week=2026-12-07")
    staff = scene.staff_id("care_physician")
    assert f'<option value="{staff}">' in page.text
    picked = client.get(f"/calendar/staff-pick?staff_id={staff}&week=2026-12-07")
    assert picked.headers["location"] == f"/calendar/staff/{staff}?week=2026-12-07"
    week = client.get(picked.headers["location"])
    assert week.status_code == 200 and "Staff calendar" in week.text
    assert "Working hours &amp; time off" in week.text


def test_booking_from_a_patients_calendar_preselects_their_counselor(client, db, scene):
    as_(client, "front_desk")
    site, pat = scene.world.site_a.id, scene.world.patient.id
    form = client.get(f"/calendar/appointments/new?location_id={site}&patient_id={pat}")
    assert form.status_code == 200
    counselor = scene.staff_id("care_counselor")
    assert f'<option value="{counselor}" selected>' in form.text
    assert events(db, "appointment.form")[0].patient_id == pat


@pytest.mark.parametrize("case", list(api_cases.CASES))
def test_each_conflict_kind_re_shows_the_form_naming_the_item(client, db, scene, case):
    setup, changes, text = api_cases.CASES[case]
    if setup:
        setup(db, scene)
        db.flush()
    token = as_(client, "care_counselor")
    form = booking(scene, token, day="2026-12-07", start="13:00")
    for key, value in changes.items():
        if key == "starts_at":
            local = value.astimezone(ZoneInfo("America/Los_Angeles"))
            form.update(day=local.date().isoformat(), start=local.strftime("%H:%M"))
        elif key == "room_id":
            form["room_id"] = str(scene.small.id) if value == "small" else ""
        elif key == "telehealth":
            form["telehealth"] = "1"
        else:
            form[key] = str(value)
    before = count(db, Appointment)
    response = client.post("/calendar/appointments/new", data=form)
    assert response.status_code == 409
    assert text in html.unescape(response.text)
    assert count(db, Appointment) == before


def test_front_desk_books_but_only_clinicians_see_the_record_form(client, db, scene):
    token = as_(client, "front_desk")
    done = client.post(
        "/calendar/appointments/new", data=booking(scene, token, day="2026-12-07", start="13:00")
    )
    target = done.headers["location"].split("?")[0]
    page = client.get(target)
    assert "Move or reassign" in page.text and "Record what happened" not in page.text
    client.cookies.clear()
    as_(client, "care_counselor")
    assert "Record what happened" in client.get(target).text
    client.cookies.clear()
    as_(client, "patient")
    mine = client.get(target)
    assert mine.status_code == 200 and "Move or reassign" not in mine.text
    assert "Site calendar" not in mine.text and "My week" in mine.text


def test_a_site_week_costs_the_same_queries_however_full_it_is(db, scene):
    """Groups in one query, appointments in one: no query per row (lazy loads raise anyway)."""
    from sqlalchemy import event

    from openiop.calendar import service, views_service
    from openiop.calendar.rules import Week

    actor = scene.actor(db, "director")
    statements: list[str] = []

    def counted() -> int:
        statements.clear()
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(db.connection(), "before_cursor_execute", listener)
        try:
            views_service.location_week(
                db, actor=actor, location_id=scene.world.site_a.id, week=Week(MONDAY)
            )
        finally:
            event.remove(db.connection(), "before_cursor_execute", listener)
        return sum(
            1 for s in statements if s.lstrip().upper().startswith("SELECT") and "audit" not in s
        )

    empty = counted()
    for hour in (13, 14, 15):
        for persona in ("care_counselor", "site_counselor"):
            other = api_cases.f.patient(
                db,
                organization_id=scene.world.program.organization_id,
                registered_location_id=scene.world.site_a.id,
            )
            api_cases.f.enrollment(
                db,
                patient_id=other.id,
                program_id=scene.world.program.id,
                location_id=scene.world.site_a.id,
            )
            service.create_appointment(
                db, actor=actor, patient_id=other.id, staff_member_id=scene.staff_id(persona),
                location_id=scene.world.site_a.id, kind="individual", starts_at=la(MONDAY + timedelta(days=2), hour),
                minutes=50, telehealth=False, room_id=scene.office.id if persona == "care_counselor" else scene.group_room.id,
            )  # fmt: skip
    assert counted() == empty <= 5
