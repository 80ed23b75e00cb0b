"""Fee, VAT, interest and net arithmetic (installment_conformance.money): round half up, over many amounts."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from installment_conformance import money, profile

PROFILE = profile.load()
amounts = st.integers(min_value=0, max_value=10**12)
rates = st.decimals(min_value=0, max_value=100, places=2, allow_nan=False, allow_infinity=False)


def decimal_half_up(value: Decimal) -> int:
    """The oracle: the Decimal module's own half-up rounding, independent of money's integer arithmetic."""
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


@pytest.mark.parametrize("value, expected", [
    ("0.5", 1), ("1.5", 2), ("2.5", 3), ("2.4999", 2), ("2.5000", 3), ("1022.0", 1022), ("1025.5", 1026), ("1032.5", 1033),
    ("-2.5", -3), ("0", 0), ("0.49", 0),
])
def test_round_half_up_takes_halves_away_from_zero(value, expected):
    assert money.round_half_up(*Decimal(value).as_integer_ratio()) == expected


@pytest.mark.parametrize("value, expected", [("0.5", 0), ("1.5", 2), ("2.5", 2), ("1032.5", 1032), ("1033.5", 1034)])
def test_round_half_even_takes_halves_to_the_even_neighbour(value, expected):
    assert money.round_half_even(*Decimal(value).as_integer_ratio()) == expected


def test_the_seed_examples_come_out_to_the_satang():
    kbank = PROFILE.method("installment_kbank")
    bank = money.breakdown(400000, fee_rate=PROFILE.fee_rate, vat_rate=PROFILE.vat_rate, monthly_rate=kbank.merchant_interest_rate,
                           term=4, merchant_pays_interest=True)
    assert (bank.fee, bank.fee_vat, bank.interest, bank.interest_vat, bank.funding_amount, bank.net) == (14600, 1022, 10400, 728, 400000, 373250)
    paynext = PROFILE.method("installment_paynext_extra_qr")
    offline = money.breakdown(400000, fee_rate=PROFILE.fee_rate, vat_rate=PROFILE.vat_rate, monthly_rate=paynext.merchant_interest_rate,
                              term=None, merchant_pays_interest=False)
    assert (offline.interest, offline.interest_vat, offline.net) == (0, 0, 384378)


@settings(max_examples=500, deadline=None)
@given(amount=amounts, rate=rates)
def test_percent_is_within_half_a_satang_and_rounds_halves_up(amount, rate):
    exact = Decimal(amount) * rate / 100
    result = money.percent(amount, rate)
    assert abs(Decimal(result) - exact) <= Decimal("0.5")
    if exact - int(exact) == Decimal("0.5"):
        assert result == int(exact) + 1


@settings(max_examples=500, deadline=None)
@given(amount=amounts, rate=rates)
def test_percent_agrees_with_the_decimal_module_for_both_roundings(amount, rate):
    exact = Decimal(amount) * rate / 100
    assert money.percent(amount, rate) == decimal_half_up(exact)
    assert money.percent(amount, rate, money.round_half_even) == int(exact.quantize(Decimal(1), rounding=ROUND_HALF_EVEN))


@settings(max_examples=500, deadline=None)
@given(amount=amounts, term=st.integers(min_value=1, max_value=48), merchant_pays=st.booleans(),
       source_type=st.sampled_from(sorted(PROFILE.methods)))
def test_the_breakdown_obeys_fee_01_to_03_for_every_method(amount, term, merchant_pays, source_type):
    method = PROFILE.method(source_type)
    result = money.breakdown(amount, fee_rate=PROFILE.fee_rate, vat_rate=PROFILE.vat_rate, monthly_rate=method.merchant_interest_rate,
                             term=term if method.is_bank else None, merchant_pays_interest=merchant_pays)
    assert result.fee == decimal_half_up(Decimal(amount) * PROFILE.fee_rate / 100)
    assert result.fee_vat == decimal_half_up(Decimal(result.fee) * PROFILE.vat_rate / 100)
    assert result.interest_vat == decimal_half_up(Decimal(result.interest) * PROFILE.vat_rate / 100)
    assert result.funding_amount == amount
    assert result.net == amount - result.fee - result.fee_vat - result.interest - result.interest_vat
    if not merchant_pays or not method.is_bank:
        assert (result.interest, result.interest_vat) == (0, 0)
    else:
        assert result.interest == decimal_half_up(Decimal(amount) * method.merchant_interest_rate * term / 100)


@settings(max_examples=300, deadline=None)
@given(amount=amounts)
def test_half_even_and_half_up_differ_only_on_exact_halves(amount):
    exact = Decimal(amount) * PROFILE.fee_rate / 100
    up, even = money.percent(amount, PROFILE.fee_rate), money.percent(amount, PROFILE.fee_rate, money.round_half_even)
    assert (up != even) == (exact - int(exact) == Decimal("0.5") and int(exact) % 2 == 0)


def test_an_exact_half_on_the_vat_rounds_up():
    """A fee whose VAT ends in exactly half a satang: 150 * 7% = 10.5 -> 11 (half even would give 10)."""
    fee = next(f for f in range(1, 1000) if (Decimal(f) * PROFILE.vat_rate / 100) % 1 == Decimal("0.5") and int(Decimal(f) * PROFILE.vat_rate / 100) % 2 == 0)
    exact = Decimal(fee) * PROFILE.vat_rate / 100
    assert money.percent(fee, PROFILE.vat_rate) == int(exact) + 1
    assert money.percent(fee, PROFILE.vat_rate, money.round_half_even) == int(exact)
