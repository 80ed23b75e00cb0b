"""Amount limits (AMT-01..04): both sides of every method's minimum and maximum, on sources and on one-call charges."""

from __future__ import annotations

import pytest

from installment_conformance import scenarios
from installment_conformance.checks import expect_error, expect_success
from installment_conformance.scenarios import from_profile, outcome

pytest_generate_tests = scenarios.pytest_generate_tests


def _floor_term(method):
    """A listed term whose monthly minimum does not raise the amount floor (None when every term raises it)."""
    return next((t for t in method.installment_terms if not method.monthly_minimum_binds(t)), None)


def _ceiling_term(method):
    """A listed term that accepts the maximum amount."""
    return next((t for t in method.installment_terms if method.min_amount_for_term(t) <= method.amount_max), None)


def limit_table(method) -> list[tuple[str, int, int | None, bool]]:
    """(side, amount, term, accepted) on both sides of a method's minimum and maximum."""
    if not method.is_bank:
        return [("below-min", method.amount_min - 1, None, False), ("at-min", method.amount_min, None, True),
                ("at-max", method.amount_max, None, True), ("above-max", method.amount_max + 1, None, False)]
    rows = []
    floor_term, ceiling_term = _floor_term(method), _ceiling_term(method)
    if floor_term is not None:
        rows += [("below-min", method.amount_min - 1, floor_term, False), ("at-min", method.amount_min, floor_term, True)]
    if ceiling_term is not None:
        rows += [("at-max", method.amount_max, ceiling_term, True), ("above-max", method.amount_max + 1, ceiling_term, False)]
    return rows


def _cases(methods, sides):
    return [
        pytest.param(method, amount, term, accepted, id=f"{method.type}-{side}-{amount}-{outcome(accepted)}")
        for method in methods
        for side, amount, term, accepted in limit_table(method)
        if side in sides
    ]


def _judge(reply, accepted: bool, rule: str) -> None:
    """An accepted amount gets a 2xx, a rejected one a 4xx error."""
    if accepted:
        expect_success(reply, rule)
    else:
        expect_error(reply, rule)


@pytest.mark.rule("AMT-01")
@from_profile("method, amount, term, accepted", lambda p: _cases(p.banks, ("below-min", "at-min")))
def test_bank_minimum_amount(api, method, amount, term, accepted):
    """A bank source one satang under the minimum is rejected; at the minimum it is accepted."""
    _judge(scenarios.create_source(api, method, amount, term), accepted, "AMT-01")


@pytest.mark.rule("AMT-02")
@from_profile("method, amount, term, accepted", lambda p: _cases(p.banks, ("at-max", "above-max")))
def test_bank_maximum_amount(api, method, amount, term, accepted):
    """A bank source at the maximum is accepted; one satang over it is rejected."""
    _judge(scenarios.create_source(api, method, amount, term), accepted, "AMT-02")


@pytest.mark.rule("AMT-03")
@from_profile("method, amount, term, accepted", lambda p: _cases(p.offline, ("below-min", "at-min", "at-max", "above-max")))
def test_offline_amount_limits(api, method, amount, term, accepted):
    """A PayNext source outside its minimum and maximum is rejected; at either limit it is accepted."""
    _judge(scenarios.create_source(api, method, amount, term), accepted, "AMT-03")


@pytest.mark.rule("AMT-04")
@from_profile("method, amount, term, accepted", lambda p: _cases(p.methods.values(), ("below-min", "at-min", "at-max", "above-max")))
def test_one_call_charge_amount_limits(api, method, amount, term, accepted):
    """A charge with an inline source[type] obeys the same amount limits as a source."""
    _judge(scenarios.create_inline_charge(api, method, amount, term), accepted, "AMT-04")
