"""The clinical chart of one patient in one read: plan and its review status, measures and
what is due, drug screens, and the discharge summary if there is one. One authorization and
one audit event ("clinical.read") for the page, not one per section."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from openiop.clinical import (
    discharge_repository,
    drug_screen_service,
    measures_service,
    plan_repository,
    plan_service,
)
from openiop.clinical.access import authorize_chart, may_write
from openiop.kit.errors import NotFound
from openiop.models import DischargeSummary, MeasureAdministration, Patient
from openiop.security.audit import Actor


@dataclass(frozen=True)
class ClinicalChart:
    patient: Patient
    plan: plan_service.PlanChart
    measures: measures_service.MeasuresChart
    screens: list[drug_screen_service.TrendRow]
    discharge: DischargeSummary | None
    may_write: bool

    @property
    def urgent(self) -> list[MeasureAdministration]:
        """Measures whose PHQ-9 item 9 raised the same-day task, newest first."""
        rows = [r for items in self.measures.given.values() for r in items if r.urgent_task_id]
        return sorted(rows, key=lambda r: r.administered_on, reverse=True)


def clinical_chart(session: Session, *, actor: Actor, patient_id: int) -> ClinicalChart:
    authorize_chart(session, actor=actor, patient_id=patient_id, action="clinical.read")
    patient = plan_repository.patient(session, patient_id)
    if patient is None:  # pragma: no cover - authorize_chart has already said 404
        raise NotFound(f"No patient with id {patient_id}.")
    plan = plan_service.chart_of(session, patient_id)
    summary = (
        discharge_repository.summary_of_enrollment(session, plan.enrollment.id)
        if plan.enrollment
        else None
    )
    return ClinicalChart(
        patient=patient,
        plan=plan,
        measures=measures_service.measures_of_enrollment(session, plan.enrollment),
        screens=drug_screen_service.trend_of(session, patient_id),
        discharge=summary,
        may_write=may_write(actor),
    )
