"""Fee, VAT, interest and net arithmetic, in satang, rounding half up (CONTRACT FEE-01..04, ZII-03/04)."""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache
from typing import NamedTuple


def round_half_up(numerator: int, denominator: int = 1) -> int:
    """numerator / denominator to a whole satang, halves away from zero (5/2 -> 3, -5/2 -> -3)."""
    if numerator < 0:
        return -round_half_up(-numerator, denominator)
    return (2 * numerator + denominator) // (2 * denominator)


def round_half_even(numerator: int, denominator: int = 1) -> int:
    """Banker's rounding (5/2 -> 2); only the mock's rounding fault uses it."""
    quotient, remainder = divmod(numerator, denominator)
    if 2 * remainder > denominator or (2 * remainder == denominator and quotient % 2):
        return quotient + 1
    return quotient


@lru_cache(maxsize=64)
def _per_hundred(rate: Decimal) -> tuple[int, int]:
    """`rate / 100` as an exact fraction of integers (a profile has a handful of rates)."""
    numerator, denominator = rate.as_integer_ratio()
    return numerator, denominator * 100


def percent(amount: int, rate: Decimal, rounding=round_half_up) -> int:
    """`amount * rate / 100`, rounded; exact integer arithmetic (a Decimal quantize per figure cost a tenth of a charge)."""
    numerator, denominator = _per_hundred(rate)
    return rounding(amount * numerator, denominator)


class Breakdown(NamedTuple):
    """What a charge of `amount` costs the merchant."""

    fee: int
    fee_vat: int
    interest: int
    interest_vat: int
    funding_amount: int

    @property
    def net(self) -> int:
        """What the merchant receives (FEE-03)."""
        return self.funding_amount - self.fee - self.fee_vat - self.interest - self.interest_vat


def interest(amount: int, monthly_rate: Decimal | None, term: int | None, merchant_pays: bool, rounding=round_half_up) -> int:
    """Interest the merchant absorbs: zero when the buyer pays it or the method has no merchant rate."""
    if not merchant_pays or monthly_rate is None or not term:
        return 0
    return percent(amount * term, monthly_rate, rounding)


def breakdown(
    amount: int,
    *,
    fee_rate: Decimal,
    vat_rate: Decimal,
    monthly_rate: Decimal | None,
    term: int | None,
    merchant_pays_interest: bool,
    rounding=round_half_up,
) -> Breakdown:
    """Fee, fee VAT, interest and interest VAT of a THB charge."""
    fee = percent(amount, fee_rate, rounding)
    owed_interest = interest(amount, monthly_rate, term, merchant_pays_interest, rounding)
    interest_vat = percent(owed_interest, vat_rate, rounding) if owed_interest else 0
    return Breakdown(fee, percent(fee, vat_rate, rounding), owed_interest, interest_vat, amount)
