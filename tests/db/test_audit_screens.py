"""The auditor's screens: the filtered trail and the review of emergency access."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from openiop.kit import clock
from openiop.models import AuditEvent, BreakGlassGrant
from openiop.security import audit
from openiop.security import service as security
from openiop.security.audit import Actor, AuditEntry
from tests.personas import build_world, csrf_of, sign_in


def actor_for(db, user) -> Actor:
    return Actor(security.principal_for(db, user), "web", "10.0.0.9", "pytest")


@pytest.fixture
def world(db):
    return build_world(db)


def seed_trail(db, world):
    clock.freeze(datetime(2026, 11, 2, 18, 0, tzinfo=UTC))
    audit.record(
        db,
        actor_for(db, world.user("care_counselor")),
        AuditEntry("patient.read", patient_id=world.patient.id),
    )
    clock.freeze(datetime(2026, 11, 20, 18, 0, tzinfo=UTC))
    audit.record(
        db,
        actor_for(db, world.user("billing")),
        AuditEntry("patient.read", patient_id=world.other_patient.id, outcome="refused"),
    )
    audit.write_pending(db)  # recorded events are otherwise written at commit
    clock.freeze(None)


@pytest.mark.parametrize("persona", ["auditor", "admin"])
def test_auditor_and_admin_see_the_trail(client, db, world, persona):
    seed_trail(db, world)
    sign_in(client, world.user(persona).email)
    page = client.get("/audit")
    assert page.status_code == 200
    assert "care_counselor@example.org" in page.text and "billing@example.org" in page.text


@pytest.mark.parametrize(
    "persona", ["care_counselor", "billing", "front_desk", "director", "patient"]
)
def test_others_are_refused_the_trail_and_the_refusal_is_recorded(client, db, world, persona):
    sign_in(client, world.user(persona).email)
    assert client.get("/audit").status_code == 403
    event = db.scalars(select(AuditEvent).where(AuditEvent.action == "audit.list")).one()
    assert (event.outcome, event.user_email) == ("refused", world.user(persona).email)


@pytest.mark.parametrize(
    ("query", "present", "absent"),
    [
        ("user=billing", "billing@example.org", "care_counselor@example.org"),
        ("refused=1", "billing@example.org", "care_counselor@example.org"),
        (
            "date_from=2026-11-01&date_to=2026-11-10",
            "care_counselor@example.org",
            "billing@example.org",
        ),
        (
            "action=patient.read&date_from=2026-11-15",
            "billing@example.org",
            "care_counselor@example.org",
        ),
    ],
)
def test_trail_filters(client, db, world, query, present, absent):
    seed_trail(db, world)
    sign_in(client, world.user("auditor").email)
    page = client.get(f"/audit?{query}")
    rows = page.text.split("<tbody>")[1]
    assert present in rows and absent not in rows


def test_trail_filters_by_patient(client, db, world):
    seed_trail(db, world)
    sign_in(client, world.user("auditor").email)
    rows = client.get(f"/audit?patient_id={world.other_patient.id}").text.split("<tbody>")[1]
    assert "billing@example.org" in rows and "care_counselor@example.org" not in rows


def test_bad_filter_values_name_the_field(client, db, world):
    sign_in(client, world.user("auditor").email)
    page = client.get("/audit?date_from=yesterday&patient_id=abc")
    assert page.status_code == 422
    assert "YYYY-MM-DD" in page.text and "digits only" in page.text
    assert 'value="yesterday"' in page.text


def test_emergency_access_is_listed_and_reviewed_by_someone_else(client, db, world, settings):
    opener = world.user("site_counselor")
    security.break_glass(
        db,
        actor=actor_for(db, opener),
        patient_id=world.patient.id,
        reason="Patient collapsed in group; need allergies",
        settings=settings,
    )
    sign_in(client, world.user("director").email)
    listing = client.get("/audit/break-glass")
    assert "need allergies" in listing.text and "site_counselor@example.org" in listing.text
    grant = db.scalars(select(BreakGlassGrant)).one()
    response = client.post(
        f"/audit/break-glass/{grant.id}/review",
        data={"note": "Appropriate", "csrf_token": csrf_of(client, "/audit/break-glass")},
        follow_redirects=False,
    )
    assert response.status_code == 303
    db.refresh(grant)
    assert grant.reviewed_by_id == world.user("director").id and grant.review_note == "Appropriate"
    assert "Nothing waiting" in client.get("/audit/break-glass").text


def test_nobody_reviews_their_own_emergency_access(db, world, settings):
    director = actor_for(db, world.user("director"))
    grant = security.break_glass(
        db,
        actor=director,
        patient_id=world.other_patient.id,
        reason="Covering the other site tonight",
        settings=settings,
    )
    with pytest.raises(security.ValidationFailed):
        security.review_grant(db, actor=director, grant_id=grant.id, note="")


@pytest.mark.parametrize("persona", ["care_counselor", "billing", "front_desk"])
def test_review_screen_refused_to_other_roles(client, db, world, persona):
    sign_in(client, world.user(persona).email)
    assert client.get("/audit/break-glass").status_code == 403


@pytest.mark.parametrize("persona", ["auditor", "patient"])
def test_auditors_and_patients_cannot_break_the_glass(db, world, settings, persona):
    with pytest.raises(security.Refused):
        security.break_glass(
            db,
            actor=actor_for(db, world.user(persona)),
            patient_id=world.patient.id,
            reason="Just curious about this one",
            settings=settings,
        )


def test_break_glass_needs_a_real_reason(db, world, settings):
    with pytest.raises(security.ValidationFailed) as error:
        security.break_glass(
            db,
            actor=actor_for(db, world.user("site_counselor")),
            patient_id=world.patient.id,
            reason="  why ",
            settings=settings,
        )
    assert "reason" in error.value.field_errors
    assert db.scalars(select(BreakGlassGrant)).first() is None
