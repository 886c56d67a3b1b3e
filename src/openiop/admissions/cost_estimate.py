"""Cost comparison for the public site: the program against a residential or inpatient stay.

Pure arithmetic on whole cents (Decimal only for the coinsurance percentage, never float).
Every figure comes with the step that produced it, so the page can show its working.

How a person's share is worked out, for each option separately (they are alternatives, so
each starts from the same deductible and out-of-pocket maximum):

1. billed = days × day rate. The program has no room and board: the person lives at home or
   in sober living. The residential and inpatient day rates include it.
2. Without any insurance figure the person pays everything billed (self-pay).
3. With insurance: the deductible still to meet is paid first, up to the amount billed; the
   coinsurance percentage applies to the rest (rounded half up to the cent); the sum is capped
   at the out-of-pocket maximum still to meet. A figure left blank counts as 0 deductible,
   0 % coinsurance and no cap, and the steps say so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

OTHER_KINDS = {"residential": "Residential stay", "inpatient": "Inpatient hospital stay"}
MAX_DAY_RATE_CENTS = 10_000_000  # $100,000 a day: anything above is a typing slip
MAX_MONEY_CENTS = 100_000_000_00  # $100 million
_MONEY = re.compile(r"^\d{1,3}(,\d{3})+(\.\d{1,2})?$|^\d+(\.\d{1,2})?$|^\.\d{1,2}$")


@dataclass(frozen=True)
class DayRates:
    iop_cents: int
    residential_cents: int
    inpatient_cents: int

    def for_kind(self, kind: str) -> int:
        return {"residential": self.residential_cents, "inpatient": self.inpatient_cents}[kind]


@dataclass(frozen=True)
class Insurance:
    """What the person knows of their plan; None means "not given"."""

    deductible_remaining_cents: int | None = None
    coinsurance_percent: Decimal | None = None
    oop_max_remaining_cents: int | None = None

    @property
    def given(self) -> bool:
        return any(
            v is not None
            for v in (
                self.deductible_remaining_cents,
                self.coinsurance_percent,
                self.oop_max_remaining_cents,
            )
        )


@dataclass(frozen=True)
class Step:
    text: str
    amount_cents: int | None = None


@dataclass(frozen=True)
class OptionEstimate:
    kind: str  # "iop", "residential" or "inpatient"
    label: str
    days: int
    day_rate_cents: int
    billed_cents: int
    you_pay_cents: int
    plan_pays_cents: int
    steps: tuple[Step, ...]


@dataclass(frozen=True)
class Comparison:
    iop: OptionEstimate
    other: OptionEstimate
    insurance_applied: bool

    @property
    def billed_difference_cents(self) -> int:
        return self.other.billed_cents - self.iop.billed_cents

    @property
    def you_pay_difference_cents(self) -> int:
        return self.other.you_pay_cents - self.iop.you_pay_cents


# ---- money as people write it ----------------------------------------------------------------


def dollars(cents: int) -> str:
    """1234567 -> "$12,345.67"; negatives as "-$5.00"."""
    sign = "-" if cents < 0 else ""
    whole, part = divmod(abs(cents), 100)
    return f"{sign}${whole:,}.{part:02d}"


def parse_dollars(text: str) -> int:
    """ "$1,500", "1500.5", "0.99" -> cents. ValueError with a plain message otherwise."""
    cleaned = text.strip().removeprefix("$").strip()
    if not _MONEY.match(cleaned):
        raise ValueError("Enter an amount in dollars, such as 1500 or 1,500.00.")
    cents = int((Decimal(cleaned.replace(",", "")) * 100).to_integral_value())
    if cents > MAX_MONEY_CENTS:
        raise ValueError("That amount is too large.")
    return cents


def parse_percent(text: str) -> Decimal:
    """ "20", "20%", "12.5" -> Decimal between 0 and 100, at most two decimals."""
    cleaned = text.strip().removesuffix("%").strip()
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError("Enter a percentage from 0 to 100, such as 20.") from None
    if not value.is_finite() or not 0 <= value <= 100 or value != value.quantize(Decimal("0.01")):
        raise ValueError("Enter a percentage from 0 to 100, such as 20.")
    return value


def percent_text(value: Decimal) -> str:
    return f"{value.normalize():f}%"


# ---- the arithmetic ----------------------------------------------------------------------------


def share_of(billed_cents: int, insurance: Insurance) -> tuple[int, tuple[Step, ...]]:
    """What the person pays of `billed_cents`, with the steps that got there."""
    if not insurance.given:
        text = f"No insurance figures given: you pay the full {dollars(billed_cents)}."
        return billed_cents, (Step(text, billed_cents),)
    deductible_part, steps = _deductible(billed_cents, insurance.deductible_remaining_cents)
    rest = billed_cents - deductible_part
    coinsurance, step = _coinsurance(rest, insurance.coinsurance_percent)
    steps.append(step)
    before_cap = deductible_part + coinsurance
    steps.append(
        Step(
            f"Your share before any cap: {dollars(deductible_part)} + {dollars(coinsurance)} "
            f"= {dollars(before_cap)}.",
            before_cap,
        )
    )
    you_pay, step = _cap(before_cap, insurance.oop_max_remaining_cents)
    steps.append(step)
    return you_pay, tuple(steps)


def _deductible(billed: int, remaining: int | None) -> tuple[int, list[Step]]:
    if remaining is None:
        return 0, [Step("Deductible not given: taken as already met ($0.00).", 0)]
    part = min(billed, remaining)
    if remaining >= billed:
        text = (
            f"Deductible left is {dollars(remaining)}, which covers the whole "
            f"{dollars(billed)}: you pay {dollars(part)} toward it."
        )
    else:
        text = f"You first pay the deductible still left: {dollars(part)}."
    return part, [Step(text, part)]


def _coinsurance(rest: int, percent: Decimal | None) -> tuple[int, Step]:
    if percent is None:
        return 0, Step(
            f"Coinsurance not given: taken as 0% of the remaining {dollars(rest)} = $0.00.", 0
        )
    amount = int((Decimal(rest) * percent / 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    return amount, Step(
        f"Coinsurance: {percent_text(percent)} of the remaining {dollars(rest)} "
        f"= {dollars(amount)}.",
        amount,
    )


def _cap(before_cap: int, oop_max: int | None) -> tuple[int, Step]:
    if oop_max is None:
        return before_cap, Step("Out-of-pocket maximum not given: no cap applied.", before_cap)
    if before_cap > oop_max:
        return oop_max, Step(
            f"Your out-of-pocket maximum left is {dollars(oop_max)}, so you pay no more than "
            f"{dollars(oop_max)}.",
            oop_max,
        )
    return before_cap, Step(
        f"That is within your out-of-pocket maximum left ({dollars(oop_max)}).", before_cap
    )


def estimate(
    kind: str, *, days: int, day_rate_cents: int, insurance: Insurance, days_text: str
) -> OptionEstimate:
    """One option: billed = days × day rate, then the person's share."""
    billed = days * day_rate_cents
    label = "Intensive outpatient program" if kind == "iop" else OTHER_KINDS[kind]
    steps = [
        Step(f"{days_text} × {dollars(day_rate_cents)} a day = {dollars(billed)}.", billed),
        Step(
            "Room and board: none. You live at home or in sober living, so there is "
            "nothing to add.",
            0,
        )
        if kind == "iop"
        else Step("Room and board: included in the day rate.", None),
    ]
    you_pay, share_steps = share_of(billed, insurance)
    steps.extend(share_steps)
    steps.append(
        Step(
            f"Estimated you pay {dollars(you_pay)}; your plan pays {dollars(billed - you_pay)}.",
            you_pay,
        )
    )
    return OptionEstimate(
        kind, label, days, day_rate_cents, billed, you_pay, billed - you_pay, tuple(steps)
    )


def compare(
    rates: DayRates,
    *,
    iop_weeks: int,
    iop_days_per_week: int,
    other_kind: str,
    other_days: int,
    insurance: Insurance,
) -> Comparison:
    """The program for `iop_weeks` weeks against `other_days` days of `other_kind`."""
    iop_days = iop_weeks * iop_days_per_week
    iop = estimate(
        "iop",
        days=iop_days,
        day_rate_cents=rates.iop_cents,
        insurance=insurance,
        days_text=f"{iop_weeks} week(s) × {iop_days_per_week} group days = {iop_days} days",
    )
    other = estimate(
        other_kind,
        days=other_days,
        day_rate_cents=rates.for_kind(other_kind),
        insurance=insurance,
        days_text=f"{other_days} day(s)",
    )
    return Comparison(iop, other, insurance.given)
