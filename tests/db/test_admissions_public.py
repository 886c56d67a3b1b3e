"""The public pages (no sign-in): the program, the self-check, the cost comparison and the
inquiry form, driven through HTTP."""

from __future__ import annotations

import re
from datetime import date, time, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from openiop.admissions import repository, service
from openiop.kit import clock
from openiop.models import AuditEvent, Base, Inquiry, LocationRate
from tests import factories as f
from tests.personas import build_world, sign_in

PUBLIC_PAGES = ["/program", "/self-check", "/cost", "/inquiry", "/inquiry/thanks"]


@pytest.fixture
def clinic(db):
    """One site with a phone, a 4-day program with a morning and an evening group, and rates."""
    org = f.organization(db)
    site = f.location(db, organization_id=org.id, name="Harbor View Site", phone="(555) 010-0142")
    program = f.program(
        db,
        organization_id=org.id,
        group_days_per_week=4,
        group_hours_per_day=Decimal("3.5"),
        individual_min_minutes=55,
    )
    f.track(db, program_id=program.id, location_id=site.id, name="Morning group")
    f.track(
        db,
        program_id=program.id,
        location_id=site.id,
        name="Evening group",
        start_time=time(17, 30),
        end_time=time(21),
    )
    db.add(
        LocationRate(
            location_id=site.id,
            effective_from=date(2020, 1, 1),
            iop_day_rate_cents=250_00,
            residential_day_rate_cents=900_00,
            inpatient_day_rate_cents=2_400_00,
        )
    )
    db.flush()
    return site


def csrf(client, page: str = "/self-check") -> str:
    client.get(page)
    return client.cookies.get("openiop_csrf")


def row_counts(db) -> dict[str, int]:
    return {
        table.name: db.scalar(select(func.count()).select_from(table))
        for table in Base.metadata.sorted_tables
    }


def no_staff_menu(html: str) -> bool:
    return 'aria-label="Main"' not in html and "Sign out" not in html


# ---- every public page -----------------------------------------------------------------------


@pytest.mark.parametrize("page", PUBLIC_PAGES)
def test_public_page_opens_without_sign_in_and_shows_no_staff_menu(client, clinic, page):
    response = client.get(page, follow_redirects=False)
    assert response.status_code == 200
    assert no_staff_menu(response.text)
    assert 'aria-label="About the program"' in response.text


@pytest.mark.parametrize("page", PUBLIC_PAGES)
def test_public_page_shows_no_staff_menu_to_a_signed_in_user_either(client, db, page):
    world = build_world(db)
    sign_in(client, world.user("director").email)
    response = client.get(page)
    assert response.status_code == 200 and no_staff_menu(response.text)


def test_program_page_takes_its_numbers_and_times_from_the_database(client, db, clinic):
    world = build_world(db)  # adds patients whose names must never show here
    html = client.get("/program").text
    assert "Group treatment 4 days a week, 3.5 hours a day." in html
    assert "at least 55 minutes" in html and "physicians" in html
    assert "Harbor View Site" in html and "(555) 010-0142" in html
    assert "Morning group" in html and "9:00 AM–12:00 PM" in html
    assert "Evening group" in html and "5:30 PM–9:00 PM" in html
    assert "dual-diagnosis" in html and "sober-living" in html
    assert world.patient.last_name not in html and world.other_patient.last_name not in html


def test_program_page_falls_back_to_the_default_policy(client):
    html = client.get("/program").text
    assert "Group treatment 5 days a week, 3 hours a day." in html
    assert "at least 50 minutes" in html
    assert "Contact us to hear where and when groups meet." in html


def test_login_page_links_to_the_public_pages(client):
    assert 'href="/program"' in client.get("/login").text


# ---- self-check ------------------------------------------------------------------------------

FIT = {
    "substances": ["alcohol"],
    "frequency": "daily",
    "audit_c_1": "3",
    "audit_c_2": "1",
    "audit_c_3": "2",
    "dangerous_withdrawal": "no",
    "mood_1": "1",
    "mood_2": "0",
    "safety": "0",
    "home": "safe_home",
    "commitments": ["work_days"],
}


def self_check(client, **changes):
    return client.post("/self-check", data={**FIT, **changes, "csrf_token": csrf(client)})


def test_self_check_likely_fit(client, clinic):
    response = self_check(client)
    assert response.status_code == 200
    assert "This program is likely a fit for you" in response.text
    assert response.headers["cache-control"] == "no-store"
    assert no_staff_menu(response.text)


def test_self_check_points_to_more_care_with_its_reasons(client, clinic):
    response = self_check(client, dangerous_withdrawal="yes", home="unsafe")
    assert "Talk with us about a more intensive level of care" in response.text
    assert "Withdrawal may need medical care" in response.text
    assert "sober-living home first" in response.text


def test_self_check_routes_any_risk_to_self_to_seek_help_now(client, clinic):
    response = self_check(client, safety="1")
    assert "Please get help now" in response.text
    assert 'href="tel:988"' in response.text and 'href="tel:911"' in response.text
    assert "likely a fit" not in response.text


