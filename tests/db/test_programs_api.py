"""The setup API (/api/v1): locations, rooms, programs, tracks and staff, through HTTP."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from openiop.kit.identifiers import npi_with_check_digit
from openiop.models import AuditEvent, Location, Program, Room, StaffMember, Track
from openiop.security import service as security
from openiop.security.audit import Actor
from tests import factories as f
from tests.personas import build_world

NEW_LOCATION = {
    "code": "OAK",
    "name": "Oakland Recovery Center",
    "address_line1": "12 Example Way",
    "city": "Oakland",
    "postal_code": "94607",
    "phone": "555.010.0123",
}


@pytest.fixture
def world(db):
    return build_world(db)


def bearer(db, user) -> dict[str, str]:
    issued = security.create_token(
        db, user=user, name="t", expires_days=None, actor=Actor(None, "cli")
    )
    return {"Authorization": f"Bearer {issued.secret}"}


@pytest.fixture
def as_(db, world):
    """as_("director") -> headers for that persona's API token."""
    return lambda persona: bearer(db, world.user(persona))


def count(db, model) -> int:
    return db.scalar(select(func.count()).select_from(model))


def events(db, action: str, outcome: str | None = None) -> list[AuditEvent]:
    query = select(AuditEvent).where(AuditEvent.action == action)
    if outcome:
        query = query.where(AuditEvent.outcome == outcome)
    return list(db.scalars(query.order_by(AuditEvent.seq)))


# ---- locations ------------------------------------------------------------------------------


def test_admin_creates_a_location_and_it_is_audited(client, db, as_):
    response = client.post("/api/v1/locations", json=NEW_LOCATION, headers=as_("admin"))
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["phone"] == "(555) 010-0123"
    assert body["state"] == "CA" and body["time_zone"] == "America/Los_Angeles"
    assert body["version"] == 1
    [event] = events(db, "location.create")
    assert (event.outcome, event.object_type, event.object_id) == (
        "allowed",
        "location",
        str(body["id"]),
    )
    assert "code=OAK" in event.detail and event.channel == "api"


def test_invalid_location_is_422_naming_each_field_and_writes_nothing(client, db, as_):
    before = count(db, Location)
    bad = {
        **NEW_LOCATION,
        "state": "NV",
        "postal_code": "10001",
        "time_zone": "Mars/Olympus",
        "npi": "1234567890",
        "phone": "555-0123",
    }
    response = client.post("/api/v1/locations", json=bad, headers=as_("admin"))
    assert response.status_code == 422
    fields = response.json()["fields"]
    assert set(fields) == {"state", "postal_code", "time_zone", "npi", "phone"}
    assert "California" in fields["postal_code"]
    assert count(db, Location) == before
    assert events(db, "location.create") == []


def test_a_missing_or_mistyped_field_is_422_naming_it(client, as_):
    body = {k: v for k, v in NEW_LOCATION.items() if k != "name"}
    response = client.post("/api/v1/locations", json=body, headers=as_("admin"))
    assert response.status_code == 422
    assert "name" in response.json()["fields"]
    response = client.post(
        "/api/v1/locations/1/rooms", json={"name": "A", "capacity": "many"}, headers=as_("admin")
    )
    assert response.status_code == 422 and "capacity" in response.json()["fields"]


def test_location_codes_are_unique_whatever_the_case(client, as_, world):
    response = client.post(
        "/api/v1/locations",
        json={**NEW_LOCATION, "code": world.site_a.code.lower()},
        headers=as_("admin"),
    )
    assert response.status_code == 422
    assert "already uses the code" in response.json()["fields"]["code"]


def test_second_edit_from_the_same_version_is_a_409(client, db, as_, world):
    url, headers = f"/api/v1/locations/{world.site_a.id}", as_("admin")
    first = client.patch(url, json={"version": 1, "name": "Site A North"}, headers=headers)
    assert first.status_code == 200 and first.json()["version"] == 2
    second = client.patch(url, json={"version": 1, "name": "Site A South"}, headers=headers)
    assert second.status_code == 409
    assert "changed by someone else" in second.json()["detail"]
    assert client.get(url, headers=headers).json()["name"] == "Site A North"
    [event] = events(db, "location.update")
    assert event.detail == "name: Site A → Site A North"


