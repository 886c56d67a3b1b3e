"""Pure rules for measurement-based care: which questionnaires a program gives, how often,
and when each is due for a patient. No I/O.

A schedule entry says "at intake" (due on the admission date) and then "every N days" after
the last time it was given. Due on day D: "due" on D, "overdue" from D + 1, "upcoming" before.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from openiop.kit.errors import ValidationFailed

# Instruments offered for measurement-based care, in chart order.
MEASURES = ("PHQ-9", "GAD-7", "BAM")
# BAM has no total: its chart shows the subscales, each with its own maximum.
BAM_SUBSCALE_MAX = {"use": 12, "risk": 24, "protective": 24}


@dataclass(frozen=True)
class ScheduleEntry:
    instrument: str
    at_intake: bool
    interval_days: int


DEFAULT_SCHEDULE = (
    ScheduleEntry("PHQ-9", True, 14),
    ScheduleEntry("GAD-7", True, 14),
    ScheduleEntry("BAM", True, 7),
)


@dataclass(frozen=True)
class Due:
    instrument: str
    due_on: date
    state: str  # upcoming, due, overdue
    last_given: date | None


def next_due(entry: ScheduleEntry, admit_date: date, last_given: date | None) -> date:
    if last_given is not None:
        return last_given + timedelta(days=entry.interval_days)
    if entry.at_intake:
        return admit_date
    return admit_date + timedelta(days=entry.interval_days)


def due_state(due_on: date, today: date) -> str:
    if today < due_on:
        return "upcoming"
    return "due" if today == due_on else "overdue"


def schedule_status(
    schedule: Iterable[ScheduleEntry],
    *,
    admit_date: date,
    last_given: Mapping[str, date],
    today: date,
) -> list[Due]:
    rows = []
    for entry in schedule:
        last = last_given.get(entry.instrument)
        due_on = next_due(entry, admit_date, last)
        rows.append(Due(entry.instrument, due_on, due_state(due_on, today), last))
    return rows


def parse_schedule_entry(instrument: str, raw: Mapping[str, object]) -> ScheduleEntry | None:
    """One instrument's row of the program schedule form; None when it is turned off."""
    if instrument not in MEASURES:
        raise ValidationFailed(f"{instrument} is not a measurement-based care instrument.")
    prefix = instrument.lower().replace("-", "")
    if not raw.get(f"{prefix}_active"):
        return None
    text = str(raw.get(f"{prefix}_interval") or "").strip()
    if not text.isdigit() or not 1 <= int(text) <= 365:
        message = f"Give {instrument}'s interval as a number of days from 1 to 365."
        raise ValidationFailed(message, field_errors={f"{prefix}_interval": message})
    return ScheduleEntry(instrument, bool(raw.get(f"{prefix}_at_intake")), int(text))


def parse_answers(raw: Mapping[str, object], item_count: int) -> list[int]:
    """Form answers item_1 .. item_N as points; unanswered items are named."""
    answers: list[int] = []
    errors: dict[str, str] = {}
    for number in range(1, item_count + 1):
        text = str(raw.get(f"item_{number}") or "").strip()
        if not text.lstrip("-").isdigit():
            errors[f"item_{number}"] = f"Answer item {number}."
            answers.append(0)
        else:
            answers.append(int(text))
    if errors:
        count = len(errors)
        raise ValidationFailed(
            f"{count} item{'s' if count > 1 else ''} not answered.", field_errors=errors
        )
    return answers


def parse_given_on(raw: Mapping[str, object], *, admit_date: date, today: date) -> date:
    text = str(raw.get("administered_on") or "").strip()
    try:
        given = date.fromisoformat(text) if text else today
    except ValueError:
        raise ValidationFailed(
            "Enter the date as YYYY-MM-DD.",
            field_errors={"administered_on": "Enter the date as YYYY-MM-DD."},
        ) from None
    if given > today:
        message = "The date given cannot be in the future."
    elif given < admit_date:
        message = "The date given cannot be before the admission date."
    else:
        return given
    raise ValidationFailed(message, field_errors={"administered_on": message})


def change(values: Sequence[int | None]) -> int | None:
    """First to last total, for the chart summary ("down 6 since intake")."""
    known = [v for v in values if v is not None]
    return known[-1] - known[0] if len(known) >= 2 else None
