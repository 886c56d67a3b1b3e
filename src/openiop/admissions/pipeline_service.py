"""Use cases of the staff admissions pipeline. Keyword-only arguments; never commits.

Who: admissions staff, program directors and administrators (PATIENT_CREATE: the people who
turn an inquiry into a patient). Counselors, physicians, billing, front desk and auditors are
refused, because inquiries hold personal data of people who are not patients yet.
Scope: an inquiry is seen by pipeline staff at its preferred location; an inquiry without
one is seen by all pipeline staff (someone must pick it up). Every read and change is audited.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field

from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from openiop.admissions import pipeline_repository as repo
from openiop.admissions import pipeline_rules as rules
from openiop.admissions.pipeline_schemas import ContactIn, InquiryUpdate, SourceIn
from openiop.kit import clock
from openiop.kit.errors import Conflict, NotFound, ValidationFailed
from openiop.kit.pagination import Page, PageRequest
from openiop.models import Inquiry, InquiryContact, Location, ReferralSource, User
from openiop.security import audit
from openiop.security.audit import Actor, AuditEntry
from openiop.security.permissions import Permission, Role
from openiop.security.service import Refused, require

PERMISSION = Permission.PATIENT_CREATE
OWNER_ROLES = (Role.ADMIN.value, Role.PROGRAM_DIRECTOR.value, Role.ADMISSIONS.value)


def _scope(actor: Actor) -> frozenset[int] | None:
    assert actor.principal is not None
    return actor.principal.location_ids


def _record(
    session: Session, actor: Actor, action: str, object_id: int | None, detail: str
) -> None:
    entry = AuditEntry(action, object_type="inquiry", object_id=object_id, detail=detail)
    audit.record(session, actor, entry)


def _authorized(session: Session, actor: Actor, action: str) -> None:
    require(session, actor, PERMISSION, action=action)


def _inquiry_in_scope(session: Session, actor: Actor, inquiry_id: int, action: str) -> Inquiry:
    _authorized(session, actor, action)
    row = repo.inquiry(session, inquiry_id)
    if row is None:
        raise NotFound(f"No inquiry with id {inquiry_id}.")
    if row.location_id is not None and not actor.principal.at_location(row.location_id):  # type: ignore[union-attr]
        raise Refused(
            "This inquiry is for a location outside yours.",
            AuditEntry(
                action,
                "refused",
                object_type="inquiry",
                object_id=inquiry_id,
                detail=f"outside location {row.location_id}",
            ),
        )
    return row


# ---- board and list ------------------------------------------------------------------------


@dataclass
class Board:
    columns: dict[str, list[Inquiry]]
    closed: dict[str, list[Inquiry]]
    owners: dict[int, str]


def board(session: Session, *, actor: Actor) -> Board:
    _authorized(session, actor, "inquiry.board")
    rows = repo.inquiries_in_scope(session, _scope(actor), rules.STAGES)
    columns: dict[str, list[Inquiry]] = {s: [] for s in rules.OPEN_STAGES}
    closed: dict[str, list[Inquiry]] = {s: [] for s in rules.CLOSED_STAGES}
    for row in rows:
        (columns if row.stage in columns else closed).setdefault(row.stage, []).append(row)
    owners = repo.user_names(session, [r.owner_user_id for r in rows if r.owner_user_id])
    _record(session, actor, "inquiry.board", None, f"inquiries={len(rows)}")
    return Board(columns, closed, owners)


def list_inquiries(
    session: Session, *, actor: Actor, wanted: repo.InquiryFilter, page: PageRequest
) -> Page[Inquiry]:
    _authorized(session, actor, "inquiry.list")
    found = repo.inquiry_page(session, _scope(actor), wanted, page)
    detail = (
        f"stage={wanted.stage or '*'}; owner={wanted.owner_user_id or '*'}; "
        f"location={wanted.location_id or '*'}; source={wanted.referral_source_id or '*'}; "
        f"page={page.page}; shown={len(found.items)}"
    )
    _record(session, actor, "inquiry.list", None, detail)
    return found


def user_names(session: Session, user_ids: Collection[int]) -> dict[int, str]:
    return repo.user_names(session, user_ids)


def filter_choices(session: Session, *, actor: Actor) -> dict[str, list[tuple[int, str]]]:
    """Choices for the list filters; no personal data, so no audit event of its own."""
    return {
        "locations": [(p.id, p.name) for p in repo.locations(session, _scope(actor))],
        "owners": [
            (u.id, u.display_name) for u in repo.owner_candidates(session, OWNER_ROLES, None)
        ],
        "sources": [(s.id, s.name) for s in repo.referral_sources(session)],
    }


# ---- one inquiry ---------------------------------------------------------------------------


@dataclass
class Detail:
    inquiry: Inquiry
    contacts: list[InquiryContact]
    duplicates: list[tuple[rules.Person, list[str]]]
    owners: list[User]
    sources: list[ReferralSource]
    location: Location | None
    names: dict[int, str] = field(default_factory=dict)


def _person(row: Inquiry) -> rules.Person:
    return rules.Person(
        row.id, row.person_name or row.name, row.phone, row.email, row.date_of_birth
    )


def duplicates_of(session: Session, row: Inquiry) -> list[tuple[rules.Person, list[str]]]:
    candidates = repo.possible_duplicates(
        session,
        inquiry_id=row.id,
        phone_tail=rules.phone_key(row.phone),
        email=row.email,
        date_of_birth=row.date_of_birth,
    )
    return rules.find_duplicates(_person(row), map(_person, candidates))


def get_inquiry(session: Session, *, actor: Actor, inquiry_id: int) -> Detail:
    row = _inquiry_in_scope(session, actor, inquiry_id, "inquiry.read")
    log = repo.contacts(session, row.id)
    detail = Detail(
        inquiry=row,
        contacts=log,
        duplicates=duplicates_of(session, row),
        owners=repo.owner_candidates(session, OWNER_ROLES, row.location_id),
        sources=repo.referral_sources(session),
        location=session.get(Location, row.location_id) if row.location_id else None,
    )
    ids = [c.logged_by_user_id for c in log if c.logged_by_user_id]
    detail.names = repo.user_names(session, ids + [row.owner_user_id or 0])
    _record(session, actor, "inquiry.read", row.id, f"duplicates={len(detail.duplicates)}")
    return detail


def update_inquiry(
    session: Session, *, actor: Actor, inquiry_id: int, data: InquiryUpdate, version: int | None
) -> Inquiry:
    row = _inquiry_in_scope(session, actor, inquiry_id, "inquiry.update")
    if version != row.version:
        raise Conflict(
            "This inquiry was changed by someone else since you opened it. Look at the "
            "current values and make your change again."
        )
    _validate(session, row, data)
    changes = _apply(row, data)
    try:
        session.flush()
    except StaleDataError:
        raise Conflict("This inquiry was changed by someone else while you were saving.") from None
    _record(session, actor, "inquiry.update", row.id, "; ".join(changes) or "no change")
    return row


def move_stage(
    session: Session, *, actor: Actor, inquiry_id: int, stage: str, version: int | None
) -> Inquiry:
    """A board move: only the stage changes, everything else keeps its value."""
    row = _inquiry_in_scope(session, actor, inquiry_id, "inquiry.update")
    data = as_update(row, stage=stage)
    return update_inquiry(session, actor=actor, inquiry_id=inquiry_id, data=data, version=version)


def _validate(session: Session, row: Inquiry, data: InquiryUpdate) -> None:
    errors: dict[str, str] = {}
    problem = rules.transition_error(row.stage, data.stage, data.closed_reason)
    if problem:
        errors[problem[0]] = problem[1]
    if data.owner_user_id is not None:
        allowed = {u.id for u in repo.owner_candidates(session, OWNER_ROLES, row.location_id)}
        if data.owner_user_id not in allowed:
            errors["owner_user_id"] = "Choose an admissions staff member at this location."
    source_id = data.referral_source_id
    if source_id is not None and repo.referral_source(session, source_id) is None:
        errors["referral_source_id"] = "Choose a referral source from the list."
    if errors:
        raise ValidationFailed("Please correct the fields marked.", field_errors=errors)


def _apply(row: Inquiry, data: InquiryUpdate) -> list[str]:
    """Set the new values; returns what changed, naming fields but never personal values."""
    changes = []
    if data.stage != row.stage:
        changes.append(f"stage={row.stage}→{data.stage}")
        if data.stage == "admitted":
            row.admitted_at = clock.now()
    if data.stage in rules.CLOSED_STAGES:
        row.closed_reason = data.closed_reason
    elif row.stage in rules.CLOSED_STAGES:
        row.closed_reason = None  # reopened
    row.stage = data.stage
    for name in ("owner_user_id", "next_action_date", "referral_source_id", "date_of_birth"):
        if getattr(row, name) != getattr(data, name):
            shown = "changed" if name == "date_of_birth" else getattr(data, name)
            changes.append(f"{name}={shown}")
            setattr(row, name, getattr(data, name))
    row.updated_at = clock.now()
    return changes


def as_update(row: Inquiry, **changes: object) -> InquiryUpdate:
    """The inquiry's current values with some replaced: for a board move or an API PATCH."""
    values = {name: getattr(row, name) for name in InquiryUpdate.model_fields}
    return InquiryUpdate(**{**values, **changes})