def test_patch_can_clear_an_optional_field_but_not_a_required_one(client, as_, world):
    url, headers = f"/api/v1/locations/{world.site_a.id}", as_("admin")
    assert (
        client.patch(url, json={"version": 1, "npi": None}, headers=headers).json()["npi"] is None
    )
    response = client.patch(url, json={"version": 2, "city": None}, headers=headers)
    assert response.status_code == 422 and response.json()["fields"] == {"city": "Required."}


def test_unknown_ids_are_404(client, as_):
    headers = as_("admin")
    for url in (
        "/api/v1/locations/999999",
        "/api/v1/programs/999999",
        "/api/v1/tracks/999999",
        "/api/v1/staff/999999",
        "/api/v1/rooms/999999",
        "/api/v1/locations/99999999999",
    ):
        assert client.get(url, headers=headers).status_code == 404, url
    patched = client.patch("/api/v1/rooms/999999", json={"version": 1}, headers=headers)
    assert patched.status_code == 404
    posted = client.post(
        "/api/v1/locations/999999/rooms", json={"name": "A", "capacity": 3}, headers=headers
    )
    assert posted.status_code == 404


def test_location_detail_lists_its_rooms(client, db, as_, world):
    f.room(db, location_id=world.site_a.id, name="Group Room 1", capacity=14)
    body = client.get(f"/api/v1/locations/{world.site_a.id}", headers=as_("billing")).json()
    assert [(r["name"], r["capacity"]) for r in body["rooms"]] == [("Group Room 1", 14)]


# ---- who may do what ------------------------------------------------------------------------


def test_program_director_may_not_create_a_location(client, db, as_):
    before = count(db, Location)
    response = client.post("/api/v1/locations", json=NEW_LOCATION, headers=as_("director"))
    assert response.status_code == 403
    assert "administrator" in response.json()["detail"]
    assert count(db, Location) == before
    [event] = events(db, "location.create")
    assert event.outcome == "refused" and event.user_email == "director@example.org"


def test_program_director_edits_a_track_at_their_site_but_not_at_another(client, db, as_, world):
    headers = as_("director")
    ok = client.patch(
        f"/api/v1/tracks/{world.track_a.id}",
        json={"version": 1, "name": "Mornings"},
        headers=headers,
    )
    assert ok.status_code == 200 and ok.json()["name"] == "Mornings"
    other = f.track(db, program_id=world.program.id, location_id=world.site_b.id, name="B mornings")
    refused = client.patch(
        f"/api/v1/tracks/{other.id}", json={"version": 1, "name": "Taken"}, headers=headers
    )
    assert refused.status_code == 403
    db.expire_all()
    assert db.get(Track, other.id).name == "B mornings"
    allowed, denied = events(db, "track.update")
    assert (allowed.outcome, allowed.object_id) == ("allowed", str(world.track_a.id))
    assert (denied.outcome, denied.object_id) == ("refused", str(other.id))


def test_program_director_may_not_move_a_track_to_another_site(client, as_, world):
    response = client.patch(
        f"/api/v1/tracks/{world.track_a.id}",
        json={"version": 1, "location_id": world.site_b.id},
        headers=as_("director"),
    )
    assert response.status_code == 403


