"""All SQL for clinical notes. Queries state what they load; nothing here commits.

A chart query loads one patient's rows only: a group part comes with its shared part
(`group_note`) but never with the group note's other parts.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy import delete, insert, or_, select
from sqlalchemy.orm import Session, joinedload, selectinload

from openiop.models import (
    ClinicalNote,
    Enrollment,
    GroupAttendance,
    GroupNote,
    GroupSession,
    Location,
    NoteAddendum,
    Patient,
    PlanObjective,
    PrivateCounselingNote,
    StaffMember,
    TreatmentPlan,
    User,
    note_objectives,
    track_facilitators,
)

OPEN_PLAN_STATUSES = ("draft", "active")
OPEN_ENROLLMENT_STATUSES = ("active", "pending")


# ---- chart notes ------------------------------------------------------------------------


def chart_notes(session: Session, patient_id: int, *, limit: int = 200) -> list[ClinicalNote]:
    query = (
        select(ClinicalNote)
        .where(ClinicalNote.patient_id == patient_id)
        .options(joinedload(ClinicalNote.group_note))
        .order_by(ClinicalNote.service_date.desc(), ClinicalNote.id.desc())
        .limit(limit)
    )
    return list(session.scalars(query))


def note_by_id(session: Session, note_id: int) -> ClinicalNote | None:
    query = (
        select(ClinicalNote)
        .where(ClinicalNote.id == note_id)
        .options(
            joinedload(ClinicalNote.group_note).joinedload(GroupNote.group_session),
            selectinload(ClinicalNote.medications),
            selectinload(ClinicalNote.addenda),
        )
        # Re-read collections already in the session: an addendum may have just been added.
        .execution_options(populate_existing=True)
    )
    return session.scalars(query).unique().one_or_none()


def note_patient_id(session: Session, note_id: int) -> int | None:
    return session.scalar(select(ClinicalNote.patient_id).where(ClinicalNote.id == note_id))


def add_addendum(session: Session, addendum: NoteAddendum) -> NoteAddendum:
    session.add(addendum)
    session.flush()
    return addendum


# ---- plan objectives --------------------------------------------------------------------


def patient_objectives(session: Session, patient_id: int) -> list[PlanObjective]:
    """Objectives of the patient's draft or active plans, in plan order."""
    query = (
        select(PlanObjective)
        .join(TreatmentPlan, TreatmentPlan.id == PlanObjective.plan_id)
        .where(
            TreatmentPlan.patient_id == patient_id,
            TreatmentPlan.status.in_(OPEN_PLAN_STATUSES),
        )
        .order_by(PlanObjective.plan_id, PlanObjective.goal_id, PlanObjective.position)
    )
    return list(session.scalars(query))


def objectives_by_id(session: Session, ids: Iterable[int]) -> list[PlanObjective]:
    wanted = list(ids)
    if not wanted:
        return []
    return list(session.scalars(select(PlanObjective).where(PlanObjective.id.in_(wanted))))


def linked_objective_ids(session: Session, note_id: int) -> list[int]:
    query = select(note_objectives.c.objective_id).where(note_objectives.c.note_id == note_id)
    return sorted(session.scalars(query))


def set_linked_objectives(session: Session, note_id: int, ids: Iterable[int]) -> None:
    session.execute(delete(note_objectives).where(note_objectives.c.note_id == note_id))
    rows = [{"note_id": note_id, "objective_id": i} for i in sorted(set(ids))]
    if rows:
        session.execute(insert(note_objectives), rows)


def linked_objectives_of_notes(session: Session, note_ids: Iterable[int]) -> dict[int, list[int]]:
    """Note id → linked objective ids, for many notes (a group note's parts) in one query."""
    wanted = sorted(set(note_ids))
    found: dict[int, list[int]] = {i: [] for i in wanted}
    if not wanted:
        return found
    query = (
        select(note_objectives.c.note_id, note_objectives.c.objective_id)
        .where(note_objectives.c.note_id.in_(wanted))
        .order_by(note_objectives.c.note_id, note_objectives.c.objective_id)
    )
    for note_id, objective_id in session.execute(query):
        found[note_id].append(objective_id)
    return found


