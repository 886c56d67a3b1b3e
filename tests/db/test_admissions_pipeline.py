"""The staff admissions pipeline (/admissions): board, moves, edit, contact log, duplicates,
conversion figures; who may use it, location scope, optimistic locking and the audit trail."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from openiop.kit import clock
from openiop.models import AuditEvent, Inquiry, InquiryContact, ReferralSource
from openiop.security import service as security
from openiop.security.audit import Actor
from tests import factories as f
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


def events(db, action: str, outcome: str = "allowed") -> list[AuditEvent]:
    query = select(AuditEvent).where(AuditEvent.action == action, AuditEvent.outcome == outcome)
    return list(db.scalars(query.order_by(AuditEvent.seq)))


def edit_form(row: Inquiry, token: str, **changes) -> dict[str, str]:
    return {
        "csrf_token": token,
        "version": str(row.version),
        "stage": row.stage,
        "closed_reason": "",
        "owner_user_id": "",
        "next_action_date": "",
        "referral_source_id": "",
        "date_of_birth": "",
        **changes,
    }


def test_admissions_user_sees_the_board_in_scope(client, db, world, signed_in):
    here = f.inquiry(db, name="Here Hollowell", location_id=world.site_a.id)
    nowhere = f.inquiry(db, name="Unplaced Ashgrove")
    f.inquiry(db, name="Elsewhere Brackenridge", location_id=world.site_b.id)
    f.inquiry(db, name="Gone Fernsby", stage="lost", closed_reason="no reply")
    signed_in("admissions")
    page = client.get("/admissions")
    assert page.status_code == 200
    assert "Here Hollowell" in page.text and "Unplaced Ashgrove" in page.text
    assert "Elsewhere Brackenridge" not in page.text  # another location's inquiry
    assert "Gone Fernsby" in page.text and "<details>" in page.text  # closed, collapsed
    assert f'href="/admissions/inquiries/{here.id}"' in page.text
    assert f'href="/admissions/inquiries/{nowhere.id}"' in page.text
    assert page.headers["cache-control"] == "no-store"
    [event] = events(db, "inquiry.board")
    assert event.detail == "inquiries=3"
    assert 'href="/admissions"' in page.text  # the menu entry


def test_moving_a_card_forward_is_saved_and_audited(client, db, world, signed_in):
    row = f.inquiry(db, location_id=world.site_a.id)
    token = signed_in("admissions")
    response = client.post(
        f"/admissions/inquiries/{row.id}/stage",
        data={"csrf_token": token, "version": str(row.version), "stage": "screening_scheduled"},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    db.refresh(row)
    assert row.stage == "screening_scheduled" and row.version == 2
    [event] = events(db, "inquiry.update")
    assert event.detail == "stage=new→screening_scheduled" and event.object_id == str(row.id)


def test_moving_a_card_backwards_is_refused_with_the_reason(client, db, world, signed_in):
    row = f.inquiry(db, location_id=world.site_a.id, stage="assessed")
    token = signed_in("admissions")
    response = client.post(
        f"/admissions/inquiries/{row.id}/stage",
        data={"csrf_token": token, "version": str(row.version), "stage": "new"},
    )
    assert response.status_code == 422
    assert "moves forward only" in response.text
    db.refresh(row)
    assert row.stage == "assessed"


def test_admitting_records_the_time_and_admitted_stays_admitted(client, db, world, signed_in):
    clock.freeze(datetime(2026, 11, 20, 17, tzinfo=UTC))
    row = f.inquiry(db, location_id=world.site_a.id, stage="insurance_verified")
    token = signed_in("director")
    ok = client.post(
        f"/admissions/inquiries/{row.id}",
        data=edit_form(row, token, stage="admitted"),
        follow_redirects=False,
    )
    assert ok.status_code == 303, ok.text
    db.refresh(row)
    assert row.stage == "admitted" and row.admitted_at == datetime(2026, 11, 20, 17, tzinfo=UTC)
    again = client.post(
        f"/admissions/inquiries/{row.id}",
        data=edit_form(row, token, stage="lost", closed_reason="changed their mind"),
    )
    assert again.status_code == 422 and "stays admitted" in again.text


def test_edit_owner_next_action_source_and_birth_date(client, db, world, signed_in):
    source = ReferralSource(name="Valley Clinic", kind="provider", active=True)
    db.add(source)
    row = f.inquiry(db, location_id=world.site_a.id)
    owner = world.user("admissions")
    token = signed_in("admissions")
    response = client.post(
        f"/admissions/inquiries/{row.id}",
        data=edit_form(
            row,
            token,
            stage="contacted",
            owner_user_id=str(owner.id),
            next_action_date="2026-12-03",
            referral_source_id=str(source.id),
            date_of_birth="1988-06-15",
        ),
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    db.refresh(row)
    assert (row.owner_user_id, row.next_action_date, row.referral_source_id) == (
        owner.id,
        date(2026, 12, 3),
        source.id,
    )
    assert row.date_of_birth == date(1988, 6, 15)
    [event] = events(db, "inquiry.update")
    assert "date_of_birth=changed" in event.detail and "1988" not in event.detail


def test_owner_must_work_at_the_inquirys_location(client, db, world, signed_in):
    row = f.inquiry(db, location_id=world.site_b.id)
    token = signed_in("admin")
    response = client.post(
        f"/admissions/inquiries/{row.id}",
        data=edit_form(row, token, owner_user_id=str(world.user("admissions").id)),
    )
    assert response.status_code == 422
    assert 'id="e-owner_user_id"' in response.text


def test_closing_without_a_reason_names_the_field(client, db, world, signed_in):
    row = f.inquiry(db, location_id=world.site_a.id, stage="contacted")
    token = signed_in("admissions")
    response = client.post(
        f"/admissions/inquiries/{row.id}", data=edit_form(row, token, stage="referred_out")
    )
    assert response.status_code == 422
    assert 'id="e-closed_reason"' in response.text and "Say why" in response.text
    assert 'value="referred_out" selected' in response.text  # the entered value is kept
    db.refresh(row)
    assert row.stage == "contacted" and row.version == 1
    closed = client.post(
        f"/admissions/inquiries/{row.id}",
        data=edit_form(row, token, stage="referred_out", closed_reason="needs residential care"),
        follow_redirects=False,
    )
    assert closed.status_code == 303
    db.refresh(row)
    assert row.stage == "referred_out" and row.closed_reason == "needs residential care"


def test_a_stale_version_gets_409_and_changes_nothing(client, db, world, signed_in):
    row = f.inquiry(db, location_id=world.site_a.id)
    token = signed_in("admissions")
    stale = edit_form(row, token, stage="contacted", version="0")
    response = client.post(f"/admissions/inquiries/{row.id}", data=stale)
    assert response.status_code == 409
    assert "changed by someone else" in response.text
    db.refresh(row)
    assert row.stage == "new" and row.version == 1
    board = client.post(
        f"/admissions/inquiries/{row.id}/stage",
        data={"csrf_token": token, "version": "7", "stage": "contacted"},
    )
    assert board.status_code == 409


def test_logging_a_contact_appends_to_the_log(client, db, world, signed_in):
    clock.freeze(datetime(2026, 11, 25, 18, tzinfo=UTC))
    row = f.inquiry(db, location_id=world.site_a.id)
    token = signed_in("admissions")
    response = client.post(
        f"/admissions/inquiries/{row.id}/contacts",
        data={
            "csrf_token": token,
            "channel": "call",
            "direction": "outbound",
            "outcome": "left_message",
            "note": "Asked them to call back after 5pm",
            "contacted_at": "",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    [entry] = db.scalars(select(InquiryContact).where(InquiryContact.inquiry_id == row.id))
    assert (entry.channel, entry.outcome, entry.logged_by_user_id) == (
        "call",
        "left_message",
        world.user("admissions").id,
    )
    assert entry.contacted_at == datetime(2026, 11, 25, 18, tzinfo=UTC)
    [event] = events(db, "inquiry.contact")
    assert "call/outbound/left_message" in event.detail and "5pm" not in event.detail
    page = client.get(f"/admissions/inquiries/{row.id}?saved=contact").text
    assert "Left a message" in page and "Asked them to call back" in page


def test_a_bad_contact_names_each_field(client, db, world, signed_in):
    row = f.inquiry(db, location_id=world.site_a.id)
    token = signed_in("admissions")
    response = client.post(
        f"/admissions/inquiries/{row.id}/contacts",
        data={"csrf_token": token, "channel": "pigeon", "direction": "outbound", "outcome": ""},
    )
    assert response.status_code == 422
    assert 'id="e-channel"' in response.text and 'id="e-outcome"' in response.text
    assert db.scalars(select(InquiryContact)).first() is None


def test_duplicates_are_shown_with_links(client, db, world, signed_in):
    row = f.inquiry(
        db, location_id=world.site_a.id, phone="(555) 010-0177", email="Moss@example.org"
    )
    by_phone = f.inquiry(db, phone="(555) 010-0177", email="other@example.org")
    by_email = f.inquiry(db, phone="(555) 010-0188", email="moss@EXAMPLE.org")
    stranger = f.inquiry(db, phone="(555) 010-0199", email="stranger@example.org")
    signed_in("admissions")
    page = client.get(f"/admissions/inquiries/{row.id}").text
    assert "Possible duplicate" in page
    assert f'href="/admissions/inquiries/{by_phone.id}"' in page and "same phone" in page
    assert f'href="/admissions/inquiries/{by_email.id}"' in page and "same email" in page
    assert f'href="/admissions/inquiries/{stranger.id}"' not in page
    [event] = events(db, "inquiry.read")
    assert event.object_id == str(row.id) and event.detail == "duplicates=2"


def test_list_filters_by_stage_and_pages(client, db, world, signed_in):
    for n in range(27):
        f.inquiry(db, name=f"Listed Person{n:02d}", location_id=world.site_a.id)
    f.inquiry(db, name="Assessed Oakhart", stage="assessed", location_id=world.site_a.id)
    signed_in("admissions")
    first = client.get("/admissions/inquiries").text
    assert "Page 1 of 2 (28 in all)" in first
    filtered = client.get("/admissions/inquiries?stage=assessed").text
    assert "Assessed Oakhart" in filtered and "Listed Person" not in filtered
    assert events(db, "inquiry.list")[-1].detail.startswith("stage=assessed")


def test_conversion_figures_by_source_and_location(client, db, world, signed_in):
    clinic = ReferralSource(name="Valley Clinic", kind="provider", active=True)
    db.add(clinic)
    db.flush()
    start = datetime(2026, 10, 1, 16, tzinfo=UTC)
    for days in (2, 5):
        f.inquiry(
            db,
            location_id=world.site_a.id,
            referral_source_id=clinic.id,
            stage="admitted",
            created_at=start,
            admitted_at=start + timedelta(days=days),
        )
    f.inquiry(db, location_id=world.site_a.id, referral_source_id=clinic.id, created_at=start)
    f.inquiry(db, location_id=world.site_b.id, stage="admitted", admitted_at=clock.now())
    signed_in("admissions")
    page = client.get("/admissions/conversion").text
    clinic_row = re.search(
        r'<th scope="row" data-label="Referral source">Valley Clinic</th>(.*?)</tr>', page
    )
    assert clinic_row, page
    cells = re.findall(r"<td[^>]*>([^<]*)</td>", clinic_row.group(1))
    assert cells == ["3", "2", "66.7%", "3.5"]
    assert "<svg" in page and 'role="img"' in page and "Valley Clinic 66.7%" in page
    assert "Site B" not in page  # the other location's inquiry is out of scope
    [event] = events(db, "inquiry.conversion")
    assert event.detail == "inquiries=3"


def test_conversion_without_admissions_shows_a_dash(client, db, world, signed_in):
    f.inquiry(db, location_id=world.site_a.id)
    signed_in("admissions")
    page = client.get("/admissions/conversion").text
    assert "median days from inquiry to admission: —" in page


def test_referral_sources_can_be_added_once(client, db, world, signed_in):
    token = signed_in("admissions")
    ok = client.post(
        "/admissions/sources",
        data={"csrf_token": token, "name": "County Court", "kind": "court"},
        follow_redirects=False,
    )
    assert ok.status_code == 303
    twin = client.post(
        "/admissions/sources", data={"csrf_token": token, "name": "county court", "kind": "court"}
    )
    assert twin.status_code == 422 and 'id="e-name"' in twin.text
    assert [s.name for s in db.scalars(select(ReferralSource))] == ["County Court"]
    assert len(events(db, "referral_source.create")) == 1


@pytest.mark.parametrize(
    "persona", ["billing", "site_counselor", "front_desk", "care_physician", "auditor"]
)
def test_other_roles_are_refused_and_the_refusal_is_audited(client, db, world, signed_in, persona):
    row = f.inquiry(db, location_id=world.site_a.id)
    token = signed_in(persona)
    assert client.get("/admissions").status_code == 403
    assert client.get(f"/admissions/inquiries/{row.id}").status_code == 403
    moved = client.post(
        f"/admissions/inquiries/{row.id}/stage",
        data={"csrf_token": token, "version": "1", "stage": "contacted"},
    )
    assert moved.status_code == 403
    assert client.get("/admissions/conversion").status_code == 403
    db.refresh(row)
    assert row.stage == "new"
    user_id = world.user(persona).id
    refused = {
        (e.action, e.user_id) for e in db.scalars(select(AuditEvent)) if e.outcome == "refused"
    }
    assert {("inquiry.board", user_id), ("inquiry.read", user_id)} <= refused
    assert ("inquiry.conversion", user_id) in refused


def test_an_inquiry_at_another_location_is_refused(client, db, world, signed_in):
    row = f.inquiry(db, location_id=world.site_b.id)
    signed_in("admissions")
    assert client.get(f"/admissions/inquiries/{row.id}").status_code == 403
    [event] = events(db, "inquiry.read", "refused")
    assert event.object_id == str(row.id) and "outside location" in event.detail


# ---- the JSON API --------------------------------------------------------------------------


@pytest.fixture
def as_(db, world):
    def headers(persona: str) -> dict[str, str]:
        issued = security.create_token(
            db, user=world.user(persona), name="t", expires_days=None, actor=Actor(None, "cli")
        )
        return {"Authorization": f"Bearer {issued.secret}"}

    return headers


def test_api_patch_needs_the_current_version(client, db, world, as_):
    row = f.inquiry(db, location_id=world.site_a.id)
    url = f"/api/v1/inquiries/{row.id}"
    stale = client.patch(url, json={"version": 5, "stage": "contacted"}, headers=as_("admissions"))
    assert stale.status_code == 409 and stale.json()["error"]
    ok = client.patch(url, json={"version": 1, "stage": "contacted"}, headers=as_("admissions"))
    assert ok.status_code == 200, ok.text
    assert ok.json()["stage"] == "contacted" and ok.json()["version"] == 2


def test_api_closing_without_reason_is_422_naming_the_field(client, db, world, as_):
    row = f.inquiry(db, location_id=world.site_a.id)
    response = client.patch(
        f"/api/v1/inquiries/{row.id}", json={"version": 1, "stage": "lost"}, headers=as_("admin")
    )
    assert response.status_code == 422
    assert set(response.json()["fields"]) == {"closed_reason"}


def test_api_logs_a_contact_and_lists_in_scope(client, db, world, as_):
    row = f.inquiry(db, location_id=world.site_a.id)
    f.inquiry(db, location_id=world.site_b.id)
    headers = as_("director")
    body = {"channel": "text", "direction": "inbound", "outcome": "reached", "note": None}
    made = client.post(f"/api/v1/inquiries/{row.id}/contacts", json=body, headers=headers)
    assert made.status_code == 201, made.text
    assert db.get(InquiryContact, made.json()["id"]).outcome == "reached"
    listed = client.get("/api/v1/inquiries", headers=headers).json()
    assert [i["id"] for i in listed] == [row.id]


def test_api_refuses_billing_and_audits_it(client, db, world, as_):
    row = f.inquiry(db, location_id=world.site_a.id)
    response = client.get(f"/api/v1/inquiries/{row.id}", headers=as_("billing"))
    assert response.status_code == 403
    assert events(db, "inquiry.read", "refused")
