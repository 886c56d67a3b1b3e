"""The site and staff week and day views mark a group led by a stand-in ("Covering for …"),
in the same single query that loads the groups; a patient's own week does not.

The calendar scene: track A meets Monday to Friday 09:00–12:00 (Pacific) from 7 December 2026,
led by the facilitator (CADC); the site counselor (LMFT) and the care counselor (LCSW) work at
site A too.
"""

from __future__ import annotations

import html
from datetime import date, timedelta

import pytest
from sqlalchemy import event, select

from openiop.calendar import sessions_service, views_service
from openiop.calendar.rules import Week
from openiop.calendar.views_service import WeekView
from openiop.kit import clock
from openiop.models import GroupSession, StaffMember
from tests.db.support_calendar import MONDAY, NOW, build_scene
from tests.personas import sign_in


@pytest.fixture(autouse=True)
def frozen():
    clock.freeze(NOW)
    yield
    clock.freeze(None)


@pytest.fixture
def scene(db):
    return build_scene(db)


def on(db, day: date = MONDAY) -> GroupSession:
    return db.scalars(select(GroupSession).filter_by(session_date=day)).one()


def name_of(db, scene, persona: str) -> str:
    return db.get(StaffMember, scene.staff_id(persona)).full_name


def cover(db, scene, *, day: date = MONDAY, staff: str = "site_counselor") -> None:
    group = on(db, day)
    sessions_service.cover_session(
        db,
        actor=scene.actor(db, "director"),
        session_id=group.id,
        version=group.version,
        facilitator_id=scene.staff_id(staff),
    )


def marks(view: WeekView) -> dict[date, str | None]:
    return {d.day: i.covering_for for d in view.days for i in d.items if i.kind == "group"}


def site_week(db, scene, monday: date = MONDAY) -> WeekView:
    return views_service.location_week(
        db, actor=scene.actor(db, "director"), location_id=scene.world.site_a.id, week=Week(monday)
    )


def staff_week(db, scene, persona: str, monday: date = MONDAY) -> WeekView:
    return views_service.staff_week(
        db, actor=scene.actor(db, "director"), staff_id=scene.staff_id(persona), week=Week(monday)
    )


def test_before_any_cover_no_group_is_marked(db, scene):
    assert set(marks(site_week(db, scene)).values()) == {None}
    assert set(marks(staff_week(db, scene, "facilitator")).values()) == {None}


def test_the_site_and_the_stand_ins_week_mark_the_covered_session_only(db, scene):
    cover(db, scene)
    usual = name_of(db, scene, "facilitator")
    site = marks(site_week(db, scene))
    assert site[MONDAY] == usual
    assert [site[MONDAY + timedelta(days=n)] for n in range(1, 5)] == [None] * 4
    assert marks(staff_week(db, scene, "site_counselor")) == {MONDAY: usual}


def test_the_patients_own_week_names_who_leads_but_marks_no_cover(db, scene):
    cover(db, scene)
    view = views_service.patient_week(
        db,
        actor=scene.actor(db, "director"),
        patient_id=scene.world.patient.id,
        week=Week(MONDAY),
    )
    assert set(marks(view).values()) == {None}
    (monday,) = [i for d in view.days if d.day == MONDAY for i in d.items if i.kind == "group"]
    assert name_of(db, scene, "site_counselor") in monday.detail


def _two_in_rotation(db, scene) -> None:
    """site_counselor joins the track and leads Tuesday in the rotation."""
    track = scene.world.track_a
    db.refresh(track, ["facilitators"])
    track.facilitators.append(db.get(StaffMember, scene.staff_id("site_counselor")))
    on(db, MONDAY + timedelta(days=1)).facilitator_id = scene.staff_id("site_counselor")
    db.flush()


def test_with_two_in_rotation_a_stand_in_names_exactly_whom_they_replaced(db, scene):
    _two_in_rotation(db, scene)
    cover(db, scene, staff="care_counselor")
    cover(db, scene, day=MONDAY + timedelta(days=1), staff="care_counselor")
    site = marks(site_week(db, scene))
    assert site[MONDAY] == name_of(db, scene, "facilitator")
    assert site[MONDAY + timedelta(days=1)] == name_of(db, scene, "site_counselor")
    assert site[MONDAY + timedelta(days=2)] is None
    assert " or " not in "".join(m or "" for m in site.values())


