"""The cost comparison's arithmetic, in whole cents, against worked examples."""

from __future__ import annotations

from decimal import Decimal

import pytest

from openiop.admissions.cost_estimate import (
    DayRates,
    Insurance,
    compare,
    dollars,
    parse_dollars,
    parse_percent,
    share_of,
)

RATES = DayRates(iop_cents=250_00, residential_cents=900_00, inpatient_cents=2_400_00)


def test_worked_example_without_insurance_is_days_times_rate():
    # 8 weeks x 5 group days = 40 days x $250 = $10,000; 30 residential days x $900 = $27,000.
    result = compare(
        RATES,
        iop_weeks=8,
        iop_days_per_week=5,
        other_kind="residential",
        other_days=30,
        insurance=Insurance(),
    )
    assert (result.iop.days, result.iop.billed_cents, result.iop.you_pay_cents) == (
        40,
        10_000_00,
        10_000_00,
    )
    assert (result.other.days, result.other.billed_cents) == (30, 27_000_00)
    assert result.billed_difference_cents == 17_000_00
    assert not result.insurance_applied
    texts = [step.text for step in result.iop.steps]
    assert texts[0] == "8 week(s) × 5 group days = 40 days × $250.00 a day = $10,000.00."
    assert texts[1].startswith("Room and board: none.")
    assert "you pay the full $10,000.00" in texts[2]


def test_worked_example_with_deductible_and_coinsurance():
    # $10,000 billed; $1,500 deductible; 20% of the remaining $8,500 = $1,700; share $3,200.
    insurance = Insurance(deductible_remaining_cents=1_500_00, coinsurance_percent=Decimal(20))
    you_pay, steps = share_of(10_000_00, insurance)
    assert you_pay == 3_200_00
    assert [s.amount_cents for s in steps] == [1_500_00, 1_700_00, 3_200_00, 3_200_00]
    assert steps[1].text == "Coinsurance: 20% of the remaining $8,500.00 = $1,700.00."
    assert "no cap applied" in steps[3].text


def test_out_of_pocket_maximum_caps_the_share():
    insurance = Insurance(1_500_00, Decimal(20), oop_max_remaining_cents=3_000_00)
    result = compare(
        RATES,
        iop_weeks=8,
        iop_days_per_week=5,
        other_kind="residential",
        other_days=30,
        insurance=insurance,
    )
    # IOP share before the cap is $3,200; residential 1,500 + 20% of 25,500 = $6,600: both capped.
    assert result.iop.you_pay_cents == 3_000_00
    assert result.iop.plan_pays_cents == 7_000_00
    assert result.other.you_pay_cents == 3_000_00
    assert result.other.plan_pays_cents == 24_000_00
    assert any("so you pay no more than $3,000.00" in s.text for s in result.iop.steps)


def test_share_below_the_cap_is_not_changed():
    you_pay, steps = share_of(1_000_00, Insurance(0, Decimal(10), oop_max_remaining_cents=5_000_00))
    assert you_pay == 100_00
    assert "within your out-of-pocket maximum" in steps[-1].text


def test_deductible_larger_than_the_total_means_paying_everything_billed():
    insurance = Insurance(deductible_remaining_cents=12_000_00, coinsurance_percent=Decimal(30))
    you_pay, steps = share_of(10_000_00, insurance)
    assert you_pay == 10_000_00
    assert "covers the whole $10,000.00" in steps[0].text
    assert steps[1].text == "Coinsurance: 30% of the remaining $0.00 = $0.00."


def test_zero_coinsurance_means_only_the_deductible():
    you_pay, _ = share_of(10_000_00, Insurance(2_000_00, Decimal(0)))
    assert you_pay == 2_000_00


def test_blank_figures_are_stated_in_the_steps():
    you_pay, steps = share_of(5_000_00, Insurance(oop_max_remaining_cents=1_000_00))
    assert you_pay == 0  # no deductible and no coinsurance given: the plan pays it all
    assert "Deductible not given" in steps[0].text
    assert "Coinsurance not given" in steps[1].text


def test_coinsurance_rounds_half_up_to_the_cent():
    # 12.5% of $10.01 = 125.125 cents -> 125; 10% of 5 cents = 0.5 cents -> 1.
    assert share_of(10_01, Insurance(0, Decimal("12.5")))[0] == 125
    assert share_of(5, Insurance(0, Decimal(10)))[0] == 1


def test_inpatient_uses_its_own_rate_and_includes_room_and_board():
    result = compare(
        RATES,
        iop_weeks=1,
        iop_days_per_week=5,
        other_kind="inpatient",
        other_days=7,
        insurance=Insurance(),
    )
    assert result.other.billed_cents == 7 * 2_400_00
    assert result.other.label == "Inpatient hospital stay"
    assert "included in the day rate" in result.other.steps[1].text
    assert result.you_pay_difference_cents == 16_800_00 - 1_250_00


@pytest.mark.parametrize(
    ("text", "cents"),
    [("1500", 150_000), ("$1,500.50", 150_050), ("0.99", 99), (".5", 50), (" 20 ", 2_000)],
)
def test_parse_dollars(text, cents):
    assert parse_dollars(text) == cents


@pytest.mark.parametrize("text", ["", "abc", "-5", "1,50", "1.234", "1e5", "nan"])
def test_parse_dollars_refuses_what_is_not_an_amount(text):
    with pytest.raises(ValueError, match="Enter an amount"):
        parse_dollars(text)


@pytest.mark.parametrize(
    ("text", "value"), [("20", Decimal(20)), ("12.5%", Decimal("12.5")), ("0", 0)]
)
def test_parse_percent(text, value):
    assert parse_percent(text) == value


@pytest.mark.parametrize("text", ["101", "-1", "abc", "NaN", "Infinity", "12.345"])
def test_parse_percent_refuses_out_of_range(text):
    with pytest.raises(ValueError):
        parse_percent(text)


def test_dollars_formats_cents():
    assert dollars(1_234_567) == "$12,345.67"
    assert dollars(5) == "$0.05"
    assert dollars(-500) == "-$5.00"
