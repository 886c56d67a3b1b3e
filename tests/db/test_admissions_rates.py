"""The day-rates screen (/admin/rates): who may set rates, validation, corrections, audit."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from openiop.models import AuditEvent, LocationRate
from tests.personas import build_world, csrf_of, sign_in


@pytest.fixture
def world(db):
    return build_world(db)


@pytest.fixture
def signed_in(client, world):
    def sign(persona: str) -> str:
        sign_in(client, world.user(persona).email)
        return csrf_of(client)

    return sign


def rate_form(site_id: int, token: str, **changes) -> dict[str, str]:
    return {
        "csrf_token": token,
        "location_id": str(site_id),
        "effective_from": "2026-12-01",
        "iop_day_rate": "250",
        "residential_day_rate": "$900.00",
        "inpatient_day_rate": "2,400.50",
        **changes,
    }


def count(db) -> int:
    return db.scalar(select(func.count()).select_from(LocationRate))


def audit_events(db, action: str, outcome: str) -> list[AuditEvent]:
    query = select(AuditEvent).where(AuditEvent.action == action, AuditEvent.outcome == outcome)
    return list(db.scalars(query))


def test_admin_sets_rates_and_the_change_is_audited(client, db, world, signed_in):
    token = signed_in("admin")
    response = client.post(
        "/admin/rates", data=rate_form(world.site_b.id, token), follow_redirects=False
    )
    assert response.status_code == 303, response.text
    row = db.scalars(select(LocationRate)).one()
    assert (
        row.iop_day_rate_cents,
        row.residential_day_rate_cents,
        row.inpatient_day_rate_cents,
    ) == (25_000, 90_000, 240_050)
    assert row.effective_from == date(2026, 12, 1) and row.set_by_user_id == world.user("admin").id
    [event] = audit_events(db, "rate.create", "allowed")
    assert event.object_id == str(row.id) and "iop=$250.00" in event.detail
    page = client.get("/admin/rates?saved=1").text
    assert "$2,400.50" in page and "Saved." in page


def test_director_sets_rates_at_own_location_but_not_elsewhere(client, db, world, signed_in):
    token = signed_in("director")
    ok = client.post("/admin/rates", data=rate_form(world.site_a.id, token), follow_redirects=False)
    assert ok.status_code == 303
    refused = client.post("/admin/rates", data=rate_form(world.site_b.id, token))
    assert refused.status_code == 403
    assert count(db) == 1
    [event] = audit_events(db, "rate.create", "refused")
    assert event.user_id == world.user("director").id and "outside location" in event.detail


@pytest.mark.parametrize("persona", ["care_counselor", "billing", "front_desk", "admissions"])
def test_others_see_the_rates_but_may_not_set_them(client, db, world, signed_in, persona):
    token = signed_in(persona)
    page = client.get("/admin/rates")
    assert page.status_code == 200 and 'action="/admin/rates"' not in page.text
    response = client.post("/admin/rates", data=rate_form(world.site_a.id, token))
    assert response.status_code == 403
    assert count(db) == 0
    [event] = audit_events(db, "rate.create", "refused")
    assert event.user_id == world.user(persona).id


def test_a_patient_may_not_even_see_the_screen(client, db, world, signed_in):
    signed_in("patient")
    assert client.get("/admin/rates").status_code == 403
    assert audit_events(db, "rate.list", "refused")


def test_signed_out_visitor_is_sent_to_sign_in(client):
    response = client.get("/admin/rates", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/login")


@pytest.mark.parametrize(
    ("changes", "fields"),
    [
        ({"iop_day_rate": ""}, {"iop_day_rate"}),
        (
            {"iop_day_rate": "-5", "residential_day_rate": "abc"},
            {"iop_day_rate", "residential_day_rate"},
        ),
        ({"inpatient_day_rate": "100001"}, {"inpatient_day_rate"}),
        ({"effective_from": "12/01/2026"}, {"effective_from"}),
        ({"effective_from": "2026-02-30"}, {"effective_from"}),
        ({"location_id": "abc"}, {"location_id"}),
        ({"location_id": "999999"}, {"location_id"}),
    ],
)
def test_invalid_rates_are_422_naming_fields_and_write_nothing(
    client, db, world, signed_in, changes, fields
):
    token = signed_in("admin")
    response = client.post("/admin/rates", data=rate_form(world.site_a.id, token, **changes))
    assert response.status_code == 422
    for name in fields:
        assert f'id="e-{name}"' in response.text, name
    assert count(db) == 0
    assert not audit_events(db, "rate.create", "allowed")


def test_second_row_on_the_same_date_is_refused(client, db, world, signed_in):
    token = signed_in("admin")
    client.post("/admin/rates", data=rate_form(world.site_a.id, token))
    again = client.post("/admin/rates", data=rate_form(world.site_a.id, token, iop_day_rate="300"))
    assert again.status_code == 422 and 'id="e-effective_from"' in again.text
    assert count(db) == 1


def hidden_version(html: str) -> str:
    return re.search(r'name="version" value="(\d+)"', html).group(1)


def test_correcting_a_row_checks_the_version_and_is_audited(client, db, world, signed_in):
    token = signed_in("admin")
    client.post("/admin/rates", data=rate_form(world.site_a.id, token))
    row = db.scalars(select(LocationRate)).one()
    version = hidden_version(client.get(f"/admin/rates/{row.id}").text)
    fixed = rate_form(world.site_a.id, token, iop_day_rate="275", version=version)
    assert (
        client.post(f"/admin/rates/{row.id}", data=fixed, follow_redirects=False).status_code == 303
    )
    db.expire_all()
    assert db.get(LocationRate, row.id).iop_day_rate_cents == 27_500
    [event] = audit_events(db, "rate.update", "allowed")
    assert "iop=$250.00" in event.detail and "iop=$275.00" in event.detail
    stale = client.post(f"/admin/rates/{row.id}", data={**fixed, "iop_day_rate": "999"})
    assert stale.status_code == 409 and "changed by someone else" in stale.text
    db.expire_all()
    assert db.get(LocationRate, row.id).iop_day_rate_cents == 27_500


def test_counselor_may_not_correct_a_row(client, db, world, signed_in):
    token = signed_in("admin")
    client.post("/admin/rates", data=rate_form(world.site_a.id, token))
    row = db.scalars(select(LocationRate)).one()
    client.post("/logout", data={"csrf_token": token})
    token = signed_in("care_counselor")
    page = client.get(f"/admin/rates/{row.id}")
    assert page.status_code == 200 and "Save correction" not in page.text
    response = client.post(
        f"/admin/rates/{row.id}", data=rate_form(world.site_a.id, token, version="1")
    )
    assert response.status_code == 403
    assert audit_events(db, "rate.update", "refused")


def test_screen_marks_the_rates_in_force_and_upcoming(client, db, world, signed_in):
    today = date.today()
    for offset, cents in ((-30, 100_00), (-10, 200_00), (30, 300_00)):
        db.add(
            LocationRate(
                location_id=world.site_a.id,
                effective_from=today + timedelta(days=offset),
                iop_day_rate_cents=cents,
                residential_day_rate_cents=1,
                inpatient_day_rate_cents=1,
            )
        )
    db.flush()
    signed_in("director")
    html = client.get("/admin/rates").text
    statuses = re.findall(
        r'data-label="Program \(IOP\)">([^<]+)</td>.*?<span class="badge[^"]*">([^<]+)</span>',
        html,
        re.S,
    )
    assert statuses == [("$300.00", "Upcoming"), ("$200.00", "In force"), ("$100.00", "Earlier")]
