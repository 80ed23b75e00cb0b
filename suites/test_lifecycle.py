"""Lifecycle (LIF-01..06): pending, then successful, failed or expired, and final states stay final."""

from __future__ import annotations

from datetime import timedelta

import pytest

from installment_conformance import scenarios
from installment_conformance.checks import expect_error, expect_field, expect_success
from installment_conformance.scenarios import from_profile

pytest_generate_tests = scenarios.pytest_generate_tests

# Each test-mode action, the state it leads a pending charge to, and the capability it takes.
ACTIONS = {"mark_as_paid": "successful", "mark_as_failed": "failed", "expire": "expired"}
ACTION_CALLS = {"mark_as_paid": scenarios.mark_as_paid, "mark_as_failed": scenarios.mark_as_failed, "expire": scenarios.expire}
UNKNOWN_FAILURE_CODE = "not_a_documented_failure_code"


def _transitions(loaded):
    """Every method with every action that completes a pending charge."""
    return [pytest.param(method, action, id=f"{method.type}-{action}-{state}", marks=pytest.mark.needs(action))
            for method in loaded.methods.values() for action, state in ACTIONS.items()]


def _finished_then_acted_on(loaded):
    """Every method, final state and action: a charge in that state, then that action."""
    return [
        pytest.param(method, state, action, id=f"{method.type}-{state}-then-{action}-rejected",
                     marks=pytest.mark.needs(*dict.fromkeys((*scenarios.STATE_NEEDS[state], action))))
        for method in loaded.methods.values() for state in scenarios.FINAL_STATES for action in ACTIONS
    ]


def _failure_codes(loaded):
    """Every method with each of its failure codes."""
    return [pytest.param(method, code, id=f"{method.type}-{code}") for method in loaded.methods.values() for code in method.failure_codes]


def _foreign_failure_codes(loaded):
    """Every method with codes that are not its own: other methods' codes and an unknown one."""
    every = dict.fromkeys(code for method in loaded.methods.values() for code in method.failure_codes)
    return [pytest.param(method, code, id=f"{method.type}-{code}-rejected")
            for method in loaded.methods.values()
            for code in [*(c for c in every if c not in method.failure_codes), UNKNOWN_FAILURE_CODE]]


@pytest.mark.rule("LIF-01")
@from_profile("method", scenarios.all_methods)
def test_a_new_charge_is_pending(api, method):
    """A new charge is pending and stays pending until something completes it."""
    charge = scenarios.pending_charge(api, method)
    expect_field(charge, "/status", "pending", "LIF-01")
    expect_field(api.get(f"/charges/{charge['id']}"), "/status", "pending", "LIF-01")


@pytest.mark.rule("LIF-01")
@from_profile("method, action", _transitions)
def test_a_pending_charge_moves_to_one_final_state(api, method, action):
    """From pending a charge goes to successful, failed or expired: the state its completion names."""
    charge = scenarios.pending_charge(api, method)
    reply = ACTION_CALLS[action](api, charge)
    expect_success(reply, "LIF-01")
    expect_field(reply, "/status", ACTIONS[action], "LIF-01")
    expect_field(api.get(f"/charges/{charge['id']}"), "/status", ACTIONS[action], "LIF-01")


@pytest.mark.rule("LIF-02")
@pytest.mark.needs("mark_as_paid")
@from_profile("method", scenarios.all_methods)
def test_a_successful_charge_is_paid(api, method):
    """A successful charge is paid, has paid_at, no failure_code, and its source's charge_status is successful."""
    charge = scenarios.pending_charge(api, method)
    reply = scenarios.mark_as_paid(api, charge)
    expect_success(reply, "LIF-02")
    for pointer, value in {"/status": "successful", "/paid": True, "/failure_code": None, "/source/charge_status": "successful"}.items():
        expect_field(reply, pointer, value, "LIF-02")
    paid_at = reply.body.get("paid_at")
    assert isinstance(paid_at, str) and scenarios.parse_time(paid_at), f"LIF-02: paid_at is {paid_at!r}\n{reply.curl}"


