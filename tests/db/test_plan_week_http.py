"""Plan next week through HTTP: the JSON API (202, read, accept, errors) and the pages (start,
progress fragment, review, accept selected), with the worker run inline in the test."""

from __future__ import annotations

import re
from datetime import datetime

import pytest
from sqlalchemy import select

from openiop.calendar.planning_jobs import InlineWorker
from openiop.models import Appointment, PlanRun, StaffTimeOff
from tests.db.support_calendar import MONDAY, bearer, events
from tests.db.support_planning import planning_scene, quick_solve
from tests.personas import csrf_of, sign_in


@pytest.fixture
def scene(db, app, session_factory):
    app.state.plan_worker = InlineWorker(session_factory, solver=quick_solve)
    return planning_scene(db)


def _api_start(client, db, scene, persona="director", week="2026-W50"):  # type: ignore[no-untyped-def]
    headers = bearer(db, scene.world.user(persona))
    url = f"/api/v1/locations/{scene.world.site_a.id}/plans?week={week}&time_limit=5"
    return client.post(url, headers=headers), headers


# ---- API -------------------------------------------------------------------------------------


def test_api_start_returns_202_and_the_run_finishes_in_the_background(client, db, scene):
    response, headers = _api_start(client, db, scene)
    assert response.status_code == 202, response.text
    body = response.json()
    assert body["status"] == "queued" and body["week"] == "2026-W50"
    run = client.get(body["href"], headers=headers).json()
    assert run["status"] == "done" and run["progress"] == 100
    assert run["summary"]["proposed"] == 4
    assert {i["id"] for i in run["proposal"]["items"]} == {"i1", "i2", "i3", "i4"}

    accepted = client.post(
        f"/api/v1/plans/{body['id']}/accept", json={"items": ["i1", "i3"]}, headers=headers
    )
    assert accepted.status_code == 200, accepted.text
    created = accepted.json()["created"]
    assert [c["item"] for c in created] == ["i1", "i3"] and accepted.json()["refused"] == []
    rows = db.scalars(select(Appointment).where(Appointment.plan_run_id == body["id"])).all()
    assert sorted(r.id for r in rows) == sorted(c["appointment_id"] for c in created)


def test_api_refuses_a_second_run_and_bad_input(client, db, scene):
    headers = bearer(db, scene.world.user("director"))
    # Queue one without running it, as if the worker were still busy.
    busy = PlanRun(location_id=scene.world.site_a.id, week_start=MONDAY, status="running",
                   active_key=f"{scene.world.site_a.id}:2026-12-07", accepted={})  # fmt: skip
    db.add(busy)
    db.flush()
    second, _ = _api_start(client, db, scene)
    assert second.status_code == 409 and "already running" in second.json()["detail"]
    bad, _ = _api_start(client, db, scene, week="2026-50")
    assert bad.status_code == 422 and "week" in bad.json()["fields"]
    url = f"/api/v1/locations/{scene.world.site_a.id}/plans?week=2026-W51&time_limit=999"
    slow = client.post(url, headers=headers)
    assert slow.status_code == 422 and "time_limit" in slow.json()["fields"]
    missing = client.post("/api/v1/locations/99999/plans?week=2026-W50", headers=headers)
    assert missing.status_code == 404


@pytest.mark.parametrize("persona", ["care_counselor", "front_desk", "billing", "auditor"])
def test_api_refuses_other_roles_and_audits_it(client, db, scene, persona):
    response, _ = _api_start(client, db, scene, persona)
    assert response.status_code == 403
    assert events(db, "schedule.plan.start", "refused")
    assert db.scalar(select(PlanRun.id)) is None


def test_api_refuses_another_sites_run(client, db, scene):
    response, _ = _api_start(client, db, scene, "admin")
    run_id = response.json()["id"]
    outsider = bearer(db, scene.world.user("other_site_counselor"))
    assert client.get(f"/api/v1/plans/{run_id}", headers=outsider).status_code == 403
    scene.world.user("other_site_counselor").role = "program_director"
    db.flush()
    elsewhere = client.get(f"/api/v1/plans/{run_id}", headers=outsider)
    assert elsewhere.status_code == 403 and "outside your sites" in elsewhere.json()["detail"]
    refused = events(db, "schedule.plan.view", "refused")
    assert refused and refused[-1].object_type == "plan_run"


def test_api_accept_with_unknown_item_is_422(client, db, scene):
    response, headers = _api_start(client, db, scene)
    url = f"/api/v1/plans/{response.json()['id']}/accept"
    bad = client.post(url, json={"items": ["i1", "nope"]}, headers=headers)
    assert bad.status_code == 422 and "nope" in bad.json()["fields"]["items"]
    assert db.scalar(select(Appointment.id).where(Appointment.plan_run_id.is_not(None))) is None


