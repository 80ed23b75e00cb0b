"""Refunds (RFD-01..08): who can be refunded, full-only bank refunds, the PayNext same-day void and 30-day window, concurrency."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from installment_conformance import profile as profiles
from installment_conformance import scenarios
from installment_conformance.checks import expect_error, expect_field, expect_success
from installment_conformance.scenarios import from_profile

pytest_generate_tests = scenarios.pytest_generate_tests

REFUND_ID = re.compile(r"rfnd_test_[0-9a-z]+")
PARALLEL_REFUNDS = 8
MIDNIGHT_MARGIN_SECONDS = 5  # how close to the local midnight "just before" and "just after" are
PAYMENT_HOUR = 12  # the clock tests pay at local noon, far from either midnight
LOCAL_UTC_GAP_HOURS = 3  # hours either side of the UTC midnight, for the tests where the local and UTC days differ

full_only = scenarios.methods_with_policy(profiles.FULL_ONLY)
void_then_refund = scenarios.methods_with_policy(profiles.VOID_SAME_DAY_THEN_REFUND)


def _unfinished_or_unpaid(loaded):
    """Every method with each state a refund is refused in: pending, failed, expired."""
    return [pytest.param(method, state, id=f"{method.type}-{state}-rejected", marks=scenarios.state_marks(state))
            for method in loaded.methods.values() for state in ("pending", "failed", "expired")]


def _flag_cases(loaded):
    """Every method with each charge state whose refund flags are checked against a refund attempt."""
    return [pytest.param(method, state, kind, id=f"{method.type}-{state}-{kind}-refund",
                         marks=scenarios.state_marks("successful" if state == "refunded" else state))
            for method in loaded.methods.values() for state in ("pending", "successful", "refunded") for kind in ("partial", "full")]


def expect_refund(reply, charge: dict, amount: int, rule: str) -> dict:
    """A refund object for `amount` of `charge`."""
    expect_success(reply, rule)
    refund = reply.body
    expect_field(refund, "/object", "refund", rule)
    assert REFUND_ID.fullmatch(str(refund.get("id"))), f"{rule}: id {refund.get('id')!r} is not rfnd_test_...\n{reply.curl}"
    expect_field(refund, "/amount", amount, rule)
    expect_field(refund, "/charge", charge["id"], rule)
    assert isinstance(refund.get("voided"), bool), f"{rule}: voided is {refund.get('voided')!r}, not a boolean\n{reply.curl}"
    assert isinstance(refund.get("created_at"), str) and scenarios.parse_time(refund["created_at"]), \
        f"{rule}: created_at is {refund.get('created_at')!r}\n{reply.curl}"
    return refund




@pytest.mark.rule("RFD-01")
@from_profile("method, state", _unfinished_or_unpaid)
def test_only_a_successful_charge_can_be_refunded(api, method, state):
    """Refunding a pending, failed or expired charge is a 4xx error."""
    charge = scenarios.charge_in_state(api, method, state)
    expect_error(scenarios.refund(api, charge), "RFD-01")
    expect_field(api.get(f"/charges/{charge['id']}"), "/refunded_amount", 0, "RFD-01")


@pytest.mark.rule("RFD-02")
@pytest.mark.needs("mark_as_paid")
@from_profile("method", full_only)
def test_a_full_refund_of_a_bank_installment_succeeds(api, method):
    """A full refund of a bank installment answers a refund, and the charge is then fully refunded and no longer refundable."""
    charge = scenarios.successful_charge(api, method)
    expect_refund(scenarios.refund(api, charge), charge, charge["amount"], "RFD-02")
    after = api.get(f"/charges/{charge['id']}")
    expect_field(after, "/refunded_amount", charge["amount"], "RFD-02")
    expect_field(after, "/refundable", False, "RFD-02")


@pytest.mark.rule("RFD-03")
@pytest.mark.needs("mark_as_paid")
@from_profile("method", full_only)
def test_a_partial_refund_of_a_bank_installment_is_rejected(api, method):
    """A partial refund of a bank installment is a 4xx error, and the charge says it is not partially refundable."""
    charge = scenarios.successful_charge(api, method)
    expect_field(charge, "/partially_refundable", False, "RFD-03")
    expect_error(scenarios.refund(api, charge, charge["amount"] // 2), "RFD-03")
    expect_field(api.get(f"/charges/{charge['id']}"), "/refunded_amount", 0, "RFD-03")


@pytest.mark.rule("RFD-04")
@pytest.mark.needs("mark_as_paid")
@from_profile("method", scenarios.all_methods)
def test_a_fully_refunded_charge_cannot_be_refunded_again(api, method):
    """After a full refund any further refund is a 4xx error."""
    charge = scenarios.successful_charge(api, method)
    scenarios.require(scenarios.refund(api, charge), "the full refund")
    expect_error(scenarios.refund(api, charge), "RFD-04")
    expect_error(scenarios.refund(api, charge, 1), "RFD-04")
    expect_field(api.get(f"/charges/{charge['id']}"), "/refunded_amount", charge["amount"], "RFD-04")


@pytest.mark.rule("RFD-04")
@pytest.mark.needs("mark_as_paid")
@from_profile("method, share", lambda p: [pytest.param(m, share, id=f"{m.type}-{name}-refunds-in-parallel")
                                          for m in p.methods.values() for name, share in (("full", 1), ("third", 3))])
def test_parallel_refunds_never_exceed_the_charge(api, method, share):
    """Many refunds of one charge sent at once never refund more than its amount in total."""
    charge = scenarios.successful_charge(api, method)
    amount = charge["amount"] // share + (1 if share > 1 else 0)
    with ThreadPoolExecutor(max_workers=PARALLEL_REFUNDS) as pool:
        replies = list(pool.map(lambda _: scenarios.refund(api, charge, amount), range(PARALLEL_REFUNDS)))
    for reply in replies:
        assert reply.status < 500, f"RFD-04: a parallel refund answered {reply.status}\n{reply.curl}"
    refunded = sum(reply.body["amount"] for reply in replies if 200 <= reply.status < 300)
    assert refunded <= charge["amount"], f"RFD-04: parallel refunds accepted {refunded} of a {charge['amount']} charge"
    after = scenarios.get_charge(api, charge["id"])
    assert after["refunded_amount"] == refunded, \
        f"RFD-04: the charge shows refunded_amount {after['refunded_amount']} but the accepted refunds total {refunded}"
    listed = scenarios.require(api.get(f"/charges/{charge['id']}/refunds", {"limit": 100}), "GET /charges/{id}/refunds")
    assert sum(item["amount"] for item in listed["data"]) == refunded, "RFD-04: the charge's refund list does not add up to the accepted refunds"


@pytest.mark.rule("RFD-05")
@pytest.mark.needs("mark_as_paid")
@from_profile("method", void_then_refund)
def test_a_refund_on_the_payment_day_is_a_void(api, method):
    """A refund on the Bangkok calendar day of paid_at is a void: the refund and the charge are voided."""
    charge = scenarios.successful_charge(api, method)
    refund = expect_refund(scenarios.refund(api, charge), charge, charge["amount"], "RFD-05")
    same_day = scenarios.local_date(refund["created_at"], method.void_timezone) == scenarios.local_date(charge["paid_at"], method.void_timezone)
    expect_field(refund, "/voided", same_day, "RFD-05")
    expect_field(api.get(f"/charges/{charge['id']}"), "/voided", same_day, "RFD-05")


@pytest.mark.rule("RFD-05")
@pytest.mark.needs("mark_as_paid", "clock")
@from_profile("method", void_then_refund)
def test_a_refund_just_before_local_midnight_is_a_void(api, method):
    """A refund seconds before the Bangkok midnight that ends the payment day is still a void."""
    charge = paid_at_local_hour(api, method, PAYMENT_HOUR)
    midnight = scenarios.next_midnight(scenarios.parse_time(charge["paid_at"]), method.void_timezone)
    scenarios.advance_clock_to(api, midnight - timedelta(seconds=MIDNIGHT_MARGIN_SECONDS))
    refund = expect_refund(scenarios.refund(api, charge), charge, charge["amount"], "RFD-05")
    expect_field(refund, "/voided", True, "RFD-05")
    expect_field(api.get(f"/charges/{charge['id']}"), "/voided", True, "RFD-05")


def utc_offset_hours(api, method) -> int:
    """Whole hours the method's void time zone is ahead of UTC now; skips zones too close to UTC to tell the days apart."""
    offset = scenarios.clock_now(api).astimezone(ZoneInfo(method.void_timezone)).utcoffset()
    hours = int(offset.total_seconds() // 3600)
    if hours <= LOCAL_UTC_GAP_HOURS:
        pytest.skip(f"{method.void_timezone} is not more than {LOCAL_UTC_GAP_HOURS} hours ahead of UTC: its days and UTC days overlap too much")
    return hours


def paid_at_local_hour(api, method, hour: int) -> dict:
    """A successful charge paid at `hour`:00 in the method's void time zone."""
    scenarios.advance_clock_to_local_hour(api, method.void_timezone, hour)
    return scenarios.successful_charge(api, method)


@pytest.mark.rule("RFD-05")
@pytest.mark.needs("mark_as_paid", "clock")
@from_profile("method", void_then_refund)
def test_a_refund_on_the_local_payment_day_but_the_next_utc_day_is_a_void(api, method):
    """Paid in the local morning while UTC is still on the previous day, refunded after the UTC midnight: the same local day, so a void."""
    offset = utc_offset_hours(api, method)
    charge = paid_at_local_hour(api, method, offset - LOCAL_UTC_GAP_HOURS + 1)
    scenarios.advance_clock_to(api, scenarios.parse_time(charge["paid_at"]) + timedelta(hours=2 * LOCAL_UTC_GAP_HOURS - 2))
    refund = expect_refund(scenarios.refund(api, charge), charge, charge["amount"], "RFD-05")
    expect_field(refund, "/voided", True, "RFD-05")


@pytest.mark.rule("RFD-06")
@pytest.mark.needs("mark_as_paid", "clock")
@from_profile("method", void_then_refund)
def test_a_refund_on_the_next_local_day_but_the_same_utc_day_is_not_a_void(api, method):
    """Paid late in the local evening, refunded after the local midnight but on the same UTC day: a refund, not a void."""
    utc_offset_hours(api, method)
    charge = paid_at_local_hour(api, method, 23)
    scenarios.advance_clock_to(api, scenarios.parse_time(charge["paid_at"]) + timedelta(hours=2))
    refund = expect_refund(scenarios.refund(api, charge), charge, charge["amount"], "RFD-06")
    expect_field(refund, "/voided", False, "RFD-06")


@pytest.mark.rule("RFD-06")
@pytest.mark.needs("mark_as_paid", "clock")
@from_profile("method", void_then_refund)
def test_a_refund_just_after_local_midnight_is_not_a_void(api, method):
    """A refund seconds after the Bangkok midnight following the payment succeeds as a refund, not a void."""
    charge = paid_at_local_hour(api, method, PAYMENT_HOUR)
    midnight = scenarios.next_midnight(scenarios.parse_time(charge["paid_at"]), method.void_timezone)
    scenarios.advance_clock_to(api, midnight + timedelta(seconds=MIDNIGHT_MARGIN_SECONDS))
    refund = expect_refund(scenarios.refund(api, charge), charge, charge["amount"], "RFD-06")
    expect_field(refund, "/voided", False, "RFD-06")
    expect_field(api.get(f"/charges/{charge['id']}"), "/voided", False, "RFD-06")


@pytest.mark.rule("RFD-06")
@pytest.mark.needs("mark_as_paid", "clock")
@from_profile("method", void_then_refund)
def test_a_refund_at_the_end_of_the_window_succeeds(api, method):
    """A refund exactly the window (30 x 24 hours) after paid_at is accepted, and is not a void."""
    charge = scenarios.successful_charge(api, method)
    scenarios.advance_clock_to(api, scenarios.parse_time(charge["paid_at"]) + timedelta(days=method.refund_window_days))
    refund = expect_refund(scenarios.refund(api, charge), charge, charge["amount"], "RFD-06")
    expect_field(refund, "/voided", False, "RFD-06")


@pytest.mark.rule("RFD-07")
@pytest.mark.needs("mark_as_paid", "clock")
@from_profile("method", void_then_refund)
def test_a_refund_after_the_window_is_rejected(api, method):
    """A refund one second past the window (30 x 24 hours) after paid_at is a 4xx error."""
    charge = scenarios.successful_charge(api, method)
    scenarios.advance_clock_to(api, scenarios.parse_time(charge["paid_at"]) + timedelta(days=method.refund_window_days, seconds=1))
    expect_error(scenarios.refund(api, charge), "RFD-07")
    expect_field(api.get(f"/charges/{charge['id']}"), "/refunded_amount", 0, "RFD-07")


@pytest.mark.rule("RFD-08")
@from_profile("method, state, kind", _flag_cases)
def test_the_refund_flags_tell_the_truth(api, method, state, kind):
    """A refund is accepted exactly when the charge's flag allows it: refundable for a full one, partially_refundable for a partial one."""
    if state == "refunded":
        charge = scenarios.successful_charge(api, method)
        scenarios.require(scenarios.refund(api, charge), "the full refund")
        charge = scenarios.get_charge(api, charge["id"])
    else:
        charge = scenarios.charge_in_state(api, method, state)
    flag = "refundable" if kind == "full" else "partially_refundable"
    if flag not in charge:
        pytest.skip(f"the target's charge has no {flag} field (RFD-08 checks the flags it shows)")
    allowed = charge[flag]
    assert isinstance(allowed, bool), f"RFD-08: a {state} charge has {flag} {allowed!r}, not a boolean"
    amount = charge["amount"] - charge.get("refunded_amount", 0) if kind == "full" else charge["amount"] // 2
    amount = amount or charge["amount"]
    reply = scenarios.refund(api, charge, amount)
    if allowed:
        expect_success(reply, "RFD-08")
    else:
        expect_error(reply, "RFD-08")
