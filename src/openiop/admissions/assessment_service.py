"""Use cases of the clinician's screening and assessment of an inquiry. Keyword-only; never commits.

Who: clinicians document and decide (counselor, physician, program director, and the
administrator); admissions staff may read an assessment to plan the next step but not write
or decide one. Billing, front desk and auditors are refused. Scope: as for the pipeline, an
inquiry is seen at its preferred location, or by everyone allowed when it names none.
Audit details name what was done and what was decided, never an answer or a note.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from openiop.admissions import assessment_repository as repo
from openiop.admissions import dsm5
from openiop.admissions.assessment import Assessment, AssessmentInputError
from openiop.admissions.level_of_care import INTENSITY, Recommendation, recommend
from openiop.instruments import URGENT_SAME_DAY_FOLLOW_UP
from openiop.kit import clock
from openiop.kit.errors import Conflict, NotFound, ValidationFailed
from openiop.models import AdmissionAssessment, ClinicalTask, Inquiry, Location
from openiop.security import audit
from openiop.security.audit import Actor, AuditEntry
from openiop.security.permissions import Role
from openiop.security.service import Refused

DECIDE_ROLES = frozenset({Role.ADMIN, Role.PROGRAM_DIRECTOR, Role.COUNSELOR, Role.PHYSICIAN})
VIEW_ROLES = DECIDE_ROLES | {Role.ADMISSIONS}
URGENT_TASK = "urgent_safety_follow_up"
DECISIONS = ("accepted", "overridden")


@dataclass(frozen=True)
class AssessmentInput:
    """What the clinician entered. Instruments hold only those answered; a dimension's rating
    is None when it was left unrated."""

    substances: tuple[str, ...]
    dsm5_criteria: dict[str, tuple[str, ...]]
    instruments: dict[str, list[int]]
    home_environment: str
    sober_living_home: str | None = None
    commitments: str | None = None
    dimensions: dict[str, tuple[int | None, str]] = field(default_factory=dict)


@dataclass
class View:
    inquiry: Inquiry
    location: Location | None
    latest: AdmissionAssessment | None
    open_tasks: list[ClinicalTask]


# ---- who may ------------------------------------------------------------------------------


def _refused(message: str, action: str, inquiry_id: int, detail: str) -> Refused:
    entry = AuditEntry(
        action, "refused", object_type="inquiry", object_id=inquiry_id, detail=detail
    )
    return Refused(message, entry)


def _inquiry_in_scope(
    session: Session, actor: Actor, inquiry_id: int, action: str, roles: frozenset[Role]
) -> Inquiry:
    principal = actor.principal
    if principal is None or principal.role not in roles:
        raise _refused("Your role does not allow this.", action, inquiry_id, "needs clinician")
    row = repo.inquiry(session, inquiry_id)
    if row is None:
        raise NotFound(f"No inquiry with id {inquiry_id}.")
    if row.location_id is not None and not principal.at_location(row.location_id):
        detail = f"outside location {row.location_id}"
        raise _refused("This inquiry is for a location outside yours.", action, row.id, detail)
    return row


def may_decide(actor: Actor) -> bool:
    return actor.principal is not None and actor.principal.role in DECIDE_ROLES


def _record(session: Session, actor: Actor, action: str, row_id: int, detail: str) -> None:
    entry = AuditEntry(action, object_type="inquiry", object_id=row_id, detail=detail)
    audit.record(session, actor, entry)


# ---- reading -----------------------------------------------------------------------------


def view(session: Session, *, actor: Actor, inquiry_id: int) -> View:
    row = _inquiry_in_scope(session, actor, inquiry_id, "assessment.read", VIEW_ROLES)
    latest = repo.latest_assessment(session, row.id)
    found = View(
        row, repo.location(session, row.location_id), latest, repo.open_tasks(session, row.id)
    )
    _record(
        session, actor, "assessment.read", row.id, f"assessment={latest.id if latest else 'none'}"
    )
    return found


def urgent_follow_ups(session: Session, *, actor: Actor) -> int:
    """Open urgent safety follow-ups in the actor's scope: a count, no personal data."""
    scope = actor.principal.location_ids if actor.principal else frozenset()
    return repo.count_open_tasks(session, URGENT_TASK, scope)


# ---- recording an assessment ---------------------------------------------------------------


def evaluate(data: AssessmentInput) -> Recommendation:
    """Check everything, then let the level-of-care rules decide. Raises AssessmentInputError
    with every field at fault; pure."""
    errors: dict[str, str] = {}
    counts: dict[str, int] = {}
    for substance, met in data.dsm5_criteria.items():
        where = f"dsm5.{substance}"
        if substance not in data.substances:
            errors[where] = f"{where}: criteria are ticked for {substance}, which is not chosen."
            continue
        try:
            counts[substance] = dsm5.count_checklist(met, field=where)
        except dsm5.Dsm5InputError as error:
            errors[where] = error.message
    for substance in data.substances:
        counts.setdefault(substance, 0)
    if data.home_environment == "sober_living" and not data.sober_living_home:
        errors["sober_living_home"] = "sober_living_home: name the sober-living home."
    inputs = Assessment(
        substances=list(data.substances),
        dsm5_criteria_met=counts,
        home_environment=data.home_environment,
        instruments=data.instruments,
        dimension_ratings={d: r for d, (r, _) in data.dimensions.items() if r is not None},
    )
    try:
        result = recommend(inputs)
    except AssessmentInputError as error:
        errors = {**error.field_errors, **errors}
    if errors:
        raise AssessmentInputError(" ".join(errors.values()), field_errors=errors)
    return result


