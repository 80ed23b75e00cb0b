"""Interest absorption (ZII-01..05): the zero_interest_installments flag on sources and charges and the interest it puts on the merchant."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from installment_conformance import money, scenarios
from installment_conformance.checks import expect_error, expect_field, expect_success
from installment_conformance.scenarios import from_profile

pytest_generate_tests = scenarios.pytest_generate_tests

FEW_EXAMPLES = settings(max_examples=25, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
SEED_METHOD, SEED_AMOUNT, SEED_TERM = "installment_kbank", 400000, 4  # the bank seed's charge
SEED_INTEREST, SEED_INTEREST_VAT = 10400, 728


def _banks_and_flags(loaded):
    """Every bank with each value of the flag."""
    return [pytest.param(method, flag, id=f"{method.type}-zero-interest-{str(flag).lower()}") for method in loaded.banks for flag in (True, False)]


def _bank_terms(loaded):
    """Every listed term of every bank."""
    return [pytest.param(method, term, id=f"{method.type}-term-{term}") for method in loaded.banks for term in method.installment_terms]


def _documented_rates(loaded):
    """The banks whose merchant interest rate the seeds document (the profile cites where it comes from)."""
    return scenarios.method_cases(m for m in loaded.banks if "interest" in m.cite and m.merchant_interest_rate is not None)


@pytest.mark.rule("ZII-01")
@from_profile("method, flag", _banks_and_flags)
def test_the_flag_is_echoed_on_source_and_charge(api, method, flag):
    """zero_interest_installments sent on the source is echoed there; sent on the charge it is echoed there."""
    reply = scenarios.create_source(api, method, zero_interest_installments=flag)
    expect_success(reply, "ZII-01")
    expect_field(reply, "/zero_interest_installments", flag, "ZII-01")
    charged = scenarios.create_charge(api, reply.body, zero_interest_installments=flag)
    expect_success(charged, "ZII-01")
    expect_field(charged, "/zero_interest_installments", flag, "ZII-01")


@pytest.mark.rule("ZII-01")
@from_profile("method", scenarios.bank_methods)
def test_without_the_flag_the_charge_inherits_the_source_default(api, method):
    """A source sent without the flag has a boolean (the account default) and a charge sent without it inherits that value."""
    source = scenarios.new_source(api, method)
    default = source.get("zero_interest_installments")
    assert isinstance(default, bool), f"ZII-01: a source sent without the flag has zero_interest_installments {default!r}, not a boolean"
    charged = scenarios.create_charge(api, source)
    expect_success(charged, "ZII-01")
    expect_field(charged, "/zero_interest_installments", default, "ZII-01")


@pytest.mark.rule("ZII-02")
@from_profile("method, flag", _banks_and_flags)
def test_a_charge_contradicting_its_source_flag_is_rejected(api, method, flag):
    """A charge sending the opposite of its source's zero_interest_installments is a 4xx error."""
    source = scenarios.new_source(api, method, zero_interest_installments=flag)
    expect_error(scenarios.create_charge(api, source, zero_interest_installments=not flag), "ZII-02")


@pytest.mark.rule("ZII-03")
@from_profile("method, term", _bank_terms)
def test_the_buyer_bearing_interest_costs_the_merchant_none(api, method, term):
    """With zero_interest_installments false the charge's interest and interest_vat are 0."""
    charge = scenarios.pending_charge(api, method, term=term, source_extra={"zero_interest_installments": False},
                                      zero_interest_installments=False)
    expect_field(charge, "/interest", 0, "ZII-03")
    expect_field(charge, "/interest_vat", 0, "ZII-03")


@pytest.mark.rule("ZII-04")
def test_the_seed_interest_example(api, profile):
    """400000 satang over 4 months with Kasikorn, merchant-absorbed, costs interest 10400 and interest_vat 728."""
    if SEED_METHOD not in profile.methods:
        pytest.skip(f"the profile has no {SEED_METHOD}, the method of the seed's example")
    method = profile.methods[SEED_METHOD]
    charge = scenarios.pending_charge(api, method, SEED_AMOUNT, SEED_TERM, source_extra={"zero_interest_installments": True},
                                      zero_interest_installments=True)
    expect_field(charge, "/interest", SEED_INTEREST, "ZII-04")
    expect_field(charge, "/interest_vat", SEED_INTEREST_VAT, "ZII-04")


@pytest.mark.rule("ZII-04")
@from_profile("method", _documented_rates)
@FEW_EXAMPLES
@given(data=st.data())
def test_merchant_interest_follows_the_documented_rate(api, method, data):
    """With the merchant bearing interest it is amount x the bank's monthly rate x the term, rounded half up."""
    term = data.draw(st.sampled_from(method.installment_terms), label="term")
    amount = data.draw(st.integers(method.min_amount_for_term(term), method.amount_max), label="amount")
    charge = scenarios.pending_charge(api, method, amount, term, source_extra={"zero_interest_installments": True},
                                      zero_interest_installments=True)
    expected = money.interest(amount, method.merchant_interest_rate, term, merchant_pays=True)
    expect_field(charge, "/interest", expected, "ZII-04")


@pytest.mark.rule("ZII-05")
@from_profile("method, flag", _banks_and_flags)
def test_a_one_call_charge_passes_the_flag_to_its_source(api, method, flag):
    """In a one-call charge the flag sent on the charge applies to the charge and to its embedded source."""
    reply = scenarios.create_inline_charge(api, method, zero_interest_installments=flag)
    expect_success(reply, "ZII-05")
    expect_field(reply, "/zero_interest_installments", flag, "ZII-05")
    expect_field(reply, "/source/zero_interest_installments", flag, "ZII-05")
    if not flag:
        expect_field(reply, "/interest", 0, "ZII-05")
