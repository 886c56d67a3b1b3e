"""Appointments through the service: every hard conflict kind is refused with the item named,
and nothing is written on a refusal; move, cancel and complete; who may book."""

from __future__ import annotations

from datetime import time, timedelta

import pytest

from openiop.calendar import service
from openiop.calendar.service import ScheduleConflict
from openiop.kit import clock
from openiop.kit.errors import Conflict, ValidationFailed
from openiop.models import (
    Appointment,
    LocationClosure,
    PatientBlock,
    SchedulingPreference,
    StaffMember,
    StaffTimeOff,
)
from openiop.security.service import Refused
from tests import factories as f
from tests.db.support_calendar import MONDAY, NOW, build_scene, count, events, la

TUE, WED, THU, FRI = (MONDAY + timedelta(days=n) for n in range(1, 5))


@pytest.fixture(autouse=True)
def frozen():
    clock.freeze(NOW)
    yield
    clock.freeze(None)


@pytest.fixture
def scene(db):
    return build_scene(db)


def book(db, scene, persona="care_counselor", *, patient=None, staff="care_counselor", **kw):
    values = {
        "kind": "individual",
        "starts_at": la(MONDAY, 13),
        "minutes": 50,
        "room_id": scene.office.id,
        **kw,
    }
    return service.create_appointment(
        db,
        actor=scene.actor(db, persona),
        patient_id=patient or scene.world.patient.id,
        staff_member_id=scene.staff_id(staff),
        location_id=scene.world.site_a.id,
        **values,
    )


def refused_with(db, scene, text: str, **kw) -> ScheduleConflict:
    before = count(db, Appointment)
    with pytest.raises(ScheduleConflict) as caught:
        book(db, scene, **kw)
    assert text in caught.value.message, caught.value.message
    assert count(db, Appointment) == before  # nothing written
    return caught.value


def other_patient_at_a(db, scene):
    w = scene.world
    other = f.patient(
        db,
        organization_id=w.program.organization_id,
        registered_location_id=w.site_a.id,
        first_name="Lee",
        last_name="Ostrander",
    )
    f.enrollment(db, patient_id=other.id, program_id=w.program.id, location_id=w.site_a.id)
    return other


def test_a_free_slot_is_booked_and_audited(db, scene):
    row = book(db, scene)
    assert row.id and row.status == "scheduled" and not row.covering
    assert row.ends_at - row.starts_at == timedelta(minutes=50)
    assert row.enrollment_id is not None
    (event,) = events(db, "appointment.create")
    assert event.patient_id == scene.world.patient.id and event.object_id == str(row.id)


def test_overlapping_the_patients_group_is_refused(db, scene):
    error = refused_with(db, scene, "Pat Q.'s group", starts_at=la(MONDAY, 11))
    assert "Mon 09:00–12:00" in error.message
    assert "starts_at" in error.field_errors


def test_overlapping_a_weekly_commitment_names_it_with_its_hours(db, scene):
    refused_with(db, scene, "Overlaps Pat Q.'s work shift Tue 13:00–17:00", starts_at=la(TUE, 14))


def test_in_person_needs_travel_time_before_work_but_video_does_not(db, scene):
    refused_with(db, scene, "travel time around Pat Q.'s work shift", starts_at=la(TUE, 12))
    db.add(SchedulingPreference(patient_id=scene.world.patient.id, telehealth_ok=True))
    db.flush()
    row = book(db, scene, starts_at=la(TUE, 12), telehealth=True, room_id=None)
    assert row.telehealth and row.room_id is None


def test_a_one_off_block_is_respected(db, scene):
    db.add(
        PatientBlock(
            patient_id=scene.world.patient.id,
            starts_at=la(WED, 14),
            ends_at=la(WED, 15),
            label="court date",
        )
    )
    db.flush()
    refused_with(db, scene, "Pat Q.'s court date Wed 14:00–15:00", starts_at=la(WED, 14, 30))


def test_the_patients_other_appointment_is_named(db, scene):
    book(db, scene, kind="physician", staff="care_physician", minutes=20, starts_at=la(MONDAY, 13))
    refused_with(
        db,
        scene,
        "Pat Q.'s physician visit with",
        staff="site_counselor",
        starts_at=la(MONDAY, 13, 10),
        room_id=scene.group_room.id,
    )


