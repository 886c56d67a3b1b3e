"""The demo's admissions side as plain data: day rates, referral sources and inquiries.

Pure, like the rest of the plan: the same seed and `today` give the same pipeline. It draws
from its own random stream, so adding inquiries never changes which patients the seed gives.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from openiop.admissions.pipeline_rules import CLOSED_STAGES, STAGES
from openiop.demo import names
from openiop.demo.patients import fictional_phone

ZONE = ZoneInfo("America/Los_Angeles")
# Staff keys from the plan: the first is the demo admissions sign-in.
ADMISSIONS_OWNERS = {"HARBOR": "admissions-1", "CEDAR": "admissions-1", "LARKSPUR": "admissions-2"}
# How the pipeline usually looks: most inquiries still open, about a fifth admitted.
_STAGE_WEIGHTS = {
    "new": 0.14, "contacted": 0.14, "screening_scheduled": 0.12, "assessed": 0.10,
    "insurance_verified": 0.10, "admitted": 0.22, "referred_out": 0.06,
    "not_admitted": 0.06, "lost": 0.06,
}  # fmt: skip
_CLOSED_REASONS = {
    "referred_out": (
        "Needs medically monitored withdrawal first; referred to a residential detox program.",
        "Lives closer to another program; referred there with a warm hand-off.",
    ),
    "not_admitted": (
        "Assessment pointed to standard outpatient (ASAM 1.0) rather than IOP.",
        "Decided not to start treatment now; welcome to call back.",
    ),
    "lost": (
        "No answer after three calls and a text over two weeks.",
        "Phone number stopped working; email bounced.",
    ),
}
# (name, kind): every one made up, and marked so nobody mistakes it for a real partner.
_SOURCES = (
    ("Self-referred (demo)", "self"),
    ("Family or friend (demo)", "family"),
    ("Harbor Flats Family Clinic (demo)", "provider"),
    ("Cedar Mesa Community Hospital (demo)", "provider"),
    ("Larkspur Valley Drug Court (demo)", "court"),
    ("Tidewater Shipping Co. employee assistance (demo)", "employer"),
    ("Poppyfield Sober Living Network (demo)", "other"),
)
_KINDS_BY_CALLER = {
    "self": ("self", "self", "provider", "employer", "court"),
    "family": ("family",),
    "referrer": ("provider", "provider", "court", "employer", "other"),
}
_CARRIERS = ("Golden Poppy Health Plan (demo)", "Pacific Tideway Insurance (demo)", "Medi-Cal")
_SUBSTANCES = ("alcohol", "opioids", "methamphetamine", "cannabis", "cocaine", "sedatives",
               "not_sure")  # fmt: skip
_BEST_TIMES = ("Weekday mornings", "After 5 pm", "Lunchtime", "Any time", None)
_MESSAGES = (
    "I need something that works around my job.",
    "My brother has been drinking more since he lost his job. Can you help?",
    "My doctor suggested an intensive outpatient program.",
    "Do you have evening groups?",
    None,
)
_NOTES = {
    "reached": "Spoke with them; next step agreed.",
    "left_message": "Left a voicemail with our number.",
    "no_answer": "No answer; will try again tomorrow.",
}
# Most inquiries name the demo admissions sign-in's sites, so its board is the busy one.
_LOCATION_WEIGHTS = (0.45, 0.35, 0.2)
_CHANNEL_FOR = {"phone": "call", "text": "text", "email": "email"}


@dataclass(frozen=True)
class RatePlan:
    location_code: str
    effective_from: date
    iop_day_rate_cents: int
    residential_day_rate_cents: int
    inpatient_day_rate_cents: int


@dataclass(frozen=True)
class SourcePlan:
    name: str
    kind: str


@dataclass(frozen=True)
class ContactPlan:
    channel: str
    direction: str
    outcome: str
    note: str | None
    contacted_at: datetime


@dataclass(frozen=True)
class InquiryPlan:
    idempotency_key: str
    stage: str
    source: str  # how it arrived: web form or phone
    created_at: datetime
    admitted_at: datetime | None
    closed_reason: str | None
    owner_key: str | None
    next_action_date: date | None
    name: str
    caller_relationship: str
    person_name: str | None
    contact_method: str
    phone: str | None
    email: str | None
    best_times: str | None
    substances: str
    insurance_carrier: str | None
    location_code: str
    source_name: str
    date_of_birth: date | None
    message: str | None
    contacts: tuple[ContactPlan, ...]


@dataclass(frozen=True)
class AdmissionsPlan:
    rates: tuple[RatePlan, ...]
    sources: tuple[SourcePlan, ...]
    inquiries: tuple[InquiryPlan, ...]


def inquiry_count(patient_count: int) -> int:
    return max(12, patient_count // 4)


def build_admissions(
    *, seed: int, patient_count: int, today: date, location_codes: Sequence[str]
) -> AdmissionsPlan:
    rng = random.Random(f"admissions-{seed}")
    rates = tuple(_rate(rng, code, today) for code in location_codes)
    sources = tuple(SourcePlan(name, kind) for name, kind in _SOURCES)
    count = inquiry_count(patient_count)
    stages = _stages(rng, count - 1)
    phones: set[str] = set()
    inquiries = [
        _inquiry(rng, index, stage, today, location_codes, phones)
        for index, stage in enumerate(stages)
    ]
    inquiries.append(_duplicate(inquiries, count - 1, today))
    return AdmissionsPlan(rates, sources, tuple(inquiries))


def _rate(rng: random.Random, code: str, today: date) -> RatePlan:
    # In force from New Year: the cost page shows them whatever day the demo is loaded.
    return RatePlan(
        code,
        date(today.year, 1, 1),
        rng.randrange(250, 455, 5) * 100,
        rng.randrange(900, 1425, 25) * 100,
        rng.randrange(1800, 2650, 50) * 100,
    )


def _stages(rng: random.Random, count: int) -> list[str]:
    """Every stage at least once (so the board has no empty column), the rest weighted."""
    stages = list(STAGES[:count])
    weights = [_STAGE_WEIGHTS[s] for s in STAGES]
    stages += rng.choices(list(STAGES), weights=weights, k=count - len(stages))
    rng.shuffle(stages)
    return stages


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    """A local wall-clock time, stored in UTC like every time in the database."""
    return datetime.combine(day, time(hour, minute), tzinfo=ZONE).astimezone(UTC)


def _inquiry(
    rng: random.Random,
    index: int,
    stage: str,
    today: date,
    codes: Sequence[str],
    phones: set[str],
) -> InquiryPlan:
    days_ago = rng.randrange(1, 5) if stage == "new" else rng.randrange(3, 61)
    created = _at(today - timedelta(days=days_ago), rng.randrange(8, 19), rng.randrange(60))
    admitted = None
    if stage == "admitted":
        admitted = _at(today - timedelta(days=days_ago - rng.randrange(1, min(15, days_ago))), 10)
    first, last = rng.choice(names.FIRST_NAMES), rng.choice(names.PATIENT_SURNAMES)
    caller = rng.choices(("self", "family", "referrer"), weights=(0.6, 0.28, 0.12))[0]
    person = None
    if caller != "self":
        person = f"{rng.choice(names.FIRST_NAMES)} {rng.choice((last, *names.PATIENT_SURNAMES))}"
    method = rng.choices(("phone", "text", "email"), weights=(0.6, 0.2, 0.2))[0]
    kind = rng.choice(_KINDS_BY_CALLER[caller])
    code = rng.choices(list(codes), weights=_LOCATION_WEIGHTS[: len(codes)])[0]
    end = admitted or _at(today, 0)
    return InquiryPlan(
        idempotency_key=f"demo-inquiry-{index:04d}",
        stage=stage,
        source="web" if stage == "new" or rng.random() < 0.5 else "phone",
        created_at=created,
        admitted_at=admitted,
        closed_reason=rng.choice(_CLOSED_REASONS[stage]) if stage in CLOSED_STAGES else None,
        owner_key=None if stage == "new" else ADMISSIONS_OWNERS.get(code, "admissions-1"),
        next_action_date=_next_action(rng, stage, today),
        name=f"{first} {last}",
        caller_relationship=caller,
        person_name=person,
        contact_method=method,
        phone=_new_phone(rng, phones) if method != "email" or rng.random() < 0.5 else None,
        email=f"{first}.{last}.{index}@example.org".lower() if method == "email" else None,
        best_times=rng.choice(_BEST_TIMES),
        substances=",".join(sorted(rng.sample(_SUBSTANCES, rng.randrange(1, 3)))),
        insurance_carrier=rng.choice((*_CARRIERS, None)),
        location_code=code,
        source_name=rng.choice([n for n, k in _SOURCES if k == kind]),
        date_of_birth=today - timedelta(days=rng.randrange(19 * 365, 60 * 365))
        if rng.random() < 0.5
        else None,
        message=rng.choice(_MESSAGES),
        contacts=_contacts(rng, stage, _CHANNEL_FOR[method], created, end),
    )


def _new_phone(rng: random.Random, used: set[str]) -> str:
    """A phone no other inquiry has, so the one deliberate duplicate is the only one."""
    while (phone := fictional_phone(rng)) in used:
        pass
    used.add(phone)
    return phone


def _next_action(rng: random.Random, stage: str, today: date) -> date | None:
    if stage == "new":
        return today  # a new inquiry should hear back the same day
    if stage == "admitted" or stage in CLOSED_STAGES:
        return None
    # A few are overdue, so the board's overdue marker has something to show.
    return today + timedelta(days=rng.randrange(-3, 8))


def _contacts(
    rng: random.Random, stage: str, channel: str, start: datetime, end: datetime
) -> tuple[ContactPlan, ...]:
    if stage == "new":
        return ()
    count = rng.randrange(1, 3) if stage == "contacted" else rng.randrange(1, 4)
    times = sorted(_office_hours(rng, start, end) for _ in range(count))
    result = []
    for n, at in enumerate(times):
        last = n == count - 1
        # Whoever moved past "new" was reached at least once: the latest contact says so.
        outcome = "reached" if last and stage != "lost" else rng.choice(list(_NOTES))
        direction = "inbound" if not last and rng.random() < 0.2 else "outbound"
        result.append(ContactPlan(channel, direction, outcome, _NOTES[outcome], at))
    return tuple(result)


def _office_hours(rng: random.Random, start: datetime, end: datetime) -> datetime:
    """A weekday-ish working hour after `start` and on a day before `end`'s day."""
    first, last = start.astimezone(ZONE).date(), end.astimezone(ZONE).date() - timedelta(days=1)
    day = first + timedelta(days=rng.randrange(max(1, (last - first).days + 1)))
    at = _at(day, rng.randrange(9, 18), rng.choice((0, 15, 30, 45)))
    return max(at, start + timedelta(minutes=30))


def _duplicate(inquiries: list[InquiryPlan], index: int, today: date) -> InquiryPlan:
    """The same person sending the web form again: same phone, so the warning shows."""
    callable_back = [
        i for i in inquiries if i.phone and i.stage not in (*CLOSED_STAGES, "admitted")
    ]
    original = (callable_back or [i for i in inquiries if i.phone] or inquiries)[0]
    created = _at(today - timedelta(days=1), 20, 15)
    return replace(
        original,
        idempotency_key=f"demo-inquiry-{index:04d}",
        stage="new",
        source="web",
        created_at=created,
        admitted_at=None,
        closed_reason=None,
        owner_key=None,
        next_action_date=today,
        message="Sent this again in case the first one did not go through.",
        contacts=(),
    )
