"""Fee, VAT, interest and net arithmetic, in satang, rounding half up (CONTRACT FEE-01..04, ZII-03/04)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal

HUNDRED = Decimal(100)


def round_half_up(value: Decimal) -> int:
    """Round to a whole satang, halves away from zero (2.5 -> 3)."""
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def round_half_even(value: Decimal) -> int:
    """Banker's rounding (2.5 -> 2); only the mock's rounding fault uses it."""
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_EVEN))


def percent(amount: int, rate: Decimal, rounding=round_half_up) -> int:
    """`amount * rate / 100`, rounded."""
    return rounding(Decimal(amount) * rate / HUNDRED)


@dataclass(frozen=True)
class Breakdown:
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
    return rounding(Decimal(amount) * monthly_rate * term / HUNDRED)


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
    return Breakdown(
        fee=fee,
        fee_vat=percent(fee, vat_rate, rounding),
        interest=owed_interest,
        interest_vat=percent(owed_interest, vat_rate, rounding),
        funding_amount=amount,
    )
