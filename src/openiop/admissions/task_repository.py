"""All SQL of the clinical task list and the clinicians' assessment worklist."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import exists, or_, select
from sqlalchemy.orm import Session

from openiop.models import (
    AdmissionAssessment,
    ClinicalTask,
    Inquiry,
    Location,
    Patient,
    StaffMember,
    User,
)

WORKLIST_STAGES = ("screening_scheduled", "assessed", "insurance_verified")
LIMIT = 200  # a site's open tasks fit; more means the list needs attention, not paging


def _in_scope(column, location_ids: Collection[int] | None):  # type: ignore[no-untyped-def]
    """At these sites, or at no site (someone must pick those up); None means every site."""
    if location_ids is None:
        return True
    return or_(column.is_(None), column.in_(list(location_ids)))


def open_tasks(
    session: Session, location_ids: Collection[int] | None, kinds: Collection[str]
) -> list[ClinicalTask]:
    query = (
        select(ClinicalTask)
        .where(
            ClinicalTask.status == "open",
            ClinicalTask.kind.in_(list(kinds)),
            _in_scope(ClinicalTask.location_id, location_ids),
        )
        .order_by(ClinicalTask.due_date, ClinicalTask.id)
        .limit(LIMIT)
    )
    return list(session.scalars(query))


def done_since(
    session: Session, location_ids: Collection[int] | None, kinds: Collection[str], since: datetime
) -> list[ClinicalTask]:
    query = (
        select(ClinicalTask)
        .where(
            ClinicalTask.status == "done",
            ClinicalTask.done_at >= since,
            ClinicalTask.kind.in_(list(kinds)),
            _in_scope(ClinicalTask.location_id, location_ids),
        )
        .order_by(ClinicalTask.done_at.desc())
        .limit(50)
    )
    return list(session.scalars(query))


def task(session: Session, task_id: int) -> ClinicalTask | None:
    return session.get(ClinicalTask, task_id)


def patient_names(session: Session, ids: Collection[int]) -> dict[int, str]:
    if not ids:
        return {}
    query = select(Patient.id, Patient.first_name, Patient.last_name).where(
        Patient.id.in_(list(ids))
    )
    return {pid: f"{first} {last}" for pid, first, last in session.execute(query)}


def inquiry_names(session: Session, ids: Collection[int]) -> dict[int, str]:
    if not ids:
        return {}
    query = select(Inquiry.id, Inquiry.person_name, Inquiry.name).where(Inquiry.id.in_(list(ids)))
    return {iid: person or name for iid, person, name in session.execute(query)}


def staff_names(session: Session, ids: Collection[int]) -> dict[int, str]:
    if not ids:
        return {}
    query = select(StaffMember.id, StaffMember.first_name, StaffMember.last_name).where(
        StaffMember.id.in_(list(ids))
    )
    return {sid: f"{first} {last}" for sid, first, last in session.execute(query)}


def user_names(session: Session, ids: Collection[int]) -> dict[int, str]:
    if not ids:
        return {}
    query = select(User.id, User.display_name).where(User.id.in_(list(ids)))
    return {user_id: name for user_id, name in session.execute(query)}


def zones(session: Session) -> dict[int, str]:
    return {
        loc_id: zone for loc_id, zone in session.execute(select(Location.id, Location.time_zone))
    }


def awaiting_assessment(session: Session, location_ids: Collection[int] | None) -> list[Inquiry]:
    """Inquiries ready for a clinician: screening scheduled or later, not yet admitted or
    closed, and without a decided assessment."""
    decided = exists().where(
        AdmissionAssessment.inquiry_id == Inquiry.id, AdmissionAssessment.decision.is_not(None)
    )
    query = (
        select(Inquiry)
        .where(
            Inquiry.stage.in_(WORKLIST_STAGES),
            ~decided,
            _in_scope(Inquiry.location_id, location_ids),
        )
        .order_by(Inquiry.next_action_date.is_(None), Inquiry.next_action_date, Inquiry.id)
        .limit(LIMIT)
    )
    return list(session.scalars(query))
