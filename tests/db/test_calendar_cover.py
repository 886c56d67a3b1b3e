"""A stand-in facilitator for one group session: who may assign one, whom they may choose,
the named clash when the stand-in is busy, and what the stand-in may then do (the day's list,
attendance, the group note) while the usual facilitator keeps the track's access.

The calendar scene: track A meets Monday to Friday 09:00–12:00 (Pacific) from 7 December 2026,
led by the facilitator (CADC); the site counselor (LMFT) is at site A and on nobody's care team.
"""

from __future__ import annotations

from datetime import date, time

import pytest
from sqlalchemy import select

from openiop.attendance import day_service
from openiop.attendance import service as attendance
from openiop.calendar import sessions_service, views_service
from openiop.calendar.rules import Week
from openiop.calendar.sessions_service import CoverClash
from openiop.kit import clock
from openiop.kit.errors import Conflict, ValidationFailed
from openiop.models import Appointment, GroupSession, StaffTimeOff, User
from openiop.notes import group_service
from openiop.security.service import Refused
from tests import factories as f
from tests.db.support_calendar import MONDAY, NOW, actor_of, bearer, build_scene, events, la
from tests.personas import csrf_of, sign_in

SHARED = {
    "topic": "Coping skills",
    "content": "Practised urge surfing and a refusal script.",
    "interventions": "CBT skills practice, role play.",
}
PART = {
    "participation": "Took an active part.",
    "response": "Receptive to feedback.",
    "progress": "Named two high-risk situations.",
}


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


def cover(db, scene, persona="director", *, day=MONDAY, staff="site_counselor", **kw):
    group = on(db, day)
    chosen = scene.staff_id(staff) if isinstance(staff, str) else staff
    return sessions_service.cover_session(
        db,
        actor=scene.actor(db, persona),
        session_id=group.id,
        version=kw.pop("version", group.version),
        facilitator_id=chosen,
        **kw,
    )


def director_of_site_b(db, scene):
    return f.staff_account(
        db,
        site=scene.world.site_b,
        email="director_b@example.org",
        role="program_director",
        first="Blake",
        last="Northgate",
        credentials="",
    )


# ---- assigning a stand-in ---------------------------------------------------------------


def test_a_director_puts_a_stand_in_on_one_session_only_and_it_is_audited(db, scene):
    before = on(db).version
    row = cover(db, scene, reason="Out sick")
    assert row.facilitator_id == scene.staff_id("site_counselor")
    assert row.facilitator.full_name and row.version == before + 1
    others = db.scalars(select(GroupSession).where(GroupSession.session_date > MONDAY)).all()
    assert {s.facilitator_id for s in others} == {scene.staff_id("facilitator")}
    (event,) = events(db, "group_session.cover")
    assert event.object_id == str(row.id) and event.outcome == "allowed"
    assert "Out sick" in event.detail and str(scene.staff_id("site_counselor")) in event.detail


def test_the_replaced_facilitator_is_kept_through_two_covers_and_cleared_on_return(db, scene):
    usual = scene.staff_id("facilitator")
    first = cover(db, scene, staff="care_counselor", reason="Out sick")
    assert (first.covering_for_id, first.cover_reason) == (usual, "Out sick")
    second = cover(db, scene, staff="site_counselor", reason="Care counselor called away")
    assert second.facilitator_id == scene.staff_id("site_counselor")
    assert (second.covering_for_id, second.cover_reason) == (usual, "Care counselor called away")
    back = cover(db, scene, staff="facilitator")
    assert (back.facilitator_id, back.covering_for_id, back.cover_reason) == (usual, None, None)
    db.expire_all()
    assert on(db).covering_for_id is None
    assert len(events(db, "group_session.cover")) == 3


def test_a_refused_cover_records_no_replaced_facilitator(db, scene):
    with pytest.raises(ValidationFailed):
        cover(db, scene, staff="front_desk")
    with pytest.raises(Refused):
        cover(db, scene, persona="site_counselor", staff="care_counselor")
    db.expire_all()
    assert on(db).covering_for_id is None


def test_the_stand_in_sees_the_session_on_their_week_and_the_usual_facilitator_does_not(db, scene):
    cover(db, scene)
    director = scene.actor(db, "director")
    week = Week.containing(MONDAY)

    def titles(persona):  # type: ignore[no-untyped-def]
        view = views_service.staff_week(
            db, actor=director, staff_id=scene.staff_id(persona), week=week
        )
        return [(d.day, i.kind) for d in view.days for i in d.items if i.kind == "group"]

    assert titles("site_counselor") == [(MONDAY, "group")]
    assert [day for day, _ in titles("facilitator")] == [
        MONDAY.replace(day=d) for d in (8, 9, 10, 11)
    ]


