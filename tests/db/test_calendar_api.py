"""The calendar API (/api/v1/calendar): 201 on a free slot, 409 naming the clash, 422 naming
the field, nothing written on refusal; conflict check without writing; weeks; who may."""

from __future__ import annotations

import pytest

from openiop.kit import clock
from openiop.models import Appointment, GroupSession
from tests import factories as f
from tests.db.support_calendar import MONDAY, NOW, bearer, build_scene, count, events, la

URL = "/api/v1/calendar/appointments"


@pytest.fixture(autouse=True)
def frozen():
    clock.freeze(NOW)
    yield
    clock.freeze(None)


@pytest.fixture
def scene(db):
    return build_scene(db)


@pytest.fixture
def as_(db, scene):
    return lambda persona: bearer(db, scene.world.user(persona))


def body(scene, **changes):
    return {
        "patient_id": scene.world.patient.id,
        "staff_member_id": scene.staff_id("care_counselor"),
        "location_id": scene.world.site_a.id,
        "kind": "individual",
        "starts_at": la(MONDAY, 13).isoformat(),
        "minutes": 50,
        "room_id": scene.office.id,
        **changes,
    }


def test_create_read_move_cancel(client, db, scene, as_):
    made = client.post(URL, json=body(scene), headers=as_("care_counselor"))
    assert made.status_code == 201, made.text
    data = made.json()
    assert data["status"] == "scheduled" and data["ends_at"].startswith("2026-12-07T21:50")
    got = client.get(f"{URL}/{data['id']}", headers=as_("billing"))
    assert got.status_code == 200
    moved = client.post(
        f"{URL}/{data['id']}/move",
        json={"version": data["version"], "starts_at": la(MONDAY, 14).isoformat()},
        headers=as_("front_desk"),
    )
    assert moved.status_code == 200 and moved.json()["starts_at"].startswith("2026-12-07T22:00")
    cancelled = client.post(
        f"{URL}/{data['id']}/cancel",
        json={"version": moved.json()["version"], "reason": "Patient request"},
        headers=as_("front_desk"),
    )
    assert cancelled.json()["status"] == "cancelled"


def test_a_clash_is_409_naming_the_item_and_writes_nothing(client, db, scene, as_):
    response = client.post(
        URL,
        json=body(scene, starts_at=la(MONDAY + _days(1), 14).isoformat()),
        headers=as_("care_counselor"),
    )
    assert response.status_code == 409
    payload = response.json()
    assert payload["error"] == "Scheduling conflict"
    assert "Overlaps Pat Q.'s work shift Tue 13:00–17:00" in payload["detail"]
    assert "starts_at" in payload["fields"]
    assert count(db, Appointment) == 0


def test_bad_input_is_422_naming_the_field(client, db, scene, as_):
    wrong_kind = client.post(URL, json=body(scene, kind="massage"), headers=as_("care_counselor"))
    assert wrong_kind.status_code == 422 and "kind" in wrong_kind.json()["fields"]
    naive = client.post(
        URL, json=body(scene, starts_at="2026-12-07T13:00:00"), headers=as_("care_counselor")
    )
    assert naive.status_code == 422 and "starts_at" in naive.json()["fields"]
    no_room = client.post(URL, json=body(scene, room_id=None), headers=as_("care_counselor"))
    assert no_room.status_code == 422 and "room_id" in no_room.json()["fields"]
    assert count(db, Appointment) == 0


def test_check_lists_conflicts_without_writing(client, db, scene, as_):
    response = client.post(
        f"{URL}/check", json=body(scene, starts_at=la(MONDAY, 11).isoformat(), room_id=scene.small.id),
        headers=as_("care_counselor"),
    )  # fmt: skip
    assert response.status_code == 200
    result = response.json()
    assert result["ok"] is False
    assert {c["code"] for c in result["conflicts"]} >= {"patient_overlap", "room_capacity"}
    free = client.post(f"{URL}/check", json=body(scene), headers=as_("care_counselor")).json()
    assert free == {"ok": True, "conflicts": []}
    assert count(db, Appointment) == 0


@pytest.mark.parametrize("persona", ["billing", "auditor", "other_site_counselor", "patient"])
def test_refused_roles_get_403_and_the_refusal_is_audited(client, db, scene, as_, persona):
    response = client.post(URL, json=body(scene), headers=as_(persona))
    assert response.status_code == 403
    assert count(db, Appointment) == 0
    assert events(db, "appointment.create", "refused")


