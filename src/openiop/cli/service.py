"""Use cases only the operator's command line has: provisioning an account with its staff link.

The areas' services check a signed-in person's permissions; at the command line nobody is
signed in (whoever can reach the database is already trusted), so these run as the operator
and audit with channel "cli". Validation happens before anything is written, and the
command's single transaction rolls back any partial work if a later step refuses.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from openiop.cli import repository
from openiop.kit.errors import ValidationFailed
from openiop.models import Location, StaffMember, User
from openiop.security import audit
from openiop.security import service as security
from openiop.security.audit import Actor, AuditEntry
from openiop.security.permissions import STAFF_ROLES, Role

# Roles whose scope is their sites: without a location they would see nothing at all.
SITE_ROLES = STAFF_ROLES - {Role.ADMIN, Role.AUDITOR}


@dataclass(frozen=True)
class Provisioned:
    user: User
    staff_member: StaffMember | None
    staff_created: bool


def provision_account(
    session: Session,
    *,
    email: str,
    role: Role,
    password: str,
    name: str | None,
    location_codes: Sequence[str],
    credentials: str | None,
    patient_mrn: str | None,
    actor: Actor,
) -> Provisioned:
    if repository.user_by_email(session, email) is not None:
        raise ValidationFailed(
            f"An account for {email} already exists.",
            field_errors={"email": f"an account for {email} already exists."},
        )
    locations = _locations(session, location_codes)
    existing = repository.staff_by_email(session, email) if role is not Role.PATIENT else None
    _check_role_fits(role, locations or (existing.locations if existing else []), patient_mrn)
    patient_id = _patient_id(session, patient_mrn) if role is Role.PATIENT else None
    staff, created = None, False
    if existing is not None or locations:
        staff, created = _staff_member(
            session, existing, email, name, locations, credentials, actor
        )
    user = security.create_user(
        session,
        email=email,
        role=role,
        password=password,
        display_name=name or (staff.full_name if staff else _name_from_email(email)),
        staff_member_id=staff.id if staff else None,
        patient_id=patient_id,
        actor=actor,
    )
    return Provisioned(user, staff, created)


def _locations(session: Session, codes: Sequence[str]) -> list[Location]:
    found = repository.locations_by_code(session, codes)
    unknown = sorted({c.strip().upper() for c in codes} - set(found))
    if unknown:
        known = ", ".join(repository.location_codes(session)) or "none yet"
        message = f"no location with code {', '.join(unknown)} (known codes: {known})."
        raise ValidationFailed(message, field_errors={"location": message})
    return list(found.values())


def _check_role_fits(role: Role, locations: list[Location], patient_mrn: str | None) -> None:
    if role in SITE_ROLES and not locations:
        raise ValidationFailed(
            "This role works at one or more locations.",
            field_errors={
                "location": f"a {role.label.lower()} account needs at least one --location CODE."
            },
        )
    if role is Role.PATIENT and locations:
        raise ValidationFailed(
            "A patient account is not placed at locations.",
            field_errors={"location": "not used for the patient role; give --patient-mrn."},
        )
    if role is not Role.PATIENT and patient_mrn:
        raise ValidationFailed(
            "Only patient accounts link to a patient.",
            field_errors={"patient_mrn": "only used with --role patient."},
        )


def _patient_id(session: Session, mrn: str | None) -> int:
    patient = repository.patient_by_mrn(session, mrn) if mrn else None
    if patient is None:
        message = f"no patient with MRN {mrn}." if mrn else "required for the patient role."
        raise ValidationFailed(message, field_errors={"patient_mrn": message})
    return patient.id


def _staff_member(
    session: Session,
    existing: StaffMember | None,
    email: str,
    name: str | None,
    locations: list[Location],
    credentials: str | None,
    actor: Actor,
) -> tuple[StaffMember, bool]:
    if existing is not None:
        holder = repository.user_for_staff(session, existing.id)
        if holder is not None:
            raise ValidationFailed(
                f"Staff member {existing.email} already has an account ({holder.email}).",
                field_errors={"email": f"staff member already linked to {holder.email}."},
            )
        return _add_sites(session, existing, locations, actor), False
    first, last = _split_name(name or _name_from_email(email))
    member = StaffMember(
        organization_id=locations[0].organization_id,
        first_name=first,
        last_name=last,
        email=email,
        credentials=_credentials(credentials),
    )
    member.locations = locations
    session.add(member)
    session.flush()
    _audit_staff(session, actor, member, "staff.create")
    return member, True


def _add_sites(
    session: Session, member: StaffMember, locations: list[Location], actor: Actor
) -> StaffMember:
    missing = [loc for loc in locations if loc.id not in {have.id for have in member.locations}]
    if missing:
        member.locations.extend(missing)
        session.flush()
        _audit_staff(session, actor, member, "staff.update")
    return member


def _audit_staff(session: Session, actor: Actor, member: StaffMember, action: str) -> None:
    sites = ",".join(sorted(loc.code for loc in member.locations))
    audit.record(
        session,
        actor,
        AuditEntry(
            action, object_type="staff_member", object_id=member.id, detail=f"locations={sites}"
        ),
    )


def _credentials(raw: str | None) -> str:
    return ",".join(part.strip().upper() for part in (raw or "").split(",") if part.strip())


def _name_from_email(email: str) -> str:
    local = email.split("@", 1)[0]
    return " ".join(part.capitalize() for part in local.replace("_", ".").split(".") if part)


def _split_name(name: str) -> tuple[str, str]:
    first, _, last = name.strip().partition(" ")
    return first, last.strip()