def addressed_objectives_of_notes(
    session: Session, note_ids: Iterable[int]
) -> dict[int, list[tuple[int, str]]]:
    """Note id → (objective id, statement) it links, in plan order, for many notes in one
    query. The text comes through the link, not the active plan, so a signed part still
    shows what it addressed after that plan is revised."""
    wanted = sorted(set(note_ids))
    found: dict[int, list[tuple[int, str]]] = {i: [] for i in wanted}
    if not wanted:
        return found
    query = (
        select(note_objectives.c.note_id, PlanObjective.id, PlanObjective.statement)
        .join(PlanObjective, PlanObjective.id == note_objectives.c.objective_id)
        .where(note_objectives.c.note_id.in_(wanted))
        .order_by(
            note_objectives.c.note_id,
            PlanObjective.plan_id,
            PlanObjective.goal_id,
            PlanObjective.position,
            PlanObjective.id,
        )
    )
    for note_id, objective_id, statement in session.execute(query):
        found[note_id].append((objective_id, statement))
    return found


def replace_linked_objectives(session: Session, links: dict[int, Iterable[int]]) -> None:
    """Set the links of many notes at once: one delete, one insert."""
    if not links:
        return
    session.execute(delete(note_objectives).where(note_objectives.c.note_id.in_(list(links))))
    rows = [
        {"note_id": note_id, "objective_id": i}
        for note_id, ids in sorted(links.items())
        for i in sorted(set(ids))
    ]
    if rows:
        session.execute(insert(note_objectives), rows)


# ---- people -----------------------------------------------------------------------------


def user_names(session: Session, user_ids: Iterable[int | None]) -> dict[int, str]:
    wanted = {i for i in user_ids if i is not None}
    if not wanted:
        return {}
    rows = session.execute(select(User.id, User.display_name).where(User.id.in_(wanted)))
    return {user_id: name for user_id, name in rows}


def staff_credentials(session: Session, staff_member_id: int | None) -> list[str]:
    if staff_member_id is None:
        return []
    member = session.get(StaffMember, staff_member_id)
    return member.credential_list if member else []


# ---- group sessions and notes -----------------------------------------------------------


def group_session(session: Session, group_session_id: int) -> GroupSession | None:
    query = (
        select(GroupSession)
        .where(GroupSession.id == group_session_id)
        .options(joinedload(GroupSession.track))
    )
    return session.scalars(query).one_or_none()


def track_facilitator_ids(session: Session, track_id: int) -> frozenset[int]:
    query = select(track_facilitators.c.staff_member_id).where(
        track_facilitators.c.track_id == track_id
    )
    return frozenset(session.scalars(query))


def roster(session: Session, group: GroupSession) -> list[Patient]:
    """Patients enrolled on the session's track on its date of service, by name."""
    query = (
        select(Patient)
        .join(Enrollment, Enrollment.patient_id == Patient.id)
        .where(
            Enrollment.track_id == group.track_id,
            Enrollment.admit_date <= group.session_date,
            or_(
                Enrollment.status.in_(OPEN_ENROLLMENT_STATUSES),
                Enrollment.discharge_date >= group.session_date,
            ),
        )
        .order_by(Patient.last_name, Patient.first_name, Patient.id)
        .distinct()
    )
    return list(session.scalars(query))


def attendance_statuses(session: Session, group_session_id: int) -> dict[int, str]:
    """Patient id -> attendance status recorded for the session (attendance area's table)."""
    query = select(GroupAttendance.patient_id, GroupAttendance.status).where(
        GroupAttendance.group_session_id == group_session_id
    )
    return {patient_id: status for patient_id, status in session.execute(query)}


def group_note_for_session(session: Session, group_session_id: int) -> GroupNote | None:
    query = (
        select(GroupNote)
        .where(GroupNote.group_session_id == group_session_id)
        .options(selectinload(GroupNote.parts))
    )
    return session.scalars(query).one_or_none()


