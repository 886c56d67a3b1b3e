"""Discharge: draft a summary from the record (dates, attendance totals, measures at
admission and discharge, plan progress, drug screens), let the clinician write the course
and the aftercare plan, sign it — which closes the enrollment — and export it as a PDF.
Keyword-only, never commits.

The care team of a discharged episode (its primary counselor and physician) keeps read
access to that episode's discharge summary: once the enrollment closes they are no longer
on the patient's care team, but they wrote the summary and field the aftercare calls.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from openiop.clinical import (
    discharge_pdf,
    drug_screen_repository,
    drug_screen_rules,
    measures_repository,
    plan_repository,
    plan_rules,
)
from openiop.clinical import discharge_repository as repo
from openiop.clinical import discharge_rules as rules
from openiop.clinical.access import authorize_chart, flush_or_conflict, principal_of, today
from openiop.kit import clock
from openiop.kit.errors import Conflict, NotFound, ValidationFailed
from openiop.models import DischargeSummary, Enrollment
from openiop.security import audit
from openiop.security.audit import Actor, AuditEntry
from openiop.security.permissions import CLINICAL_ROLES

try:  # the attendance minutes ledger, when that area is installed
    from openiop.attendance import compliance_service as attendance
except ImportError:  # pragma: no cover - depends on the build
    attendance = None  # type: ignore[assignment]


@dataclass(frozen=True)
class DischargeView:
    enrollment: Enrollment | None
    summary: DischargeSummary | None
    sections: list[tuple[str, list[str]]]


def discharge_view(session: Session, *, actor: Actor, patient_id: int) -> DischargeView:
    enrollment = plan_repository.current_enrollment(session, patient_id)
    summary = repo.summary_of_enrollment(session, enrollment.id) if enrollment else None
    if summary is not None and summary.status == "signed":
        _authorize_signed(session, actor, summary, "discharge.read")
    else:
        authorize_chart(session, actor=actor, patient_id=patient_id, action="discharge.read")
    sections = rules.record_lines(summary.record) if summary else []
    return DischargeView(enrollment, summary, sections)


def save_draft(
    session: Session, *, actor: Actor, patient_id: int, data: Mapping[str, object]
) -> DischargeSummary:
    """Create or update the draft, re-drafting the record from the chart as it is now."""
    authorize_chart(
        session, actor=actor, patient_id=patient_id, action="discharge.draft", write=True
    )
    enrollment = plan_repository.current_enrollment(session, patient_id)
    if enrollment is None or enrollment.status not in plan_repository.OPEN:
        raise ValidationFailed("The patient has no open enrollment to discharge.")
    entry = rules.parse_discharge(data, admit_date=enrollment.admit_date, today=today())
    summary = repo.summary_of_enrollment(session, enrollment.id)
    if summary is not None and summary.status == "signed":
        raise ValidationFailed("This discharge summary is signed and cannot change.")
    if summary is not None:
        _check_version(summary, data)
    else:
        summary = DischargeSummary(
            enrollment_id=enrollment.id,
            patient_id=patient_id,
            drafted_by_user_id=principal_of(actor).user_id,
        )
    summary.discharge_type, summary.discharge_date = entry.discharge_type, entry.discharge_date
    summary.referral_to = entry.referral_to
    summary.clinical_course, summary.aftercare_plan = entry.clinical_course, entry.aftercare_plan
    summary.record = draft_record(session, actor, enrollment, entry.discharge_date)
    repo.add(session, summary)
    _audit(session, actor, "discharge.draft", summary)
    return summary


def _check_version(summary: DischargeSummary, data: Mapping[str, object]) -> None:
    sent = str(data.get("version") or "")
    if sent and sent != str(summary.version):
        raise Conflict("Someone changed this discharge summary since you opened it.")


def sign(
    session: Session, *, actor: Actor, summary_id: int, version: int | None = None
) -> DischargeSummary:
    """Sign the draft and close the enrollment with its discharge date and type."""
    summary = _summary(session, summary_id)
    if summary.status == "signed":  # its former care team may still read it: say why not
        _authorize_signed(session, actor, summary, "discharge.sign")
        raise ValidationFailed("This discharge summary is already signed.")
    authorize_chart(
        session,
        actor=actor,
        patient_id=summary.patient_id,
        action="discharge.sign",
        write=True,
        object_type="discharge_summary",
        object_id=summary.id,
    )
    if version is not None and version != summary.version:
        raise Conflict("Someone changed this discharge summary since you opened it.")
    errors = rules.signing_problems(summary.clinical_course, summary.aftercare_plan)
    if errors:
        raise ValidationFailed(next(iter(errors.values())), field_errors=errors)
    enrollment = plan_repository.enrollment(session, summary.enrollment_id)
    assert enrollment is not None
    summary.status, summary.signed_at = "signed", clock.now()
    summary.signed_by_user_id = principal_of(actor).user_id
    enrollment.status = "discharged"
    enrollment.discharge_date = summary.discharge_date
    enrollment.discharge_type = summary.discharge_type
    flush_or_conflict(session)
    _audit(session, actor, "discharge.sign", summary)
    audit.record(
        session,
        actor,
        AuditEntry(
            "enrollment.discharge",
            patient_id=summary.patient_id,
            object_type="enrollment",
            object_id=enrollment.id,
            detail=summary.discharge_type,
        ),
    )
    return summary


def export_pdf(session: Session, *, actor: Actor, summary_id: int) -> tuple[str, bytes]:
    """(file name, PDF bytes) of a signed summary."""
    summary = _summary(session, summary_id)
    _authorize_signed(session, actor, summary, "discharge.export")
    if summary.status != "signed":
        raise ValidationFailed("Sign the discharge summary before exporting it.")
    patient = plan_repository.patient(session, summary.patient_id)
    assert patient is not None
    heading = {
        "title": "Discharge summary",
        "patient": patient.full_name,
        "mrn": patient.mrn,
        "date_of_birth": patient.date_of_birth.isoformat(),
        "discharge_type": rules.DISCHARGE_TYPES[summary.discharge_type],
        "referral_to": summary.referral_to or "",
    }
    signed = clock.as_utc(summary.signed_at).strftime("%Y-%m-%d %H:%M UTC")  # type: ignore[arg-type]
    body = discharge_pdf.render(
        heading=heading,
        sections=rules.record_lines(summary.record),
        narrative=[
            ("Clinical course", summary.clinical_course),
            ("Aftercare plan", summary.aftercare_plan),
        ],
        signature=f"Signed electronically by {repo.user_name(session, summary.signed_by_user_id)} "
        f"on {signed}",
    )
    return f"discharge-{patient.mrn}-{summary.discharge_date.isoformat()}.pdf", body


def _authorize_signed(
    session: Session, actor: Actor, summary: DischargeSummary, action: str
) -> None:
    principal = principal_of(actor)
    enrollment = plan_repository.enrollment(session, summary.enrollment_id)
    assert enrollment is not None
    former_team = {enrollment.primary_counselor_id, enrollment.physician_id} - {None}
    if (
        enrollment.status == "discharged"
        and principal.role in CLINICAL_ROLES
        and principal.staff_member_id in former_team
        and principal.at_location(enrollment.location_id)
    ):
        _audit(session, actor, action, summary, "care team of the discharged episode")
        return
    authorize_chart(
        session,
        actor=actor,
        patient_id=summary.patient_id,
        action=action,
        object_type="discharge_summary",
        object_id=summary.id,
    )


def _summary(session: Session, summary_id: int) -> DischargeSummary:
    summary = repo.summary(session, summary_id)
    if summary is None:
        raise NotFound(f"No discharge summary with id {summary_id}.")
    return summary


def _audit(
    session: Session,
    actor: Actor,
    action: str,
    summary: DischargeSummary,
    detail: str | None = None,
) -> None:
    audit.record(
        session,
        actor,
        AuditEntry(
            action,
            patient_id=summary.patient_id,
            object_type="discharge_summary",
            object_id=summary.id,
            detail=detail or summary.discharge_type,
        ),
    )


# ---- drafting the record ----------------------------------------------------------------


def draft_record(
    session: Session, actor: Actor, enrollment: Enrollment, left: date
) -> dict[str, Any]:
    return {
        "stay": {
            "program": enrollment.program.name,
            "location": enrollment.location.name,
            "admit_date": enrollment.admit_date.isoformat(),
            "discharge_date": left.isoformat(),
            "days": (left - enrollment.admit_date).days + 1,
        },
        "attendance": _attendance(session, actor, enrollment, left),
        "measures": _measures(session, enrollment),
        "plan": _plan(session, enrollment),
        "drug_screens": _screens(session, enrollment),
    }


def _attendance(
    session: Session, actor: Actor, enrollment: Enrollment, left: date
) -> dict[str, Any]:
    visits = repo.appointment_totals(session, enrollment.id, enrollment.admit_date, left)
    no_shows = sum(n for (_, status), (n, _) in visits.items() if status == "no_show")
    ledger = _ledger_totals(session, actor, enrollment, left)
    if ledger is not None:
        return {**ledger, "no_shows": no_shows, "source": "attendance minutes ledger"}
    individual = visits.get(("individual", "completed"), (0, 0))
    physician = visits.get(("physician", "completed"), (0, 0))
    return {
        "group_sessions": 0,
        "group_minutes": None,
        "individual_sessions": individual[0],
        "individual_minutes": individual[1],
        "physician_visits": physician[0],
        "physician_minutes": physician[1],
        "no_shows": no_shows,
        "source": "completed appointments (group attendance not available)",
    }


def _ledger_totals(
    session: Session, actor: Actor, enrollment: Enrollment, left: date
) -> dict[str, Any] | None:
    if attendance is None:
        return None
    first, totals = enrollment.admit_date, dict.fromkeys(_LEDGER_FIELDS.values(), 0)
    while first <= left:  # the ledger is read at most a year at a time
        last = min(left, date.fromordinal(first.toordinal() + attendance.MAX_LEDGER_DAYS - 1))
        # (enrollment, rows, ...): read by position, later items are not ours to care about
        rows = attendance.ledger(
            session, actor=actor, enrollment_id=enrollment.id, first=first, last=last
        )[1]
        for row in rows:
            for source, target in _LEDGER_FIELDS.items():
                totals[target] += getattr(row, source)
        first = date.fromordinal(last.toordinal() + 1)
    return totals


_LEDGER_FIELDS = {
    "group_sessions_attended": "group_sessions",
    "group_minutes": "group_minutes",
    "individual_sessions": "individual_sessions",
    "individual_minutes": "individual_minutes",
    "physician_visits": "physician_visits",
    "physician_minutes": "physician_minutes",
}


def _measures(session: Session, enrollment: Enrollment) -> list[dict[str, Any]]:
    rows = measures_repository.administrations(session, enrollment.id)
    found = []
    for name in ("PHQ-9", "GAD-7", "BAM"):
        given = [r for r in rows if r.instrument == name]
        if given:
            found.append({"instrument": name, "first": _score(given[0]), "last": _score(given[-1])})
    return found


def _score(row: Any) -> dict[str, str]:
    if row.total is None:  # BAM: subscales
        text = ", ".join(f"{k} {v}" for k, v in row.subscales.items())
    else:
        text = f"{row.total} ({(row.band or '').replace('_', ' ')})"
    return {"on": row.administered_on.isoformat(), "score": text}


def _plan(session: Session, enrollment: Enrollment) -> dict[str, Any] | None:
    plans = plan_repository.plans_of_enrollment(session, enrollment.id)
    active = next((p for p in plans if p.status == "active"), None)
    if active is None:
        return None
    objectives = [o for p in active.problems for g in p.goals for o in g.objectives]
    counts = {
        label: sum(o.status == code for o in objectives)
        for code, label in plan_rules.OBJECTIVE_STATUSES.items()
    }
    return {
        "plan_id": active.id,
        "objectives": [
            {
                "statement": o.statement,
                "target_date": o.target_date.isoformat(),
                "status": plan_rules.OBJECTIVE_STATUSES[o.status],
            }
            for o in objectives
        ],
        "counts": counts,
    }


def _screens(session: Session, enrollment: Enrollment) -> dict[str, Any]:
    screens = [
        s
        for s in drug_screen_repository.screens_of_patient(session, enrollment.patient_id)
        if s.enrollment_id == enrollment.id
    ]
    outcomes = [drug_screen_rules.outcome(r.result for r in s.results) for s in screens]
    return {
        "total": len(screens),
        "by_outcome": {
            label: outcomes.count(code) for code, label in drug_screen_rules.OUTCOMES.items()
        },
    }


def patient_of(session: Session, *, summary_id: int) -> int:
    return _summary(session, summary_id).patient_id
