"""What a charge costs the merchant: money.breakdown with the profile's rates (FEE-01..04, ZII-03/04), bent by the money faults."""

from __future__ import annotations

from installment_conformance import money
from installment_conformance.mock.faults import Faults
from installment_conformance.profile import Method, Profile


def round_down(numerator: int, denominator: int = 1) -> int:
    """numerator / denominator truncated towards minus infinity (only the interest_vat_truncated fault uses it)."""
    return numerator // denominator


def charge_breakdown(amount: int, method: Method, term: int | None, merchant_pays: bool, profile: Profile, faults: Faults) -> money.Breakdown:
    """Fee, fee VAT, interest, interest VAT and funding amount of a THB charge."""
    rate = method.merchant_interest_rate
    if rate is not None and faults.interest_rate_of_wrong_bank:
        rate = max(bank.merchant_interest_rate for bank in profile.banks if bank.merchant_interest_rate is not None)
    months = 1 if term and faults.interest_ignores_term else term
    result = money.breakdown(
        amount,
        fee_rate=profile.fee_rate,
        vat_rate=profile.vat_rate,
        monthly_rate=rate,
        term=months,
        merchant_pays_interest=merchant_pays or faults.buyer_paid_interest_charged,
    )
    if faults.vat_half_even:
        result = result._replace(fee_vat=money.percent(result.fee, profile.vat_rate, money.round_half_even))
    if faults.interest_vat_truncated:
        result = result._replace(interest_vat=money.percent(result.interest, profile.vat_rate, round_down))
    return result
