"""Admissions use cases: what the public pages show, receiving an inquiry, the cost comparison,
and the level-of-care evaluation. Keyword-only arguments; never commits.

The day rates staff set for the cost page live in `rates_service`.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import time, timedelta
from decimal import Decimal
from enum import StrEnum

from sqlalchemy.orm import Session

from openiop.admissions import cost_estimate, repository, schemas
from openiop.admissions.level_of_care import Assessment, Recommendation, recommend
from openiop.kit import clock
from openiop.kit.errors import TooManyRequests, ValidationFailed
from openiop.models import Inquiry, Program
from openiop.security import audit
from openiop.security.audit import Actor, AuditEntry
from openiop.security.permissions import Role
from openiop.security.service import Refused

# ---- the program, as the public pages describe it ------------------------------------------


@dataclass(frozen=True)
class ProgramFacts:
    """The weekly shape of the program. Falls back to the seed defaults without a program."""

    group_days_per_week: int = 5
    group_hours_per_day: Decimal = Decimal("3")
    individual_sessions_per_week: int = 1
    individual_min_minutes: int = 50
    physician_visits_per_week: int = 1

    @property
    def hours_text(self) -> str:
        return format(self.group_hours_per_day.normalize(), "f")


@dataclass(frozen=True)
class TrackTimes:
    name: str
    weekdays: str
    start: time
    end: time


@dataclass(frozen=True)
class Site:
    id: int
    name: str
    address: str
    phone: str | None
    tracks: tuple[TrackTimes, ...]


def _facts(program: Program | None) -> ProgramFacts:
    if program is None:
        return ProgramFacts()
    return ProgramFacts(
        group_days_per_week=program.group_days_per_week,
        group_hours_per_day=Decimal(program.group_hours_per_day),
        individual_sessions_per_week=program.individual_sessions_per_week,
        individual_min_minutes=program.individual_min_minutes,
        physician_visits_per_week=program.physician_visits_per_week,
    )


def program_facts(session: Session) -> ProgramFacts:
    return _facts(repository.public_program(session))


def program_overview(session: Session) -> tuple[ProgramFacts, list[Site]]:
    """Public information only: the policy numbers, the sites and their group times."""
    program = repository.public_program(session)
    tracks = repository.active_tracks(session, program.id) if program else []
    sites = []
    for place in repository.active_locations(session):
        times = tuple(
            TrackTimes(t.name, t.weekdays, t.start_time, t.end_time)
            for t in tracks
            if t.location_id == place.id
        )
        street = ", ".join(p for p in (place.address_line1, place.address_line2) if p)
        address = f"{street}, {place.city}, {place.state} {place.postal_code}"
        sites.append(Site(place.id, place.name, address, place.phone, times))
    return _facts(program), sites


def location_choices(session: Session) -> list[tuple[int, str]]:
    return [(place.id, place.name) for place in repository.active_locations(session)]


# ---- cost comparison -----------------------------------------------------------------------


def rates_in_force(session: Session, *, location_id: int) -> cost_estimate.DayRates | None:
    place = repository.active_location(session, location_id)
    if place is None:
        return None
    row = repository.rate_in_force(session, location_id, clock.today_in(place.time_zone))
    if row is None:
        return None
    return cost_estimate.DayRates(
        row.iop_day_rate_cents, row.residential_day_rate_cents, row.inpatient_day_rate_cents
    )


def priced_locations(session: Session) -> list[tuple[int, str]]:
    """Active locations with day rates in force today: the ones the cost page can price."""
    return [
        (place_id, name)
        for place_id, name in location_choices(session)
        if rates_in_force(session, location_id=place_id) is not None
    ]


def compare_costs(session: Session, *, data: schemas.CostIn) -> cost_estimate.Comparison:
    rates = rates_in_force(session, location_id=data.location_id or 0)
    if rates is None:
        raise ValidationFailed(
            "We have no prices for that location yet.",
            field_errors={"location_id": "Choose a location from the list."},
        )
    return cost_estimate.compare(
        rates,
        iop_weeks=data.iop_weeks,
        iop_days_per_week=program_facts(session).group_days_per_week,
        other_kind=data.other_kind,
        other_days=data.other_days,
        insurance=data.insurance,
    )


# ---- inquiries -----------------------------------------------------------------------------

HONEYPOT_FIELD = "website"
RATE_LIMIT = 5  # inquiries from one address ...
RATE_WINDOW = timedelta(hours=1)  # ... within this window


class Received(StrEnum):
    CREATED = "created"
    ALREADY_RECEIVED = "already_received"  # the same form sent again
    DISCARDED = "discarded"  # the honeypot was filled: a bot, answered as if all went well


def ip_hash(ip: str | None, *, secret_key: str) -> str | None:
    """Keyed, so the stored value cannot be turned back into an address by trying them all."""
    if not ip:
        return None
    return hmac.new(secret_key.encode(), ip.encode(), hashlib.sha256).hexdigest()


def receive_inquiry(
    session: Session,
    *,
    actor: Actor,
    form: Mapping[str, str],
    substances: Sequence[str],
    secret_key: str,
    time_zone: str,
) -> Received:
    """Store one inquiry from the public form. Raises ValidationFailed (422) naming each field,
    or TooManyRequests (429) when this address has sent too many lately."""
    if (form.get(HONEYPOT_FIELD) or "").strip():
        return Received.DISCARDED
    key = (form.get("idempotency_key") or "").strip()
    if not schemas.token_is_valid(key):
        raise ValidationFailed("This form was incomplete. Please check it and send it again.")
    if repository.inquiry_by_key(session, key) is not None:
        return Received.ALREADY_RECEIVED
    sender = ip_hash(actor.ip, secret_key=secret_key)
    _check_rate_limit(session, sender)
    data = schemas.read_inquiry(form, {"substances": substances})
    if (
        data.location_id is not None
        and repository.active_location(session, data.location_id) is None
    ):
        raise ValidationFailed(
            "Please correct the fields marked.",
            field_errors={"location_id": "Choose a location from the list."},
        )
    row = repository.insert_inquiry(session, _new_inquiry(data, sender, time_zone))
    if row is None:
        return Received.ALREADY_RECEIVED
    entry = AuditEntry(
        "inquiry.create", object_type="inquiry", object_id=row.id, detail="source=web"
    )
    audit.record(session, actor, entry)
    return Received.CREATED


def _check_rate_limit(session: Session, sender: str | None) -> None:
    if sender is None:
        return
    recent = repository.inquiries_from(session, sender, clock.now() - RATE_WINDOW)
    if recent >= RATE_LIMIT:
        raise TooManyRequests(
            "We have received several messages from your connection in the last hour, so we "
            "cannot take another one just now. Please try again later, or call us instead."
        )


def _new_inquiry(data: schemas.InquiryIn, sender: str | None, time_zone: str) -> Inquiry:
    now = clock.now()
    return Inquiry(
        stage="new",
        source="web",
        # A new inquiry should hear back the same day.
        next_action_date=clock.today_in(time_zone),
        name=data.name,
        caller_relationship=data.caller_relationship,
        person_name=data.person_name,
        contact_method=data.contact_method,
        phone=data.phone,
        email=data.email,
        best_times=data.best_times,
        substances=",".join(data.substances),
        insurance_carrier=data.insurance_carrier,
        location_id=data.location_id,
        consent_to_contact=True,
        consented_at=now,
        message=data.message,
        idempotency_key=data.idempotency_key,
        ip_hash=sender,
        created_at=now,
        updated_at=now,
    )


# ---- level of care -------------------------------------------------------------------------

# Who may ask for a recommendation: the people who assess and admit. Billing, front desk,
# auditors, patients and (non-clinical) administrators may not.
LEVEL_OF_CARE_ROLES = frozenset(
    {Role.ADMISSIONS, Role.COUNSELOR, Role.PHYSICIAN, Role.PROGRAM_DIRECTOR}
)


def evaluate_level_of_care(
    session: Session, *, actor: Actor, request: schemas.EvaluateRequest
) -> Recommendation:
    """Stores nothing but an audit event, which records the outcome and never the answers."""
    principal = actor.principal
    if principal is None or principal.role not in LEVEL_OF_CARE_ROLES:
        raise Refused(
            "Only admissions and clinical staff may evaluate a level of care.",
            AuditEntry("level_of_care.evaluate", "refused", detail="needs an assessing role"),
        )
    result = recommend(
        Assessment(
            substances=request.substances,
            dsm5_criteria_met=request.dsm5_criteria_met,
            home_environment=request.home_environment,
            instruments=request.instruments or {},
            dimension_ratings=request.dimension_ratings or {},
        )
    )
    given = ",".join(sorted(result.scores)) or "none"
    detail = f"recommendation={result.level}; instruments={given}"
    audit.record(session, actor, AuditEntry("level_of_care.evaluate", detail=detail))
    return result