def log_contact(
    session: Session, *, actor: Actor, inquiry_id: int, data: ContactIn
) -> InquiryContact:
    row = _inquiry_in_scope(session, actor, inquiry_id, "inquiry.contact")
    entry = InquiryContact(
        inquiry_id=row.id,
        channel=data.channel,
        direction=data.direction,
        outcome=data.outcome,
        note=data.note,
        contacted_at=data.contacted_at or clock.now(),
        logged_by_user_id=actor.principal.user_id if actor.principal else None,
        created_at=clock.now(),
    )
    repo.add(session, entry)
    detail = f"contact={entry.id}; {entry.channel}/{entry.direction}/{entry.outcome}"
    _record(session, actor, "inquiry.contact", row.id, detail)
    return entry


# ---- referral sources ----------------------------------------------------------------------


def referral_sources(session: Session, *, actor: Actor) -> list[ReferralSource]:
    _authorized(session, actor, "referral_source.list")
    return repo.referral_sources(session)


def add_referral_source(session: Session, *, actor: Actor, data: SourceIn) -> ReferralSource:
    _authorized(session, actor, "referral_source.create")
    if repo.referral_source_named(session, data.name) is not None:
        raise ValidationFailed(
            "Please correct the fields marked.",
            field_errors={"name": "A referral source with this name already exists."},
        )
    row = ReferralSource(name=data.name, kind=data.kind, active=True)
    repo.add(session, row)
    entry = AuditEntry(
        "referral_source.create",
        object_type="referral_source",
        object_id=row.id,
        detail=f"kind={row.kind}",
    )
    audit.record(session, actor, entry)
    return row


# ---- conversion figures --------------------------------------------------------------------


@dataclass
class Conversion:
    overall: rules.Figure
    by_source: list[rules.Figure]
    by_location: list[rules.Figure]


def conversion(session: Session, *, actor: Actor) -> Conversion:
    _authorized(session, actor, "inquiry.conversion")
    outcomes = [
        rules.Outcome(created, admitted, source or "No source recorded", place or "No location")
        for created, admitted, source, place in repo.outcome_rows(session, _scope(actor))
    ]
    _record(session, actor, "inquiry.conversion", None, f"inquiries={len(outcomes)}")
    return Conversion(
        rules.figure("All inquiries", outcomes),
        rules.by_source(outcomes),
        rules.by_location(outcomes),
    )
