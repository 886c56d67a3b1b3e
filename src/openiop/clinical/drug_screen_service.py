"""Drug screens: record a collection, then its results per substance class, and show the
patient's trend. Keyword-only, never commits.

Results are entered once per screen; a correction after that is a new screen note, not an
overwrite, so what a clinician acted on stays visible (recording results twice is refused).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from openiop.clinical import drug_screen_repository as repo
from openiop.clinical import drug_screen_rules as rules
from openiop.clinical import plan_repository
from openiop.clinical.access import authorize_chart, principal_of, today
from openiop.kit import clock
from openiop.kit.errors import NotFound, ValidationFailed
from openiop.models import DrugScreen, DrugScreenResult
from openiop.security import audit
from openiop.security.audit import Actor, AuditEntry


@dataclass(frozen=True)
class TrendRow:
    screen: DrugScreen
    outcome: str  # see drug_screen_rules.OUTCOMES

    @property
    def collected_on(self) -> date:
        return self.screen.collected_on


def trend(session: Session, *, actor: Actor, patient_id: int) -> list[TrendRow]:
    authorize_chart(session, actor=actor, patient_id=patient_id, action="drug_screen.read")
    return trend_of(session, patient_id)


def trend_of(session: Session, patient_id: int) -> list[TrendRow]:
    """For callers that have already authorized the read."""
    return [
        TrendRow(s, rules.outcome(r.result for r in s.results))
        for s in repo.screens_of_patient(session, patient_id)
    ]


def collect(
    session: Session, *, actor: Actor, patient_id: int, data: Mapping[str, object]
) -> DrugScreen:
    authorize_chart(
        session, actor=actor, patient_id=patient_id, action="drug_screen.collect", write=True
    )
    enrollment = plan_repository.current_enrollment(session, patient_id)
    if enrollment is None or enrollment.status not in plan_repository.OPEN:
        raise ValidationFailed("The patient has no open enrollment.")
    entry = rules.parse_collection(data, admit_date=enrollment.admit_date, today=today())
    row = DrugScreen(
        patient_id=patient_id,
        enrollment_id=enrollment.id,
        collected_on=entry.collected_on,
        observed=entry.observed,
        specimen=entry.specimen,
        testing=entry.testing,
        lab_name=entry.lab_name if entry.testing == "lab" else None,
        note=entry.note,
        collected_by_user_id=principal_of(actor).user_id,
    )
    repo.add(session, row)
    _audit(session, actor, "drug_screen.collect", row, f"{row.specimen} {row.testing}")
    return row


def record_results(
    session: Session, *, actor: Actor, screen_id: int, data: Mapping[str, object]
) -> DrugScreen:
    screen = screen_for(session, screen_id)
    authorize_chart(
        session,
        actor=actor,
        patient_id=screen.patient_id,
        action="drug_screen.results",
        write=True,
        object_type="drug_screen",
        object_id=screen.id,
    )
    if screen.results:
        raise ValidationFailed("This screen's results are already recorded.")
    now, user_id = clock.now(), principal_of(actor).user_id
    for entry in rules.parse_results(data):
        screen.results.append(
            DrugScreenResult(
                substance_class=entry.substance_class,
                result=entry.result,
                medication=entry.medication,
                recorded_by_user_id=user_id,
                recorded_at=now,
            )
        )
    session.flush()
    summary = rules.outcome(r.result for r in screen.results)
    _audit(session, actor, "drug_screen.results", screen, summary)
    return screen


def screen_for(session: Session, screen_id: int) -> DrugScreen:
    screen = repo.screen(session, screen_id)
    if screen is None:
        raise NotFound(f"No drug screen with id {screen_id}.")
    return screen


def _audit(
    session: Session, actor: Actor, action: str, screen: DrugScreen, detail: str | None
) -> None:
    audit.record(
        session,
        actor,
        AuditEntry(
            action,
            patient_id=screen.patient_id,
            object_type="drug_screen",
            object_id=screen.id,
            detail=detail,
        ),
    )