@pytest.mark.rule("LIF-03")
@pytest.mark.needs("mark_as_failed")
@from_profile("method", scenarios.all_methods)
def test_a_failed_charge_has_a_failure_code_of_its_method(api, method):
    """A failed charge is unpaid, not expired, with one of its method's failure codes and a failure message."""
    charge = scenarios.pending_charge(api, method)
    reply = scenarios.mark_as_failed(api, charge)
    expect_success(reply, "LIF-03")
    for pointer, value in {"/status": "failed", "/paid": False, "/expired": False}.items():
        expect_field(reply, pointer, value, "LIF-03")
    body = reply.body
    assert body.get("failure_code") in method.failure_codes, \
        f"LIF-03: failure_code {body.get('failure_code')!r} is not one of {list(method.failure_codes)}\n{reply.curl}"
    assert isinstance(body.get("failure_message"), str) and body["failure_message"].strip(), \
        f"LIF-03: failure_message is {body.get('failure_message')!r}\n{reply.curl}"


def _expect_expired(reply, rule: str = "LIF-04") -> None:
    expect_success(reply, rule)
    expect_field(reply, "/status", "expired", rule)
    expect_field(reply, "/expired", True, rule)
    expired_at = reply.body.get("expired_at")
    assert isinstance(expired_at, str) and scenarios.parse_time(expired_at), f"{rule}: expired_at is {expired_at!r}\n{reply.curl}"


@pytest.mark.rule("LIF-04")
@pytest.mark.needs("expire")
@from_profile("method", scenarios.all_methods)
def test_an_expired_charge_says_so(api, method):
    """POST /charges/{id}/expire makes the charge expired, with expired true and expired_at set."""
    charge = scenarios.pending_charge(api, method)
    _expect_expired(scenarios.expire(api, charge))


@pytest.mark.rule("LIF-04")
@pytest.mark.needs("clock")
@from_profile("method", scenarios.all_methods)
def test_a_charge_expires_when_the_clock_passes_expires_at(api, method):
    """A pending charge is expired once the clock passes its expires_at, and not a second before."""
    charge = scenarios.pending_charge(api, method)
    expires_at = scenarios.parse_time(charge["expires_at"])
    scenarios.advance_clock_to(api, expires_at - timedelta(seconds=5))
    expect_field(api.get(f"/charges/{charge['id']}"), "/status", "pending", "LIF-04")
    scenarios.advance_clock_to(api, expires_at + timedelta(seconds=1))
    _expect_expired(api.get(f"/charges/{charge['id']}"))


@pytest.mark.rule("LIF-05")
@from_profile("method, state, action", _finished_then_acted_on)
def test_final_states_stay_final(api, method, state, action):
    """A successful, failed or expired charge cannot be completed, failed or expired again."""
    charge = scenarios.charge_in_state(api, method, state)
    expect_error(ACTION_CALLS[action](api, charge), "LIF-05")
    expect_field(api.get(f"/charges/{charge['id']}"), "/status", state, "LIF-05")


@pytest.mark.rule("LIF-06")
@pytest.mark.needs("mark_as_failed", "failure_codes")
@from_profile("method, code", _failure_codes)
def test_every_failure_code_of_a_method_can_fail_a_charge(api, method, code):
    """Each of the method's failure codes fails a charge with exactly that code."""
    charge = scenarios.pending_charge(api, method)
    reply = scenarios.mark_as_failed(api, charge, code)
    expect_success(reply, "LIF-06")
    expect_field(reply, "/status", "failed", "LIF-06")
    expect_field(reply, "/failure_code", code, "LIF-06")


@pytest.mark.rule("LIF-06")
@pytest.mark.needs("mark_as_failed", "failure_codes")
@from_profile("method, code", _foreign_failure_codes)
def test_a_failure_code_of_another_method_is_rejected(api, method, code):
    """A failure code the method does not have cannot fail its charge: the codes are exactly the method's."""
    charge = scenarios.pending_charge(api, method)
    expect_error(scenarios.mark_as_failed(api, charge, code), "LIF-06")
    expect_field(api.get(f"/charges/{charge['id']}"), "/status", "pending", "LIF-06")
