"""All SQL of "Plan next week": reading one location's week into plain records, and plan runs.

A week is read in a handful of set-based queries (one per table, keyed by the ids found so
far), never one query per patient, so a 60-patient site costs the same dozen round trips as a
6-patient one.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from openiop.calendar.planning_problem import (
    Booked,
    PatientRecord,
    Policy,
    RoomRecord,
    Span,
    StaffRecord,
    TrackRecord,
    WeekData,
    WeeklyBlock,
)
from openiop.calendar.rules import Week
from openiop.models import (
    Appointment,
    Commitment,
    Enrollment,
    GroupSession,
    Location,
    LocationClosure,
    PatientBlock,
    PlanRun,
    Program,
    Room,
    SchedulingPreference,
    StaffMember,
    StaffTimeOff,
    StaffWorkingHours,
    Track,
    staff_locations,
)
from openiop.models.planning import ACTIVE_STATUSES

OCCUPYING = ("scheduled", "completed")  # appointment statuses that hold time


def location(db: Session, location_id: int) -> Location | None:
    return db.get(Location, location_id)


def locations(db: Session, ids: frozenset[int] | None) -> list[Location]:
    query = select(Location).where(Location.active.is_(True)).order_by(Location.name)
    if ids is not None:
        query = query.where(Location.id.in_(ids))
    return list(db.scalars(query))


# ---- the week ------------------------------------------------------------------------------


def _enrollments(db: Session, location_id: int, week: Week) -> list[Enrollment]:
    last_day = week.days[-1]
    query = (
        select(Enrollment)
        .where(Enrollment.location_id == location_id, Enrollment.status == "active")
        .where(Enrollment.admit_date <= last_day)
        .where(or_(Enrollment.discharge_date.is_(None), Enrollment.discharge_date >= week.monday))
        .options(selectinload(Enrollment.patient))
        .order_by(Enrollment.id)
    )
    return list(db.scalars(query))


def _policy(db: Session, enrollments: list[Enrollment]) -> Policy:
    """The policy of the program most of the site's patients are in (sites run one program
    in practice; the minutes are the program's minimum lengths)."""
    if not enrollments:
        return Policy()
    program_id = Counter(e.program_id for e in enrollments).most_common(1)[0][0]
    p = db.get(Program, program_id)
    assert p is not None
    return Policy(
        p.individual_sessions_per_week,
        p.individual_min_minutes,
        p.physician_visits_per_week,
        p.physician_visit_minutes,
    )


def _staff(db: Session, location_id: int, extra: set[int], span: tuple) -> list[StaffRecord]:
    at_site = select(staff_locations.c.staff_member_id).where(
        staff_locations.c.location_id == location_id
    )
    members = list(
        db.scalars(
            select(StaffMember)
            .where(StaffMember.active.is_(True))
            .where(or_(StaffMember.id.in_(at_site), StaffMember.id.in_(extra)))
            .order_by(StaffMember.last_name, StaffMember.id)
        )
    )
    ids = [m.id for m in members]
    hours: dict[int, list[WeeklyBlock]] = {}
    for h in db.scalars(
        select(StaffWorkingHours).where(
            StaffWorkingHours.staff_member_id.in_(ids),
            StaffWorkingHours.location_id == location_id,
        )
    ):
        hours.setdefault(h.staff_member_id, []).append(
            WeeklyBlock(h.weekday, h.start_time, h.end_time)
        )
    off: dict[int, list[Span]] = {}
    for t in db.scalars(
        select(StaffTimeOff).where(
            StaffTimeOff.staff_member_id.in_(ids),
            StaffTimeOff.starts_at < span[1],
            StaffTimeOff.ends_at > span[0],
        )
    ):
        off.setdefault(t.staff_member_id, []).append(Span(t.starts_at, t.ends_at, "time off"))
    return [
        StaffRecord(
            m.id,
            m.full_name,
            tuple(m.credential_list),
            m.caseload_cap,
            tuple(hours.get(m.id, [])),
            tuple(off.get(m.id, [])),
        )
        for m in members
    ]


def _tracks(db: Session, location_id: int, week: Week, zone: str) -> list[TrackRecord]:
    tracks = list(
        db.scalars(
            select(Track)
            .where(Track.location_id == location_id, Track.active.is_(True))
            .options(selectinload(Track.facilitators))
            .order_by(Track.id)
        )
    )
    sessions: dict[int, list[Span]] = {}
    for g in db.scalars(
        select(GroupSession).where(
            GroupSession.location_id == location_id,
            GroupSession.session_date >= week.monday,
            GroupSession.session_date <= week.days[-1],
        )
    ):
        kept = sessions.setdefault(g.track_id, [])
        if g.status != "cancelled":
            kept.append(Span(g.starts_at, g.ends_at, g.topic))
    return [
        TrackRecord(
            t.id,
            t.name,
            t.room_id,
            tuple(f.id for f in t.facilitators),
            t.weekdays,
            t.start_time,
            t.end_time,
            tuple(sessions[t.id]) if t.id in sessions else None,
        )
        for t in tracks
    ]