def test_program_director_adds_rooms_and_staff_only_at_their_site(client, db, as_, world):
    headers = as_("director")
    room = client.post(
        f"/api/v1/locations/{world.site_a.id}/rooms",
        json={"name": "Annex", "capacity": 8},
        headers=headers,
    )
    assert room.status_code == 201
    elsewhere = client.post(
        f"/api/v1/locations/{world.site_b.id}/rooms",
        json={"name": "Annex", "capacity": 8},
        headers=headers,
    )
    assert elsewhere.status_code == 403
    person = {
        "first_name": "Avery",
        "last_name": "Fernwhistle",
        "email": "avery@example.org",
        "credentials": ["AMFT"],
        "location_ids": [world.site_a.id],
    }
    assert client.post("/api/v1/staff", json=person, headers=headers).status_code == 201
    person = {**person, "email": "b@example.org", "location_ids": [world.site_b.id]}
    assert client.post("/api/v1/staff", json=person, headers=headers).status_code == 403
    assert [e.outcome for e in events(db, "room.create")] == ["allowed", "refused"]
    assert [e.outcome for e in events(db, "staff.create")] == ["allowed", "refused"]


def test_program_director_may_not_change_programs(client, db, as_, world):
    response = client.patch(
        f"/api/v1/programs/{world.program.id}",
        json={"version": 1, "name": "Renamed"},
        headers=as_("director"),
    )
    assert response.status_code == 403
    assert events(db, "program.update", "refused")


@pytest.mark.parametrize("persona", ["site_counselor", "billing", "front_desk", "auditor"])
def test_read_only_roles_read_but_every_write_is_refused_and_audited(
    client, db, as_, world, persona
):
    headers = as_(persona)
    for url in (
        "/api/v1/locations",
        "/api/v1/programs",
        "/api/v1/tracks",
        "/api/v1/staff",
        f"/api/v1/tracks/{world.track_a.id}",
        f"/api/v1/locations/{world.site_a.id}/rooms",
    ):
        assert client.get(url, headers=headers).status_code == 200, url
    writes = [
        ("post", "/api/v1/locations", NEW_LOCATION, "location.create"),
        (
            "patch",
            f"/api/v1/locations/{world.site_a.id}",
            {"version": 1, "name": "X"},
            "location.update",
        ),
        (
            "post",
            f"/api/v1/locations/{world.site_a.id}/rooms",
            {"name": "R", "capacity": 5},
            "room.create",
        ),
        ("post", "/api/v1/programs", {"code": "P", "name": "P"}, "program.create"),
        (
            "patch",
            f"/api/v1/tracks/{world.track_a.id}",
            {"version": 1, "name": "X"},
            "track.update",
        ),
        (
            "post",
            "/api/v1/staff",
            {
                "first_name": "A",
                "last_name": "B",
                "email": "ab@example.org",
                "location_ids": [world.site_a.id],
            },
            "staff.create",
        ),
    ]
    for method, url, body, action in writes:
        response = client.request(method, url, json=body, headers=headers)
        assert response.status_code == 403, (url, response.text)
        [event] = events(db, action, "refused")
        assert event.user_email == f"{persona}@example.org"


def test_a_patient_may_not_even_read_the_setup(client, db, as_):
    headers = as_("patient")
    assert client.get("/api/v1/locations", headers=headers).status_code == 403
    assert client.post("/api/v1/locations", json=NEW_LOCATION, headers=headers).status_code == 403
    assert events(db, "location.read", "refused") and events(db, "location.create", "refused")


def test_without_a_token_the_api_answers_401(client, world):
    assert client.get("/api/v1/locations").status_code == 401
    response = client.post("/api/v1/locations", json=NEW_LOCATION)
    assert response.status_code == 401 and response.headers["www-authenticate"] == "Bearer"
    bad = client.get("/api/v1/staff", headers={"Authorization": "Bearer oiop_not-a-token"})
    assert bad.status_code == 401


# ---- rooms ----------------------------------------------------------------------------------