def test_self_check_stores_nothing_anywhere(client, db, clinic):
    csrf(client)
    before = row_counts(db)
    for changes in ({}, {"safety": "2"}, {"home": "unsafe"}, {"safety": "x"}):
        self_check(client, **changes)
    assert row_counts(db) == before
    assert db.scalar(select(func.count(AuditEvent.id))) == before["audit_events"]


def test_self_check_invalid_answers_are_422_naming_each_question(client, clinic):
    response = client.post(
        "/self-check", data={"csrf_token": csrf(client), "safety": "9", "frequency": "weekly"}
    )
    assert response.status_code == 422
    for name in ("substances", "dangerous_withdrawal", "mood_1", "home", "safety"):
        assert f'href="#f-{name}"' in response.text
    assert re.search(r'value="weekly"\s+checked', response.text)  # the answer given is kept


def test_self_check_inquiry_button_carries_only_the_substances(client, clinic):
    html = self_check(client, substances=["alcohol", "opioids"]).text
    link = re.search(r'href="(/inquiry[^"]*)"[^>]*>Send us an inquiry', html).group(1)
    assert link == "/inquiry?substances=alcohol&amp;substances=opioids"
    form = client.get("/inquiry?substances=alcohol&substances=opioids&substances=<x>").text
    assert re.search(r'value="alcohol" checked', form) and re.search(
        r'value="opioids" checked', form
    )
    assert "&lt;x&gt;" not in form


# ---- cost comparison -------------------------------------------------------------------------


def cost(client, **fields):
    data = {
        "location_id": "",
        "iop_weeks": "8",
        "other_kind": "residential",
        "other_days": "30",
        **fields,
        "csrf_token": csrf(client, "/cost"),
    }
    return client.post("/cost", data=data)


def test_cost_page_shows_the_arithmetic(client, clinic):
    response = cost(
        client, location_id=str(clinic.id), deductible="1,500", coinsurance="20", oop_max="3000"
    )
    assert response.status_code == 200, response.text
    html = response.text
    # The program runs 4 days a week here: 8 x 4 = 32 days x $250 = $8,000.
    assert "8 week(s) × 4 group days = 32 days × $250.00 a day = $8,000.00." in html
    assert "Room and board: none." in html
    assert "Coinsurance: 20% of the remaining $6,500.00 = $1,300.00." in html
    assert "30 day(s) × $900.00 a day = $27,000.00." in html
    assert "so you pay no more than $3,000.00" in html
    assert "$19,000.00 less than the residential stay" in html


def test_cost_page_rejects_bad_figures_with_422_naming_them(client, clinic):
    response = cost(
        client,
        location_id=str(clinic.id),
        iop_weeks="0",
        other_days="abc",
        coinsurance="150",
        deductible="lots",
    )
    assert response.status_code == 422
    for name in ("iop_weeks", "other_days", "coinsurance", "deductible"):
        assert f'id="e-{name}"' in response.text
    assert 'value="lots"' in response.text


@pytest.mark.parametrize("location_id", ["", "abc", "999999", "99999999999999999999"])
def test_cost_page_unknown_location_is_422_not_500(client, clinic, location_id):
    response = cost(client, location_id=location_id)
    assert response.status_code == 422 and 'id="e-location_id"' in response.text


def test_cost_page_without_rates_says_so(client, db):
    f.location(db, organization_id=f.organization(db).id)
    assert "not published online yet" in client.get("/cost").text


def test_cost_page_uses_the_rates_in_force_today(client, db, clinic):
    db.add(
        LocationRate(
            location_id=clinic.id,
            effective_from=date.today() + timedelta(days=30),
            iop_day_rate_cents=999_00,
            residential_day_rate_cents=1,
            inpatient_day_rate_cents=1,
        )
    )
    db.flush()
    assert "$250.00 a day" in cost(client, location_id=str(clinic.id)).text


# ---- inquiry ---------------------------------------------------------------------------------


def inquiry_form(client) -> dict[str, str]:
    html = client.get("/inquiry").text
    return {
        "csrf_token": client.cookies.get("openiop_csrf"),
        "idempotency_key": re.search(r'name="idempotency_key" value="([^"]+)"', html).group(1),
        "name": "Jordan Testwell",
        "caller_relationship": "self",
        "contact_method": "text",
        "phone": "555-010-0177",
        "best_times": "weekdays after 5 pm",
        "substances": ["alcohol", "cannabis"],
        "insurance_carrier": "Example Health Plan",
        "consent_to_contact": "1",
    }


def count(db, model) -> int:
    return db.scalar(select(func.count()).select_from(model))


