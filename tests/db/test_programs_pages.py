"""The setup screens under /admin, driven through the real forms."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from openiop.models import AuditEvent, Location, Program, Room, StaffMember, Track
from tests import factories as f
from tests.personas import build_world, csrf_of, sign_in

LOCATION_FORM = {
    "code": "SJ",
    "name": "San Jose Recovery Center",
    "address_line1": "40 Example Ave",
    "city": "San Jose",
    "state": "CA",
    "postal_code": "95112",
    "phone": "5550100142",
    "time_zone": "America/Los_Angeles",
    "active": "1",
}


@pytest.fixture
def world(db):
    return build_world(db)


@pytest.fixture
def signed_in(client, world):
    """signed_in("director") -> the CSRF token of that persona's browser session."""

    def sign(persona: str) -> str:
        sign_in(client, world.user(persona).email)
        return csrf_of(client)

    return sign


def count(db, model) -> int:
    return db.scalar(select(func.count()).select_from(model))


def refusals(db, action: str) -> list[AuditEvent]:
    query = select(AuditEvent).where(AuditEvent.action == action, AuditEvent.outcome == "refused")
    return list(db.scalars(query))


def hidden_version(html: str) -> str:
    match = re.search(r'name="version" value="(\d+)"', html)
    assert match, "no version field"
    return match.group(1)


# ---- locations and rooms --------------------------------------------------------------------


def test_admin_creates_a_location_through_the_form(client, db, signed_in):
    token = signed_in("admin")
    response = client.post(
        "/admin/locations", data={**LOCATION_FORM, "csrf_token": token}, follow_redirects=False
    )
    assert response.status_code == 303
    page = client.get(response.headers["location"])
    assert "Saved." in page.text and "San Jose Recovery Center" in page.text
    row = db.scalars(select(Location).where(Location.code == "SJ")).one()
    assert row.phone == "(555) 010-0142" and row.active is True
    assert db.scalars(select(AuditEvent).where(AuditEvent.action == "location.create")).one()


def test_an_invalid_location_form_comes_back_filled_in_with_its_errors(client, db, signed_in):
    token = signed_in("admin")
    before = count(db, Location)
    bad = {**LOCATION_FORM, "state": "OR", "postal_code": "97201", "csrf_token": token}
    response = client.post("/admin/locations", data=bad)
    assert response.status_code == 422
    assert 'value="40 Example Ave"' in response.text  # what was typed stays
    assert "the state must be CA" in response.text
    assert "not a California ZIP" in response.text
    assert '<a href="#f-postal_code">' in response.text  # the summary links to the field
    unnamed = client.post("/admin/locations", data={**bad, "state": "CA", "name": " "})
    assert unnamed.status_code == 422
    assert '<p class="error" id="e-name">Required.</p>' in unnamed.text
    assert 'aria-invalid="true" aria-describedby="e-name"' in unnamed.text
    assert count(db, Location) == before


def test_a_stale_location_form_is_a_409_that_keeps_the_input(client, db, signed_in, world):
    token = signed_in("admin")
    url = f"/admin/locations/{world.site_a.id}"
    version = hidden_version(client.get(url).text)
    form = {**LOCATION_FORM, "code": world.site_a.code, "version": version, "csrf_token": token}
    first = client.post(url, data={**form, "name": "First edit"}, follow_redirects=False)
    assert first.status_code == 303
    second = client.post(url, data={**form, "name": "Second edit"})
    assert second.status_code == 409
    assert "changed by someone else" in second.text and 'value="Second edit"' in second.text
    db.expire_all()
    assert db.get(Location, world.site_a.id).name == "First edit"