def test_without_a_token_401(client, scene):
    assert client.post(URL, json=body(scene)).status_code == 401


def test_weeks_for_site_staff_and_patient(client, db, scene, as_):
    client.post(URL, json=body(scene), headers=as_("care_counselor"))
    site = client.get(
        f"/api/v1/calendar/locations/{scene.world.site_a.id}/week?week=2026-12-09",
        headers=as_("director"),
    )
    assert site.status_code == 200
    week = site.json()
    assert week["week_start"] == "2026-12-07" and len(week["days"]) == 7
    monday = week["days"][0]["items"]
    assert [i["kind"] for i in monday] == ["group", "individual"]
    staff = client.get(
        f"/api/v1/calendar/staff/{scene.staff_id('care_counselor')}/week?week=2026-12-07",
        headers=as_("care_counselor"),
    )
    assert [i["kind"] for i in staff.json()["days"][0]["items"]] == ["individual"]
    mine = client.get(
        f"/api/v1/calendar/patients/{scene.world.patient.id}/week?week=2026-12-07",
        headers=as_("patient"),
    )
    reqs = {r["code"]: r for r in mine.json()["requirements"]}
    assert reqs["group_days"]["planned"] == 5 and reqs["individual"]["state"] == "planned"
    assert reqs["physician"]["state"] == "short"
    other = client.get(
        f"/api/v1/calendar/patients/{scene.world.other_patient.id}/week", headers=as_("patient")
    )
    assert other.status_code == 403
    far = client.get(
        f"/api/v1/calendar/locations/{scene.world.site_a.id}/week",
        headers=as_("other_site_counselor"),
    )
    assert far.status_code == 403


def test_generate_through_the_api(client, db, scene, as_):
    body_ = {"first": "2026-12-14", "last": "2026-12-18", "location_id": scene.world.site_a.id}
    refused = client.post(
        "/api/v1/calendar/group-sessions/generate", json=body_, headers=as_("care_counselor")
    )
    assert refused.status_code == 403
    done = client.post(
        "/api/v1/calendar/group-sessions/generate", json=body_, headers=as_("director")
    )
    assert done.status_code == 200 and len(done.json()["created"]) == 5
    again = client.post(
        "/api/v1/calendar/group-sessions/generate", json=body_, headers=as_("director")
    )
    assert again.json()["created"] == [] and again.json()["skipped_existing"] == 5
    assert count(db, GroupSession) == 10  # the scene's five and these five


def _days(n: int):
    from datetime import timedelta

    return timedelta(days=n)


def test_complete_goes_through_the_attendance_rules(client, db, scene, as_):
    made = client.post(URL, json=body(scene), headers=as_("care_counselor")).json()
    clock.freeze(la(MONDAY, 15))
    too_long = client.post(
        f"{URL}/{made['id']}/complete",
        json={"version": made["version"], "outcome": "completed", "actual_minutes": 55},
        headers=as_("care_counselor"),
    )
    assert too_long.status_code == 422 and "actual_minutes" in too_long.json()["fields"]
    front_desk = client.post(
        f"{URL}/{made['id']}/complete",
        json={"version": made["version"], "outcome": "completed", "actual_minutes": 50},
        headers=as_("front_desk"),
    )
    assert front_desk.status_code == 403  # recording care is for clinicians and directors
    done = client.post(
        f"{URL}/{made['id']}/complete",
        json={"version": made["version"], "outcome": "completed", "actual_minutes": 50},
        headers=as_("care_counselor"),
    )
    assert done.status_code == 200
    assert done.json()["status"] == "completed" and done.json()["actual_minutes"] == 50


def test_group_days_done_come_from_the_patients_attendance(client, db, scene, as_):
    from openiop.models import Enrollment, GroupAttendance

    enrollment = db.query(Enrollment).filter_by(patient_id=scene.world.patient.id).one()
    monday, tuesday = db.query(GroupSession).order_by(GroupSession.session_date).limit(2).all()
    for group, status in ((monday, "present"), (tuesday, "absent_unexcused")):
        db.add(
            GroupAttendance(
                group_session_id=group.id,
                enrollment_id=enrollment.id,
                patient_id=scene.world.patient.id,
                status=status,
                minutes=180 if status == "present" else 0,
            )
        )
    db.flush()
    week = client.get(
        f"/api/v1/calendar/patients/{scene.world.patient.id}/week?week=2026-12-07",
        headers=as_("care_counselor"),
    ).json()
    groups = next(r for r in week["requirements"] if r["code"] == "group_days")
    assert (groups["planned"], groups["done"]) == (5, 1)


