"""Helpers for the admit, refer-out and task tests: a decided assessment, the admit form, a
signed-in persona per test, and audit lookups."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from openiop.models import AdmissionAssessment, AuditEvent
from tests import factories as f
from tests.personas import World, build_world, csrf_of, sign_in


@pytest.fixture
def world(db):
    return build_world(db)


@pytest.fixture
def signed_in(client, world):
    def sign(persona: str) -> str:
        client.cookies.clear()  # a second persona in one test starts a fresh browser
        sign_in(client, world.user(persona).email)
        return csrf_of(client)

    return sign


def events(db, action: str, outcome: str = "allowed") -> list[AuditEvent]:
    query = select(AuditEvent).where(AuditEvent.action == action, AuditEvent.outcome == outcome)
    return list(db.scalars(query.order_by(AuditEvent.seq)))


def decided_inquiry(db, world: World, *, level: str = "iop", decision: str = "accepted", **kw):
    """An inquiry at site A whose latest assessment is decided at `level`."""
    row = f.inquiry(
        db,
        location_id=world.site_a.id,
        phone="(555) 013-4477",
        email="wren.newcomer@example.org",
        **{"name": "Wren Newcomer", "stage": "assessed", **kw},
    )
    assessment = AdmissionAssessment(
        inquiry_id=row.id,
        substances=["alcohol"],
        dsm5_criteria={"alcohol": ["craving", "tolerance", "cannot_cut_down", "more_or_longer"]},
        instrument_answers={},
        scores={},
        home_environment="safe_home",
        commitments="Works Monday mornings",
        dimensions={},
        recommendation="iop" if decision == "accepted" else "residential",
        reasons=[{"rule": "fits_iop", "detail": "test"}],
        decision=decision,
        decided_level=level,
        decided_at=datetime(2026, 11, 30, 17, tzinfo=UTC),
    )
    db.add(assessment)
    db.flush()
    return row


def staff_id(world: World, persona: str) -> int:
    return world.user(persona).staff_member_id  # type: ignore[return-value]


def admit_form(token: str, world: World, row, **changes) -> dict:
    """A complete admit form for a new patient: Wren Newcomer on track A, with a signature."""
    form = {
        "csrf_token": token,
        "step": "admit",
        "version": str(row.version),
        "patient_id": "new",
        "first_name": "Wren",
        "last_name": "Newcomer",
        "date_of_birth": "1990-05-17",
        "sex_at_birth": "female",
        "phone": "(555) 013-4477",
        "email": "wren.newcomer@example.org",
        "track_id": str(world.track_a.id),
        "admit_date": "2026-11-30",
        "primary_counselor_id": str(staff_id(world, "site_counselor")),
        "physician_id": str(staff_id(world, "care_physician")),
        "consent_signer": "self",
        "consent_signed_name": "Wren Newcomer",
        "consent_relationship": "",
        "consent_agreed": "yes",
    }
    return {**form, **changes}


NOW = datetime(2026, 11, 30, 18, tzinfo=UTC)  # Monday Nov 30, 10:00 in Los Angeles


@pytest.fixture
def frozen():
    from openiop.kit import clock

    clock.freeze(NOW)
    yield NOW
    clock.freeze(None)


def directory(db):
    """Two partners and two sober-living homes, one of each inactive or elsewhere."""
    from openiop.models import ReferralPartner, SoberLivingHome

    rows = {
        "harbor": ReferralPartner(name="Harbor Residential", levels="residential,withdrawal_management",
                                  city="Sampleton", phone="(555) 010-2000"),
        "bridge": ReferralPartner(name="Bridge Dual Care", levels="co_occurring_program,iop",
                                  city="Otherville"),
        "closed": ReferralPartner(name="Shut Program", levels="residential", city="Sampleton",
                                  active=False),
        "oak": SoberLivingHome(name="Oak House", city="Sampleton", beds=8, gender="women",
                               certified_by="CCAPP"),
        "elm": SoberLivingHome(name="Elm House", city="Otherville", beds=6, gender="men"),
    }  # fmt: skip
    db.add_all(rows.values())
    db.flush()
    return rows
