"""The setup use cases called directly, for what HTTP cannot easily stage."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from openiop.kit.errors import Conflict
from openiop.models import AuditEvent
from openiop.programs import repository, service
from openiop.programs.schemas import LocationPatch, TrackPatch
from openiop.security.audit import Actor
from openiop.security.service import Refused, principal_for
from tests.personas import build_world


@pytest.fixture
def world(db):
    return build_world(db)


def actor_for(db, world, persona: str) -> Actor:
    return Actor(principal_for(db, world.user(persona)), "cli")


def test_a_save_racing_another_is_a_conflict_not_a_lost_update(db, session_factory, world):
    mine = session_factory()
    theirs = session_factory()
    # I opened the location (version 1) before they saved their change.
    opened = repository.get_location(mine, world.site_a.id)
    assert opened is not None and opened.version == 1
    service.update_location(
        theirs,
        actor=actor_for(theirs, world, "admin"),
        location_id=world.site_a.id,
        changes=LocationPatch(version=1, name="Theirs"),
    )
    theirs.commit()
    with pytest.raises(Conflict, match="changed by someone else while you were saving"):
        service.update_location(
            mine,
            actor=actor_for(mine, world, "admin"),
            location_id=world.site_a.id,
            changes=LocationPatch(version=1, name="Mine"),
        )
    # (What is stored afterwards cannot be checked here: both sessions share the test's one
    # connection, so rolling "mine" back to its savepoint also undoes "theirs".)
    mine.close()
    theirs.close()


def test_without_a_principal_every_write_is_refused(db, world):
    nobody = Actor(None, "job")
    with pytest.raises(Refused) as refused:
        service.update_track(
            db, actor=nobody, track_id=world.track_a.id, changes=TrackPatch(version=1, name="X")
        )
    assert refused.value.audit_entry.outcome == "refused"
    assert refused.value.audit_entry.action == "track.update"


def test_an_update_records_only_what_changed(db, world):
    admin = actor_for(db, world, "admin")
    service.update_track(
        db,
        actor=admin,
        track_id=world.track_a.id,
        changes=TrackPatch(version=1, name=world.track_a.name, group_size_cap=10),
    )
    event = db.scalars(select(AuditEvent).where(AuditEvent.action == "track.update")).one()
    assert event.detail == "group_size_cap: 12 → 10"
    assert (event.object_type, event.object_id) == ("track", str(world.track_a.id))


def test_program_directors_write_only_where_they_work(world, db):
    director = actor_for(db, world, "director").principal
    assert service.may_write(director, "track", [world.site_a.id])
    assert not service.may_write(director, "track", [world.site_a.id, world.site_b.id])
    assert not service.may_write(director, "location")
    assert not service.may_write(director, "program")
    admin = actor_for(db, world, "admin").principal
    assert service.may_write(admin, "location") and service.may_write(admin, "staff member", [])
    counselor = actor_for(db, world, "site_counselor").principal
    assert not service.may_write(counselor, "room", [world.site_a.id])
