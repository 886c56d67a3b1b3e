"""Pure rules of admitting an inquiry: which decisions allow it, which tracks clash with the
person's weekly commitments, who may be primary counselor, the consent signature, and the first
week's to-dos. No database, no web: tested by tables.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, time, timedelta

# Levels of care this program admits to. Any other decided level is a referral out.
ADMIT_LEVELS = frozenset({"iop", "iop_with_sober_living"})
# Stages from which an inquiry may be admitted: any open stage but "admitted" itself. A closed
# inquiry is reopened first, so the reopening is on the record.
ADMITTABLE_STAGES = frozenset(
    {"new", "contacted", "screening_scheduled", "assessed", "insurance_verified"}
)
# Credentials that allow someone to hold a caseload as primary counselor: licensed and
# associate clinicians (who practise under supervision) and certified alcohol and drug
# counselors. A registered technician (RADT) is still in training and may not hold a caseload.
COUNSELOR_CREDENTIALS = frozenset(
    {"LCSW", "LMFT", "LPCC", "ACSW", "AMFT", "APCC", "CADC", "CADC-II", "PsyD", "PhD"}
)
PRESCRIBER_CREDENTIALS = frozenset({"MD", "DO", "NP", "PA"})
# An admission is recorded on the day it happens, or planned ahead; a late entry for an
# admission that already happened is allowed for a few days only.
ADMIT_DATE_PAST_DAYS = 7
ADMIT_DATE_FUTURE_DAYS = 60
SIGNERS = {"self": "The person being admitted", "representative": "A legal representative"}
DAY_NAMES = {1: "Mon", 2: "Tue", 3: "Wed", 4: "Thu", 5: "Fri", 6: "Sat", 7: "Sun"}


def admit_problem(stage: str, decided_level: str | None) -> str | None:
    """Why this inquiry cannot be admitted now, or None."""
    if stage == "admitted":
        return "This inquiry has already been admitted."
    if stage not in ADMITTABLE_STAGES:
        return "This inquiry is closed; reopen it as Contacted before admitting."
    if decided_level is None:
        return "Record an assessment and accept or override its recommendation first."
    if decided_level not in ADMIT_LEVELS:
        return "The decided level of care is not this program; refer the person out instead."
    return None


# ---- tracks against commitments -----------------------------------------------------------


@dataclass(frozen=True)
class WeeklyBlock:
    """A weekly commitment: work, school, childcare."""

    weekday: int  # ISO, Monday = 1
    start: time
    end: time
    label: str


@dataclass(frozen=True)
class TrackTimes:
    track_id: int
    name: str
    weekdays: tuple[int, ...]
    start: time
    end: time


@dataclass(frozen=True)
class Clash:
    weekday: int
    commitment: WeeklyBlock

    def describe(self, track: TrackTimes) -> str:
        block = self.commitment
        return (
            f"{DAY_NAMES[self.weekday]} {hhmm(track.start)}–{hhmm(track.end)} overlaps "
            f"{block.label} {hhmm(block.start)}–{hhmm(block.end)}"
        )


def hhmm(moment: time) -> str:
    return moment.strftime("%H:%M")


def track_days(weekdays: str) -> tuple[int, ...]:
    """ "12345" → (1, 2, 3, 4, 5); anything that is not an ISO weekday digit is ignored."""
    return tuple(sorted({int(c) for c in weekdays if c in "1234567"}))


def describe_days(days: Iterable[int]) -> str:
    """(1, 2, 3, 4, 5) → "Mon–Fri"; gaps are listed: (1, 3) → "Mon, Wed"."""
    ordered = sorted(set(days))
    if not ordered:
        return "no days"
    if len(ordered) > 2 and ordered == list(range(ordered[0], ordered[-1] + 1)):
        return f"{DAY_NAMES[ordered[0]]}–{DAY_NAMES[ordered[-1]]}"
    return ", ".join(DAY_NAMES[d] for d in ordered)


def clashes(track: TrackTimes, commitments: Iterable[WeeklyBlock]) -> list[Clash]:
    """Commitments the track's group times overlap, day by day. Times that only touch (a
    shift ending at 09:00, a group starting at 09:00) do not clash."""
    found = []
    for block in commitments:
        if block.weekday in track.weekdays and block.start < track.end and track.start < block.end:
            found.append(Clash(block.weekday, block))
    return sorted(found, key=lambda c: (c.weekday, c.commitment.start))


def describe_clashes(track: TrackTimes, found: Iterable[Clash]) -> list[str]:
    """One line per commitment, its clashing days together: "Mon–Fri 09:00–12:00 overlaps
    Work 08:00–16:00"."""
    days: dict[tuple[time, time, str], list[int]] = {}
    for clash in found:
        block = clash.commitment
        days.setdefault((block.start, block.end, block.label), []).append(clash.weekday)
    return [
        f"{describe_days(on)} {hhmm(track.start)}–{hhmm(track.end)} overlaps "
        f"{label} {hhmm(start)}–{hhmm(end)}"
        for (start, end, label), on in days.items()
    ]


# ---- staff ----------------------------------------------------------------------------------


def may_counsel(credentials: Iterable[str]) -> bool:
    return bool(set(credentials) & COUNSELOR_CREDENTIALS)