def test_inquiry_creates_one_row_and_an_anonymous_audit_event(client, db, clinic):
    data = {**inquiry_form(client), "location_id": str(clinic.id)}
    response = client.post("/inquiry", data=data, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/inquiry/thanks"
    row = db.scalars(select(Inquiry)).one()
    assert (row.stage, row.source, row.owner_user_id) == ("new", "web", None)
    assert (row.name, row.phone, row.substances) == (
        "Jordan Testwell",
        "(555) 010-0177",
        "alcohol,cannabis",
    )
    assert row.location_id == clinic.id and row.consent_to_contact and row.consented_at
    assert row.next_action_date is not None and row.ip_hash and row.ip_hash != "testclient"
    event = db.scalars(select(AuditEvent).where(AuditEvent.action == "inquiry.create")).one()
    assert (event.user_id, event.channel, event.object_id) == (None, "web", str(row.id))
    assert "alcohol" not in (event.detail or "") and "Jordan" not in (event.detail or "")
    thanks = client.get("/inquiry/thanks")
    assert "we received your message" in thanks.text and "(555) 010-0142" in thanks.text


def test_double_submitted_inquiry_is_stored_once(client, db, clinic):
    data = inquiry_form(client)
    first = client.post("/inquiry", data=data, follow_redirects=False)
    second = client.post("/inquiry", data=data, follow_redirects=False)
    assert first.status_code == second.status_code == 303
    assert count(db, Inquiry) == 1


def test_honeypot_filled_stores_nothing_but_looks_normal(client, db, clinic):
    data = {**inquiry_form(client), service.HONEYPOT_FIELD: "http://spam.example.org"}
    response = client.post("/inquiry", data=data)
    assert response.status_code == 200 and "we received your message" in response.text
    assert count(db, Inquiry) == 0
    assert db.scalar(select(func.count()).where(AuditEvent.action == "inquiry.create")) == 0


def test_honeypot_is_hidden_from_people_and_assistive_technology(client):
    html = client.get("/inquiry").text
    trap = re.search(r'<div class="hp-field" aria-hidden="true">(.*?)</div>', html, re.S).group(1)
    assert 'tabindex="-1"' in trap and 'autocomplete="off"' in trap and "<label" in trap


def test_too_many_inquiries_from_one_address_get_a_429_page(client, db, settings, clinic):
    sender = service.ip_hash("testclient", secret_key=settings.secret_key)
    for n in range(service.RATE_LIMIT):
        db.add(
            Inquiry(
                name="Earlier",
                caller_relationship="self",
                contact_method="phone",
                phone="(555) 010-0100",
                consent_to_contact=True,
                idempotency_key=f"earlier-inquiry-key-{n:04d}",
                ip_hash=sender,
            )
        )
    db.flush()
    response = client.post("/inquiry", data=inquiry_form(client))
    assert response.status_code == 429
    assert "try again later" in response.text and "988" in response.text
    assert count(db, Inquiry) == service.RATE_LIMIT


def test_old_inquiries_do_not_count_towards_the_limit(client, db, settings, clinic):
    sender = service.ip_hash("testclient", secret_key=settings.secret_key)
    long_ago = clock.now() - service.RATE_WINDOW - timedelta(minutes=1)
    for n in range(service.RATE_LIMIT):
        db.add(
            Inquiry(
                name="Earlier",
                caller_relationship="self",
                contact_method="phone",
                consent_to_contact=True,
                idempotency_key=f"old-inquiry-key-{n:06d}",
                ip_hash=sender,
                created_at=long_ago,
            )
        )
    db.flush()
    assert (
        client.post("/inquiry", data=inquiry_form(client), follow_redirects=False).status_code
        == 303
    )


def test_invalid_inquiry_is_422_naming_fields_and_keeping_values(client, db, clinic):
    data = {
        **inquiry_form(client),
        "name": "",
        "contact_method": "email",
        "email": "not-an-email",
        "consent_to_contact": "",
        "location_id": "abc",
        "caller_relationship": "boss",
    }
    response = client.post("/inquiry", data=data)
    assert response.status_code == 422
    for name in ("name", "email", "consent_to_contact", "location_id", "caller_relationship"):
        assert f'id="e-{name}"' in response.text, name
    assert (
        'value="not-an-email"' in response.text and 'value="weekdays after 5 pm"' in response.text
    )
    assert data["idempotency_key"] in response.text  # a corrected form is still sent once
    assert count(db, Inquiry) == 0


@pytest.mark.parametrize(
    "changes",
    [
        {"idempotency_key": ""},
        {"idempotency_key": "<script>"},
        {"location_id": "99999999"},
        {"name": "x" * 5000},
        {"substances": ["heroin-ish"]},
        {"phone": "12"},
        {"message": "y" * 1001},
    ],
)
def test_bad_inquiry_input_is_422_never_500(client, db, clinic, changes):
    response = client.post("/inquiry", data={**inquiry_form(client), **changes})
    assert response.status_code == 422
    assert count(db, Inquiry) == 0


def test_twin_insert_with_the_same_key_is_absorbed_and_the_session_stays_usable(db, clinic):
    def twin() -> Inquiry:
        return Inquiry(
            name="Twin",
            caller_relationship="self",
            contact_method="phone",
            consent_to_contact=True,
            idempotency_key="same-key-sent-twice-000",
        )

    assert repository.insert_inquiry(db, twin()) is not None
    assert repository.insert_inquiry(db, twin()) is None  # a form racing its twin
    assert count(db, Inquiry) == 1