def test_rooms_are_added_and_edited_from_the_location_page(client, db, signed_in, world):
    token = signed_in("director")
    url = f"/admin/locations/{world.site_a.id}/rooms"
    added = client.post(
        url,
        data={
            "room_name": "Cedar",
            "room_capacity": "9",
            "room_telehealth": "1",
            "csrf_token": token,
        },
        follow_redirects=False,
    )
    assert added.status_code == 303
    room = db.scalars(select(Room).where(Room.name == "Cedar")).one()
    assert room.telehealth is True and room.capacity == 9
    duplicate = client.post(
        url, data={"room_name": "cedar", "room_capacity": "4", "csrf_token": token}
    )
    assert duplicate.status_code == 422 and "already has a room called cedar" in duplicate.text
    edit = client.post(
        f"/admin/rooms/{room.id}",
        data={
            "name": "Cedar",
            "capacity": "11",
            "active": "1",
            "version": "1",
            "csrf_token": token,
        },
        follow_redirects=False,
    )
    assert edit.status_code == 303
    db.expire_all()
    assert (db.get(Room, room.id).capacity, db.get(Room, room.id).telehealth) == (11, False)


def test_director_sees_locations_but_may_not_create_or_edit_one(client, db, signed_in, world):
    token = signed_in("director")
    listing = client.get("/admin/locations")
    assert listing.status_code == 200 and "Site A" in listing.text
    assert "New location" not in listing.text
    detail = client.get(f"/admin/locations/{world.site_a.id}")
    assert 'name="code"' not in detail.text and "Add a room" in detail.text
    assert client.get("/admin/locations/new").status_code == 403
    posted = client.post("/admin/locations", data={**LOCATION_FORM, "csrf_token": token})
    assert posted.status_code == 403
    assert len(refusals(db, "location.create")) == 2
    assert count(db, Location) == 2


# ---- programs -------------------------------------------------------------------------------


def test_program_page_shows_the_policy_in_plain_language(client, signed_in, world):
    signed_in("billing")
    page = client.get(f"/admin/programs/{world.program.id}")
    assert "5 days × 3 h = 15 h a week, within 9–19 h" in page.text
    assert "ASAM level 2.1 for adults allows 9–19 h a week." in page.text
    assert 'name="version"' not in page.text  # read-only for billing
    assert "5 days × 3 h = 15 h a week" in client.get("/admin/programs").text


def test_admin_creates_a_program_from_the_seeded_form(client, db, signed_in):
    token = signed_in("admin")
    form_page = client.get("/admin/programs/new").text
    defaults = dict(re.findall(r'name="(\w+)" type="(?:text|number)" value="([^"]*)"', form_page))
    assert defaults["group_days_per_week"] == "5" and defaults["min_weekly_hours"] == "9"
    data = {
        **defaults,
        "code": "EVE",
        "name": "Evening IOP",
        "asam_level": "2.1",
        "population": "adult",
        "active": "1",
        "csrf_token": token,
    }
    response = client.post("/admin/programs", data=data, follow_redirects=False)
    assert response.status_code == 303
    program = db.scalars(select(Program).where(Program.code == "EVE")).one()
    assert program.max_weekly_hours == 19 and program.individual_min_minutes == 50
    bad = client.post(
        "/admin/programs", data={**data, "code": "EVE2", "group_hours_per_day": "1.5"}
    )
    assert bad.status_code == 422
    assert "5 days × 1.5 h = 7.5 h a week, outside the program&#39;s 9–19 h." in bad.text
    assert count(db, Program) == 2


def test_director_may_not_post_a_program_change(client, db, signed_in, world):
    token = signed_in("director")
    response = client.post(
        f"/admin/programs/{world.program.id}",
        data={"name": "Hijacked", "version": "1", "csrf_token": token},
    )
    assert response.status_code == 403
    assert refusals(db, "program.update")


# ---- tracks ---------------------------------------------------------------------------------


def _track_form(world, token, **changes):
    return {
        "program_id": str(world.program.id),
        "location_id": str(world.site_a.id),
        "name": "Afternoons",
        "weekdays": ["1", "2", "3", "4", "5"],
        "start_time": "13:00",
        "end_time": "16:00",
        "group_size_cap": "10",
        "active": "1",
        "csrf_token": token,
        **changes,
    }


def test_tracks_list_filters_by_location(client, db, signed_in, world):
    signed_in("front_desk")
    f.track(db, program_id=world.program.id, location_id=world.site_b.id, name="Site B evenings")
    everything = client.get("/admin/tracks").text
    assert world.track_a.name in everything and "Site B evenings" in everything
    only_b = client.get(f"/admin/tracks?location_id={world.site_b.id}").text
    assert "Site B evenings" in only_b and world.track_a.name not in only_b
    assert "New track" not in only_b


