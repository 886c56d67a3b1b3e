"""The audit trail is append-only and hash-chained: tampering of any kind is found."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from openiop.models import AuditChainHead, AuditEvent
from openiop.security import audit
from openiop.security.audit import Actor, AuditEntry
from openiop.security.permissions import Principal, Role

ACTOR = Actor(
    Principal(1, "c@example.org", Role.COUNSELOR, location_ids=frozenset({1})),
    "web",
    "127.0.0.1",
    "pytest",
)


def write_events(db, count: int = 5) -> list[AuditEvent]:
    for n in range(count):
        audit.record(
            db,
            ACTOR,
            AuditEntry("patient.read", patient_id=40 + n, object_type="patient", object_id=40 + n),
        )
    return list(db.execute(select(AuditEvent).order_by(AuditEvent.seq)).scalars())[-count:]


def head_seq(db) -> int:
    return db.execute(select(AuditChainHead.seq)).scalar_one()


def test_events_are_written_at_commit_so_the_head_is_locked_late(db):
    before = head_seq(db)
    audit.record(db, ACTOR, AuditEntry("patient.read", patient_id=1))
    db.flush()  # an ordinary flush (for another row's id) neither chains nor locks
    assert db.connection().execute(select(AuditChainHead.seq)).scalar_one() == before
    db.commit()
    assert head_seq(db) == before + 1


def test_reading_the_trail_in_the_same_transaction_sees_recorded_events(db):
    audit.record(db, ACTOR, AuditEntry("patient.read", patient_id=7, detail="just now"))
    newest = db.execute(select(AuditEvent).order_by(AuditEvent.seq.desc())).scalars().first()
    assert newest is not None and newest.detail == "just now"


def test_a_rolled_back_event_is_never_written(db):
    before = head_seq(db)
    audit.record(db, ACTOR, AuditEntry("patient.read", patient_id=1))
    db.rollback()
    db.commit()
    assert head_seq(db) == before
    write_events(db, 2)
    db.commit()
    assert audit.verify(db).ok and head_seq(db) == before + 2


def test_a_session_closed_without_commit_forgets_its_events(db):
    before = head_seq(db)
    audit.record(db, ACTOR, AuditEntry("patient.read", patient_id=1))
    db.close()
    db.commit()  # the session's next transaction
    assert head_seq(db) == before


def test_an_event_recorded_in_a_rolled_back_savepoint_is_dropped(db):
    audit.record(db, ACTOR, AuditEntry("patient.read", patient_id=1, detail="kept"))
    savepoint = db.begin_nested()
    audit.record(db, ACTOR, AuditEntry("patient.read", patient_id=2, detail="dropped"))
    savepoint.rollback()
    audit.record(db, ACTOR, AuditEntry("patient.read", patient_id=3, detail="after"))
    details = [e.detail for e in db.execute(select(AuditEvent).order_by(AuditEvent.seq)).scalars()]
    assert details[-2:] == ["kept", "after"] and "dropped" not in details
    assert audit.verify(db).ok


def test_an_event_recorded_in_a_released_savepoint_is_kept(db):
    with db.begin_nested():
        audit.record(db, ACTOR, AuditEntry("patient.read", patient_id=2, detail="inside"))
    newest = db.execute(select(AuditEvent).order_by(AuditEvent.seq.desc())).scalars().first()
    assert newest is not None and newest.detail == "inside"


def drop_guards(db) -> None:
    """What an intruder with database access would do first."""
    if db.bind.dialect.name == "postgresql":
        db.execute(text("ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_rewrite"))
    else:
        db.execute(text("DROP TRIGGER audit_events_no_update"))
        db.execute(text("DROP TRIGGER audit_events_no_delete"))


def test_intact_chain_verifies(db):
    write_events(db)
    report = audit.verify(db)
    assert report.ok and report.checked == 5


def test_events_link_to_their_predecessor(db):
    first, second = write_events(db, 2)
    assert second.prev_hash == first.hash and second.seq == first.seq + 1
    assert first.prev_hash == audit.GENESIS_HASH


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_events SET detail = 'x'",
        "DELETE FROM audit_events",
    ],
)
def test_database_refuses_rewrites(db, statement):
    write_events(db, 1)
    with pytest.raises(DBAPIError, match="append-only"), db.begin_nested():
        db.execute(text(statement))


def test_altered_event_is_named(db):
    events = write_events(db)
    drop_guards(db)
    db.execute(
        text("UPDATE audit_events SET patient_id = 99 WHERE seq = :seq"), {"seq": events[2].seq}
    )
    db.expire_all()
    report = audit.verify(db)
    assert not report.ok
    assert report.first_bad_seq == events[2].seq
    assert "altered" in report.problem


def test_deleted_event_is_found(db):
    events = write_events(db)
    drop_guards(db)
    db.execute(text("DELETE FROM audit_events WHERE seq = :seq"), {"seq": events[1].seq})
    db.expire_all()
    report = audit.verify(db)
    assert not report.ok
    assert report.first_bad_seq == events[2].seq
    assert "removed" in report.problem


def test_deleted_tail_is_found(db):
    events = write_events(db)
    drop_guards(db)
    db.execute(text("DELETE FROM audit_events WHERE seq = :seq"), {"seq": events[-1].seq})
    db.expire_all()
    report = audit.verify(db)
    assert not report.ok and "removed" in report.problem


def test_inserted_event_is_found(db):
    events = write_events(db)
    slot = events[2].seq
    forged = AuditEvent(
        seq=slot,
        occurred_at=events[2].occurred_at,
        channel="web",
        action="patient.read",
        outcome="allowed",
        prev_hash=events[1].hash,
        hash="f" * 64,
    )
    drop_guards(db)
    # Shift the later events up by one to make room, as a careful forger would.
    for event in reversed(events[2:]):
        db.execute(text("UPDATE audit_events SET seq = seq + 1 WHERE id = :id"), {"id": event.id})
    db.add(forged)
    db.flush()
    db.expire_all()
    report = audit.verify(db)
    assert not report.ok
    assert report.first_bad_seq == slot


def test_recomputed_hash_still_breaks_the_next_link(db):
    events = write_events(db)
    drop_guards(db)
    target = db.get(AuditEvent, events[1].id)
    fields = {**audit._hashed_fields(target), "detail": "rewritten"}
    db.execute(
        text("UPDATE audit_events SET detail = 'rewritten', hash = :h WHERE id = :id"),
        {"h": audit.event_hash(fields, target.prev_hash), "id": target.id},
    )
    db.expire_all()
    report = audit.verify(db)
    assert not report.ok and report.first_bad_seq == events[2].seq


def test_refusal_is_recorded_even_though_the_request_fails(client, db):
    from tests.personas import build_world, sign_in

    world = build_world(db)
    sign_in(client, world.user("billing").email)
    response = client.get("/audit")
    assert response.status_code == 403
    refused = db.scalars(select(AuditEvent).where(AuditEvent.action == "audit.list")).all()
    assert [(e.outcome, e.user_email) for e in refused] == [("refused", "billing@example.org")]
    assert audit.verify(db).ok
