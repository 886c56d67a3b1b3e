"""GET /api/v1/enrollments/{id}/compliance and /minutes: the exact shape, figures from the
ledger, a bad week naming the field, who may read and who is refused, and the audit."""

from __future__ import annotations

from datetime import date, time

import pytest

from openiop.attendance import appointment_service, service
from tests.db.support_attendance import (
    MONDAY,
    WEDNESDAY,
    actor_for,
    appointment,
    freeze,
    group_session,
    scene,
)
from tests.db.test_patients_support import bearer, events

KEYS = [
    "week",
    "group_minutes",
    "group_days",
    "required_group_minutes",
    "individual_minutes",
    "physician_visits",
    "compliant",
    "gaps",
]


def _week_on_record(db):
    """Pat: Monday present, Tuesday late 9:30, Wednesday absent; a 50-minute individual
    session and a 20-minute physician visit on Wednesday."""
    freeze(WEDNESDAY)
    s = scene(db, extra=0)
    pat = s.enrollments[0]
    facilitator = actor_for(db, s.user("facilitator"))
    for day, row in (
        (MONDAY, {"status": "present"}),
        (date(2026, 12, 1), {"status": "late", "check_in": "09:30"}),
    ):
        group = group_session(db, world=s.world, day=day)
        service.record_attendance(
            db,
            actor=facilitator,
            session_id=group.id,
            rows=[{"enrollment_id": pat.id, **row}],
            reason="Entered from the paper sign-in sheet",
        )
    service.record_attendance(
        db,
        actor=facilitator,
        session_id=s.session.id,
        rows=[{"enrollment_id": pat.id, "status": "absent_excused"}],
    )
    for kind, persona, start, minutes in (
        ("individual", "care_counselor", time(8), 50),
        ("physician", "care_physician", time(7), 20),
    ):
        visit = appointment(
            db,
            world=s.world,
            patient_id=pat.patient_id,
            enrollment_id=pat.id,
            staff_member_id=s.staff_id(persona),
            day=WEDNESDAY,
            kind=kind,
            start=start,
            minutes=60 if kind == "individual" else 30,
        )
        appointment_service.complete_appointment(
            db,
            actor=actor_for(db, s.user(persona)),
            appointment_id=visit.id,
            status="completed",
            actual_minutes=minutes,
        )
    return s, pat