def test_track_edit_offers_only_the_sites_staff_as_facilitators(client, signed_in, world):
    signed_in("director")
    page = client.get(f"/admin/tracks/{world.track_a.id}").text
    box = re.search(
        r'<select id="f-facilitator_ids" name="facilitator_ids" multiple[^>]*>(.*?)</select>',
        page,
        re.S,
    )
    assert box, "no facilitator multi-select"
    offered = dict(re.findall(r'<option value="(\d+)" ?(selected)?>', box.group(1)))
    site_a_staff = {
        str(u.staff_member_id)
        for p, u in world.users.items()
        if u.staff_member_id and p != "other_site_counselor"
    }
    assert set(offered) == site_a_staff
    assert offered[str(world.user("facilitator").staff_member_id)] == "selected"


def test_director_creates_and_edits_a_track_at_their_site(client, db, signed_in, world):
    token = signed_in("director")
    assert client.get(f"/admin/tracks/new?location_id={world.site_a.id}").status_code == 200
    facilitator = str(world.user("site_counselor").staff_member_id)
    created = client.post(
        "/admin/tracks",
        data=_track_form(world, token, facilitator_ids=[facilitator]),
        follow_redirects=False,
    )
    assert created.status_code == 303, created.text
    track = db.scalars(select(Track).where(Track.name == "Afternoons")).one()
    url = f"/admin/tracks/{track.id}"
    edited = client.post(
        url,
        data=_track_form(world, token, name="Late afternoons", version="1", end_time="16:30"),
        follow_redirects=False,
    )
    assert edited.status_code == 303
    db.expire_all()
    assert db.get(Track, track.id).name == "Late afternoons"


def test_an_invalid_track_form_keeps_the_chosen_days(client, db, signed_in, world):
    token = signed_in("admin")
    before = count(db, Track)
    response = client.post(
        "/admin/tracks", data=_track_form(world, token, weekdays=["1", "3"], end_time="12:00")
    )
    assert response.status_code == 422
    assert "The end time must be after the start time." in response.text
    assert re.search(r'name="weekdays" value="3" checked', response.text)
    assert not re.search(r'name="weekdays" value="2" checked', response.text)
    assert count(db, Track) == before


def test_director_is_refused_a_track_at_another_site(client, db, signed_in, world):
    token = signed_in("director")
    other = f.track(db, program_id=world.program.id, location_id=world.site_b.id, name="B group")
    page = client.get(f"/admin/tracks/{other.id}")
    assert page.status_code == 200 and 'name="version"' not in page.text
    response = client.post(
        f"/admin/tracks/{other.id}",
        data=_track_form(world, token, location_id=str(world.site_b.id), version="1"),
    )
    assert response.status_code == 403
    assert client.get(f"/admin/tracks/new?location_id={world.site_b.id}").status_code == 403
    assert len(refusals(db, "track.update")) == 1 and len(refusals(db, "track.create")) == 1


# ---- staff ----------------------------------------------------------------------------------


def _staff_form(world, token, **changes):
    return {
        "first_name": "Quinn",
        "last_name": "Hollowbrook",
        "email": "quinn@example.org",
        "credentials": ["AMFT"],
        "location_ids": [str(world.site_a.id)],
        "caseload_cap": "12",
        "weekly_hours": "32",
        "active": "1",
        "csrf_token": token,
        **changes,
    }


def test_staff_member_is_created_through_the_form(client, db, signed_in, world):
    token = signed_in("director")
    response = client.post("/admin/staff", data=_staff_form(world, token), follow_redirects=False)
    assert response.status_code == 303
    page = client.get(response.headers["location"]).text
    assert "Practises under supervision: AMFT." in page
    member = db.scalars(select(StaffMember).where(StaffMember.email == "quinn@example.org")).one()
    assert member.credentials == "AMFT" and member.caseload_cap == 12