def test_room_names_are_unique_per_location_and_capacity_positive(client, db, as_, world):
    headers, url = as_("admin"), f"/api/v1/locations/{world.site_a.id}/rooms"
    assert (
        client.post(
            url, json={"name": "Oak", "capacity": 10, "telehealth": True}, headers=headers
        ).status_code
        == 201
    )
    again = client.post(url, json={"name": "oak", "capacity": 10}, headers=headers)
    assert again.status_code == 422 and "already has a room" in again.json()["fields"]["name"]
    empty = client.post(url, json={"name": "Pine", "capacity": 0}, headers=headers)
    assert empty.status_code == 422 and "capacity" in empty.json()["fields"]
    other_site = client.post(
        f"/api/v1/locations/{world.site_b.id}/rooms",
        json={"name": "Oak", "capacity": 10},
        headers=headers,
    )
    assert other_site.status_code == 201
    assert count(db, Room) == 2


def test_a_room_cannot_shrink_below_a_track_that_meets_there(client, db, as_, world):
    room = f.room(db, location_id=world.site_a.id, capacity=12)
    f.track(
        db,
        program_id=world.program.id,
        location_id=world.site_a.id,
        room_id=room.id,
        group_size_cap=10,
        name="Evenings",
    )
    response = client.patch(
        f"/api/v1/rooms/{room.id}", json={"version": 1, "capacity": 8}, headers=as_("admin")
    )
    assert response.status_code == 422
    assert "Evenings" in response.json()["fields"]["capacity"]
    ok = client.patch(
        f"/api/v1/rooms/{room.id}", json={"version": 1, "capacity": 10}, headers=as_("admin")
    )
    assert ok.status_code == 200 and ok.json()["version"] == 2
    assert events(db, "room.update")[0].detail == "capacity: 12 → 10"


# ---- programs -------------------------------------------------------------------------------


def test_a_new_program_takes_the_seed_policy_and_its_levels_bounds(client, as_):
    headers = as_("admin")
    adult = client.post(
        "/api/v1/programs", json={"code": "AIOP", "name": "Adult IOP"}, headers=headers
    )
    assert adult.status_code == 201
    body = adult.json()
    assert (body["group_days_per_week"], body["group_hours_per_day"]) == (5, 3.0)
    assert (body["min_weekly_hours"], body["max_weekly_hours"]) == (9.0, 19.0)
    assert (body["individual_min_minutes"], body["physician_visits_per_week"]) == (50, 1)
    assert body["summary"] == "5 days × 3 h = 15 h a week, within 9–19 h"
    teen = client.post(
        "/api/v1/programs",
        json={
            "code": "TIOP",
            "name": "Teen IOP",
            "population": "adolescent",
            "group_days_per_week": 3,
        },
        headers=headers,
    )
    assert teen.status_code == 201
    assert (teen.json()["min_weekly_hours"], teen.json()["max_weekly_hours"]) == (6.0, 19.0)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"min_weekly_hours": 8}, "min_weekly_hours"),
        ({"max_weekly_hours": 21}, "max_weekly_hours"),
        ({"group_hours_per_day": 1}, "group_hours_per_day"),
        ({"group_days_per_week": 0}, "group_days_per_week"),
        ({"individual_min_minutes": 0}, "individual_min_minutes"),
        ({"asam_level": "3.7"}, "asam_level"),
    ],
)
def test_an_invalid_policy_is_422_and_writes_nothing(client, db, as_, body, field):
    before = count(db, Program)
    response = client.post(
        "/api/v1/programs", json={"code": "X1", "name": "X", **body}, headers=as_("admin")
    )
    assert response.status_code == 422
    assert field in response.json()["fields"]
    assert count(db, Program) == before


def test_program_policy_edit_is_audited_and_versioned(client, db, as_, world):
    url, headers = f"/api/v1/programs/{world.program.id}", as_("admin")
    change = {"version": 1, "group_days_per_week": 4, "group_hours_per_day": 3.5}
    response = client.patch(url, json=change, headers=headers)
    assert response.status_code == 200
    assert response.json()["summary"] == "4 days × 3.5 h = 14 h a week, within 9–19 h"
    [event] = events(db, "program.update")
    assert "group_days_per_week: 5 → 4" in event.detail and "group_hours_per_day" in event.detail
    assert client.patch(url, json=change, headers=headers).status_code == 409