def record_assessment(
    session: Session, *, actor: Actor, inquiry_id: int, data: AssessmentInput, default_zone: str
) -> AdmissionAssessment:
    row = _inquiry_in_scope(session, actor, inquiry_id, "assessment.create", DECIDE_ROLES)
    result = evaluate(data)  # validates fully before anything is written
    user_id = actor.principal.user_id if actor.principal else None
    stored = AdmissionAssessment(
        inquiry_id=row.id,
        created_by_user_id=user_id,
        substances=list(data.substances),
        dsm5_criteria={s: list(keys) for s, keys in data.dsm5_criteria.items()},
        instrument_answers={name: list(a) for name, a in data.instruments.items()},
        scores={name: s.as_dict() for name, s in result.scores.items()},
        home_environment=data.home_environment,
        sober_living_home=data.sober_living_home
        if data.home_environment == "sober_living"
        else None,
        commitments=data.commitments,
        dimensions={d: {"rating": r, "note": n} for d, (r, n) in data.dimensions.items()},
        recommendation=result.level,
        reasons=[{"rule": r.rule, "detail": r.detail} for r in result.reasons],
    )
    repo.add(session, stored)
    task = _urgent_task(session, row, stored, result, default_zone)
    detail = (
        f"assessment={stored.id}; recommendation={result.level}; reasons={len(result.reasons)}; "
        f"urgent_task={task.id if task else 'none'}"
    )
    _record(session, actor, "assessment.create", row.id, detail)
    return stored


def _urgent_task(
    session: Session,
    row: Inquiry,
    stored: AdmissionAssessment,
    result: Recommendation,
    default_zone: str,
) -> ClinicalTask | None:
    if not any(URGENT_SAME_DAY_FOLLOW_UP in s.flags for s in result.scores.values()):
        return None
    place = repo.location(session, row.location_id)
    task = ClinicalTask(
        kind=URGENT_TASK,
        inquiry_id=row.id,
        assessment_id=stored.id,
        location_id=row.location_id,
        # "Same day" is the person's local day, not the server's UTC date.
        due_date=clock.today_in(place.time_zone if place else default_zone),
        status="open",
        created_at=clock.now(),
    )
    repo.add(session, task)
    return task


# ---- the clinician's decision ---------------------------------------------------------------


def decide(
    session: Session,
    *,
    actor: Actor,
    inquiry_id: int,
    assessment_id: int,
    decision: str,
    level: str | None,
    override_reason: str | None,
    version: int | None,
) -> AdmissionAssessment:
    row = _inquiry_in_scope(session, actor, inquiry_id, "assessment.decide", DECIDE_ROLES)
    stored = repo.assessment(session, assessment_id)
    if stored is None or stored.inquiry_id != row.id:
        raise NotFound(f"No assessment {assessment_id} for inquiry {inquiry_id}.")
    if version != stored.version:
        raise Conflict(
            "This assessment was changed by someone else since you opened it. "
            "Look at it again before deciding."
        )
    if stored.decision is not None:
        raise Conflict("This recommendation has already been decided; record a new assessment.")
    decided_level = _check_decision(stored, decision, level, override_reason)
    stored.decision = decision
    stored.decided_level = decided_level
    stored.override_reason = override_reason.strip() if decision == "overridden" else None  # type: ignore[union-attr]
    stored.decided_by_user_id = actor.principal.user_id if actor.principal else None
    stored.decided_at = clock.now()
    try:
        session.flush()
    except StaleDataError:
        raise Conflict(
            "This assessment was changed by someone else while you were saving."
        ) from None
    detail = f"assessment={stored.id}; decision={decision}; level={decided_level}"
    _record(session, actor, "assessment.decide", row.id, detail)
    return stored


def _check_decision(
    stored: AdmissionAssessment, decision: str, level: str | None, reason: str | None
) -> str:
    errors: dict[str, str] = {}
    if decision not in DECISIONS:
        errors["decision"] = "decision: choose accept or override."
    elif decision == "overridden":
        if level not in INTENSITY:
            errors["decided_level"] = "decided_level: choose the level of care you decided on."
        elif level == stored.recommendation:
            errors["decided_level"] = (
                "decided_level: that is the recommendation; accept it instead."
            )
        if not (reason or "").strip():
            errors["override_reason"] = "override_reason: say why you override the recommendation."
    if errors:
        raise ValidationFailed("Please correct the decision.", field_errors=errors)
    return stored.recommendation if decision == "accepted" else level  # type: ignore[return-value]


# ---- the JSON API's reads ------------------------------------------------------------------


def assessments_of(session: Session, *, actor: Actor, inquiry_id: int) -> list[AdmissionAssessment]:
    """Every assessment of an inquiry, newest first; same people and scope as the page."""
    row = _inquiry_in_scope(session, actor, inquiry_id, "assessment.read", VIEW_ROLES)
    found = repo.assessments_of(session, row.id)
    _record(session, actor, "assessment.read", row.id, f"list; assessments={len(found)}")
    return found


def assessment_of(
    session: Session, *, actor: Actor, inquiry_id: int, assessment_id: int
) -> AdmissionAssessment:
    row = _inquiry_in_scope(session, actor, inquiry_id, "assessment.read", VIEW_ROLES)
    stored = repo.assessment(session, assessment_id)
    if stored is None or stored.inquiry_id != row.id:
        raise NotFound(f"No assessment {assessment_id} for inquiry {inquiry_id}.")
    _record(session, actor, "assessment.read", row.id, f"assessment={stored.id}")
    return stored