def test_compliance_shape_and_figures_from_the_ledger(client, db) -> None:
    s, pat = _week_on_record(db)
    response = client.get(
        f"/api/v1/enrollments/{pat.id}/compliance?week=2026-W49",
        headers=bearer(db, s.user("care_counselor")),
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert list(body) == KEYS
    assert body == {
        "week": "2026-W49",
        "group_minutes": 330,
        "group_days": 2,
        "required_group_minutes": 900,
        "individual_minutes": 50,
        "physician_visits": 1,
        "compliant": False,
        "gaps": [
            "2 of 5 group days attended",
            "only 5.5 h of group attended, below the 9 h minimum",
        ],
    }
    audited = events(db, action="compliance.read")
    assert [(e.patient_id, e.outcome, e.object_id) for e in audited] == [
        (pat.patient_id, "allowed", str(pat.id))
    ]


def test_another_week_is_empty_and_the_default_is_this_week(client, db) -> None:
    s, pat = _week_on_record(db)
    headers = bearer(db, s.user("director"))
    earlier = client.get(f"/api/v1/enrollments/{pat.id}/compliance?week=2026-W48", headers=headers)
    assert earlier.json()["group_minutes"] == 0
    assert "no physician visit" in earlier.json()["gaps"]
    current = client.get(f"/api/v1/enrollments/{pat.id}/compliance", headers=headers)
    assert current.json()["week"] == "2026-W49" and current.json()["group_minutes"] == 330


@pytest.mark.parametrize("week", ["2026-49", "2026-W54", "2025-W53", "W49", "2026-w49x", ""])
def test_a_bad_week_is_422_naming_the_field(client, db, week) -> None:
    s, pat = _week_on_record(db)
    response = client.get(
        f"/api/v1/enrollments/{pat.id}/compliance",
        params={"week": week},
        headers=bearer(db, s.user("care_counselor")),
    )
    assert response.status_code == 422
    assert "week" in response.json()["fields"]


@pytest.mark.parametrize(
    "persona", ["care_counselor", "care_physician", "director", "billing", "admin"]
)
def test_care_team_directors_and_billing_read(client, db, persona) -> None:
    s, pat = _week_on_record(db)
    response = client.get(
        f"/api/v1/enrollments/{pat.id}/compliance?week=2026-W49",
        headers=bearer(db, s.user(persona)),
    )
    assert response.status_code == 200
    assert response.json()["group_minutes"] == 330


@pytest.mark.parametrize(
    "persona",
    [
        "site_counselor",  # same site, not on the care team: no clinical figures
        "other_site_counselor",
        "front_desk",
        "admissions",
        "auditor",
        "patient",
    ],
)
def test_others_are_refused_and_the_refusal_audited(client, db, persona) -> None:
    s, pat = _week_on_record(db)
    user = s.user(persona)
    response = client.get(
        f"/api/v1/enrollments/{pat.id}/compliance?week=2026-W49", headers=bearer(db, user)
    )
    assert response.status_code == 403
    assert "group_minutes" not in response.text
    refused = events(db, action="compliance.read", outcome="refused", email=user.email)
    assert len(refused) == 1


def test_unknown_enrollment_is_404(client, db) -> None:
    s, _ = _week_on_record(db)
    response = client.get(
        "/api/v1/enrollments/987654/compliance?week=2026-W49",
        headers=bearer(db, s.user("director")),
    )
    assert response.status_code == 404


def test_billing_reads_the_minutes_ledger(client, db) -> None:
    s, pat = _week_on_record(db)
    response = client.get(
        f"/api/v1/enrollments/{pat.id}/minutes?from=2026-11-30&to=2026-12-06",
        headers=bearer(db, s.user("billing")),
    )
    assert response.status_code == 200, response.text
    days = {d["service_date"]: d for d in response.json()["days"]}
    assert list(days) == ["2026-11-30", "2026-12-01", "2026-12-02"]
    assert days["2026-11-30"]["group_minutes"] == 180
    assert days["2026-12-01"]["group_minutes"] == 150
    wednesday = days["2026-12-02"]
    assert (wednesday["group_minutes"], wednesday["group_scheduled_minutes"]) == (0, 180)
    assert (wednesday["individual_minutes"], wednesday["individual_sessions"]) == (50, 1)
    assert wednesday["individual_session_minutes"] == [50]
    assert days["2026-11-30"]["individual_session_minutes"] == []
    assert (wednesday["physician_minutes"], wednesday["physician_visits"]) == (20, 1)
    assert events(db, action="minutes.read")[0].patient_id == pat.patient_id
    # Monday and Tuesday were entered on Wednesday: late entries, kept with their reason.
    corrections = response.json()["corrections"]
    assert [(c["service_date"], c["object_type"]) for c in corrections] == [
        ("2026-11-30", "group_attendance"),
        ("2026-12-01", "group_attendance"),
    ]
    assert corrections[1]["before"] == {}
    assert corrections[1]["after"]["status"] == "late"
    assert corrections[1]["reason"] == "Entered from the paper sign-in sheet"


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("from=2026-12-06&to=2026-11-30", "to"),
        ("from=2025-01-01&to=2026-12-06", "to"),
        ("from=yesterday&to=2026-12-06", "from"),
        ("to=2026-12-06", "from"),
    ],
)
def test_bad_ledger_ranges_name_the_field(client, db, query, field) -> None:
    s, pat = _week_on_record(db)
    response = client.get(
        f"/api/v1/enrollments/{pat.id}/minutes?{query}", headers=bearer(db, s.user("billing"))
    )
    assert response.status_code == 422
    assert field in response.json()["fields"]


@pytest.mark.parametrize("persona", ["auditor", "patient", "other_site_counselor", "front_desk"])
def test_the_ledger_is_refused_to_others(client, db, persona) -> None:
    s, pat = _week_on_record(db)
    response = client.get(
        f"/api/v1/enrollments/{pat.id}/minutes?from=2026-11-30&to=2026-12-06",
        headers=bearer(db, s.user(persona)),
    )
    assert response.status_code == 403