# ---- tracks ---------------------------------------------------------------------------------


def _track_body(world, **changes):
    return {
        "program_id": world.program.id,
        "location_id": world.site_a.id,
        "name": "Evenings",
        "weekdays": "54321",
        "start_time": "17:30",
        "end_time": "20:30",
        **changes,
    }


def test_admin_creates_a_track_with_room_and_facilitators(client, db, as_, world):
    room = f.room(db, location_id=world.site_a.id, capacity=10)
    facilitator = world.user("facilitator").staff_member_id
    response = client.post(
        "/api/v1/tracks",
        json=_track_body(world, room_id=room.id, group_size_cap=10, facilitator_ids=[facilitator]),
        headers=as_("admin"),
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["weekdays"] == "12345" and body["facilitator_ids"] == [facilitator]
    assert body["start_time"] == "17:30:00"
    [event] = events(db, "track.create")
    assert f"facilitator_ids=[{facilitator}]" in event.detail


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"end_time": "17:00"}, "end_time"),
        ({"end_time": "19:30"}, "end_time"),
        ({"weekdays": "135"}, "weekdays"),
        ({"weekdays": "19"}, "weekdays"),
        ({"group_size_cap": 0}, "group_size_cap"),
        ({"program_id": 999999}, "program_id"),
        ({"start_time": "late"}, "start_time"),
    ],
)
def test_an_invalid_track_is_422_and_writes_nothing(client, db, as_, world, changes, field):
    before = count(db, Track)
    response = client.post(
        "/api/v1/tracks", json=_track_body(world, **changes), headers=as_("admin")
    )
    assert response.status_code == 422
    assert field in response.json()["fields"], response.json()
    assert count(db, Track) == before


def test_a_track_uses_a_room_of_its_own_location_within_capacity(client, as_, world, db):
    here = f.room(db, location_id=world.site_a.id, capacity=8)
    there = f.room(db, location_id=world.site_b.id, capacity=20)
    headers = as_("admin")
    wrong_site = client.post(
        "/api/v1/tracks", json=_track_body(world, room_id=there.id), headers=headers
    )
    assert wrong_site.status_code == 422 and "room_id" in wrong_site.json()["fields"]
    too_big = client.post(
        "/api/v1/tracks",
        json=_track_body(world, room_id=here.id, group_size_cap=9),
        headers=headers,
    )
    assert too_big.json()["fields"] == {
        "group_size_cap": "The group size cap is above the room's capacity (8)."
    }


def test_facilitators_must_work_at_the_tracks_location(client, as_, world):
    outsider = world.user("other_site_counselor").staff_member_id
    response = client.post(
        "/api/v1/tracks", json=_track_body(world, facilitator_ids=[outsider]), headers=as_("admin")
    )
    assert response.status_code == 422
    assert "Not working at this track's location" in response.json()["fields"]["facilitator_ids"]
    response = client.patch(
        f"/api/v1/tracks/{world.track_a.id}",
        json={"version": 1, "facilitator_ids": [999999]},
        headers=as_("admin"),
    )
    assert "No staff member with id 999999" in response.json()["fields"]["facilitator_ids"]


def test_changing_only_facilitators_bumps_the_version(client, db, as_, world):
    counselor = world.user("site_counselor").staff_member_id
    url = f"/api/v1/tracks/{world.track_a.id}"
    response = client.patch(
        url, json={"version": 1, "facilitator_ids": [counselor]}, headers=as_("admin")
    )
    assert response.json()["facilitator_ids"] == [counselor] and response.json()["version"] == 2
    stale = client.patch(url, json={"version": 1, "facilitator_ids": []}, headers=as_("admin"))
    assert stale.status_code == 409


def test_tracks_filter_by_location(client, db, as_, world):
    f.track(db, program_id=world.program.id, location_id=world.site_b.id, name="B track")
    body = client.get(
        f"/api/v1/tracks?location_id={world.site_b.id}", headers=as_("billing")
    ).json()
    assert [t["name"] for t in body["items"]] == ["B track"] and body["total"] == 1