def test_staff_double_booking_names_the_other_patient(db, scene):
    other = other_patient_at_a(db, scene)
    book(db, scene, patient=other.id, starts_at=la(MONDAY, 14))
    error = refused_with(
        db, scene, "overlaps individual counseling with Lee O.", starts_at=la(MONDAY, 14, 30)
    )
    assert "staff_member_id" in error.field_errors


def test_a_full_caseload_refuses_a_new_patient_that_week_only(db, scene):
    other = other_patient_at_a(db, scene)
    counselor = db.get(StaffMember, scene.staff_id("care_counselor"))
    counselor.caseload_cap = 1
    db.flush()
    book(db, scene, patient=other.id, starts_at=la(MONDAY, 14))
    refused_with(db, scene, "already sees 1 patients that week", starts_at=la(WED, 13))
    book(db, scene, patient=other.id, starts_at=la(WED, 14))  # someone already on the caseload
    row = book(db, scene, starts_at=la(MONDAY + timedelta(days=7), 13))  # the next week is free
    assert row.id


def test_outside_working_hours_says_when_they_work(db, scene):
    refused_with(
        db,
        scene,
        "Outside",
        kind="physician",
        staff="care_physician",
        minutes=20,
        starts_at=la(MONDAY, 7),
    )
    with pytest.raises(ScheduleConflict) as caught:
        book(
            db, scene, kind="physician", staff="care_physician", minutes=20, starts_at=la(MONDAY, 7)
        )
    assert "works Mon 12:00–18:00 here" in caught.value.message


def test_time_off_is_named(db, scene):
    db.add(
        StaffTimeOff(
            staff_member_id=scene.staff_id("care_counselor"),
            starts_at=la(THU, 8),
            ends_at=la(THU, 17),
            reason="training",
        )
    )
    db.flush()
    error = refused_with(db, scene, "time off (training)", starts_at=la(THU, 13))
    assert error.conflicts[0].code == "staff_time_off"


def test_room_taken_by_another_appointment_or_a_group(db, scene):
    other = other_patient_at_a(db, scene)
    book(db, scene, patient=other.id, staff="site_counselor", starts_at=la(MONDAY, 14))
    refused_with(
        db,
        scene,
        "Office 1 is taken by individual counseling with Lee O.",
        starts_at=la(MONDAY, 14),
    )
    refused_with(
        db,
        scene,
        "Group room is taken by group",
        patient=other.id,
        staff="site_counselor",
        starts_at=la(TUE, 10),
        room_id=scene.group_room.id,
    )


def test_room_too_small(db, scene):
    refused_with(db, scene, "Phone booth holds 1", room_id=scene.small.id)


def test_telehealth_only_where_allowed(db, scene):
    refused_with(db, scene, "has not agreed to telehealth", telehealth=True, room_id=None)
    db.add(SchedulingPreference(patient_id=scene.world.patient.id, telehealth_ok=True))
    db.flush()
    refused_with(
        db,
        scene,
        "drug screen must be in person",
        kind="drug_screen",
        staff="care_physician",
        minutes=10,
        telehealth=True,
        room_id=None,
    )


def test_a_closed_day_is_refused(db, scene):
    db.add(
        LocationClosure(
            location_id=scene.world.site_a.id, closed_on=FRI, reason="Staff training day"
        )
    )
    db.flush()
    refused_with(db, scene, "closed on Fri Dec 11: Staff training day", starts_at=la(FRI, 13))


def test_a_counselor_may_not_hold_a_physician_visit(db, scene):
    refused_with(db, scene, "not qualified to hold a physician visit", kind="physician", minutes=20)


def test_every_conflict_is_listed_at_once(db, scene):
    error = refused_with(db, scene, "group", starts_at=la(MONDAY, 11), room_id=scene.small.id)
    codes = {c.code for c in error.conflicts}
    assert {"patient_overlap", "room_capacity"} <= codes


def test_impossible_input_is_422_naming_the_field(db, scene):
    with pytest.raises(ValidationFailed) as caught:
        book(db, scene, kind="massage")
    assert "kind" in caught.value.field_errors
    with pytest.raises(ValidationFailed) as caught:
        book(db, scene, room_id=None)
    assert "room_id" in caught.value.field_errors
    assert count(db, Appointment) == 0


def test_a_stand_in_counselor_is_marked_covering(db, scene):
    row = book(db, scene, staff="site_counselor")
    assert row.covering


# ---- move, cancel, complete ------------------------------------------------------------