# ---- pages -----------------------------------------------------------------------------------


def test_pages_plan_review_and_accept_selected(client, db, scene):
    sign_in(client, "director@example.org")
    start = client.get("/schedule/plan")
    assert start.status_code == 200
    assert 'value="2026-W50"' in start.text and "Site A" in start.text
    token = csrf_of(client, "/schedule/plan")
    posted = client.post(
        "/schedule/plan",
        data={"csrf_token": token, "location_id": str(scene.world.site_a.id),
              "week": "2026-W50", "time_limit": "5"},
        follow_redirects=False,
    )  # fmt: skip
    assert posted.status_code == 303
    page_url = posted.headers["location"]
    run_id = int(page_url.rsplit("/", 1)[1])

    fragment = client.get(f"{page_url}/progress")
    assert fragment.headers.get("HX-Redirect") == page_url  # done: HTMX loads the review

    review = client.get(page_url)
    assert review.status_code == 200 and review.headers["Cache-Control"] == "no-store"
    assert "Jo Brightwater" in review.text and "Pat Quillfeather" in review.text
    assert review.text.count('name="item"') == 4
    first = re.search(r'name="item" value="(i\d+)"', review.text)[1]

    accepted = client.post(
        f"{page_url}/accept", data={"csrf_token": token, "item": first, "selected": "1"}
    )
    assert accepted.status_code == 200
    assert "Created 1 appointment." in accepted.text
    assert accepted.text.count('name="item"') == 3
    assert "Booked" in accepted.text
    assert db.get(PlanRun, run_id).accepted.keys() == {first}


def test_page_start_while_running_shows_the_form_with_the_reason(client, db, scene):
    busy = PlanRun(location_id=scene.world.site_a.id, week_start=MONDAY, status="running",
                   progress=40, active_key=f"{scene.world.site_a.id}:2026-12-07", accepted={})  # fmt: skip
    db.add(busy)
    db.flush()
    sign_in(client, "admissions@example.org")
    token = csrf_of(client, "/schedule/plan")
    response = client.post(
        "/schedule/plan",
        data={"csrf_token": token, "location_id": str(scene.world.site_a.id),
              "week": "2026-W50", "time_limit": "5"},
    )  # fmt: skip
    assert response.status_code == 409
    assert "A plan for this week is already being made." in response.text
    assert 'value="2026-W50"' in response.text
    progress = client.get(f"/schedule/plan/runs/{busy.id}")
    assert 'hx-trigger="every 1s"' in progress.text and 'value="40"' in progress.text


def test_page_shows_a_failed_runs_error(client, db, scene):
    failed = PlanRun(location_id=scene.world.site_a.id, week_start=MONDAY, status="failed",
                     error="RuntimeError: solver crashed", accepted={})  # fmt: skip
    db.add(failed)
    db.flush()
    sign_in(client, "director@example.org")
    page = client.get(f"/schedule/plan/runs/{failed.id}")
    assert "did not finish" in page.text and "RuntimeError: solver crashed" in page.text


@pytest.mark.parametrize("persona", ["care_counselor", "front_desk"])
def test_pages_refuse_other_roles_and_hide_the_menu(client, db, scene, persona):
    sign_in(client, f"{persona}@example.org")
    assert client.get("/schedule/plan").status_code == 403
    assert "/schedule/plan" not in client.get("/account").text


def test_page_accept_all_names_an_item_that_no_longer_fits(client, db, scene):
    response, headers = _api_start(client, db, scene)
    run = client.get(response.json()["href"], headers=headers).json()
    jo_item = next(
        i for i in run["proposal"]["items"]
        if i["patient_id"] == scene.jo.id and i["kind"] == "physician"
    )  # fmt: skip
    # Since the run, the physician took time off over that visit.
    db.add(StaffTimeOff(staff_member_id=jo_item["staff_id"],
                        starts_at=datetime.fromisoformat(jo_item["starts_at"]),
                        ends_at=datetime.fromisoformat(jo_item["ends_at"]), reason="conference"))  # fmt: skip
    db.flush()
    sign_in(client, "director@example.org")
    token = csrf_of(client, f"/schedule/plan/runs/{run['id']}")
    page = client.post(
        f"/schedule/plan/runs/{run['id']}/accept", data={"csrf_token": token, "all": "1"}
    )
    assert page.status_code == 200
    assert "Created 3 appointments." in page.text
    assert "1 could not be booked" in page.text
    assert "Jo Brightwater: physician visit" in page.text and "time off (conference)" in page.text
    assert page.text.count('name="item"') == 1  # the refused one may be tried again later
    assert "Accept all 1 remaining" in page.text
