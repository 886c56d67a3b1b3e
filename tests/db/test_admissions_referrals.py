"""Referring out: the directory of referral partners and sober-living homes (who may see and
keep it, filters, validation, optimistic locking) and the referral of an inquiry (the record,
the follow-up task, the stage move, sober living, permissions and the audit trail)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from openiop.models import ClinicalTask, Inquiry, Referral, ReferralPartner, SoberLivingHome
from openiop.security.audit import Actor
from tests import factories as f
from tests.db import support_admissions as support
from tests.db.support_admissions import decided_inquiry, directory, events

world, signed_in, frozen = support.world, support.signed_in, support.frozen
pytestmark = pytest.mark.usefixtures("frozen")


def refer(client, row, token, **form):
    data = {"csrf_token": token, "version": str(row.version), "level": "residential",
            "reason": "Needs 24-hour care first.", "follow_up_date": "2026-12-07", **form}  # fmt: skip
    return client.post(f"/admissions/inquiries/{row.id}/refer", data=data, follow_redirects=False)


def count(db, model) -> int:
    return db.scalar(select(func.count()).select_from(model))


# ---- the directory ---------------------------------------------------------------------------


def test_directory_filters_by_level_and_city_and_hides_inactive(client, db, world, signed_in):
    directory(db)
    signed_in("site_counselor")
    page = client.get("/admissions/partners?level=residential&city=sampleton")
    assert page.status_code == 200 and "Harbor Residential" in page.text
    assert "Bridge Dual Care" not in page.text and "Shut Program" not in page.text
    assert "Add a partner" not in page.text  # counselors read, directors keep
    assert "Bridge Dual Care" in client.get("/admissions/partners?level=iop").text
    homes = client.get("/admissions/sober-living?gender=women")
    assert "Oak House" in homes.text and "CCAPP" in homes.text and "Elm House" not in homes.text


def test_directors_add_and_correct_partners_and_homes(client, db, world, signed_in):
    token = signed_in("director")
    response = client.post(
        "/admissions/partners/new",
        data={"csrf_token": token, "name": "Valley Recovery", "levels": ["residential", "partial_hospitalization"],
              "city": "Sampleton", "state": "ca", "phone": "555 010 3000", "active": "1"},
        follow_redirects=False,
    )  # fmt: skip
    assert response.status_code == 303
    row = db.scalars(select(ReferralPartner)).one()
    assert row.levels == "partial_hospitalization,residential" and row.state == "CA"
    assert row.phone == "(555) 010-3000" and row.active
    changed = client.post(
        f"/admissions/partners/{row.id}",
        data={"csrf_token": token, "version": str(row.version), "name": "Valley Recovery",
              "levels": ["residential"], "city": "Sampleton"},
        follow_redirects=False,
    )  # fmt: skip
    assert changed.status_code == 303
    db.refresh(row)
    assert row.levels == "residential" and not row.active
    stale = client.post(
        f"/admissions/partners/{row.id}",
        data={"csrf_token": token, "version": "1", "name": "X", "levels": ["iop"], "city": "Y"},
    )
    assert stale.status_code == 409
    home = client.post(
        "/admissions/sober-living/new",
        data={"csrf_token": token, "name": "Birch House", "city": "Sampleton", "beds": "10",
              "gender": "all", "certified_by": "CCAPP", "active": "1"},
        follow_redirects=False,
    )  # fmt: skip
    assert home.status_code == 303 and db.scalars(select(SoberLivingHome)).one().beds == 10
    assert [e.action for e in events(db, "referral_partner.create")] == ["referral_partner.create"]
    assert len(events(db, "referral_partner.update")) >= 1
    assert len(events(db, "sober_living_home.create")) == 1


def test_directory_forms_name_each_bad_field(client, db, world, signed_in):
    directory(db)
    token = signed_in("admin")
    bad = client.post(
        "/admissions/partners/new",
        data={"csrf_token": token, "name": "harbor residential", "levels": ["spa"], "city": "",
              "state": "Cal", "phone": "12"},
    )  # fmt: skip
    assert bad.status_code == 422
    for where in ("name", "levels", "city", "state", "phone"):
        assert f'href="#f-{where}"' in bad.text, where
    home = client.post(
        "/admissions/sober-living/new",
        data={"csrf_token": token, "name": "", "city": "X", "beds": "-3", "gender": "any"},
    )
    assert home.status_code == 422
    for where in ("name", "beds", "gender"):
        assert f'href="#f-{where}"' in home.text, where
    assert count(db, ReferralPartner) == 3 and count(db, SoberLivingHome) == 2


@pytest.mark.parametrize("persona", ["billing", "front_desk", "auditor", "patient"])
def test_directory_is_refused_to_roles_that_do_not_refer(client, db, world, signed_in, persona):
    signed_in(persona)
    assert client.get("/admissions/partners").status_code == 403
    assert client.get("/admissions/sober-living").status_code == 403
    assert events(db, "referral_directory.read", "refused")


@pytest.mark.parametrize("persona", ["admissions", "site_counselor", "care_physician", "billing"])
def test_only_directors_and_admins_keep_the_directory(client, db, world, signed_in, persona):
    token = signed_in(persona)
    assert client.get("/admissions/partners/new").status_code == 403
    response = client.post(
        "/admissions/sober-living/new",
        data={"csrf_token": token, "name": "Z", "city": "Y", "beds": "2", "gender": "all"},
    )
    assert response.status_code == 403
    assert count(db, SoberLivingHome) == 0
    assert events(db, "sober_living_home.create", "refused")


# ---- referring an inquiry --------------------------------------------------------------------


def test_referring_out_records_it_closes_the_inquiry_and_plans_the_follow_up(
    client, db, world, signed_in
):
    rows = directory(db)
    row = decided_inquiry(db, world, level="residential", decision="overridden")
    token = signed_in("admissions")
    page = client.get(f"/admissions/inquiries/{row.id}/refer")
    assert page.status_code == 200 and "Harbor Residential" in page.text
    assert "Bridge Dual Care" not in page.text  # offers the decided level's partners
    assert 'value="2026-12-07"' in page.text  # a week from today by default
    response = refer(client, row, token, partner_id=str(rows["harbor"].id))
    assert response.status_code == 303
    referral = db.scalars(select(Referral)).one()
    assert (referral.partner_id, referral.level, referral.follow_up_date) == (
        rows["harbor"].id, "residential", date(2026, 12, 7),
    )  # fmt: skip
    assert referral.reason == "Needs 24-hour care first." and referral.referred_by_user_id
    task = db.get(ClinicalTask, referral.follow_up_task_id)
    assert (task.kind, task.due_date, task.location_id, task.status) == (
        "referral_follow_up", date(2026, 12, 7), world.site_a.id, "open",
    )  # fmt: skip
    assert "Harbor Residential" in task.title
    db.refresh(row)
    assert row.stage == "referred_out" and "Harbor Residential" in row.closed_reason
    logged = events(db, "inquiry.refer")
    assert len(logged) == 1 and "level=residential" in logged[0].detail
    assert "24-hour" not in logged[0].detail  # never the reason
    assert "Harbor Residential" in client.get(f"/admissions/inquiries/{row.id}/refer").text


def test_sober_living_is_offered_and_keeps_the_inquiry_open(client, db, world, signed_in):
    rows = directory(db)
    row = decided_inquiry(db, world, level="iop_with_sober_living")
    token = signed_in("admissions")
    page = client.get(f"/admissions/inquiries/{row.id}/refer")
    assert "Oak House" in page.text and "Elm House" in page.text and "CCAPP" in page.text
    assert "Bridge Dual Care" in page.text  # runs an IOP: may take the person once housed
    missing = refer(client, row, token, level="iop_with_sober_living")
    assert missing.status_code == 422 and 'href="#f-sober_living_home_id"' in missing.text
    fine = refer(client, row, token, level="iop_with_sober_living",
                 sober_living_home_id=str(rows["oak"].id))  # fmt: skip
    assert fine.status_code == 303
    db.refresh(row)
    assert row.stage == "assessed"  # to be admitted here once housed
    assert db.scalars(select(Referral)).one().sober_living_home_id == rows["oak"].id


def test_bad_referrals_name_the_field_and_store_nothing(client, db, world, signed_in):
    rows = directory(db)
    row = decided_inquiry(db, world, level="residential", decision="overridden")
    token = signed_in("admissions")
    cases = [
        ({"partner_id": str(rows["bridge"].id)}, "partner_id"),  # does not offer residential
        ({"partner_id": str(rows["closed"].id)}, "partner_id"),  # inactive
        ({"partner_id": "abc"}, "partner_id"),
        ({"partner_id": str(rows["harbor"].id), "level": "spa"}, "level"),
        ({"partner_id": str(rows["harbor"].id), "reason": " "}, "reason"),
        ({"partner_id": str(rows["harbor"].id), "follow_up_date": "2026-11-01"}, "follow_up_date"),
        ({"partner_id": str(rows["harbor"].id), "follow_up_date": "2027-06-01"}, "follow_up_date"),
        ({"partner_id": str(rows["harbor"].id), "follow_up_date": "soon"}, "follow_up_date"),
        ({"sober_living_home_id": "999999"}, "sober_living_home_id"),
    ]
    for form, where in cases:
        response = refer(client, row, token, **form)
        assert response.status_code == 422 and f'href="#f-{where}"' in response.text, form
    stale = refer(client, row, token, partner_id=str(rows["harbor"].id), version="99")
    assert stale.status_code == 409
    assert count(db, Referral) == 0 and count(db, ClinicalTask) == 0
    assert db.get(Inquiry, row.id).stage == "assessed"


def test_an_admitted_inquiry_cannot_be_referred_out_to_a_partner(client, db, world, signed_in):
    rows = directory(db)
    row = decided_inquiry(db, world, level="residential", decision="overridden", stage="admitted")
    token = signed_in("admissions")
    response = refer(client, row, token, partner_id=str(rows["harbor"].id))
    assert response.status_code == 422 and "stays admitted" in response.text
    assert count(db, Referral) == 0


@pytest.mark.parametrize(
    "persona", ["billing", "front_desk", "auditor", "site_counselor", "care_physician", "patient"]
)
def test_roles_that_do_not_refer_are_refused(client, db, world, signed_in, persona):
    rows = directory(db)
    row = decided_inquiry(db, world, level="residential", decision="overridden")
    token = signed_in(persona)
    assert client.get(f"/admissions/inquiries/{row.id}/refer").status_code == 403
    assert refer(client, row, token, partner_id=str(rows["harbor"].id)).status_code == 403
    assert len(events(db, "inquiry.refer", "refused")) == 2 and count(db, Referral) == 0


def test_staff_of_another_site_may_not_refer_its_inquiries(client, db, world, signed_in):
    from tests.personas import csrf_of, sign_in

    rows = directory(db)
    row = decided_inquiry(db, world, level="residential", decision="overridden")
    member = f.staff(db, organization_id=world.site_b.organization_id, locations=[world.site_b])
    west = f.user(db, role="program_director", email="west.director@example.org",
                  staff_member_id=member.id)  # fmt: skip
    client.cookies.clear()
    sign_in(client, west.email)
    token = csrf_of(client)
    assert refer(client, row, token, partner_id=str(rows["harbor"].id)).status_code == 403
    assert "outside location" in events(db, "inquiry.refer", "refused")[-1].detail
    assert count(db, Referral) == 0


def test_the_demo_directory_covers_every_level_this_program_refers_to(db):
    from openiop.admissions.level_of_care import INTENSITY
    from openiop.demo.directory import load_directory

    written = load_directory(db, towns=["Harbor Flats", "Cedar Mesa"], actor=Actor(None, "cli"))
    partners = db.scalars(select(ReferralPartner)).all()
    offered = {level for p in partners for level in p.level_list}
    assert set(INTENSITY) - {"iop", "iop_with_sober_living"} <= offered
    assert written == len(partners) + count(db, SoberLivingHome)
    assert {p.city for p in partners} == {"Harbor Flats", "Cedar Mesa"}
    assert all(p.phone.startswith("(555) 010-01") for p in partners)
    assert len(events(db, "referral_partner.create")) == len(partners)
