"""What the history generator reads from the loaded demo before writing: sites, tracks,
clinicians and their accounts, rooms, curriculum topics and the demo's own enrollments."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import exists, select
from sqlalchemy.orm import Session, selectinload

from openiop.demo import history_plan as hp
from openiop.demo.history_writer import Who
from openiop.models import (
    CurriculumTopic,
    Enrollment,
    Location,
    Organization,
    Patient,
    Room,
    StaffMember,
    Track,
    User,
)
from openiop.notes import rules as note_rules
from openiop.security.permissions import Role

PRESCRIBERS = {"MD", "DO", "NP", "PA"}


@dataclass
class Context:
    organization_id: int
    program_id: int
    tracks: list[hp.TrackInfo]
    sites: dict[int, hp.SiteInfo]
    accounts: dict[int, Who]  # by staff member id
    needs_cosign: dict[int, bool]  # by staff member id
    supervisor: Who | None
    front_desk: dict[int, Who]  # by location id: who registers patients
    topics: list[tuple[int, str]]
    existing: list[hp.Episode] = field(default_factory=list)

    def zone(self, location_id: int) -> str:
        return self.sites[location_id].zone


def already_written(session: Session) -> bool:
    return bool(session.scalar(select(exists().where(Patient.mrn.like(f"{hp.MRN_PREFIX}%")))))


def load(session: Session, organization_name: str, before: date) -> Context | None:
    org = session.scalar(select(Organization).where(Organization.name == organization_name))
    if org is None:
        return None
    staff = list(
        session.scalars(
            select(StaffMember)
            .where(StaffMember.organization_id == org.id)
            .options(selectinload(StaffMember.locations))
            .order_by(StaffMember.id)  # the same choices on every database
        )
    )
    accounts, roles = _accounts(session, staff)
    tracks = _tracks(session)
    return Context(
        organization_id=org.id,
        program_id=tracks[0][1],
        tracks=[t for t, _ in tracks],
        sites=_sites(session, staff, roles),
        accounts=accounts,
        needs_cosign={
            s.id: note_rules.needs_cosign(s.credential_list) for s in staff if s.credentials
        },
        supervisor=next(
            (accounts[s.id] for s in staff if roles.get(s.id) == Role.PROGRAM_DIRECTOR), None
        ),
        front_desk=_front_desk(staff, accounts, roles),
        topics=[
            (t.id, t.title)
            for t in session.scalars(select(CurriculumTopic).order_by(CurriculumTopic.position))
        ],
        existing=_existing(session, before),
    )


def _accounts(session: Session, staff: list[StaffMember]) -> tuple[dict[int, Who], dict[int, Role]]:
    ids = [s.id for s in staff]
    users = session.execute(
        select(User.staff_member_id, User.id, User.email, User.role).where(
            User.staff_member_id.in_(ids)
        )
    ).all()
    accounts = {row[0]: Who(row[1], row[2], row[3]) for row in users}
    return accounts, {row[0]: Role(row[3]) for row in users}


def _tracks(session: Session) -> list[tuple[hp.TrackInfo, int]]:
    rows = session.scalars(
        select(Track).options(selectinload(Track.facilitators)).order_by(Track.id)
    )
    return [
        (
            hp.TrackInfo(
                id=t.id,
                location_id=t.location_id,
                weekdays=t.weekdays,
                start=t.start_time,
                end=t.end_time,
                room_id=t.room_id,
                facilitator_ids=tuple(f.id for f in t.facilitators),
            ),
            t.program_id,
        )
        for t in rows
    ]


def _sites(
    session: Session, staff: list[StaffMember], roles: dict[int, Role]
) -> dict[int, hp.SiteInfo]:
    sites = {}
    for location in session.scalars(select(Location).order_by(Location.id)):
        rooms: dict[str, int] = {
            name: room_id
            for name, room_id in session.execute(
                select(Room.name, Room.id).where(Room.location_id == location.id)
            )
        }
        here = [s for s in staff if location.id in {loc.id for loc in s.locations}]
        sites[location.id] = hp.SiteInfo(
            id=location.id,
            zone=location.time_zone,
            counselor_ids=tuple(s.id for s in here if roles.get(s.id) == Role.COUNSELOR),
            physician_ids=tuple(
                s.id for s in here if set(s.credential_list) & PRESCRIBERS and s.id in roles
            ),
            counseling_room_ids=tuple(v for k, v in sorted(rooms.items()) if "Counseling" in k),
            exam_room_id=rooms.get("Exam Room"),
        )
    return sites


def _front_desk(
    staff: list[StaffMember], accounts: dict[int, Who], roles: dict[int, Role]
) -> dict[int, Who]:
    desk: dict[int, Who] = {}
    for member in staff:
        if roles.get(member.id) in (Role.FRONT_DESK, Role.ADMISSIONS):
            for location in member.locations:
                desk.setdefault(location.id, accounts[member.id])
    return desk


def _existing(session: Session, before: date) -> list[hp.Episode]:
    """The demo's own enrollments on a track that began before this week: their past is
    written too, so today's patients have a chart history."""
    rows = session.scalars(
        select(Enrollment)
        .where(
            Enrollment.track_id.is_not(None),
            Enrollment.admit_date < before,
            Enrollment.status.in_(("active", "discharged")),
        )
        .order_by(Enrollment.id)
    )
    return [
        hp.Episode(
            track_id=e.track_id,  # type: ignore[arg-type]
            location_id=e.location_id,
            admit=e.admit_date,
            discharge=e.discharge_date,
            counselor_id=e.primary_counselor_id,  # type: ignore[arg-type]
            physician_id=e.physician_id,  # type: ignore[arg-type]
            discharge_type=e.discharge_type,
            enrollment_id=e.id,
            patient_id=e.patient_id,
            engagement=0.85 + (e.id % 7) / 50,
        )
        for e in rows
        if e.primary_counselor_id and e.physician_id
    ]


def targets(existing: list[hp.Episode]) -> dict[int, int]:
    """Today's census per track: the history keeps each group about this full."""
    out: dict[int, int] = {}
    for episode in existing:
        if episode.discharge is None:
            out[episode.track_id] = out.get(episode.track_id, 0) + 1
    return out
