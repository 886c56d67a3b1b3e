"""Group sessions generated from tracks: local times across daylight saving, topic and
facilitator rotation, closures, idempotence, cancellation, who may, and the CLI command."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest
from sqlalchemy import select

from openiop.calendar import sessions_service, setup_service
from openiop.kit import clock
from openiop.kit.errors import ValidationFailed
from openiop.models import GroupSession, LocationClosure, StaffTimeOff
from openiop.security.service import Refused
from tests import factories as f
from tests.db.support_calendar import NOW, actor_of, count, events
from tests.db.test_cli import cli_url, postgres_template, run, session_on  # noqa: F401
from tests.personas import build_world

TOPICS = ("Relapse prevention", "Coping skills", "Thinking traps (CBT)")


@pytest.fixture(autouse=True)
def frozen():
    clock.freeze(NOW)
    yield
    clock.freeze(None)


@pytest.fixture
def world(db):
    w = build_world(db)
    director = actor_of(db, w.user("director"))
    for title in TOPICS:
        setup_service.add_topic(db, actor=director, program_id=w.program.id, title=title)
    w.track_a.room_id = f.room(db, location_id=w.site_a.id, name="Group room").id
    db.flush()
    return w


def generate(db, world, first, last, persona="director"):
    return sessions_service.generate_sessions(
        db,
        actor=actor_of(db, world.user(persona)),
        first=first,
        last=last,
        location_id=world.site_a.id,
    )


def sessions(db) -> list[GroupSession]:
    return list(db.scalars(select(GroupSession).order_by(GroupSession.session_date)))


def test_one_session_per_meeting_day_at_local_time_across_the_dst_change(db, world):
    report = generate(db, world, date(2026, 10, 26), date(2026, 11, 6))
    rows = sessions(db)
    assert len(report.created) == len(rows) == 10  # two weeks, Monday to Friday
    by_day = {s.session_date: s for s in rows}
    friday_pdt = by_day[date(2026, 10, 30)]
    monday_pst = by_day[date(2026, 11, 2)]
    assert clock.as_utc(friday_pdt.starts_at) == datetime(2026, 10, 30, 16, tzinfo=UTC)
    assert clock.as_utc(monday_pst.starts_at) == datetime(2026, 11, 2, 17, tzinfo=UTC)
    assert clock.as_utc(monday_pst.ends_at) == datetime(2026, 11, 2, 20, tzinfo=UTC)
    assert {s.room_id for s in rows} == {world.track_a.room_id}
    assert {s.facilitator_id for s in rows} == {world.user("facilitator").staff_member_id}
    order = [TOPICS.index(s.topic) for s in rows]
    assert all((b - a) % 3 == 1 for a, b in zip(order, order[1:], strict=False))  # in turn


def test_running_twice_adds_nothing_and_rotation_does_not_depend_on_the_range(db, world):
    generate(db, world, date(2026, 12, 7), date(2026, 12, 11))
    generate(db, world, date(2026, 12, 14), date(2026, 12, 18))
    piecewise = [(s.session_date, s.topic) for s in sessions(db)]
    again = generate(db, world, date(2026, 12, 7), date(2026, 12, 18))
    assert again.created == [] and len(again.existing) == 10
    assert count(db, GroupSession) == 10
    topics = [t for _, t in piecewise]
    assert all(topics[i] != topics[i + 1] for i in range(len(topics) - 1))  # it rotates
    assert {t for t in topics} == set(TOPICS)


def test_closed_days_are_skipped_and_reported(db, world):
    db.add(
        LocationClosure(
            location_id=world.site_a.id, closed_on=date(2026, 12, 25), reason="Winter holiday"
        )
    )
    db.flush()
    report = generate(db, world, date(2026, 12, 21), date(2026, 12, 27))
    assert len(report.created) == 4
    assert [(s.session_date, s.reason) for s in report.closed] == [
        (date(2026, 12, 25), "closed: Winter holiday")
    ]


def test_a_facilitator_on_time_off_is_passed_over(db, world):
    second = f.staff(
        db,
        organization_id=world.program.organization_id,
        locations=[world.site_a],
        credentials="CADC",
    )
    world.track_a.facilitators.append(second)
    first_id = world.user("facilitator").staff_member_id
    db.add(
        StaffTimeOff(
            staff_member_id=first_id,
            starts_at=datetime(2026, 12, 7, 8, tzinfo=UTC),
            ends_at=datetime(2026, 12, 12, 8, tzinfo=UTC),
            reason="leave",
        )
    )
    db.flush()
    generate(db, world, date(2026, 12, 7), date(2026, 12, 11))
    assert {s.facilitator_id for s in sessions(db)} == {second.id}


def test_inactive_topics_leave_the_rotation_and_no_curriculum_is_said(db, world):
    director = actor_of(db, world.user("director"))
    for topic in setup_service.list_topics(db, actor=director, program_id=world.program.id)[1:]:
        setup_service.set_topic_active(db, actor=director, topic_id=topic.id, active=False)
    generate(db, world, date(2026, 12, 7), date(2026, 12, 8))
    assert {s.topic for s in sessions(db)} == {TOPICS[0]}


def test_a_range_too_long_or_backwards_is_422(db, world):
    with pytest.raises(ValidationFailed) as caught:
        generate(db, world, date(2026, 12, 8), date(2026, 12, 7))
    assert "last" in caught.value.field_errors
    with pytest.raises(ValidationFailed):
        generate(db, world, date(2026, 1, 1), date(2026, 12, 31))


@pytest.mark.parametrize("persona", ["care_counselor", "front_desk", "billing", "auditor"])
def test_only_directors_and_admins_generate(db, world, persona):
    with pytest.raises(Refused):
        generate(db, world, date(2026, 12, 7), date(2026, 12, 11), persona)
    assert count(db, GroupSession) == 0


def test_admin_generates_everywhere_and_it_is_audited(db, world):
    generate(db, world, date(2026, 12, 7), date(2026, 12, 11), "admin")
    (event,) = events(db, "group_session.generate")
    assert event.object_id == str(world.site_a.id) and "created=5" in event.detail


def test_cancel_keeps_the_reason(db, world):
    generate(db, world, date(2026, 12, 7), date(2026, 12, 7))
    (row,) = sessions(db)
    director = actor_of(db, world.user("director"))
    with pytest.raises(ValidationFailed):
        sessions_service.cancel_session(
            db, actor=director, session_id=row.id, version=row.version, reason=""
        )
    sessions_service.cancel_session(
        db, actor=director, session_id=row.id, version=row.version, reason="Power cut"
    )
    assert row.status == "cancelled" and row.cancel_reason == "Power cut"
    with pytest.raises(Refused):
        sessions_service.cancel_session(
            db,
            actor=actor_of(db, world.user("care_counselor")),
            session_id=row.id,
            version=row.version,
            reason="x",
        )


def test_the_command_generates_once_and_names_a_bad_option(cli_url):  # noqa: F811
    with session_on(cli_url) as s:
        org = f.organization(s)
        site = f.location(s, organization_id=org.id, code="HARBOR")
        program = f.program(s, organization_id=org.id)
        f.track(
            s, program_id=program.id, location_id=site.id, start_time=time(18), end_time=time(21)
        )
    first = run(
        "calendar",
        "generate-sessions",
        "--from",
        "2026-12-07",
        "--to",
        "2026-12-13",
        "--location",
        "harbor",
    )
    assert first.exit_code == 0, first.output
    assert "created 5 group session(s)" in first.output
    second = run("calendar", "generate-sessions", "--from", "2026-12-07", "--to", "2026-12-13")
    assert "created 0 group session(s)" in second.output and "5 already existed" in second.output
    bad = run(
        "calendar",
        "generate-sessions",
        "--from",
        "2026-12-07",
        "--to",
        "2026-12-13",
        "--location",
        "NOPE",
    )
    assert bad.exit_code == 2 and "--location" in bad.output
    with session_on(cli_url) as s:
        evening = s.scalars(select(GroupSession)).first()
        assert clock.as_utc(evening.starts_at) == datetime(2026, 12, 8, 2, tzinfo=UTC)  # 18:00 PST
