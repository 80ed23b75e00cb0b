"""Terms and monthly minimum (TRM-01..04): each bank's term list, its binding monthly minimums, the seed example, /capability."""

from __future__ import annotations

import pytest

from installment_conformance import scenarios
from installment_conformance.checks import expect_error, expect_field, expect_success
from installment_conformance.scenarios import from_profile, outcome

pytest_generate_tests = scenarios.pytest_generate_tests

LONGEST_TERM_TRIED = 48  # TRM-01: every other integer term from 1 to 48 is rejected
SEED_EXAMPLE_AMOUNT, SEED_EXAMPLE_TERM = 330000, 10  # the bank seed: 3,300 THB over 10 months
SEED_EXAMPLE_METHODS = ("installment_bbl", "installment_kbank")


def _every_term(loaded):
    """Each bank with every term from 1 up: listed terms accepted, the others rejected, at an amount the term would allow."""
    cases = []
    for method in loaded.banks:
        for term in range(1, max(LONGEST_TERM_TRIED, *method.installment_terms) + 1):
            accepted = term in method.installment_terms
            cases.append(pytest.param(method, term, accepted, id=f"{method.type}-term-{term}-{outcome(accepted)}"))
    return cases


def _binding_minimums(loaded):
    """Both sides of the monthly minimum of every (bank, term) where it, not the amount floor, binds."""
    cases = []
    for method in loaded.banks:
        for term in method.installment_terms:
            if method.monthly_minimum_binds(term):
                least = method.min_amount_for_term(term)
                cases.append(pytest.param(method, term, least, True, id=f"{method.type}-term-{term}-{least}-accepted"))
                cases.append(pytest.param(method, term, least - 1, False, id=f"{method.type}-term-{term}-{least - 1}-rejected"))
    return cases


def _seed_example(loaded):
    """The seed's 3,300 THB over 10 months, for the two banks it names, judged by the profile's own table."""
    cases = []
    for name in SEED_EXAMPLE_METHODS:
        if name in loaded.methods:
            method = loaded.methods[name]
            accepted = (SEED_EXAMPLE_TERM in method.installment_terms
                        and method.min_amount_for_term(SEED_EXAMPLE_TERM) <= SEED_EXAMPLE_AMOUNT <= method.amount_max)
            cases.append(pytest.param(method, accepted, id=f"{name}-{SEED_EXAMPLE_AMOUNT}-over-{SEED_EXAMPLE_TERM}-{outcome(accepted)}"))
    return cases


def _judge(reply, accepted: bool, rule: str) -> None:
    if accepted:
        expect_success(reply, rule)
    else:
        expect_error(reply, rule)


@pytest.mark.rule("TRM-01")
@from_profile("method, term, accepted", _every_term)
def test_a_bank_accepts_exactly_its_terms(api, method, term, accepted):
    """A listed term is accepted and any other term is rejected, at an amount the monthly minimum allows."""
    reply = scenarios.create_source(api, method, method.min_amount_for_term(term), term)
    _judge(reply, accepted, "TRM-01")


@pytest.mark.rule("TRM-02")
@from_profile("method, term, amount, accepted", _binding_minimums)
def test_the_monthly_minimum_binds(api, method, term, amount, accepted):
    """At exactly the monthly minimum times the term a source is accepted; one satang under it is rejected."""
    _judge(scenarios.create_source(api, method, amount, term), accepted, "TRM-02")


@pytest.mark.rule("TRM-03")
@from_profile("method, accepted", _seed_example)
def test_the_seed_example_of_the_monthly_minimum(api, method, accepted):
    """330000 satang over 10 months is rejected by Bangkok Bank (500 THB a month) and accepted by Kasikorn (300 THB a month)."""
    _judge(scenarios.create_source(api, method, SEED_EXAMPLE_AMOUNT, SEED_EXAMPLE_TERM), accepted, "TRM-03")


@pytest.mark.rule("TRM-04")
@pytest.mark.needs("capability_endpoint")
@from_profile("method", scenarios.bank_methods)
def test_capability_lists_the_terms_of_each_bank(api, method):
    """GET /capability lists the bank's payment method with installment_terms equal to the profile's."""
    reply = api.get("/capability")
    expect_success(reply, "TRM-04")
    listed = [entry for entry in reply.body.get("payment_methods", []) if entry.get("name") == method.type]
    assert listed, f"TRM-04: GET /capability lists no payment method named {method.type}\n{reply.curl}"
    expect_field(listed[0], "/installment_terms", list(method.installment_terms), "TRM-04")
