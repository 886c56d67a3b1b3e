"""Who may read and change a patient's clinical records, checked and audited in one place.

Clinical records need FULL access to the patient (the care team — primary counselor,
physician, track facilitators — and program directors at the site, or an emergency-access
grant). Changing them also needs the clinical.write permission, which leaves out admins,
admissions, billing and front-desk staff even when an emergency grant lets them read.
Auditors never see charts. Patients see only their own signed treatment plan, through
`authorize_own_plan`; every other clinical read refuses them.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from openiop.config import get_settings
from openiop.kit import clock
from openiop.kit.errors import Conflict
from openiop.security.audit import Actor, AuditEntry
from openiop.security.permissions import Access, Permission, Principal, Role, can
from openiop.security.service import Refused, authorize_patient


def today() -> date:
    return clock.today_in(get_settings().default_time_zone)


def principal_of(actor: Actor) -> Principal:
    if actor.principal is None:
        raise Refused("Sign in first.", AuditEntry("clinical.read", "refused"))
    return actor.principal


def authorize_chart(
    session: Session,
    *,
    actor: Actor,
    patient_id: int,
    action: str,
    write: bool = False,
    object_type: str = "patient",
    object_id: int | None = None,
) -> Access:
    """Refuse (audited) unless the actor may read — or with `write`, change — the chart."""
    principal = principal_of(actor)
    refusal = AuditEntry(
        action, "refused", patient_id, object_type, object_id or patient_id, "clinical record"
    )
    if principal.role is Role.PATIENT:
        raise Refused("Your own treatment plan is under My record.", refusal)
    if write and not can(principal, Permission.CLINICAL_WRITE):
        raise Refused("Your role does not change clinical records.", refusal)
    return authorize_patient(
        session,
        actor=actor,
        patient_id=patient_id,
        action=action,
        need=Access.FULL,
        object_type=object_type,
        object_id=object_id,
    )


def may_write(actor: Actor) -> bool:
    return actor.principal is not None and can(actor.principal, Permission.CLINICAL_WRITE)


def site_scope(
    session: Session, *, actor: Actor, location_id: int, action: str
) -> frozenset[int] | None:
    """For a site's work lists: whose patients the actor may list there. A program director
    sees the whole site (None); a counselor or physician their own caseload (patients they
    are primary counselor or physician for). Others, and staff of other sites, are refused."""
    principal = principal_of(actor)
    refusal = AuditEntry(action, "refused", object_type="location", object_id=location_id)
    if not can(principal, Permission.CLINICAL_WRITE) or principal.role is Role.PATIENT:
        raise Refused("Your role does not see clinical work lists.", refusal)
    if not principal.at_location(location_id):
        raise Refused("This site is outside your scope.", refusal)
    if principal.role is Role.PROGRAM_DIRECTOR:
        return None
    return frozenset({principal.staff_member_id}) if principal.staff_member_id else frozenset()


def audit_listed(
    session: Session, actor: Actor, action: str, location_id: int, patient_ids: list[int]
) -> None:
    """One event per patient shown (a list row discloses clinical facts about that patient)."""
    from openiop.security import audit

    if not patient_ids:
        audit.record(
            session,
            actor,
            AuditEntry(action, object_type="location", object_id=location_id, detail="none shown"),
        )
        return
    audit.record_many(
        session,
        actor,
        (
            AuditEntry(action, patient_id=pid, object_type="location", object_id=location_id)
            for pid in patient_ids
        ),
    )


def flush_or_conflict(session: Session) -> None:
    """Two people signing or changing the same record at once: the second gets 409, not 500."""
    try:
        session.flush()
    except StaleDataError:
        raise Conflict("Someone else changed this record at the same time; reload it.") from None
