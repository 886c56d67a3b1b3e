"""All SQL of admissions assessments and the clinical tasks they raise."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from openiop.models import AdmissionAssessment, ClinicalTask, Inquiry, Location


def inquiry(session: Session, inquiry_id: int) -> Inquiry | None:
    return session.get(Inquiry, inquiry_id)


def location(session: Session, location_id: int | None) -> Location | None:
    return session.get(Location, location_id) if location_id else None


def assessment(session: Session, assessment_id: int) -> AdmissionAssessment | None:
    return session.get(AdmissionAssessment, assessment_id)


def latest_assessment(session: Session, inquiry_id: int) -> AdmissionAssessment | None:
    query = (
        select(AdmissionAssessment)
        .where(AdmissionAssessment.inquiry_id == inquiry_id)
        .order_by(AdmissionAssessment.id.desc())
        .limit(1)
    )
    return session.scalars(query).first()


def assessments_of(session: Session, inquiry_id: int) -> list[AdmissionAssessment]:
    query = select(AdmissionAssessment).where(AdmissionAssessment.inquiry_id == inquiry_id)
    return list(session.scalars(query.order_by(AdmissionAssessment.id.desc())))


def open_tasks(session: Session, inquiry_id: int) -> list[ClinicalTask]:
    query = select(ClinicalTask).where(
        ClinicalTask.inquiry_id == inquiry_id, ClinicalTask.status == "open"
    )
    return list(session.scalars(query.order_by(ClinicalTask.due_date, ClinicalTask.id)))


def count_open_tasks(session: Session, kind: str, location_ids: Collection[int] | None) -> int:
    """Open tasks of one kind at these locations plus those with no location; None means all."""
    query = select(func.count(ClinicalTask.id)).where(
        ClinicalTask.kind == kind, ClinicalTask.status == "open"
    )
    if location_ids is not None:
        query = query.where(
            or_(
                ClinicalTask.location_id.is_(None), ClinicalTask.location_id.in_(list(location_ids))
            )
        )
    return session.scalar(query) or 0


def add(session: Session, row: object) -> None:
    session.add(row)
    session.flush()