def test_a_track_facilitator_standing_in_for_the_other_is_marked(db, scene):
    _two_in_rotation(db, scene)
    cover(db, scene, staff="site_counselor")
    assert marks(site_week(db, scene))[MONDAY] == name_of(db, scene, "facilitator")
    assert marks(staff_week(db, scene, "site_counselor")) == {
        MONDAY: name_of(db, scene, "facilitator"),
        MONDAY + timedelta(days=1): None,
    }


def test_an_old_cover_without_a_record_names_everyone_in_rotation(db, scene):
    """Sessions covered before migration 0013 kept no covering_for_id."""
    _two_in_rotation(db, scene)
    on(db).facilitator_id = scene.staff_id("care_counselor")
    db.flush()
    both = sorted([name_of(db, scene, "facilitator"), name_of(db, scene, "site_counselor")])
    site = marks(site_week(db, scene))
    assert site[MONDAY] == f"{both[0]} or {both[1]}"
    assert site[MONDAY + timedelta(days=1)] is None
    assert marks(staff_week(db, scene, "site_counselor")) == {MONDAY + timedelta(days=1): None}


def _selects(db, read) -> int:  # type: ignore[no-untyped-def]
    statements: list[str] = []

    def listener(*args) -> None:  # type: ignore[no-untyped-def]
        statements.append(args[2])

    event.listen(db.connection(), "before_cursor_execute", listener)
    try:
        read()
    finally:
        event.remove(db.connection(), "before_cursor_execute", listener)
    return sum(
        1 for s in statements if s.lstrip().upper().startswith("SELECT") and "audit" not in s
    )


def test_marking_cover_costs_no_query_the_empty_week_does_not(db, scene):
    """An empty week loads no sessions, so a second SELECT for the track's facilitators would
    show up here as a difference; a query per session would grow with the covered ones."""
    actor = scene.actor(db, "director")
    site_id, stand_in = scene.world.site_a.id, scene.staff_id("site_counselor")

    def site(monday: date) -> WeekView:
        return views_service.location_week(db, actor=actor, location_id=site_id, week=Week(monday))

    def staff(monday: date) -> WeekView:
        return views_service.staff_week(db, actor=actor, staff_id=stand_in, week=Week(monday))

    empty = MONDAY + timedelta(days=28)
    db.expire_all()  # each count starts from the same cold identity map
    plain_site = _selects(db, lambda: site(empty))
    db.expire_all()
    plain_staff = _selects(db, lambda: staff(empty))
    track = scene.world.track_a
    db.refresh(track, ["facilitators"])
    track.facilitators.append(db.get(StaffMember, scene.staff_id("care_counselor")))
    for n in range(3):
        cover(db, scene, day=MONDAY + timedelta(days=n))
    db.expire_all()
    assert _selects(db, lambda: site(MONDAY)) == plain_site
    db.expire_all()
    assert _selects(db, lambda: staff(MONDAY)) == plain_staff
    assert len([m for m in marks(staff(MONDAY)).values() if m]) == 3


def test_the_day_views_show_covering_for_the_usual_facilitator(client, db, scene):
    cover(db, scene)
    usual = name_of(db, scene, "facilitator")
    sign_in(client, "director@example.org")
    site = client.get(f"/calendar/locations/{scene.world.site_a.id}?day={MONDAY.isoformat()}")
    staff = client.get(f"/calendar/staff/{scene.staff_id('site_counselor')}?day={MONDAY}")
    for page in (site, staff):
        assert page.status_code == 200
        text = html.unescape(page.text)
        assert f'<span class="badge">Covering</span> for {usual}</span>' in text
        assert text.count("Covering</span>") == 1
    tuesday = client.get(f"/calendar/locations/{scene.world.site_a.id}?day=2026-12-08")
    assert tuesday.status_code == 200 and "Covering" not in tuesday.text
    shown = html.unescape(client.get(f"/calendar/group-sessions/{on(db).id}").text)
    assert f'<span class="badge">Covering</span> for {usual}' in shown


def test_another_sites_counselor_sees_neither_the_site_day_nor_its_cover(client, db, scene):
    cover(db, scene)
    sign_in(client, "other_site_counselor@example.org")
    page = client.get(f"/calendar/locations/{scene.world.site_a.id}?day={MONDAY.isoformat()}")
    assert page.status_code == 403 and "Covering" not in page.text
    staff = client.get(f"/calendar/staff/{scene.staff_id('site_counselor')}?day={MONDAY}")
    assert staff.status_code == 403 and "Covering" not in staff.text
