"""iCalendar feeds: created on the account page, fetched without a session, parsed back with
the icalendar library. Time is frozen in the week daylight saving time ends (Nov 1, 2026)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time

import pytest
from icalendar import Calendar
from sqlalchemy import select

from openiop.kit import clock
from openiop.models import AuditEvent, CalendarFeedToken, StaffMember
from tests import factories as f
from tests.db.support_calendar_feeds import appointment, group_session
from tests.personas import build_world, csrf_of
from tests.personas import sign_in as _sign_in

NOW = datetime(2026, 10, 28, 17, 0, tzinfo=UTC)  # Wednesday, still daylight time
FEED_URL = re.compile(r'value="(http://[^"]+/feeds/([A-Za-z0-9_-]+)\.ics)"')
SENSITIVE = ("Pat", "Quillfeather", "Robin", "Marrowby", "F10", "alcohol", "Staffer")


@pytest.fixture
def world(db):  # type: ignore[no-untyped-def]
    clock.freeze(NOW)
    w = build_world(db)
    w.room = f.room(db, location_id=w.site_a.id, name="Room 2")
    staff = {k: u.staff_member_id for k, u in w.users.items()}
    w.staff = staff
    pat, site = w.patient.id, w.site_a
    w.visits = {
        # Thursday 10:00 PDT = 17:00 UTC, before the change.
        "individual": appointment(
            db,
            patient_id=pat,
            staff_member_id=staff["care_counselor"],
            location=site,
            day=date(2026, 10, 29),
            at=time(10),
            room_id=w.room.id,
        ),
        # Tuesday 10:00 PST = 18:00 UTC, after the change; by video.
        "physician": appointment(
            db,
            patient_id=pat,
            staff_member_id=staff["care_physician"],
            location=site,
            day=date(2026, 11, 3),
            at=time(10),
            kind="physician",
            minutes=20,
            telehealth=True,
        ),
        "cancelled": appointment(
            db,
            patient_id=pat,
            staff_member_id=staff["care_counselor"],
            location=site,
            day=date(2026, 11, 5),
            at=time(13),
            status="cancelled",
            cancel_reason="F10 relapse",
        ),
        "too_old": appointment(
            db,
            patient_id=pat,
            staff_member_id=staff["care_counselor"],
            location=site,
            day=date(2026, 10, 1),
            at=time(10),
        ),
        "too_far": appointment(
            db,
            patient_id=pat,
            staff_member_id=staff["care_counselor"],
            location=site,
            day=date(2027, 1, 5),
            at=time(10),
        ),
        "other_patient": appointment(
            db,
            patient_id=w.other_patient.id,
            staff_member_id=staff["other_site_counselor"],
            location=w.site_b,
            day=date(2026, 10, 29),
            at=time(11),
        ),
        # Group days either side of the change; the patient was admitted on Nov 2.
        "group_before": group_session(
            db,
            track=w.track_a,
            day=date(2026, 10, 30),
            facilitator_id=staff["facilitator"],
            room_id=w.room.id,
        ),
        "group_after": group_session(
            db,
            track=w.track_a,
            day=date(2026, 11, 2),
            facilitator_id=staff["facilitator"],
            room_id=w.room.id,
        ),
    }
    return w


def sign_in(client, email: str) -> None:  # type: ignore[no-untyped-def]
    client.cookies.clear()  # start from a fresh browser each time
    _sign_in(client, email)


def _create_feed(client, page: str) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    token = csrf_of(client, page)
    response = client.post(page + "/rotate", data={"csrf_token": token})
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    match = FEED_URL.search(response.text)
    assert match, "the new feed URL is shown once"
    return match.group(1), match.group(2)


def _fetch(client, secret: str):  # type: ignore[no-untyped-def]
    client.cookies.clear()  # a calendar app has no session
    return client.get(f"/feeds/{secret}.ics")


def _events(body: bytes) -> dict[str, object]:
    calendar = Calendar.from_ical(body)
    return {str(e["UID"]): e for e in calendar.walk("VEVENT")}


def _start(event) -> datetime:  # type: ignore[no-untyped-def]
    return event.decoded("DTSTART")


def test_patient_feed_lists_own_visits_with_time_place_and_kind_only(client, db, world):
    sign_in(client, "pat@example.org")
    url, secret = _create_feed(client, "/calendar/feeds/mine")
    assert url.endswith(f"/feeds/{secret}.ics") and len(secret) >= 43  # 32 random bytes
    response = _fetch(client, secret)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/calendar")
    v = world.visits
    events = _events(response.content)
    expected = {
        f"appointment-{v['individual'].id}@openiop",
        f"appointment-{v['physician'].id}@openiop",
        f"appointment-{v['cancelled'].id}@openiop",
        f"group-session-{v['group_after'].id}@openiop",
    }
    assert set(events) == expected  # not too old, too far, before admission or someone else's
    individual = events[f"appointment-{v['individual'].id}@openiop"]
    assert _start(individual) == datetime(2026, 10, 29, 17, 0, tzinfo=UTC)
    assert individual.decoded("DTEND") == datetime(2026, 10, 29, 17, 50, tzinfo=UTC)
    assert str(individual["SUMMARY"]) == "Individual counseling"
    assert str(individual["LOCATION"]) == "Site A, Room 2"
    assert str(individual["STATUS"]) == "CONFIRMED"
    assert individual.decoded("DTSTAMP") == NOW
    physician = events[f"appointment-{v['physician'].id}@openiop"]
    assert _start(physician) == datetime(2026, 11, 3, 18, 0, tzinfo=UTC)  # standard time
    assert (str(physician["SUMMARY"]), str(physician["LOCATION"])) == (
        "Physician visit",
        "Video visit",
    )
    assert str(events[f"appointment-{v['cancelled'].id}@openiop"]["STATUS"]) == "CANCELLED"
    group = events[f"group-session-{v['group_after'].id}@openiop"]
    assert _start(group) == datetime(2026, 11, 2, 17, 0, tzinfo=UTC)  # 09:00 PST
    assert str(group["SUMMARY"]) == "Group session"  # no topic in a patient's feed
    text = response.content.decode()
    for word in (*SENSITIVE, "Relapse", "DESCRIPTION", "ATTENDEE", "ORGANIZER"):
        assert word not in text


def test_uids_are_stable_and_the_fetch_is_audited_as_patient_data(client, db, world):
    sign_in(client, "pat@example.org")
    _, secret = _create_feed(client, "/calendar/feeds/mine")
    first = _events(_fetch(client, secret).content)
    clock.freeze(datetime(2026, 10, 28, 18, 0, tzinfo=UTC))
    second = _events(_fetch(client, secret).content)
    assert set(first) == set(second)
    fetches = db.scalars(select(AuditEvent).where(AuditEvent.action == "calendar_feed.fetch")).all()
    assert len(fetches) == 2
    assert {(e.patient_id, e.channel, e.outcome) for e in fetches} == {
        (world.patient.id, "feed", "allowed")
    }
    token = db.scalars(select(CalendarFeedToken)).one()
    assert token.token_hash != secret and secret not in token.token_hash
    assert token.last_used_at == datetime(2026, 10, 28, 18, 0, tzinfo=UTC)


def test_staff_feed_shows_own_visits_without_patient_names(client, db, world):
    sign_in(client, "care_counselor@example.org")
    _, secret = _create_feed(client, "/calendar/feeds/mine")
    response = _fetch(client, secret)
    v = world.visits
    events = _events(response.content)
    assert set(events) == {
        f"appointment-{v['individual'].id}@openiop",
        f"appointment-{v['cancelled'].id}@openiop",
    }
    for word in SENSITIVE:
        assert word not in response.text
    fetch = db.scalars(select(AuditEvent).where(AuditEvent.action == "calendar_feed.fetch")).one()
    assert fetch.patient_id is None and fetch.detail == "owner=staff"


def test_facilitator_feed_has_both_group_days_across_the_clock_change(client, db, world):
    sign_in(client, "facilitator@example.org")
    _, secret = _create_feed(client, "/calendar/feeds/mine")
    events = _events(_fetch(client, secret).content)
    v = world.visits
    before = events[f"group-session-{v['group_before'].id}@openiop"]
    after = events[f"group-session-{v['group_after'].id}@openiop"]
    assert _start(before) == datetime(2026, 10, 30, 16, 0, tzinfo=UTC)  # 09:00 PDT
    assert _start(after) == datetime(2026, 11, 2, 17, 0, tzinfo=UTC)  # 09:00 PST
    assert str(after["SUMMARY"]) == "Group session: Relapse prevention"  # staff see topics


def test_rotating_revoking_and_unknown_tokens_give_404(client, db, world):
    sign_in(client, "pat@example.org")
    _, first = _create_feed(client, "/calendar/feeds/mine")
    sign_in(client, "pat@example.org")
    _, second = _create_feed(client, "/calendar/feeds/mine")
    assert _fetch(client, first).status_code == 404  # the rotated-out link is dead
    assert _fetch(client, second).status_code == 200
    sign_in(client, "pat@example.org")
    response = client.post(
        "/calendar/feeds/mine/revoke", data={"csrf_token": csrf_of(client, "/calendar/feeds/mine")}
    )
    assert response.status_code == 200 and "turned off" in response.text
    assert _fetch(client, second).status_code == 404
    assert _fetch(client, "not-a-real-token").status_code == 404
    assert db.scalars(select(AuditEvent).where(AuditEvent.action == "calendar_feed.fetch")).all()


def test_a_departed_staff_members_feed_stops(client, db, world):
    sign_in(client, "care_counselor@example.org")
    _, secret = _create_feed(client, "/calendar/feeds/mine")
    member = db.get(StaffMember, world.staff["care_counselor"])
    member.active = False
    db.flush()
    assert _fetch(client, secret).status_code == 404


@pytest.mark.parametrize("persona", ["care_counselor", "care_physician", "facilitator", "director"])
def test_care_team_manages_a_patients_feed(client, db, world, persona):
    sign_in(client, f"{persona}@example.org")
    page = f"/calendar/feeds/patients/{world.patient.id}"
    shown = client.get(page)
    assert shown.status_code == 200 and "Calendar feed for Pat Quillfeather" in shown.text
    assert f'href="/calendar/reminders/patients/{world.patient.id}"' in shown.text
    _, secret = _create_feed(client, page)
    assert _fetch(client, secret).status_code == 200
    rotated = db.scalars(select(AuditEvent).where(AuditEvent.action == "calendar_feed.rotate"))
    assert [e.patient_id for e in rotated] == [world.patient.id]


@pytest.mark.parametrize(
    "persona",
    ["site_counselor", "front_desk", "billing", "other_site_counselor", "auditor", "admin"],
)
def test_others_are_refused_a_patients_feed_and_the_refusal_is_audited(client, db, world, persona):
    sign_in(client, f"{persona}@example.org")
    page = f"/calendar/feeds/patients/{world.patient.id}"
    assert client.get(page).status_code == 403
    token = csrf_of(client, "/account")
    assert client.post(page + "/rotate", data={"csrf_token": token}).status_code == 403
    assert db.scalars(select(CalendarFeedToken)).all() == []
    refusals = db.scalars(
        select(AuditEvent).where(
            AuditEvent.outcome == "refused", AuditEvent.patient_id == world.patient.id
        )
    ).all()
    assert {e.action for e in refusals} == {"calendar_feed.view", "calendar_feed.rotate"}


def test_another_patient_is_refused_and_an_auditor_has_no_own_feed(client, db, world):
    f.user(db, role="patient", email="robin@example.org", patient_id=world.other_patient.id)
    sign_in(client, "robin@example.org")
    assert client.get(f"/calendar/feeds/patients/{world.patient.id}").status_code == 403
    assert client.get("/calendar/feeds/mine").status_code == 200  # their own is fine
    sign_in(client, "auditor@example.org")
    assert client.get("/calendar/feeds/mine").status_code == 403


def test_a_staff_member_cannot_revoke_a_feed_they_do_not_own(client, db, world):
    sign_in(client, "care_counselor@example.org")
    _, secret = _create_feed(client, "/calendar/feeds/mine")
    sign_in(client, "site_counselor@example.org")
    token = csrf_of(client, "/calendar/feeds/mine")
    # "mine" always means the signed-in person's own feed: this revokes nothing of Casey's.
    assert client.post("/calendar/feeds/mine/revoke", data={"csrf_token": token}).status_code == 200
    assert _fetch(client, secret).status_code == 200