# ---- every conflict kind through HTTP ------------------------------------------------------


def _block(db, scene):
    from openiop.models import PatientBlock

    db.add(
        PatientBlock(
            patient_id=scene.world.patient.id,
            starts_at=la(MONDAY, 13),
            ends_at=la(MONDAY, 14),
            label="court date",
        )
    )


def _time_off(db, scene):
    from openiop.models import StaffTimeOff

    staff = scene.staff_id("care_counselor")
    db.add(
        StaffTimeOff(
            staff_member_id=staff,
            starts_at=la(MONDAY, 8),
            ends_at=la(MONDAY, 17),
            reason="training",
        )
    )


def _closure(db, scene):
    from openiop.models import LocationClosure

    db.add(
        LocationClosure(
            location_id=scene.world.site_a.id, closed_on=MONDAY, reason="Staff training day"
        )
    )


def _other_booking(db, scene, staff="site_counselor", room=None):
    from openiop.calendar import service

    other = f.patient(
        db,
        organization_id=scene.world.program.organization_id,
        registered_location_id=scene.world.site_a.id,
        first_name="Lee",
        last_name="Ostrander",
    )
    f.enrollment(
        db,
        patient_id=other.id,
        program_id=scene.world.program.id,
        location_id=scene.world.site_a.id,
    )
    service.create_appointment(
        db, actor=scene.actor(db, "director"), patient_id=other.id, staff_member_id=scene.staff_id(staff),
        location_id=scene.world.site_a.id, kind="individual", starts_at=la(MONDAY, 13), minutes=50,
        room_id=room or scene.group_room.id,
    )  # fmt: skip


CASES = {
    "patient_group": (None, {"starts_at": la(MONDAY, 11)}, "Pat Q.'s group"),
    "commitment": (
        None,
        {"starts_at": la(MONDAY + _days(1), 14)},
        "Pat Q.'s work shift Tue 13:00–17:00",
    ),
    "travel_buffer": (
        None,
        {"starts_at": la(MONDAY + _days(1), 12)},
        "travel time around Pat Q.'s work shift",
    ),
    "one_off_block": (_block, {}, "Pat Q.'s court date Mon 13:00–14:00"),
    "staff_overlap": (
        lambda db, s: _other_booking(db, s, "care_counselor"),
        {},
        "overlaps individual counseling with Lee O.",
    ),
    "staff_hours": (None, {"starts_at": la(MONDAY, 17, 30)}, "Outside Sam"),
    "time_off": (_time_off, {}, "time off (training)"),
    "room_overlap": (
        lambda db, s: _other_booking(db, s, room=s.office.id),
        {},
        "Office 1 is taken by",
    ),
    "room_capacity": (None, {"room_id": "small"}, "Phone booth holds 1"),
    "telehealth": (None, {"telehealth": True, "room_id": None}, "has not agreed to telehealth"),
    "closure": (_closure, {}, "The site is closed on Mon Dec 7: Staff training day"),
    "qualification": (
        None,
        {"kind": "physician", "minutes": 20},
        "not qualified to hold a physician visit",
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_each_conflict_kind_is_409_naming_the_item(client, db, scene, as_, case):
    setup, changes, text = CASES[case]
    if setup:
        setup(db, scene)
        db.flush()
    changes = {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in changes.items()}
    if changes.get("room_id") == "small":
        changes["room_id"] = scene.small.id
    before = count(db, Appointment)
    response = client.post(URL, json=body(scene, **changes), headers=as_("care_counselor"))
    assert response.status_code == 409, response.text
    assert text in response.json()["detail"]
    assert count(db, Appointment) == before


def test_an_unknown_staff_member_or_room_is_422_naming_it(client, db, scene, as_):
    for field in ("staff_member_id", "room_id"):
        response = client.post(URL, json=body(scene, **{field: 999999}), headers=as_("director"))
        assert response.status_code == 422 and field in response.json()["fields"]
    assert count(db, Appointment) == 0
