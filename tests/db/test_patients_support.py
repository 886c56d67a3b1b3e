"""Helpers shared by the patient registry's database tests (this module holds no tests)."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from openiop.models import AuditEvent, Patient, User
from openiop.security import service as security
from openiop.security.audit import Actor
from tests.personas import World, build_world, sign_in


def bearer(db: Session, user: User) -> dict[str, str]:
    """Authorization header with a fresh API token acting as `user`."""
    issued = security.create_token(
        db, user=user, name="tests", expires_days=None, actor=Actor(None, "cli")
    )
    db.flush()
    return {"Authorization": f"Bearer {issued.secret}"}


def csrf_in(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF token on the page"
    return match.group(1)


def version_in(html: str) -> str:
    match = re.search(r'name="version" value="(\d+)"', html)
    assert match, "no version on the form"
    return match.group(1)


def signed_in(client: TestClient, db: Session, persona: str) -> World:
    world = build_world(db)
    sign_in(client, world.user(persona).email)
    return world


def events(
    db: Session,
    *,
    action: str | None = None,
    outcome: str | None = None,
    email: str | None = None,
    patient_id: int | None = None,
) -> list[AuditEvent]:
    query = select(AuditEvent).order_by(AuditEvent.seq)
    if action:
        query = query.where(AuditEvent.action == action)
    if outcome:
        query = query.where(AuditEvent.outcome == outcome)
    if email:
        query = query.where(AuditEvent.user_email == email)
    if patient_id is not None:
        query = query.where(AuditEvent.patient_id == patient_id)
    return list(db.scalars(query))


def patient_count(db: Session) -> int:
    return db.scalar(select(func.count(Patient.id))) or 0


NEW_PATIENT = {
    "first_name": "Wren",
    "last_name": "Tumbleweed",
    "date_of_birth": "1990-06-15",
    "sex_at_birth": "female",
    "phone": "555-010-0142",
    "email": "wren@example.org",
    "address_line1": "12 Example Lane",
    "city": "Sampleton",
    "state": "CA",
    "postal_code": "94110",
    "emergency_contact_name": "Ash Tumbleweed",
    "emergency_contact_relationship": "Sibling",
    "emergency_contact_phone": "555-010-0143",
}
