"""Who may read and change clinical records — pages and API — and who is refused (audited).

Pat Quillfeather at site A: primary counselor, physician and the track facilitator are her
care team; the director runs site A. Everyone else is refused the chart, including admins
(limited face-sheet access), auditors (no charts) and Pat herself (she sees her own signed
plan under /me/plan, never drafts, measures or screens).
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy import func, select

from openiop.models import MeasureAdministration
from tests.db.support_clinical import complete_plan, events, freeze, signed_plan
from tests.db.test_patients_support import bearer
from tests.personas import build_world, csrf_of, sign_in


@dataclass(frozen=True)
class Expect:
    read: bool
    write: bool
    worklist: bool  # site A's work list


TABLE = {
    "care_counselor": Expect(True, True, True),
    "care_physician": Expect(True, True, True),
    "facilitator": Expect(True, True, True),
    "director": Expect(True, True, True),
    "site_counselor": Expect(False, False, True),  # own (empty) caseload only
    "other_site_counselor": Expect(False, False, False),
    "admissions": Expect(False, False, False),
    "billing": Expect(False, False, False),
    "front_desk": Expect(False, False, False),
    "auditor": Expect(False, False, False),
    "admin": Expect(False, False, False),
    "patient": Expect(False, False, False),
}


@pytest.fixture
def world(db):
    freeze()
    return build_world(db)


def _phq9(token: str) -> dict[str, str]:
    return {"csrf_token": token} | {f"item_{n}": "0" for n in range(1, 10)}


@pytest.mark.parametrize("persona", list(TABLE))
def test_pages_follow_the_permission_table(client, db, world, persona):
    expect = TABLE[persona]
    user = world.user(persona)
    sign_in(client, user.email)
    token = csrf_of(client)
    pid = world.patient.id

    chart = client.get(f"/patients/{pid}/clinical")
    plan = client.get(f"/patients/{pid}/plan")
    assert chart.status_code == (200 if expect.read else 403)
    assert plan.status_code == (200 if expect.read else 403)
    if not expect.read:
        assert "Quillfeather" not in chart.text
        assert events(db, "clinical.read", "refused")[-1].user_email == user.email

    given = client.post(f"/patients/{pid}/measures/PHQ-9", data=_phq9(token))
    stored = db.scalar(select(func.count(MeasureAdministration.id)))
    assert stored == (1 if expect.write else 0)
    assert given.status_code == (200 if expect.write else 403)
    if not expect.write:
        assert events(db, "measure.give", "refused")[-1].user_email == user.email

    worklist = client.get(f"/clinical?location={world.site_a.id}")
    assert worklist.status_code == (200 if expect.worklist else 403)
    if persona == "site_counselor":
        assert "Quillfeather" not in worklist.text


@pytest.mark.parametrize("persona", list(TABLE))
def test_the_api_follows_the_same_table(client, db, world, persona):
    expect = TABLE[persona]
    headers = bearer(db, world.user(persona))
    pid = world.patient.id
    plan = client.get(f"/api/v1/patients/{pid}/treatment-plan", headers=headers)
    assert plan.status_code == (200 if expect.read else 403)
    screens = client.get(f"/api/v1/patients/{pid}/drug-screens", headers=headers)
    assert screens.status_code == (200 if expect.read else 403)
    body = {"instrument": "GAD-7", "answers": [0, 1, 0, 1, 0, 1, 0]}
    given = client.post(f"/api/v1/patients/{pid}/measures", json=body, headers=headers)
    assert given.status_code == (201 if expect.write else 403)
    if expect.write:
        assert given.json()["total"] == 3 and given.json()["band"] == "minimal"
    else:
        assert given.json()["error"] == "Not allowed"


def test_a_care_team_member_at_another_patient_is_refused(client, db, world):
    sign_in(client, world.user("care_counselor").email)
    other = world.other_patient.id
    assert client.get(f"/patients/{other}/clinical").status_code == 403
    assert client.get(f"/patients/{other}/discharge").status_code == 403


def test_the_patient_sees_only_their_own_signed_plan(client, db, world):
    complete_plan(db, world)  # a draft only
    sign_in(client, world.user("patient").email)
    page = client.get("/me/plan")
    assert page.status_code == 200 and "no signed treatment plan yet" in page.text
    assert "coping skills" not in page.text


def test_the_patient_reads_the_plan_they_signed_and_it_is_audited(client, db, world):
    signed_plan(db, world)
    sign_in(client, world.user("patient").email)
    page = client.get("/me/plan")
    assert page.status_code == 200
    assert "Name three coping skills that replace drinking" in page.text
    assert "You, as “Pat Quillfeather”" in page.text
    assert "Add an intervention" not in page.text and "Update status" not in page.text
    assert events(db, "plan.read_own")[-1].patient_id == world.patient.id


def test_staff_have_no_own_plan_page(client, db, world):
    sign_in(client, world.user("care_counselor").email)
    assert client.get("/me/plan").status_code == 404


def test_every_chart_read_is_audited_with_the_patient(client, db, world):
    sign_in(client, world.user("care_physician").email)
    client.get(f"/patients/{world.patient.id}/clinical")
    [event] = events(db, "clinical.read")
    assert event.patient_id == world.patient.id and event.user_email == "care_physician@example.org"


def test_an_admin_cannot_sign_even_with_emergency_access(client, db, world):
    plan = complete_plan(db, world)
    sign_in(client, world.user("admin").email)
    token = csrf_of(client)
    client.post(
        f"/patients/{world.patient.id}/break-glass",
        data={"csrf_token": token, "reason": "Covering a safety call tonight"},
    )
    assert client.get(f"/patients/{world.patient.id}/clinical").status_code == 200  # may read
    signed = client.post(
        f"/plans/{plan.id}/sign", data={"csrf_token": token, "signer": "counselor"}
    )
    assert signed.status_code == 403
    assert events(db, "plan.sign_counselor", "refused")
