"""Write a demo plan to the database in the caller's transaction (never commits).

The demo writes model rows directly rather than through each area's services: those check
a signed-in person's permissions, and the loader acts for the operator at the command line.
Every account, patient, rate, referral source and inquiry it creates is still audited, with
the caller's channel.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import TypeVar

from sqlalchemy.orm import Session

from openiop.demo import calendar as calendar_demo
from openiop.demo import directory as directory_demo
from openiop.demo import repository
from openiop.demo.admissions_plan import AdmissionsPlan, InquiryPlan
from openiop.demo.patients import PatientPlan
from openiop.demo.plan import DEMO_PASSWORD, DemoPlan, StaffPlan
from openiop.kit import clock
from openiop.kit.errors import Conflict
from openiop.models import (
    Commitment,
    Enrollment,
    Inquiry,
    InquiryContact,
    Location,
    LocationRate,
    Organization,
    Patient,
    Program,
    ReferralSource,
    Room,
    StaffMember,
    Track,
    User,
)
from openiop.security import audit, passwords
from openiop.security.audit import Actor, AuditEntry
from openiop.security.permissions import Role

Row = TypeVar("Row")
Progress = Callable[[int], None]


@dataclass(frozen=True)
class LoadResult:
    loaded: bool
    locations: int = 0
    staff: int = 0
    accounts: int = 0
    patients: int = 0
    inquiries: int = 0


@dataclass
class _Written:
    """Rows written so far, by the plan's keys."""

    organization: Organization
    program: Program
    locations: dict[str, Location]
    rooms: dict[tuple[str, str], Room]
    staff: dict[str, StaffMember]
    tracks: dict[str, Track]
    users: dict[str, User] = field(default_factory=dict)


def steps(plan: DemoPlan) -> int:
    """How many progress ticks `load` reports: one per staff member and per patient."""
    return len(plan.staff) + len(plan.patients)


def load(
    session: Session, *, plan: DemoPlan, actor: Actor, progress: Progress | None = None
) -> LoadResult:
    """Write the plan unless the demo is already there; refuse a database with other data."""
    if repository.organization_named(session, plan.organization_name):
        return LoadResult(loaded=False)
    if repository.holds_any_data(session):
        raise Conflict(
            "This database already holds accounts or records that are not the demo's. "
            "Demo data, with its published password, only loads into an empty database."
        )
    tick = progress or (lambda _n: None)
    written = _organization(session, plan)
    # One hash for every demo account: the password is published anyway, and hashing it
    # once instead of per account keeps the load quick (Argon2 is slow on purpose).
    password_hash = passwords.hash_password(DEMO_PASSWORD)
    for member in plan.staff:
        _staff_member(session, member, written, password_hash, actor)
        tick(1)
    _tracks(session, plan, written)
    for patient in plan.patients:
        _patient(session, patient, written, password_hash, plan, actor)
        tick(1)
    _admissions(session, plan.admissions, written, actor)
    directory_demo.load_directory(session, towns=[loc.city for loc in plan.locations], actor=actor)
    today = clock.today_in(written.locations[plan.locations[0].code].time_zone)
    calendar_demo.load_calendar(session, program_id=written.program.id, today=today, actor=actor)
    inquiries = len(plan.admissions.inquiries)
    audit.record(
        session,
        actor,
        AuditEntry(
            "demo.load",
            object_type="organization",
            object_id=written.organization.id,
            detail=f"patients={len(plan.patients)} staff={len(plan.staff)} inquiries={inquiries}",
        ),
    )
    accounts = len(plan.staff) + (1 if plan.patient_login_mrn else 0)
    counts = (len(plan.locations), len(plan.staff), accounts, len(plan.patients), inquiries)
    return LoadResult(True, *counts)


def _add(session: Session, row: Row) -> Row:
    session.add(row)
    session.flush()
    return row


def _organization(session: Session, plan: DemoPlan) -> _Written:
    org = _add(session, Organization(name=plan.organization_name, npi=plan.organization_npi))
    program = _add(session, Program(organization_id=org.id, **asdict(plan.program)))
    written = _Written(org, program, {}, {}, {}, {})
    for site in plan.locations:
        location = _add(
            session,
            Location(
                organization_id=org.id,
                code=site.code,
                name=site.name,
                address_line1=site.address_line1,
                address_line2=site.address_line2,
                city=site.city,
                state="CA",
                postal_code=site.postal_code,
                phone=site.phone,
                time_zone="America/Los_Angeles",
                npi=site.npi,
            ),
        )
        written.locations[site.code] = location
        for room in site.rooms:
            written.rooms[(site.code, room.name)] = _add(
                session, Room(location_id=location.id, **asdict(room))
            )
    return written


def _staff_member(
    session: Session, plan: StaffPlan, written: _Written, password_hash: str, actor: Actor
) -> None:
    member = StaffMember(
        organization_id=written.organization.id,
        first_name=plan.first_name,
        last_name=plan.last_name,
        email=plan.email,
        credentials=plan.credentials,
        npi=plan.npi,
        caseload_cap=plan.caseload_cap,
        weekly_hours=plan.weekly_hours,
    )
    member.locations = [written.locations[code] for code in plan.location_codes]
    written.staff[plan.key] = _add(session, member)
    written.users[plan.key] = User(
        email=plan.email,
        display_name=plan.display_name,
        role=str(plan.role),
        password_hash=password_hash,
        staff_member_id=member.id,
    )
    _account(session, written.users[plan.key], actor)