def test_an_admin_assigns_cover_at_any_site(db, scene):
    assert cover(db, scene, "admin").facilitator_id == scene.staff_id("site_counselor")


@pytest.mark.parametrize(
    "persona",
    ["facilitator", "care_counselor", "site_counselor", "front_desk", "billing", "auditor"],
)
def test_staff_without_configuration_rights_may_not_assign_cover(db, scene, persona):
    with pytest.raises(Refused):
        cover(db, scene, persona)
    assert on(db).facilitator_id == scene.staff_id("facilitator")


def test_another_sites_director_may_not_assign_cover(db, scene):
    member = director_of_site_b(db, scene)
    user = db.scalars(select(User).filter_by(staff_member_id=member.id)).one()
    with pytest.raises(Refused) as caught:
        sessions_service.cover_session(
            db,
            actor=actor_of(db, user),
            session_id=on(db).id,
            version=on(db).version,
            facilitator_id=scene.staff_id("site_counselor"),
        )
    assert caught.value.audit_entry.object_type == "location"
    assert on(db).facilitator_id == scene.staff_id("facilitator")


def _inactive(db, scene) -> int:
    member = f.staff(
        db,
        organization_id=scene.world.program.organization_id,
        locations=[scene.world.site_a],
        credentials="LCSW",
        first_name="Quinn",
        last_name="Retired",
        active=False,
    )
    return member.id


@pytest.mark.parametrize(
    ("who", "words"),
    [
        ("front_desk", "not qualified to lead a group"),
        ("care_physician", "(MD) is not qualified to lead a group"),
        ("other_site_counselor", "does not work at this site"),
        ("facilitator", "already leads this group"),
        ("inactive", "no longer active here"),
        ("nobody", "No staff member 999999"),
    ],
)
def test_unfit_staff_is_422_naming_facilitator_id(db, scene, who, words):
    staff = {"inactive": _inactive(db, scene), "nobody": 999999}.get(who, who)
    with pytest.raises(ValidationFailed) as caught:
        cover(db, scene, staff=staff)
    assert words in caught.value.field_errors["facilitator_id"]
    assert on(db).facilitator_id == scene.staff_id("facilitator")


def test_a_reason_over_200_characters_is_422_naming_reason(db, scene):
    with pytest.raises(ValidationFailed) as caught:
        cover(db, scene, reason="x" * 201)
    assert set(caught.value.field_errors) == {"reason"}


def test_a_busy_stand_in_is_409_naming_every_clash(db, scene):
    counselor = scene.staff_id("site_counselor")
    db.add(
        Appointment(
            patient_id=scene.world.patient.id,
            staff_member_id=counselor,
            location_id=scene.world.site_a.id,
            kind="individual",
            starts_at=la(MONDAY, 11),
            ends_at=la(MONDAY, 11, 50),
            room_id=scene.office.id,
        )
    )
    db.add(
        StaffTimeOff(
            staff_member_id=counselor,
            starts_at=la(MONDAY, 8),
            ends_at=la(MONDAY, 10),
            reason="dentist",
        )
    )
    db.flush()
    with pytest.raises(CoverClash) as caught:
        cover(db, scene)
    error = caught.value
    assert error.status_code == 409
    message = error.field_errors["facilitator_id"]
    assert "overlaps individual counseling with Pat Q. Mon 11:00–11:50" in message
    assert "overlaps time off (dentist) Mon 08:00–10:00" in message
    assert on(db).facilitator_id == scene.staff_id("facilitator")
    # The clash is on Monday only: Tuesday's group may be covered.
    assert cover(db, scene, day=date(2026, 12, 8)).facilitator_id == counselor


def test_a_stand_in_leading_another_group_then_is_409(db, scene):
    other = f.track(
        db,
        program_id=scene.world.program.id,
        location_id=scene.world.site_a.id,
        name="Late mornings",
        start_time=time(10),
        end_time=time(13),
    )
    db.add(
        GroupSession(
            track_id=other.id,
            location_id=scene.world.site_a.id,
            session_date=MONDAY,
            starts_at=la(MONDAY, 10),
            ends_at=la(MONDAY, 13),
            topic="Family roles",
            facilitator_id=scene.staff_id("site_counselor"),
        )
    )
    db.flush()
    group = db.scalars(
        select(GroupSession).filter_by(session_date=MONDAY, track_id=scene.world.track_a.id)
    ).one()
    with pytest.raises(CoverClash) as caught:
        sessions_service.cover_session(
            db,
            actor=scene.actor(db, "director"),
            session_id=group.id,
            version=group.version,
            facilitator_id=scene.staff_id("site_counselor"),
        )
    assert "leading group 'Late mornings' (Family roles) Mon 10:00–13:00" in caught.value.message


