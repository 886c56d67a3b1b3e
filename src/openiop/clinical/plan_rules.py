"""Pure rules for treatment plans: reading the plan-building forms, who may sign what, and
when reviews fall due. No I/O: the services gather the facts, these decide.

Review dates are local dates. "Due on" day D means the review is fine on D and overdue from
D + 1: a plan activated on March 1 with a 30-day interval is due March 31 and overdue on
April 1. The physician review counts from the admission date the same way.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from openiop.kit.errors import ValidationFailed

MODALITIES = {
    "individual": "Individual counseling",
    "group": "Group counseling",
    "family": "Family session",
    "medication": "Medication management",
    "case_management": "Case management",
    "education": "Psychoeducation",
    "peer_support": "Peer support",
    "drug_screening": "Drug screening",
}
OBJECTIVE_STATUSES = {
    "open": "Open",
    "met": "Met",
    "partially_met": "Partially met",
    "not_met": "Not met",
    "discontinued": "Discontinued",
}
ASAM_DIMENSIONS = {
    1: "1 · Intoxication and withdrawal",
    2: "2 · Biomedical conditions",
    3: "3 · Emotional, behavioral or cognitive conditions",
    4: "4 · Readiness to change",
    5: "5 · Relapse and continued-use potential",
    6: "6 · Recovery and living environment",
}
SIGNERS = {"patient": "Patient", "counselor": "Counselor", "physician": "Physician"}
# Roles that may sign for each part; the care-team check comes from patient access.
SIGNING_ROLES = {"counselor": frozenset({"counselor"}), "physician": frozenset({"physician"})}
MAX_STATEMENT = 2000


@dataclass(frozen=True)
class ReviewPolicy:
    review_interval_days: int = 30
    physician_review_within_days: int = 30


DEFAULT_POLICY = ReviewPolicy()


# ---- reading forms ----------------------------------------------------------------------


def statement(raw: Mapping[str, object], name: str, label: str, errors: dict[str, str]) -> str:
    value = str(raw.get(name) or "").strip()
    if not value:
        errors[name] = f"Enter the {label}."
    elif len(value) > MAX_STATEMENT:
        errors[name] = f"Keep the {label} under {MAX_STATEMENT} characters."
    return value


def parse_problem(raw: Mapping[str, object]) -> tuple[str, int | None]:
    errors: dict[str, str] = {}
    text = statement(raw, "statement", "problem", errors)
    dimension = _dimension(raw.get("asam_dimension"), errors)
    _raise(errors)
    return text, dimension


def parse_goal(raw: Mapping[str, object]) -> str:
    errors: dict[str, str] = {}
    text = statement(raw, "statement", "goal", errors)
    _raise(errors)
    return text


@dataclass(frozen=True)
class ObjectiveInput:
    statement: str
    measure: str
    target_date: date


def parse_objective(raw: Mapping[str, object], *, today: date) -> ObjectiveInput:
    """An objective must say how progress is measured and by when (a date from today on)."""
    errors: dict[str, str] = {}
    text = statement(raw, "statement", "objective", errors)
    measure = statement(raw, "measure", "measure (how progress is counted)", errors)
    if len(measure) > 300:
        errors["measure"] = "Keep the measure under 300 characters."
    target = _date(raw.get("target_date"), "target_date", errors)
    if target is not None and target < today:
        errors["target_date"] = "The target date cannot be in the past."
    _raise(errors)
    assert target is not None
    return ObjectiveInput(text, measure, target)


@dataclass(frozen=True)
class InterventionInput:
    description: str
    modality: str
    frequency: str
    responsible_staff_id: int | None


def parse_intervention(
    raw: Mapping[str, object], *, staff_ids: frozenset[int]
) -> InterventionInput:
    """`staff_ids` are the staff who may be named responsible (the location's staff)."""
    errors: dict[str, str] = {}
    text = statement(raw, "description", "intervention", errors)
    modality = str(raw.get("modality") or "")
    if modality not in MODALITIES:
        errors["modality"] = "Choose a modality from the list."
    frequency = str(raw.get("frequency") or "").strip()
    if not frequency:
        errors["frequency"] = "Say how often, e.g. weekly or 5 days a week."
    elif len(frequency) > 100:
        errors["frequency"] = "Keep the frequency under 100 characters."
    staff = _staff(raw.get("responsible_staff_id"), staff_ids, errors)
    _raise(errors)
    return InterventionInput(text, modality, frequency, staff)


def parse_objective_status(raw: Mapping[str, object]) -> str:
    value = str(raw.get("status") or "")
    if value not in OBJECTIVE_STATUSES:
        _raise({"status": "Choose a status from the list."})
    return value


def _dimension(value: object, errors: dict[str, str]) -> int | None:
    if value in (None, ""):
        return None
    text = str(value)
    if not text.isdigit() or int(text) not in ASAM_DIMENSIONS:
        errors["asam_dimension"] = "Choose a dimension from 1 to 6, or none."
        return None
    return int(text)


def _date(value: object, name: str, errors: dict[str, str]) -> date | None:
    text = str(value or "").strip()
    if not text:
        errors[name] = "Enter a date."
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        errors[name] = "Enter a date as YYYY-MM-DD."
        return None


def _staff(value: object, staff_ids: frozenset[int], errors: dict[str, str]) -> int | None:
    text = str(value or "").strip()
    if not text:
        return None
    if not text.isdigit() or int(text) not in staff_ids:
        errors["responsible_staff_id"] = "Choose a staff member at this location."
        return None
    return int(text)


def _raise(errors: dict[str, str]) -> None:
    if errors:
        first = next(iter(errors.values()))
        raise ValidationFailed(first, field_errors=errors)


# ---- signing ----------------------------------------------------------------------------


def names_match(typed: str, first_name: str, last_name: str) -> bool:
    """The patient's typed signature must be their own first and last name (case, spacing
    and a middle name aside), so a slip of the wrong name on a shared device is caught."""
    words = typed.casefold().split()
    return bool(words) and words[0] == first_name.casefold() and words[-1] == last_name.casefold()


def signature_problem(
    *, signer: str, role: str, already_signed: bool, plan_status: str, complete: bool
) -> str | None:
    """Why this signature cannot be taken now, or None."""
    if plan_status != "draft":
        return "Only a draft plan is signed; revise the plan to change it."
    if already_signed:
        return f"The {SIGNERS[signer].lower()} has already signed this plan."
    if not complete:
        return "A plan needs a problem with a goal, a measurable objective and an intervention."
    allowed = SIGNING_ROLES.get(signer)
    if allowed is not None and role not in allowed:
        return f"Only a {signer} on the care team may sign as {SIGNERS[signer].lower()}."
    return None


# ---- reviews ----------------------------------------------------------------------------


@dataclass(frozen=True)
class PlanFacts:
    admit_date: date
    activated_on: date | None  # None: no signed plan yet
    periodic_reviews: tuple[date, ...] = ()
    physician_reviews: tuple[date, ...] = ()  # includes the physician's plan signature


@dataclass(frozen=True)
class ReviewStatus:
    next_review_due: date | None
    review_overdue: bool
    physician_review_due: date
    physician_reviewed_on: date | None
    physician_overdue: bool
    problems: tuple[str, ...]  # plain words for the chart

    @property
    def overdue(self) -> bool:
        return self.review_overdue or self.physician_overdue


def review_status(facts: PlanFacts, policy: ReviewPolicy, today: date) -> ReviewStatus:
    next_due = _next_review(facts, policy)
    review_overdue = next_due is not None and today > next_due
    physician_due = facts.admit_date + timedelta(days=policy.physician_review_within_days)
    reviewed = min(facts.physician_reviews) if facts.physician_reviews else None
    physician_overdue = reviewed is None and today > physician_due
    problems = []
    if facts.activated_on is None:
        problems.append("No signed treatment plan yet.")
    if review_overdue:
        assert next_due is not None
        problems.append(f"Plan review overdue since {next_due.isoformat()} (due that day).")
    if physician_overdue:
        problems.append(
            f"Physician review overdue: due within {policy.physician_review_within_days} days "
            f"of admission, by {physician_due.isoformat()}."
        )
    return ReviewStatus(
        next_due, review_overdue, physician_due, reviewed, physician_overdue, tuple(problems)
    )


def _next_review(facts: PlanFacts, policy: ReviewPolicy) -> date | None:
    if facts.activated_on is None:
        return None
    last = max((facts.activated_on, *facts.periodic_reviews))
    return last + timedelta(days=policy.review_interval_days)


def parse_policy(raw: Mapping[str, object]) -> ReviewPolicy:
    """The program's review intervals: whole days from 7 to 90 (Title 22 asks for a
    physician review within 30 days; a program may be stricter, never looser than 90)."""
    errors: dict[str, str] = {}
    values = []
    for name, label in (
        ("review_interval_days", "The review interval"),
        ("physician_review_within_days", "The physician review deadline"),
    ):
        text = str(raw.get(name) or "").strip()
        if not text.isdigit() or not 7 <= int(text) <= 90:
            errors[name] = f"{label} is a number of days from 7 to 90."
            values.append(0)
        else:
            values.append(int(text))
    _raise(errors)
    return ReviewPolicy(*values)
