"""Fees and net (FEE-01..04): fee, VAT, interest VAT and net of every charge, over many amounts and at the rounding edges."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from installment_conformance import money, scenarios
from installment_conformance.checks import expect_field
from installment_conformance.scenarios import from_profile

pytest_generate_tests = scenarios.pytest_generate_tests

FEW_EXAMPLES = settings(max_examples=25, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
EDGES_PER_METHOD = 3
# The seeds' charges: (source type, amount, term, merchant pays interest, the documented money fields).
SEED_CHARGES = (
    ("installment_kbank", 400000, 4, True, {"fee": 14600, "fee_vat": 1022, "interest": 10400, "interest_vat": 728, "net": 373250}),
    ("installment_paynext_extra_qr", 400000, None, None, {"fee": 14600, "fee_vat": 1022, "interest": 0, "interest_vat": 0, "net": 384378}),
)


def half_satang_amounts(rate, low: int, high: int, count: int) -> list[int]:
    """Amounts in [low, high] whose `amount * rate / 100` ends in exactly half a satang over an even number.

    Rounding half up and rounding half to even disagree on exactly these amounts.
    """
    share = Fraction(str(rate)) / 100
    numerator, denominator = share.numerator, share.denominator
    if denominator % 2:
        return []
    first = (denominator // 2) * pow(numerator, -1, denominator) % denominator
    found = []
    amount = low + (first - low) % denominator
    while amount <= high and len(found) < count:
        if int(Fraction(amount) * share) % 2 == 0:
            found.append(amount)
        amount += denominator
    return found


def half_satang_fee_vat_amounts(loaded, low: int, high: int, count: int) -> list[int]:
    """Amounts in [low, high] whose fee's VAT ends in exactly half a satang over an even number."""
    fees = half_satang_amounts(loaded.vat_rate, money.percent(low, loaded.fee_rate), money.percent(high, loaded.fee_rate), count * 4)
    found = []
    for fee in fees:
        guess = int(Fraction(fee) * 100 / Fraction(str(loaded.fee_rate)))
        match = next((a for a in range(guess - 2, guess + 3) if low <= a <= high and money.percent(a, loaded.fee_rate) == fee), None)
        if match is not None:
            found.append(match)
        if len(found) == count:
            break
    return found


def _accepting_range(method) -> tuple[int, int]:
    """The amounts the method accepts with at least one term."""
    return scenarios.valid_amount(method), method.amount_max


def _edge_cases(loaded):
    """Per method, amounts where the fee or its VAT ends in exactly half a satang."""
    cases = []
    for method in loaded.methods.values():
        low, high = _accepting_range(method)
        for amount in half_satang_amounts(loaded.fee_rate, low, high, EDGES_PER_METHOD):
            cases.append(pytest.param(method, amount, id=f"{method.type}-{amount}-fee-half-satang"))
        for amount in half_satang_fee_vat_amounts(loaded, low, high, EDGES_PER_METHOD):
            cases.append(pytest.param(method, amount, id=f"{method.type}-{amount}-fee-vat-half-satang"))
    return cases


def _seed_cases(loaded):
    """The seeds' documented charges whose method the profile has."""
    return [pytest.param(loaded.methods[name], amount, term, merchant, fields, id=f"{name}-{amount}")
            for name, amount, term, merchant, fields in SEED_CHARGES if name in loaded.methods]


def charge_for(api, method, amount: int, term: int | None = None, merchant_pays: bool | None = None) -> dict:
    """A pending charge of `amount` (with the term and interest flag given, for banks)."""
    if not method.is_bank:
        return scenarios.pending_charge(api, method, amount)
    term = term if term is not None else scenarios.terms_for_amount(method, amount)[0]
    flag = {} if merchant_pays is None else {"zero_interest_installments": merchant_pays}
    return scenarios.pending_charge(api, method, amount, term, source_extra=flag, **flag)


def expect_money_adds_up(charge: dict, loaded, rules=("FEE-01", "FEE-02", "FEE-03")) -> None:
    """fee, fee_vat, interest_vat, funding_amount and net follow from amount, interest and the profile's rates."""
    fee_rule, vat_rule, net_rule = rules
    amount = charge["amount"]
    expect_field(charge, "/fee", money.percent(amount, loaded.fee_rate), fee_rule)
    expect_field(charge, "/fee_vat", money.percent(charge["fee"], loaded.vat_rate), fee_rule)
    expect_field(charge, "/interest_vat", money.percent(charge["interest"], loaded.vat_rate), vat_rule)
    expect_field(charge, "/funding_amount", amount, net_rule)
    net = charge["funding_amount"] - charge["fee"] - charge["fee_vat"] - charge["interest"] - charge["interest_vat"]
    expect_field(charge, "/net", net, net_rule)


@pytest.mark.rule("FEE-01", "FEE-02", "FEE-03")
@from_profile("method", scenarios.all_methods)
@FEW_EXAMPLES
@given(data=st.data())
def test_fee_vat_interest_vat_and_net_add_up(api, profile, method, data):
    """For any accepted amount, term and interest flag: fee and VAT round half up from the rates and net is what remains."""
    low, high = _accepting_range(method)
    edges = half_satang_amounts(profile.fee_rate, low, high, EDGES_PER_METHOD)
    amount = data.draw(st.one_of(st.integers(low, high), st.sampled_from(edges)) if edges else st.integers(low, high), label="amount")
    term = data.draw(st.sampled_from(scenarios.terms_for_amount(method, amount)), label="term") if method.is_bank else None
    merchant_pays = data.draw(st.booleans(), label="merchant pays interest") if method.is_bank else None
    expect_money_adds_up(charge_for(api, method, amount, term, merchant_pays), profile)


@pytest.mark.rule("FEE-01", "FEE-03")
@from_profile("method, amount", _edge_cases)
def test_half_satangs_round_up(api, profile, method, amount):
    """Where the fee or its VAT ends in exactly half a satang it is rounded up, not to even."""
    expect_money_adds_up(charge_for(api, method, amount), profile)


@pytest.mark.rule("FEE-01")
@from_profile("method", scenarios.all_methods)
def test_transaction_fees_are_the_profile_rates(api, profile, method):
    """A charge's transaction_fees carry fee_rate and vat_rate as the documented strings."""
    charge = charge_for(api, method, scenarios.valid_amount(method))
    if "transaction_fees" not in charge:
        pytest.skip("the target's charge has no transaction_fees field (FEE-01 checks it where present)")
    expect_field(charge, "/transaction_fees/fee_rate", profile.fee_strings["fee_rate"], "FEE-01")
    expect_field(charge, "/transaction_fees/vat_rate", profile.fee_strings["vat_rate"], "FEE-01")


@pytest.mark.rule("FEE-04")
@from_profile("method, amount, term, merchant_pays, fields", _seed_cases)
def test_the_seed_charges_add_up(api, method, amount, term, merchant_pays, fields):
    """The seeds' charges: 400000 KBank over 4 months merchant-absorbed nets 373250; 400000 PayNext nets 384378."""
    charge = charge_for(api, method, amount, term, merchant_pays)
    for name, value in fields.items():
        expect_field(charge, f"/{name}", value, "FEE-04")