def facilitated_sessions(
    session: Session, *, staff_member_id: int | None, location_ids, since: date, until: date
) -> list[tuple[GroupSession, GroupNote | None]]:
    """Sessions in a date range that the staff member leads (or, with staff None, every
    session at the given sites), each with its group note if one was started."""
    query = (
        select(GroupSession, GroupNote)
        .outerjoin(GroupNote, GroupNote.group_session_id == GroupSession.id)
        .where(GroupSession.session_date.between(since, until))
        .options(joinedload(GroupSession.track))
        .order_by(GroupSession.session_date.desc(), GroupSession.starts_at)
    )
    if location_ids is not None:
        query = query.where(GroupSession.location_id.in_(location_ids))
    if staff_member_id is not None:
        led_tracks = select(track_facilitators.c.track_id).where(
            track_facilitators.c.staff_member_id == staff_member_id
        )
        query = query.where(
            or_(
                GroupSession.facilitator_id == staff_member_id,
                GroupSession.track_id.in_(led_tracks),
            )
        )
    return [(row[0], row[1]) for row in session.execute(query)]


def patient_name(session: Session, patient_id: int) -> str:
    row = session.execute(
        select(Patient.first_name, Patient.last_name).where(Patient.id == patient_id)
    ).one_or_none()
    return f"{row.first_name} {row.last_name}" if row else ""


def patients_by_id(session: Session, ids: Iterable[int]) -> dict[int, Patient]:
    wanted = list(ids)
    if not wanted:
        return {}
    return {p.id: p for p in session.scalars(select(Patient).where(Patient.id.in_(wanted)))}


# ---- private counseling notes -----------------------------------------------------------


def private_notes(
    session: Session, *, author_user_id: int, patient_id: int
) -> list[PrivateCounselingNote]:
    query = (
        select(PrivateCounselingNote)
        .where(
            PrivateCounselingNote.author_user_id == author_user_id,
            PrivateCounselingNote.patient_id == patient_id,
        )
        .order_by(PrivateCounselingNote.service_date.desc(), PrivateCounselingNote.id.desc())
    )
    return list(session.scalars(query))


# ---- co-signature queue -----------------------------------------------------------------


def chart_notes_awaiting_cosign(
    session: Session, *, location_ids, exclude_author: int, limit: int = 100
) -> list[ClinicalNote]:
    """Signed individual notes still needing a co-signature, for patients with an open
    enrollment at the given sites (None: every site), oldest first."""
    query = (
        select(ClinicalNote)
        .where(
            ClinicalNote.status == "signed",
            ClinicalNote.cosign_required.is_(True),
            ClinicalNote.cosigned_at.is_(None),
            ClinicalNote.group_note_id.is_(None),
            ClinicalNote.author_user_id != exclude_author,
        )
        .order_by(ClinicalNote.signed_at, ClinicalNote.id)
        .limit(limit)
    )
    if location_ids is not None:
        open_here = select(Enrollment.patient_id).where(
            Enrollment.location_id.in_(location_ids),
            Enrollment.status.in_(OPEN_ENROLLMENT_STATUSES),
        )
        query = query.where(ClinicalNote.patient_id.in_(open_here))
    return list(session.scalars(query))


def group_notes_awaiting_cosign(
    session: Session, *, location_ids, exclude_author: int, limit: int = 100
) -> list[GroupNote]:
    query = (
        select(GroupNote)
        .join(GroupSession, GroupSession.id == GroupNote.group_session_id)
        .where(
            GroupNote.status == "signed",
            GroupNote.cosign_required.is_(True),
            GroupNote.cosigned_at.is_(None),
            GroupNote.author_user_id != exclude_author,
        )
        .options(joinedload(GroupNote.group_session).joinedload(GroupSession.track))
        .order_by(GroupNote.signed_at, GroupNote.id)
        .limit(limit)
    )
    if location_ids is not None:
        query = query.where(GroupSession.location_id.in_(location_ids))
    return list(session.scalars(query))


def location_time_zone(session: Session, location_id: int) -> str | None:
    return session.execute(
        select(Location.time_zone).where(Location.id == location_id)
    ).scalar_one_or_none()