def _booked(db: Session, clause, start: datetime, end: datetime) -> list[Booked]:  # type: ignore[no-untyped-def]
    rows = db.scalars(
        select(Appointment)
        .where(clause, Appointment.status.in_(OCCUPYING))
        .where(Appointment.starts_at < end, Appointment.ends_at > start)
        .order_by(Appointment.starts_at, Appointment.id)
    )
    return [
        Booked(a.id, a.patient_id, a.staff_member_id, a.kind, a.starts_at, a.ends_at, a.room_id)
        for a in rows
    ]


def _by_patient(rows, key):  # type: ignore[no-untyped-def]
    out: dict[int, list] = {}
    for row in rows:
        out.setdefault(key(row), []).append(row)
    return out


def _patients(db: Session, enrollments: list[Enrollment], span: tuple) -> list[PatientRecord]:
    ids = [e.patient_id for e in enrollments]
    commitments = _by_patient(
        db.scalars(select(Commitment).where(Commitment.patient_id.in_(ids))), lambda c: c.patient_id
    )
    blocks = _by_patient(
        db.scalars(
            select(PatientBlock).where(
                PatientBlock.patient_id.in_(ids),
                PatientBlock.starts_at < span[1],
                PatientBlock.ends_at > span[0],
            )
        ),
        lambda b: b.patient_id,
    )
    prefs = {
        p.patient_id: p
        for p in db.scalars(
            select(SchedulingPreference).where(SchedulingPreference.patient_id.in_(ids))
        )
    }
    previous = _booked(db, Appointment.patient_id.in_(ids), span[0] - timedelta(days=7), span[0])
    last_week = _by_patient(previous, lambda b: b.patient_id)
    return [
        _patient_record(e, commitments, blocks, prefs.get(e.patient_id), last_week)
        for e in sorted(enrollments, key=lambda e: (e.patient.last_name, e.patient.first_name))
    ]


def _patient_record(e, commitments, blocks, pref, last_week) -> PatientRecord:  # type: ignore[no-untyped-def]
    pid = e.patient_id
    return PatientRecord(
        id=pid,
        name=e.patient.full_name,
        track_id=e.track_id,
        primary_counselor_id=e.primary_counselor_id,
        commitments=tuple(
            WeeklyBlock(c.weekday, c.start_time, c.end_time, c.label or c.kind)
            for c in commitments.get(pid, [])
        ),
        blocks=tuple(Span(b.starts_at, b.ends_at, b.label or "") for b in blocks.get(pid, [])),
        preferred_weekdays=pref.preferred_weekdays if pref else "",
        part_of_day=pref.part_of_day if pref else None,
        telehealth_ok=pref.telehealth_ok if pref else False,
        last_week=tuple(last_week.get(pid, [])),
    )


def week_data(db: Session, place: Location, week_start: date) -> WeekData:
    week = Week(week_start)
    span = week.span(place.time_zone)
    enrollments = _enrollments(db, place.id, week)
    counselors = {e.primary_counselor_id for e in enrollments if e.primary_counselor_id}
    staff = _staff(db, place.id, counselors, span)
    patient_ids = [e.patient_id for e in enrollments]
    staff_ids = [s.id for s in staff]
    booked = _booked(
        db,
        or_(Appointment.patient_id.in_(patient_ids), Appointment.staff_member_id.in_(staff_ids)),
        *span,
    )
    rooms = db.scalars(
        select(Room)
        .where(Room.location_id == place.id, Room.active.is_(True), Room.telehealth.is_(False))
        .order_by(Room.name)
    )
    closures = db.scalars(
        select(LocationClosure).where(
            LocationClosure.location_id == place.id,
            LocationClosure.closed_on >= week.monday,
            LocationClosure.closed_on <= week.days[-1],
        )
    )
    return WeekData(
        location_id=place.id,
        location_name=place.name,
        zone=place.time_zone,
        week_start=week_start,
        policy=_policy(db, enrollments),
        staff=tuple(staff),
        rooms=tuple(RoomRecord(r.id, r.name, r.capacity) for r in rooms),
        tracks=tuple(_tracks(db, place.id, week, place.time_zone)),
        patients=tuple(_patients(db, enrollments, span)),
        closures=tuple((c.closed_on, c.reason) for c in closures),
        booked=tuple(booked),
    )


# ---- plan runs -----------------------------------------------------------------------------


def add_run(db: Session, run: PlanRun) -> PlanRun:
    db.add(run)
    db.flush()
    return run


def run_by_id(db: Session, run_id: int) -> PlanRun | None:
    return db.get(PlanRun, run_id)


def active_run(db: Session, location_id: int, week_start: date) -> PlanRun | None:
    return db.scalars(
        select(PlanRun).where(
            PlanRun.location_id == location_id,
            PlanRun.week_start == week_start,
            PlanRun.status.in_(ACTIVE_STATUSES),
        )
    ).first()


def recent_runs(db: Session, location_id: int, limit: int = 10) -> list[PlanRun]:
    return list(
        db.scalars(
            select(PlanRun)
            .where(PlanRun.location_id == location_id)
            .order_by(PlanRun.created_at.desc(), PlanRun.id.desc())
            .limit(limit)
        )
    )