def test_a_stale_version_or_a_cancelled_group_is_409(db, scene):
    with pytest.raises(Conflict):
        cover(db, scene, version=on(db).version + 1)
    group = on(db)
    sessions_service.cancel_session(
        db, actor=scene.actor(db, "director"), session_id=group.id, version=group.version,
        reason="Power cut",
    )  # fmt: skip
    with pytest.raises(Conflict) as caught:
        cover(db, scene)
    assert "cancelled" in caught.value.message


def test_the_choices_are_qualified_active_staff_at_the_site(db, scene):
    _inactive(db, scene)
    choices = sessions_service.cover_choices(
        db, actor=scene.actor(db, "director"), session_id=on(db).id
    )
    assert {c.id for c in choices} == {
        scene.staff_id("care_counselor"),
        scene.staff_id("site_counselor"),
    }  # not the current facilitator, the physician, front desk, site B or the inactive one
    with pytest.raises(Refused):
        sessions_service.cover_choices(
            db, actor=scene.actor(db, "site_counselor"), session_id=on(db).id
        )


# ---- what the stand-in may then do ------------------------------------------------------


def _on_monday_afternoon() -> None:
    clock.freeze(la(MONDAY, 13))


def test_before_cover_the_site_counselor_may_not_lead_the_group(db, scene):
    _on_monday_afternoon()
    counselor = scene.actor(db, "site_counselor")
    assert day_service.todays_sessions(db, actor=counselor).sessions == []
    with pytest.raises(Refused):
        attendance.roster(db, actor=counselor, session_id=on(db).id)
    with pytest.raises(Refused):
        group_service.save_group_note(
            db, actor=counselor, group_session_id=on(db).id, version=None,
            shared=SHARED, parts={scene.world.patient.id: PART},
        )  # fmt: skip


def test_the_stand_in_lists_records_and_writes_the_note_of_that_session(db, scene, settings):
    group = cover(db, scene, reason="Out sick")
    _on_monday_afternoon()
    counselor = scene.actor(db, "site_counselor")
    assert [s.id for s in day_service.todays_sessions(db, actor=counselor).sessions] == [group.id]
    view = attendance.record_attendance(
        db, actor=counselor, session_id=group.id, rows=[], others="present"
    )
    assert [r.status for r in view.rows] == ["present"]
    lines = group_service.my_sessions(db, actor=counselor, today=MONDAY)
    assert [line.group.id for line in lines] == [group.id]
    pat = scene.world.patient.id
    group_service.save_group_note(
        db, actor=counselor, group_session_id=group.id, version=None, shared=SHARED,
        parts={pat: PART},
    )  # fmt: skip
    note = group_service.sign_group_note(
        db, actor=counselor, group_session_id=group.id, settings=settings
    )
    assert note.status == "signed" and [p.patient_id for p in note.parts] == [pat]
    written = events(db, "note.group.write")
    assert [(e.patient_id, e.detail) for e in written] == [(pat, "access=limited")]
    # Only this session: the stand-in does not lead Tuesday's group.
    tuesday = on(db, date(2026, 12, 8)).id
    with pytest.raises(Refused):
        attendance.roster(db, actor=counselor, session_id=tuesday)
    with pytest.raises(Refused):
        group_service.save_group_note(
            db, actor=counselor, group_session_id=tuesday, version=None, shared=SHARED,
            parts={pat: PART},
        )  # fmt: skip


def test_the_usual_facilitator_on_the_track_keeps_access(db, scene):
    group = cover(db, scene)
    _on_monday_afternoon()
    usual = scene.actor(db, "facilitator")
    assert [s.id for s in day_service.todays_sessions(db, actor=usual).sessions] == [group.id]
    assert attendance.roster(db, actor=usual, session_id=group.id).session.id == group.id


def test_a_replaced_stand_in_loses_the_session(db, scene):
    """Someone not on the track leads only while they are the session's facilitator."""
    cover(db, scene, staff="care_counselor")
    cover(db, scene, staff="site_counselor")
    _on_monday_afternoon()
    replaced = scene.actor(db, "care_counselor")
    assert day_service.todays_sessions(db, actor=replaced).sessions == []
    with pytest.raises(Refused):
        attendance.roster(db, actor=replaced, session_id=on(db).id)