# ---- staff ----------------------------------------------------------------------------------


def _person(world, **changes):
    return {
        "first_name": "Rowan",
        "last_name": "Bramblecote",
        "email": "rowan@example.org",
        "credentials": ["lcsw", "CADC"],
        "location_ids": [world.site_a.id],
        "caseload_cap": 18,
        "weekly_hours": 37.5,
        **changes,
    }


def test_admin_adds_a_staff_member(client, db, as_, world):
    response = client.post(
        "/api/v1/staff", json=_person(world, email="Rowan@Example.ORG"), headers=as_("admin")
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["credentials"] == ["LCSW", "CADC"] and body["email"] == "rowan@example.org"
    assert body["weekly_hours"] == 37.5 and body["needs_supervision"] is False
    assert events(db, "staff.create")[0].object_type == "staff_member"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"credentials": ["MD"]}, "npi"),
        ({"credentials": ["MD"], "npi": "1234567890"}, "npi"),
        ({"credentials": ["Shaman"]}, "credentials"),
        ({"location_ids": []}, "location_ids"),
        ({"location_ids": [999999]}, "location_ids"),
        ({"weekly_hours": 81}, "weekly_hours"),
        ({"caseload_cap": -1}, "caseload_cap"),
        ({"email": "not-an-email"}, "email"),
        ({"email": "CARE_COUNSELOR@example.org"}, "email"),
        ({"first_name": ""}, "first_name"),
    ],
)
def test_an_invalid_staff_member_is_422_and_writes_nothing(client, db, as_, world, changes, field):
    before = count(db, StaffMember)
    response = client.post("/api/v1/staff", json=_person(world, **changes), headers=as_("admin"))
    assert response.status_code == 422
    assert field in response.json()["fields"], response.json()
    assert count(db, StaffMember) == before


def test_a_physician_needs_a_valid_npi(client, as_, world):
    response = client.post(
        "/api/v1/staff",
        json=_person(world, credentials=["MD"], npi=npi_with_check_digit("198765432")),
        headers=as_("admin"),
    )
    assert response.status_code == 201


def test_a_facilitator_cannot_leave_the_site_of_their_track(client, as_, world):
    staff_id = world.user("facilitator").staff_member_id
    response = client.patch(
        f"/api/v1/staff/{staff_id}",
        json={"version": 1, "location_ids": [world.site_b.id]},
        headers=as_("admin"),
    )
    assert response.status_code == 422
    assert "take them off those tracks" in response.json()["fields"]["location_ids"]


def test_staff_edit_conflict_and_scope(client, db, as_, world):
    staff_id = world.user("site_counselor").staff_member_id
    url = f"/api/v1/staff/{staff_id}"
    first = client.patch(url, json={"version": 1, "caseload_cap": 25}, headers=as_("director"))
    assert first.status_code == 200 and first.json()["caseload_cap"] == 25
    assert (
        client.patch(
            url, json={"version": 1, "caseload_cap": 30}, headers=as_("director")
        ).status_code
        == 409
    )
    other = world.user("other_site_counselor").staff_member_id
    refused = client.patch(
        f"/api/v1/staff/{other}", json={"version": 1, "caseload_cap": 1}, headers=as_("director")
    )
    assert refused.status_code == 403
    assert [e.outcome for e in events(db, "staff.update")] == ["allowed", "refused"]


def test_staff_lists_page_and_filter(client, db, as_, world):
    headers = as_("admin")
    page = client.get("/api/v1/staff?page=2&size=3", headers=headers).json()
    total = count(db, StaffMember)
    assert (page["total"], page["page"], page["size"], len(page["items"])) == (total, 2, 3, 3)
    at_b = client.get(f"/api/v1/staff?location_id={world.site_b.id}", headers=headers).json()
    assert [s["email"] for s in at_b["items"]] == ["other_site_counselor@example.org"]
