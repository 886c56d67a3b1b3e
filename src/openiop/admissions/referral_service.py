"""Use cases of referring out: the directory of referral partners and sober-living homes, and
the referral of an inquiry. Keyword-only; never commits.

Who: the directory holds no personal data; it is read by the people who assess, admit and
refer (administrators, program directors, admissions, counselors, physicians) and kept by
administrators and program directors (Permission.CONFIG_WRITE). A referral is a pipeline step:
admissions staff, program directors and administrators (Permission.PATIENT_CREATE) at the
inquiry's location. Every change is audited; the audit names ids and levels, never the reason.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from openiop.admissions import admit_service, assessment_repository, pipeline_service
from openiop.admissions import referral_repository as repo
from openiop.admissions import referral_rules as rules
from openiop.admissions.level_of_care import LEVEL_LABELS
from openiop.admissions.task_rules import TASK_ROLES
from openiop.kit import clock
from openiop.kit.errors import Conflict, NotFound, ValidationFailed
from openiop.models import (
    AdmissionAssessment,
    ClinicalTask,
    Inquiry,
    Referral,
    ReferralPartner,
    SoberLivingHome,
)
from openiop.security import audit
from openiop.security.audit import Actor, AuditEntry
from openiop.security.permissions import Permission, can
from openiop.security.service import Refused, require

CHANGED = "This entry was changed by someone else since you opened it. Look again and retry."


def _record(session: Session, actor: Actor, action: str, kind: str, row_id: int, detail: str):  # type: ignore[no-untyped-def]
    audit.record(
        session, actor, AuditEntry(action, object_type=kind, object_id=row_id, detail=detail)
    )


def _may_read(actor: Actor, action: str) -> None:
    principal = actor.principal
    if principal is None or principal.role not in TASK_ROLES:
        raise Refused(
            "Your role does not use the referral directory.",
            AuditEntry(action, "refused", detail="needs admissions or clinical role"),
        )


def may_manage(actor: Actor) -> bool:
    return actor.principal is not None and can(actor.principal, Permission.CONFIG_WRITE)


def require_manage(session: Session, actor: Actor, action: str) -> None:
    require(session, actor, Permission.CONFIG_WRITE, action=action)


# ---- the directory -------------------------------------------------------------------------


@dataclass
class Directory:
    partners: list[ReferralPartner]
    homes: list[SoberLivingHome]
    cities: list[str]


def directory(
    session: Session,
    *,
    actor: Actor,
    level: str | None = None,
    city: str | None = None,
    gender: str | None = None,
    include_inactive: bool = False,
) -> Directory:
    _may_read(actor, "referral_directory.read")
    active_only = not (include_inactive and may_manage(actor))
    return Directory(
        partners=repo.partners(
            session,
            level=rules.levels_served(level) if level else None,
            city=city,
            active_only=active_only,
        ),
        homes=repo.homes(session, city=city, gender=gender, active_only=active_only),
        cities=repo.cities(session),
    )


def partner(session: Session, *, actor: Actor, partner_id: int) -> ReferralPartner:
    require(session, actor, Permission.CONFIG_WRITE, action="referral_partner.update")
    row = repo.partner(session, partner_id)
    if row is None:
        raise NotFound(f"No referral partner with id {partner_id}.")
    return row


def home(session: Session, *, actor: Actor, home_id: int) -> SoberLivingHome:
    require(session, actor, Permission.CONFIG_WRITE, action="sober_living_home.update")
    row = repo.home(session, home_id)
    if row is None:
        raise NotFound(f"No sober-living home with id {home_id}.")
    return row


def save_partner(
    session: Session,
    *,
    actor: Actor,
    raw: Mapping[str, object],
    levels: list[str],
    partner_id: int | None = None,
    version: int | None = None,
) -> ReferralPartner:
    action = "referral_partner.update" if partner_id else "referral_partner.create"
    require(session, actor, Permission.CONFIG_WRITE, action=action)
    entry, errors = rules.check_partner(raw, levels)
    row = _versioned(session, repo.partner(session, partner_id), version) if partner_id else None
    _unique_name(
        repo.partner_named(session, _name(raw)),
        row,
        errors,
        "A referral partner with this name is already listed.",
    )
    if errors or entry is None:
        raise ValidationFailed("Please correct the fields marked.", field_errors=errors)
    row = row or ReferralPartner()
    row.name, row.levels, row.city, row.state = (
        entry.name,
        ",".join(entry.levels),
        entry.city,
        entry.state,
    )
    row.phone, row.notes, row.active = entry.phone, entry.notes, entry.active
    _flush(session, row)
    _record(session, actor, action, "referral_partner", row.id,
            f"levels={row.levels}; active={row.active}")  # fmt: skip
    return row


def save_home(
    session: Session,
    *,
    actor: Actor,
    raw: Mapping[str, object],
    home_id: int | None = None,
    version: int | None = None,
) -> SoberLivingHome:
    action = "sober_living_home.update" if home_id else "sober_living_home.create"
    require(session, actor, Permission.CONFIG_WRITE, action=action)
    entry, errors = rules.check_home(raw)
    row = _versioned(session, repo.home(session, home_id), version) if home_id else None
    _unique_name(
        repo.home_named(session, _name(raw)),
        row,
        errors,
        "A sober-living home with this name is already listed.",
    )
    if errors or entry is None:
        raise ValidationFailed("Please correct the fields marked.", field_errors=errors)
    row = row or SoberLivingHome()
    for name in ("name", "city", "beds", "gender", "phone", "certified_by", "notes", "active"):
        setattr(row, name, getattr(entry, name))
    _flush(session, row)
    _record(session, actor, action, "sober_living_home", row.id,
            f"beds={row.beds}; gender={row.gender}; active={row.active}")  # fmt: skip
    return row


def _name(raw: Mapping[str, object]) -> str:
    return " ".join(str(raw.get("name") or "").split())


def _unique_name(same, row, errors: dict[str, str], message: str) -> None:  # type: ignore[no-untyped-def]
    """Names are unique regardless of case: two entries for one program confuse a referral."""
    if same is not None and same is not row and "name" not in errors:
        errors["name"] = message


def _versioned(session: Session, row, version: int | None):  # type: ignore[no-untyped-def]
    if row is None:
        raise NotFound("No such directory entry.")
    if version != row.version:
        raise Conflict(CHANGED)
    return row


def _flush(session: Session, row: object) -> None:
    session.add(row)
    try:
        session.flush()
    except StaleDataError:
        raise Conflict(CHANGED) from None


# ---- referring an inquiry out --------------------------------------------------------------


@dataclass
class ReferContext:
    inquiry: Inquiry
    assessment: AdmissionAssessment | None
    level: str | None
    directory: Directory
    referrals: list[Referral]
    names: dict[str, dict[int, str]]
    today: date


def refer_form(
    session: Session,
    *,
    actor: Actor,
    inquiry_id: int,
    level: str | None,
    city: str | None,
    default_zone: str,
) -> ReferContext:
    row = admit_service.inquiry_for(session, actor, inquiry_id, "inquiry.refer")
    latest = assessment_repository.latest_assessment(session, row.id)
    # Offer the partners for the level the clinician decided on, unless another is asked for.
    level = level or (latest.decided_level if latest else None)
    found = directory(session, actor=actor, level=level, city=city)
    past = repo.referrals_of(session, row.id)
    _record(session, actor, "inquiry.refer_form", "inquiry", row.id, f"referrals={len(past)}")
    every = directory(session, actor=actor, include_inactive=True)
    return ReferContext(
        inquiry=row,
        assessment=latest,
        level=level,
        directory=found,
        referrals=past,
        names={
            "partners": {p.id: p.name for p in every.partners},
            "homes": {h.id: h.name for h in every.homes},
        },
        today=admit_service.local_today(session, row, default_zone),
    )


def refer(
    session: Session,
    *,
    actor: Actor,
    inquiry_id: int,
    raw: Mapping[str, object],
    version: int | None,
    default_zone: str,
) -> Referral:
    row = admit_service.inquiry_for(session, actor, inquiry_id, "inquiry.refer")
    if version != row.version:
        raise Conflict("This inquiry was changed by someone else since you opened it.")
    today = admit_service.local_today(session, row, default_zone)
    entry, errors = rules.check_referral(raw, today, _destinations(session))
    if entry is None:
        raise ValidationFailed("The referral was not recorded.", field_errors=errors)
    to = _destination_name(session, entry)
    task = ClinicalTask(
        kind="referral_follow_up", inquiry_id=row.id, location_id=row.location_id,
        due_date=entry.follow_up_date, status="open", created_at=clock.now(),
        title=f"Check that the person reached {to}"[:200],
    )  # fmt: skip
    repo.add(session, task)
    referral = Referral(
        inquiry_id=row.id, partner_id=entry.partner_id,
        sober_living_home_id=entry.sober_living_home_id, level=entry.level, reason=entry.reason,
        follow_up_date=entry.follow_up_date, follow_up_task_id=task.id,
        referred_by_user_id=actor.principal.user_id if actor.principal else None,
        referred_at=clock.now(),
    )  # fmt: skip
    repo.add(session, referral)
    if entry.closes_inquiry:
        _close(session, actor, row, f"Referred to {to}: {LEVEL_LABELS[entry.level]}")
    detail = (
        f"referral={referral.id}; level={entry.level}; partner={entry.partner_id or '-'}; "
        f"home={entry.sober_living_home_id or '-'}; follow_up={entry.follow_up_date}; "
        f"task={task.id}; closed={entry.closes_inquiry}"
    )
    _record(session, actor, "inquiry.refer", "inquiry", row.id, detail)
    return referral


def _destinations(session: Session) -> rules.Destinations:
    partners = repo.partners(session, level=None, city=None, active_only=True)
    homes = repo.homes(session, city=None, gender=None, active_only=True)
    return rules.Destinations(
        partner_levels={p.id: tuple(p.level_list) for p in partners},
        home_ids=frozenset(h.id for h in homes),
    )


def _destination_name(session: Session, entry: rules.ReferralInput) -> str:
    names = []
    if entry.partner_id is not None:
        names.append(repo.partner(session, entry.partner_id).name)  # type: ignore[union-attr]
    if entry.sober_living_home_id is not None:
        names.append(repo.home(session, entry.sober_living_home_id).name)  # type: ignore[union-attr]
    return " and ".join(names)


def _close(session: Session, actor: Actor, row: Inquiry, reason: str) -> None:
    data = pipeline_service.as_update(row, stage="referred_out", closed_reason=reason[:500])
    try:
        pipeline_service.update_inquiry(
            session, actor=actor, inquiry_id=row.id, data=data, version=row.version
        )
    except ValidationFailed as error:
        # The pipeline names "stage" (e.g. an admitted inquiry stays admitted).
        message = " ".join(error.field_errors.values()) or error.message
        raise ValidationFailed(message, field_errors={"partner_id": message}) from None