# ---- through HTTP -----------------------------------------------------------------------


def _url(group: GroupSession) -> str:
    return f"/api/v1/calendar/group-sessions/{group.id}/cover"


def test_api_cover_answers_200_403_422_and_409(client, db, scene):
    group = on(db)
    body = {"version": group.version, "facilitator_id": scene.staff_id("site_counselor")}
    refused = client.post(
        _url(group), json=body, headers=bearer(db, scene.world.user("facilitator"))
    )
    assert refused.status_code == 403
    assert events(db, "group_session.cover", "refused")
    b_director = director_of_site_b(db, scene)
    b_user = db.scalars(select(User).filter_by(staff_member_id=b_director.id)).one()
    assert client.post(_url(group), json=body, headers=bearer(db, b_user)).status_code == 403
    director = bearer(db, scene.world.user("director"))
    unfit = client.post(
        _url(group), json={**body, "facilitator_id": scene.staff_id("front_desk")}, headers=director
    )
    assert unfit.status_code == 422 and "facilitator_id" in unfit.json()["fields"]
    missing = client.post(_url(group), json={"version": group.version}, headers=director)
    assert missing.status_code == 422 and "facilitator_id" in str(missing.json())
    db.add(
        StaffTimeOff(
            staff_member_id=scene.staff_id("site_counselor"),
            starts_at=la(MONDAY, 11),
            ends_at=la(MONDAY, 17),
            reason="training",
        )
    )
    db.flush()
    clash = client.post(_url(group), json=body, headers=director)
    assert clash.status_code == 409
    assert "time off (training) Mon 11:00–17:00" in clash.json()["fields"]["facilitator_id"]
    db.expire_all()
    assert on(db).facilitator_id == scene.staff_id("facilitator")
    ok = client.post(
        _url(group), json={**body, "facilitator_id": scene.staff_id("care_counselor")},
        headers=director,
    )  # fmt: skip
    assert ok.status_code == 200, ok.text
    assert ok.json()["facilitator_id"] == scene.staff_id("care_counselor")
    assert ok.json()["covering_for_id"] == scene.staff_id("facilitator")
    assert "cover_reason" not in ok.json()


def _page_as(client, persona: str) -> str:
    sign_in(client, f"{persona}@example.org")
    client.follow_redirects = False
    return csrf_of(client)


def test_the_session_page_offers_cover_to_a_director_and_re_shows_a_clash(client, db, scene):
    group = on(db)
    token = _page_as(client, "director")
    page = client.get(f"/calendar/group-sessions/{group.id}")
    assert page.status_code == 200
    assert f'action="/calendar/group-sessions/{group.id}/cover"' in page.text
    db.add(
        StaffTimeOff(
            staff_member_id=scene.staff_id("site_counselor"),
            starts_at=la(MONDAY, 8),
            ends_at=la(MONDAY, 9, 30),
            reason="dentist",
        )
    )
    db.flush()
    form = {
        "csrf_token": token,
        "version": str(group.version),
        "facilitator_id": str(scene.staff_id("site_counselor")),
        "cover_reason": "Out sick",
    }
    clash = client.post(f"/calendar/group-sessions/{group.id}/cover", data=form)
    assert clash.status_code == 409
    assert "overlaps time off (dentist) Mon 08:00–09:30" in clash.text
    assert 'value="Out sick"' in clash.text  # what was typed is kept
    done = client.post(
        f"/calendar/group-sessions/{group.id}/cover",
        data={**form, "facilitator_id": str(scene.staff_id("care_counselor"))},
    )
    assert done.status_code == 303
    shown = client.get(f"/calendar/group-sessions/{group.id}").text
    assert "Covering" in shown
    db.expire_all()
    assert on(db).facilitator_id == scene.staff_id("care_counselor")


def test_the_session_page_shows_no_cover_form_to_a_counselor(client, db, scene):
    group = on(db)
    token = _page_as(client, "site_counselor")
    page = client.get(f"/calendar/group-sessions/{group.id}")
    assert page.status_code == 200 and "/cover" not in page.text
    posted = client.post(
        f"/calendar/group-sessions/{group.id}/cover",
        data={"csrf_token": token, "version": str(group.version),
              "facilitator_id": str(scene.staff_id("site_counselor"))},
    )  # fmt: skip
    assert posted.status_code == 403
    db.expire_all()
    assert on(db).facilitator_id == scene.staff_id("facilitator")