def test_an_invalid_staff_form_comes_back_with_errors(client, db, signed_in, world):
    token = signed_in("admin")
    before = count(db, StaffMember)
    response = client.post(
        "/admin/staff",
        data=_staff_form(
            world, token, credentials=["MD", "CADC"], location_ids=[], weekly_hours="90"
        ),
    )
    assert response.status_code == 422
    assert "An NPI is required for MD." in response.text
    assert "Choose at least one location" in response.text
    assert "Weekly hours must be between 0 and 80." in response.text
    assert re.search(r'name="credentials" value="CADC" checked', response.text)
    assert count(db, StaffMember) == before


def test_staff_list_pages_and_filters(client, db, signed_in, world):
    signed_in("billing")
    for n in range(20):
        f.staff(
            db,
            organization_id=world.site_a.organization_id,
            locations=[world.site_b],
            last_name=f"Zephyrine{n:02d}",
        )
    first = client.get("/admin/staff").text
    assert "Page 1 of 2" in first and 'rel="next"' in first
    assert "New staff member" not in first
    second = client.get("/admin/staff?page=2").text
    assert "Zephyrine19" in second and "Zephyrine19" not in first
    at_a = client.get(f"/admin/staff?location_id={world.site_a.id}").text
    assert "Zephyrine" not in at_a and "care_counselor@example.org" in at_a


def test_counselor_reads_staff_but_a_post_is_refused(client, db, signed_in, world):
    token = signed_in("site_counselor")
    staff_id = world.user("facilitator").staff_member_id
    page = client.get(f"/admin/staff/{staff_id}")
    assert page.status_code == 200 and "facilitator@example.org" in page.text
    assert 'name="version"' not in page.text
    response = client.post(f"/admin/staff/{staff_id}", data=_staff_form(world, token, version="1"))
    assert response.status_code == 403
    assert refusals(db, "staff.update")
    assert client.get("/admin/staff/new").status_code == 403


# ---- access ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url", ["/admin/locations", "/admin/programs", "/admin/tracks", "/admin/staff"]
)
def test_a_patient_is_refused_the_setup_screens(client, db, signed_in, url):
    signed_in("patient")
    assert client.get(url).status_code == 403


def test_signed_out_browsers_are_sent_to_sign_in(client, world):
    response = client.get("/admin/staff", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/login")


def test_a_form_without_its_csrf_token_is_refused(client, db, signed_in):
    signed_in("admin")
    response = client.post("/admin/locations", data=LOCATION_FORM)
    assert response.status_code == 403
    assert count(db, Location) == 2


SETUP_LINKS = (
    "/admin/locations",
    "/admin/programs",
    "/admin/tracks",
    "/admin/curriculum",
    "/admin/staff",
    "/admin/rates",
)


def _menu(html: str) -> list[str]:
    nav = html.split('aria-label="Main"', 1)[1].split("</nav>", 1)[0]
    return re.findall(r'<a href="([^"]+)"', nav)


@pytest.mark.parametrize("persona", ["care_counselor", "director", "billing", "admin"])
def test_setup_is_one_menu_entry_whose_page_lists_every_setup_screen(client, signed_in, persona):
    signed_in(persona)
    home = client.get("/admin")
    assert home.status_code == 200
    menu = _menu(home.text)
    assert "/admin" in menu and "/admin/locations" not in menu
    listed = re.findall(r'<li><a href="(/admin/[a-z]+)"', home.text)
    assert tuple(listed) == SETUP_LINKS
    for href in listed:
        assert client.get(href).status_code == 200, href
    may_change = persona in ("director", "admin")
    assert ("You may change these." in home.text) is may_change


def test_a_patient_is_refused_setup_and_the_refusal_is_audited(client, db, signed_in):
    signed_in("patient")
    assert client.get("/admin").status_code == 403
    refused = db.scalars(
        select(AuditEvent).where(AuditEvent.action == "setup.view", AuditEvent.outcome == "refused")
    ).all()
    assert len(refused) == 1


def test_setup_needs_a_sign_in(client):
    answer = client.get("/admin", follow_redirects=False)
    assert answer.status_code in (302, 303) and "/login" in answer.headers["location"]
