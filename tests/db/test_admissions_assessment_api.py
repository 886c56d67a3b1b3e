"""JSON API of stored assessments: GET the list per inquiry and GET one, with the page's
permissions, location scope and audit."""

from __future__ import annotations

import pytest

from openiop.security import service as security
from openiop.security.audit import Actor
from tests import factories as f
from tests.db import support_admissions as support
from tests.db.support_admissions import decided_inquiry, events

world = support.world


@pytest.fixture
def as_(db, world):
    def headers(persona: str) -> dict[str, str]:
        issued = security.create_token(
            db, user=world.user(persona), name="t", expires_days=None, actor=Actor(None, "cli")
        )
        return {"Authorization": f"Bearer {issued.secret}"}

    return headers


def latest(db, row):
    from openiop.admissions.assessment_repository import latest_assessment

    return latest_assessment(db, row.id)


@pytest.mark.parametrize(
    "persona", ["site_counselor", "care_physician", "director", "admissions", "admin"]
)
def test_assessors_and_admissions_read_the_list_and_one(client, db, world, as_, persona):
    row = decided_inquiry(db, world)
    stored = latest(db, row)
    listed = client.get(f"/api/v1/inquiries/{row.id}/assessments", headers=as_(persona))
    assert listed.status_code == 200, listed.text
    [item] = listed.json()
    assert item["id"] == stored.id and item["recommendation"] == "iop"
    assert item["decision"] == "accepted" and item["decided_level"] == "iop"
    assert "substances" not in item  # the list is a summary
    one = client.get(f"/api/v1/inquiries/{row.id}/assessments/{stored.id}", headers=as_(persona))
    assert one.status_code == 200
    body = one.json()
    assert body["dsm5"] == [
        {"substance": "alcohol", "criteria": stored.dsm5_criteria["alcohol"], "criteria_met": 4,
         "severity": "moderate"}
    ]  # fmt: skip
    assert body["reasons"][0]["rule"] == "fits_iop" and body["reasons"][0]["meaning"]
    assert body["recommendation_label"].startswith("Intensive outpatient")
    details = [e.detail for e in events(db, "assessment.read")]
    assert details == ["list; assessments=1", f"assessment={stored.id}"]


@pytest.mark.parametrize("persona", ["billing", "front_desk", "auditor", "patient"])
def test_other_roles_are_refused_and_audited(client, db, world, as_, persona):
    row = decided_inquiry(db, world)
    stored = latest(db, row)
    headers = as_(persona)
    assert client.get(f"/api/v1/inquiries/{row.id}/assessments", headers=headers).status_code == 403
    one = client.get(f"/api/v1/inquiries/{row.id}/assessments/{stored.id}", headers=headers)
    assert one.status_code == 403
    assert len(events(db, "assessment.read", "refused")) == 2
    assert events(db, "assessment.read") == []


def test_another_site_is_refused_and_unknown_ids_are_404(client, db, world, as_):
    row = decided_inquiry(db, world)
    stored = latest(db, row)
    other = as_("other_site_counselor")
    assert client.get(f"/api/v1/inquiries/{row.id}/assessments", headers=other).status_code == 403
    assert "outside location" in events(db, "assessment.read", "refused")[0].detail
    mine = as_("site_counselor")
    elsewhere = f.inquiry(db, location_id=world.site_a.id)
    wrong = client.get(f"/api/v1/inquiries/{elsewhere.id}/assessments/{stored.id}", headers=mine)
    assert wrong.status_code == 404
    assert client.get("/api/v1/inquiries/999999/assessments", headers=mine).status_code == 404
    assert client.get(f"/api/v1/inquiries/{row.id}/assessments").status_code == 401