def test_move_is_checked_but_does_not_collide_with_itself(db, scene):
    row = book(db, scene)
    moved = service.move_appointment(
        db,
        actor=scene.actor(db, "care_counselor"),
        appointment_id=row.id,
        version=row.version,
        starts_at=row.starts_at + timedelta(minutes=20),
    )
    assert moved.starts_at == la(MONDAY, 13, 20)
    assert moved.ends_at - moved.starts_at == timedelta(minutes=50)
    with pytest.raises(ScheduleConflict, match="work shift"):
        service.move_appointment(
            db,
            actor=scene.actor(db, "care_counselor"),
            appointment_id=row.id,
            version=moved.version,
            starts_at=la(TUE, 14),
        )
    assert row.starts_at == la(MONDAY, 13, 20)
    assert [e.detail for e in events(db, "appointment.move")][0].endswith(
        la(MONDAY, 13, 20).isoformat()
    )


def test_a_stale_version_is_a_conflict(db, scene):
    row = book(db, scene)
    with pytest.raises(Conflict, match="changed by someone else"):
        service.move_appointment(
            db,
            actor=scene.actor(db, "care_counselor"),
            appointment_id=row.id,
            version=row.version + 5,
            starts_at=la(MONDAY, 14),
        )


def test_cancel_keeps_the_reason_and_knows_late_from_early(db, scene):
    actor = scene.actor(db, "front_desk")
    early = book(db, scene)
    with pytest.raises(ValidationFailed) as caught:
        service.cancel_appointment(
            db, actor=actor, appointment_id=early.id, version=early.version, reason=" "
        )
    assert "reason" in caught.value.field_errors
    service.cancel_appointment(
        db, actor=actor, appointment_id=early.id, version=early.version, reason="Family event"
    )
    assert early.status == "cancelled" and early.cancel_reason == "Family event"
    clock.freeze(la(MONDAY, 8))
    late = book(db, scene)
    service.cancel_appointment(
        db, actor=actor, appointment_id=late.id, version=late.version, reason="Car broke down"
    )
    assert late.status == "late_cancelled"
    # A cancelled appointment frees its time.
    assert book(db, scene).id


def test_complete_needs_the_minutes_and_a_past_start(db, scene):
    row = book(db, scene)
    actor = scene.actor(db, "care_counselor")
    with pytest.raises(ValidationFailed, match="not started"):
        service.complete_appointment(
            db,
            actor=actor,
            appointment_id=row.id,
            version=row.version,
            outcome="completed",
            actual_minutes=50,
        )
    clock.freeze(la(MONDAY, 15))
    with pytest.raises(ValidationFailed) as caught:
        service.complete_appointment(
            db, actor=actor, appointment_id=row.id, version=row.version, outcome="completed"
        )
    assert "actual_minutes" in caught.value.field_errors
    service.complete_appointment(
        db,
        actor=actor,
        appointment_id=row.id,
        version=row.version,
        outcome="completed",
        actual_minutes=45,
    )
    assert row.status == "completed" and row.actual_minutes == 45


# ---- who may book -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "persona", ["care_counselor", "site_counselor", "front_desk", "admissions", "director", "admin"]
)
def test_schedulers_at_the_site_may_book(db, scene, persona):
    assert book(db, scene, persona).id


@pytest.mark.parametrize("persona", ["billing", "auditor", "other_site_counselor", "patient"])
def test_others_are_refused_and_nothing_is_written(db, scene, persona):
    with pytest.raises(Refused) as caught:
        book(db, scene, persona)
    assert caught.value.audit_entry.outcome == "refused"
    assert count(db, Appointment) == 0


def test_a_patient_reads_their_own_appointment_but_not_anothers(db, scene):
    row = book(db, scene)
    mine = service.get_appointment(db, actor=scene.actor(db, "patient"), appointment_id=row.id)
    assert mine.id == row.id
    other = other_patient_at_a(db, scene)
    theirs = book(db, scene, patient=other.id, starts_at=la(MONDAY, 14))
    with pytest.raises(Refused):
        service.get_appointment(db, actor=scene.actor(db, "patient"), appointment_id=theirs.id)
    with pytest.raises(Refused):
        service.get_appointment(db, actor=scene.actor(db, "auditor"), appointment_id=row.id)
    assert service.get_appointment(db, actor=scene.actor(db, "billing"), appointment_id=row.id)
    assert time(13) == row.starts_at.astimezone(scene_zone()).time()


def scene_zone():
    from zoneinfo import ZoneInfo

    return ZoneInfo("America/Los_Angeles")
