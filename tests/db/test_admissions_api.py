"""POST /api/v1/level-of-care/evaluate through HTTP: results with reasons, 422s that name the
instrument and item, who may call it, and that it stores nothing but an audit event."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from openiop.models import AuditEvent, Base
from openiop.security import service as security
from openiop.security.audit import Actor
from tests.personas import build_world

URL = "/api/v1/level-of-care/evaluate"
MODERATE_ALCOHOL = {
    "substances": ["alcohol"],
    "dsm5_criteria_met": {"alcohol": 5},
    "instruments": {
        "PHQ-9": [1, 1, 2, 1, 0, 1, 1, 0, 0],
        "CIWA-Ar": [1, 1, 0, 1, 0, 0, 0, 0, 1, 0],
    },
    "home_environment": "safe_home",
    "dimension_ratings": {"1": 1, "2": 0, "3": 1, "4": 2, "5": 2, "6": 1},
}


@pytest.fixture
def world(db):
    return build_world(db)


@pytest.fixture
def as_(db, world):
    def headers(persona: str) -> dict[str, str]:
        issued = security.create_token(
            db, user=world.user(persona), name="t", expires_days=None, actor=Actor(None, "cli")
        )
        return {"Authorization": f"Bearer {issued.secret}"}

    return headers


def events(db, outcome: str | None = None) -> list[AuditEvent]:
    query = select(AuditEvent).where(AuditEvent.action == "level_of_care.evaluate")
    if outcome:
        query = query.where(AuditEvent.outcome == outcome)
    return list(db.scalars(query))


def test_evaluate_returns_the_recommendation_scores_and_reasons(client, db, as_):
    response = client.post(URL, json=MODERATE_ALCOHOL, headers=as_("admissions"))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["recommendation"] == "iop"
    assert body["label"].startswith("Intensive outpatient")
    assert body["scores"]["PHQ-9"]["total"] == 7 and body["scores"]["CIWA-Ar"]["total"] == 4
    rules = [reason["rule"] for reason in body["reasons"]]
    assert rules == ["moderate_use_disorder", "fits_iop"]
    assert all(r["detail"] and r["meaning"] for r in body["reasons"])
    assert "alcohol: 5 of 11 criteria, moderate" in body["reasons"][0]["detail"]
    assert body["dsm5"] == [{"substance": "alcohol", "criteria_met": 5, "severity": "moderate"}]


def test_urgent_flag_wins_and_every_fired_rule_is_listed(client, as_):
    payload = {
        **MODERATE_ALCOHOL,
        "dsm5_criteria_met": {"alcohol": 7},
        "instruments": {
            "PHQ-9": [3, 3, 3, 3, 3, 3, 2, 0, 1],  # 21 ≥ 20, and item 9 above 0
            "COWS": [4, 4, 3, 5, 0, 0, 0, 0, 0, 0, 0],  # 16 ≥ 13
        },
        "home_environment": "unsafe",
    }
    body = client.post(URL, json=payload, headers=as_("care_physician")).json()
    assert body["recommendation"] == "urgent_safety_assessment"
    rules = {reason["rule"] for reason in body["reasons"]}
    assert {"phq9_item9_urgent", "cows_high", "phq9_severe", "severe_with_high_risk"} <= rules
    assert body["reasons"][0]["detail"] == "PHQ-9 item 9 answered 1 > 0"


def test_instruments_and_ratings_are_optional(client, as_):
    payload = {
        "substances": ["opioids"],
        "dsm5_criteria_met": {"opioids": 3},
        "home_environment": "sober_living",
    }
    response = client.post(URL, json=payload, headers=as_("care_counselor"))
    assert response.status_code == 200
    assert (
        response.json()["recommendation"] == "iop"
    )  # mild, but unrated dimensions rule out outpatient


@pytest.mark.parametrize(
    ("instruments", "field", "words"),
    [
        ({"PHQ-9": [0, 1, 2]}, "instruments.PHQ-9", ["PHQ-9", "9 items", "got 3"]),
        ({"GAD-7": [0, 0, 0, 4, 0, 0, 0]}, "instruments.GAD-7", ["GAD-7 item 4", "out of range"]),
        ({"CIWA-Ar": [0, 0, 0, 0, 0, 0, 0, 0, 0, 5]}, "instruments.CIWA-Ar", ["CIWA-Ar item 10"]),
        (
            {"AUDIT": [0, 0, 0, 0, 0, 0, 0, 0, 1, 0]},
            "instruments.AUDIT",
            ["AUDIT item 9", "not a possible answer"],
        ),
        (
            {"PHQ-9": [0, 0, 0, 0, "2", 0, 0, 0, 0]},
            "instruments.PHQ-9",
            ["PHQ-9 item 5", "whole number"],
        ),
        ({"PHQ-9": [0, 0, 0, 0, 1.5, 0, 0, 0, 0]}, "instruments.PHQ-9", ["PHQ-9 item 5"]),
        ({"BDI-II": [1, 2]}, "instruments.BDI-II", ["Unknown instrument 'BDI-II'"]),
        ({"DAST-10": [0] * 10}, "instruments.DAST-10", ["DAST-10 is turned off"]),
    ],
)
def test_bad_instrument_answers_are_422_naming_instrument_and_item(
    client, db, as_, instruments, field, words
):
    before = len(events(db))
    payload = {**MODERATE_ALCOHOL, "instruments": instruments}
    response = client.post(URL, json=payload, headers=as_("admissions"))
    assert response.status_code == 422, response.text
    body = response.json()
    assert field in body["fields"]
    for word in words:
        assert word in body["fields"][field] and word in body["detail"]
    assert len(events(db)) == before  # a refused body leaves no trace


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"substances": []}, "substances"),
        ({"substances": ["chocolate"]}, "substances"),
        ({"dsm5_criteria_met": {"alcohol": 12}}, "dsm5_criteria_met.alcohol"),
        ({"home_environment": "castle"}, "home_environment"),
        ({"dimension_ratings": {"7": 1}}, "dimension_ratings.7"),
        ({"dimension_ratings": {"3": 5}}, "dimension_ratings.3"),
        ({"surprise": 1}, "surprise"),
    ],
)
def test_other_bad_fields_are_422_naming_the_field(client, as_, changes, field):
    response = client.post(URL, json={**MODERATE_ALCOHOL, **changes}, headers=as_("admissions"))
    assert response.status_code == 422
    assert field in response.json()["fields"]


def test_missing_body_fields_are_422(client, as_):
    response = client.post(URL, json={"substances": ["alcohol"]}, headers=as_("admissions"))
    assert response.status_code == 422
    assert {"dsm5_criteria_met", "home_environment"} <= set(response.json()["fields"])


def test_without_a_token_is_401(client, db):
    response = client.post(URL, json=MODERATE_ALCOHOL)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    wrong = client.post(URL, json=MODERATE_ALCOHOL, headers={"Authorization": "Bearer oiop_nope"})
    assert wrong.status_code == 401


@pytest.mark.parametrize("persona", ["admissions", "care_counselor", "care_physician", "director"])
def test_assessing_roles_may_evaluate_and_are_audited_without_answers(
    client, db, as_, world, persona
):
    response = client.post(URL, json=MODERATE_ALCOHOL, headers=as_(persona))
    assert response.status_code == 200
    [event] = events(db, "allowed")
    assert event.user_id == world.user(persona).id and event.channel == "api"
    assert event.detail == "recommendation=iop; instruments=CIWA-Ar,PHQ-9"
    assert event.patient_id is None


@pytest.mark.parametrize("persona", ["billing", "front_desk", "auditor", "admin", "patient"])
def test_other_roles_are_refused_and_the_refusal_is_audited(client, db, as_, world, persona):
    response = client.post(URL, json=MODERATE_ALCOHOL, headers=as_(persona))
    assert response.status_code == 403
    assert "admissions and clinical staff" in response.json()["detail"]
    [event] = events(db, "refused")
    assert event.user_id == world.user(persona).id
    assert "alcohol" not in (event.detail or "")


def test_evaluate_stores_nothing_but_the_audit_event(client, db, as_):
    headers = as_("admissions")
    before = {
        t.name: db.scalar(select(func.count()).select_from(t)) for t in Base.metadata.sorted_tables
    }
    client.post(URL, json=MODERATE_ALCOHOL, headers=headers)
    after = {
        t.name: db.scalar(select(func.count()).select_from(t)) for t in Base.metadata.sorted_tables
    }
    changed = {name for name in before if before[name] != after[name]}
    assert changed == {"audit_events"}
    assert after["audit_events"] == before["audit_events"] + 1