def may_prescribe(credentials: Iterable[str]) -> bool:
    return bool(set(credentials) & PRESCRIBER_CREDENTIALS)


def caseload_text(open_cases: int, cap: int) -> str:
    return f"{open_cases} of {cap}" if cap else f"{open_cases} (no cap)"


def at_cap(open_cases: int, cap: int) -> bool:
    return bool(cap) and open_cases >= cap


# ---- dates ----------------------------------------------------------------------------------


def admit_date_problem(admit_date: date, today: date) -> str | None:
    if admit_date < today - timedelta(days=ADMIT_DATE_PAST_DAYS):
        return f"The admit date can be at most {ADMIT_DATE_PAST_DAYS} days ago."
    if admit_date > today + timedelta(days=ADMIT_DATE_FUTURE_DAYS):
        return f"The admit date can be at most {ADMIT_DATE_FUTURE_DAYS} days ahead."
    return None


# ---- consent to treatment -------------------------------------------------------------------


def name_key(name: str | None) -> str:
    """Case, punctuation and extra spaces do not matter when comparing a typed signature."""
    return " ".join(re.sub(r"[^\w\s]", "", (name or "").casefold()).split())


@dataclass(frozen=True)
class Signature:
    signer: str  # self, representative
    typed_name: str
    relationship: str
    agreed: bool


def consent_problems(signature: Signature, person_name: str) -> dict[str, str]:
    """A signature counts when the box is ticked and the typed name is the signer's: the
    person's own name, or a representative's name with their relationship."""
    problems: dict[str, str] = {}
    if not signature.agreed:
        problems["consent_agreed"] = "The person must tick that they agree to treatment."
    if signature.signer not in SIGNERS:
        problems["consent_signer"] = "Say who signs: the person or a legal representative."
    typed = name_key(signature.typed_name)
    if not typed:
        problems["consent_signed_name"] = "The signer types their full name to sign."
    elif len(signature.typed_name) > 200:
        problems["consent_signed_name"] = "Use at most 200 characters."
    elif signature.signer == "self" and typed != name_key(person_name):
        problems["consent_signed_name"] = (
            f"The typed name must be the person's full name as registered ({person_name})."
        )
    if signature.signer == "representative" and not signature.relationship.strip():
        problems["consent_relationship"] = "Say how the representative is related to the person."
    return problems


# ---- the first week -------------------------------------------------------------------------


@dataclass(frozen=True)
class PlannedTask:
    kind: str
    title: str
    due: date
    owner: str  # counselor, physician


def first_week(admit_date: date) -> list[PlannedTask]:
    """The to-dos of the first week: the intake on the day of admission; the first individual
    session (at least 50 minutes) and the first physician visit within the first seven days,
    because the program's week needs both from week one."""
    last_day = admit_date + timedelta(days=6)
    return [
        PlannedTask("intake", "Complete the intake", admit_date, "counselor"),
        PlannedTask(
            "individual_session",
            "Schedule the first individual session (at least 50 minutes)",
            last_day,
            "counselor",
        ),
        PlannedTask("physician_visit", "Schedule the first physician visit", last_day, "physician"),
    ]


# ---- commitments entered on the admit form --------------------------------------------------

COMMITMENT_ROWS = 3  # the form offers three rows; a row may cover several weekdays
COMMITMENT_KINDS = ("work", "school", "childcare", "other")


@dataclass(frozen=True)
class CommitmentRow:
    kind: str
    weekdays: tuple[int, ...]
    start: time
    end: time
    label: str

    def blocks(self) -> list[WeeklyBlock]:
        shown = self.label or self.kind.capitalize()
        return [WeeklyBlock(day, self.start, self.end, shown) for day in self.weekdays]


def _clock(value: str) -> time | None:
    try:
        return time.fromisoformat(value) if len(value) in (5, 8) else None
    except ValueError:
        return None


def read_commitment_row(
    n: int, kind: str, days: list[str], start: str, end: str, label: str
) -> tuple[CommitmentRow | None, dict[str, str]]:
    """One form row (prefix c{n}_); a row left entirely blank is no commitment."""
    if not (days or start or end or label.strip()):
        return None, {}
    errors: dict[str, str] = {}
    weekdays = track_days("".join(d for d in days if len(d) == 1))
    if not weekdays or len(weekdays) != len(set(days)):
        errors[f"c{n}_days"] = "Tick the days of this commitment."
    if kind not in COMMITMENT_KINDS:
        errors[f"c{n}_kind"] = "Choose what kind of commitment this is."
    begins, ends = _clock(start), _clock(end)
    if begins is None:
        errors[f"c{n}_start"] = "Enter the start time as HH:MM."
    if ends is None:
        errors[f"c{n}_end"] = "Enter the end time as HH:MM."
    elif begins is not None and ends <= begins:
        errors[f"c{n}_end"] = "The end must be after the start."
    if len(label.strip()) > 100:
        errors[f"c{n}_label"] = "Use at most 100 characters."
    if errors:
        return None, errors
    return CommitmentRow(kind, weekdays, begins, ends, label.strip()), {}  # type: ignore[arg-type]