def _account(session: Session, user: User, actor: Actor) -> None:
    _add(session, user)
    audit.record(
        session,
        actor,
        AuditEntry(
            "user.create",
            patient_id=user.patient_id,
            object_type="user",
            object_id=user.id,
            detail=f"role={user.role}; demo account",
        ),
    )


def _tracks(session: Session, plan: DemoPlan, written: _Written) -> None:
    for site in plan.locations:
        location = written.locations[site.code]
        for spec in site.tracks:
            track = Track(
                program_id=written.program.id,
                location_id=location.id,
                room_id=written.rooms[(site.code, spec.room_name)].id,
                name=spec.name,
                weekdays=spec.weekdays,
                start_time=spec.start,
                end_time=spec.end,
                group_size_cap=spec.group_size_cap,
            )
            track.facilitators = [written.staff[key] for key in spec.facilitator_keys]
            written.tracks[spec.key] = _add(session, track)


def _patient(
    session: Session,
    plan: PatientPlan,
    written: _Written,
    password_hash: str,
    demo: DemoPlan,
    actor: Actor,
) -> None:
    enrollment = plan.enrollment
    location = written.locations[enrollment.location_code]
    fields = asdict(plan)
    for nested in ("commitments", "enrollment"):
        fields.pop(nested)
    patient = _add(
        session,
        Patient(
            organization_id=written.organization.id,
            registered_location_id=location.id,
            state="CA",
            **fields,
        ),
    )
    for block in plan.commitments:
        session.add(
            Commitment(
                patient_id=patient.id,
                kind=block.kind,
                weekday=block.weekday,
                start_time=block.start,
                end_time=block.end,
                label=block.label,
            )
        )
    _add(session, _enrollment_row(plan, patient, written))
    audit.record(
        session,
        actor,
        AuditEntry(
            "patient.create",
            patient_id=patient.id,
            object_type="patient",
            object_id=patient.id,
            detail="demo data",
        ),
    )
    if plan.mrn == demo.patient_login_mrn:
        account = User(
            email=plan.email,
            display_name=plan.full_name,
            role=str(Role.PATIENT),
            password_hash=password_hash,
            patient_id=patient.id,
        )
        _account(session, account, actor)


def _enrollment_row(plan: PatientPlan, patient: Patient, written: _Written) -> Enrollment:
    spec = plan.enrollment
    return Enrollment(
        patient_id=patient.id,
        program_id=written.program.id,
        location_id=written.locations[spec.location_code].id,
        track_id=written.tracks[spec.track_key].id if spec.track_key else None,
        admit_date=spec.admit_date,
        primary_counselor_id=written.staff[spec.counselor_key].id,
        physician_id=written.staff[spec.physician_key].id,
        status=spec.status,
        discharge_date=spec.discharge_date,
        discharge_type=spec.discharge_type,
        primary_substance=spec.primary_substance,
        diagnosis_codes=spec.diagnosis_codes,
    )


def _admissions(session: Session, plan: AdmissionsPlan, written: _Written, actor: Actor) -> None:
    for rate in plan.rates:
        fields = asdict(rate)
        location = written.locations[fields.pop("location_code")]
        row = _add(session, LocationRate(location_id=location.id, **fields))
        _created(session, actor, "rate.create", "location_rate", row.id, f"at={location.code}")
    sources: dict[str, ReferralSource] = {}
    for source in plan.sources:
        made = _add(session, ReferralSource(name=source.name, kind=source.kind))
        sources[source.name] = made
        detail = f"kind={made.kind}"
        _created(session, actor, "referral_source.create", "referral_source", made.id, detail)
    for inquiry in plan.inquiries:
        _inquiry(session, inquiry, written, sources, actor)


def _inquiry(
    session: Session,
    plan: InquiryPlan,
    written: _Written,
    sources: dict[str, ReferralSource],
    actor: Actor,
) -> None:
    fields = asdict(plan)
    for derived in ("contacts", "owner_key", "location_code", "source_name"):
        fields.pop(derived)
    owner = written.users[plan.owner_key] if plan.owner_key else None
    touched = [plan.created_at, plan.admitted_at, *(c.contacted_at for c in plan.contacts)]
    row = _add(
        session,
        Inquiry(
            **fields,
            owner_user_id=owner.id if owner else None,
            location_id=written.locations[plan.location_code].id,
            referral_source_id=sources[plan.source_name].id,
            consent_to_contact=True,
            consented_at=plan.created_at,
            updated_at=max(t for t in touched if t is not None),
        ),
    )
    for contact in plan.contacts:
        session.add(
            InquiryContact(
                inquiry_id=row.id,
                **asdict(contact),
                logged_by_user_id=owner.id if owner else None,
                created_at=contact.contacted_at,
            )
        )
    detail = f"stage={plan.stage}; contacts={len(plan.contacts)}"
    _created(session, actor, "inquiry.create", "inquiry", row.id, detail)


def _created(
    session: Session, actor: Actor, action: str, object_type: str, object_id: int, detail: str
) -> None:
    entry = AuditEntry(
        action, object_type=object_type, object_id=object_id, detail=f"{detail}; demo data"
    )
    audit.record(session, actor, entry)
