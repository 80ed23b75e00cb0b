"""The refund policy (RFD-01..08): whether a refund of an amount is accepted now, and whether it is a void.

The charge's flags (`refundable`, `partially_refundable`, `can_perform_void`) are computed
by `refund_problem` too, so they always tell what the mock will then accept.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo

from installment_conformance.mock.faults import Faults
from installment_conformance.mock.models import SUCCESSFUL, Charge
from installment_conformance.profile import FULL_ONLY, VOID_SAME_DAY_THEN_REFUND

DAY = timedelta(days=1)


class Flags(NamedTuple):
    """What a charge says about refunds: each one the answer of `refund_problem`."""

    refundable: bool
    partially_refundable: bool
    can_perform_void: bool


def _local_day(moment: datetime, timezone: str | None, faults: Faults) -> date:
    """The calendar day of `moment` in the void time zone (UTC under the void_window_utc fault)."""
    zone = UTC if faults.void_window_utc or not timezone else ZoneInfo(timezone)
    return moment.astimezone(zone).date()


def is_void_day(charge: Charge, now: datetime, faults: Faults) -> bool:
    """True while a refund of this charge would be a void: the payment's calendar day in the method's time zone."""
    method = charge.source.method
    if method.refund_policy != VOID_SAME_DAY_THEN_REFUND or charge.paid_at is None:
        return False
    days_since = (_local_day(now, method.void_timezone, faults) - _local_day(charge.paid_at, method.void_timezone, faults)).days
    return days_since <= (1 if faults.void_next_day_allowed else 0)


def refund_problem(charge: Charge, amount: int, now: datetime, faults: Faults, *, void: bool | None = None, refunded: int | None = None) -> str | None:
    """Why a refund of `amount` would be rejected now (a message saying what would work), or None when accepted.

    `refunded` overrides the charge's refunded amount (the refund_race fault passes a stale one).
    """
    method = charge.source.method
    if charge.status != SUCCESSFUL and not faults.pending_charge_refundable:
        return f"charge {charge.id} is {charge.status}; only a successful charge can be refunded"
    already = charge.refunded_amount if refunded is None else refunded
    remaining = charge.amount - already
    if remaining <= 0:
        return f"charge {charge.id} is already fully refunded ({already} of {charge.amount})"
    if amount > remaining:
        return f"amount {amount} is more than the {remaining} left to refund on charge {charge.id}; send at most {remaining}"
    if method.refund_policy == FULL_ONLY:
        if void:
            return f"{method.type} charges cannot be voided; refund them in full instead (omit void)"
        if amount != remaining and not faults.bank_partial_refund_allowed:
            return f"{method.type} charges are refunded in full only; send amount={remaining}"
        return None
    voiding = is_void_day(charge, now, faults)
    if voiding and amount != remaining:
        return f"a refund on the day of the payment is a void of the whole charge; send amount={remaining}"
    if void and not voiding:
        return f"a void is only possible on the payment's day ({method.void_timezone}); send the refund without void"
    if not voiding and method.refund_window_days is not None and charge.paid_at is not None:
        window = timedelta(days=method.refund_window_days + (1 if faults.refund_window_off_by_one_day else 0),
                           seconds=1 if faults.refund_window_off_by_one_second else 0)
        if now - charge.paid_at > window:
            return f"the refund window of {method.refund_window_days} days after paid_at has passed for charge {charge.id}"
    return None


def flags(charge: Charge, now: datetime, faults: Faults) -> Flags:
    """The charge's refund flags, from the same rule that decides refunds."""
    remaining = charge.amount - charge.refunded_amount
    refundable = remaining > 0 and refund_problem(charge, remaining, now, faults) is None
    # Whatever refuses a refund of all that is left refuses a part of it or a void too, so those are asked only then.
    partial = refundable and remaining > 1 and refund_problem(charge, remaining - 1, now, faults) is None
    can_void = refundable and is_void_day(charge, now, faults) and refund_problem(charge, remaining, now, faults, void=True) is None
    if faults.refundable_flag_lies and charge.status == SUCCESSFUL:
        refundable = True
    return Flags(refundable=refundable, partially_refundable=partial, can_perform_void=can_void)
