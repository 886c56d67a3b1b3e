"""A page asks for the viewer's access to a patient more than once; the answer is kept for
the transaction, but never across a change that could alter it."""

from __future__ import annotations

from sqlalchemy import event, select, update

from openiop.models import Enrollment
from openiop.security import service as security
from openiop.security.permissions import Access
from tests.personas import build_world


def count_queries(db) -> list[str]:
    seen: list[str] = []
    event.listen(db.bind, "before_cursor_execute", lambda *args, **_: seen.append(args[2]))
    return seen


def test_a_second_question_in_the_same_read_costs_no_query(db):
    world = build_world(db)
    db.commit()
    principal = security.principal_for(db, world.user("care_counselor"))
    assert security.access_to_patient(db, principal, world.patient.id) is Access.FULL
    seen = count_queries(db)
    assert security.access_to_patient(db, principal, world.patient.id) is Access.FULL
    assert seen == []


def test_a_pending_change_to_the_care_team_is_seen_at_once(db):
    world = build_world(db)
    db.commit()
    principal = security.principal_for(db, world.user("site_counselor"))
    assert security.access_to_patient(db, principal, world.patient.id) is Access.LIMITED
    enrollment = db.scalars(
        select(Enrollment).where(Enrollment.patient_id == world.patient.id)
    ).one()
    enrollment.primary_counselor_id = world.user("site_counselor").staff_member_id
    assert security.access_to_patient(db, principal, world.patient.id) is Access.FULL
    db.flush()
    assert security.access_to_patient(db, principal, world.patient.id) is Access.FULL


def test_the_answer_is_forgotten_after_a_flush_or_the_transaction(db):
    world = build_world(db)
    db.commit()
    principal = security.principal_for(db, world.user("site_counselor"))
    assert security.access_to_patient(db, principal, world.patient.id) is Access.LIMITED
    enrollment = db.scalars(
        select(Enrollment).where(Enrollment.patient_id == world.patient.id)
    ).one()
    enrollment.primary_counselor_id = world.user("site_counselor").staff_member_id
    db.flush()
    assert security.access_to_patient(db, principal, world.patient.id) is Access.FULL
    db.rollback()
    assert security.access_to_patient(db, principal, world.patient.id) is Access.LIMITED


def test_each_viewer_gets_their_own_answer(db):
    world = build_world(db)
    db.commit()
    care = security.principal_for(db, world.user("care_counselor"))
    other = security.principal_for(db, world.user("other_site_counselor"))
    assert security.access_to_patient(db, care, world.patient.id) is Access.FULL
    assert security.access_to_patient(db, other, world.patient.id) is Access.NONE


def test_the_answer_does_not_outlive_a_closed_session(db):
    world = build_world(db)
    db.commit()
    principal = security.principal_for(db, world.user("site_counselor"))
    assert security.access_to_patient(db, principal, world.patient.id) is Access.LIMITED
    db.close()
    # A change that no ORM flush announces (another process, or a plain UPDATE).
    db.execute(
        update(Enrollment)
        .where(Enrollment.patient_id == world.patient.id)
        .values(primary_counselor_id=world.user("site_counselor").staff_member_id)
    )
    db.commit()
    assert security.access_to_patient(db, principal, world.patient.id) is Access.FULL


def test_an_update_statement_in_the_same_transaction_is_seen(db):
    world = build_world(db)
    db.commit()
    principal = security.principal_for(db, world.user("site_counselor"))
    assert security.access_to_patient(db, principal, world.patient.id) is Access.LIMITED
    db.execute(
        update(Enrollment)
        .where(Enrollment.patient_id == world.patient.id)
        .values(primary_counselor_id=world.user("site_counselor").staff_member_id)
    )
    assert security.access_to_patient(db, principal, world.patient.id) is Access.FULL
