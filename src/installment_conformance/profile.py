"""The payment-method profile: limits, terms, fees and refund policy per source type, read from data."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path

import yaml

from installment_conformance import paths

FULL_ONLY = "full_only"
VOID_SAME_DAY_THEN_REFUND = "void_same_day_then_refund"


@dataclass(frozen=True)
class Method:
    """One source type's row of the profile."""

    type: str
    name: str
    flow: str
    currency: str
    amount_min: int
    amount_max: int
    installment_terms: tuple[int, ...] | None
    min_monthly_thb: int | None
    failure_codes: tuple[str, ...]
    expires_after_days: int
    refund_policy: str
    refund_window_days: int | None
    void_timezone: str | None
    merchant_interest_rate: Decimal | None
    cite: dict

    @property
    def is_bank(self) -> bool:
        """True for the bank installments, which take an installment_term."""
        return self.installment_terms is not None

    def min_amount_for_term(self, term: int) -> int:
        """The smallest amount accepted with this term: the floor or the monthly minimum times the term."""
        monthly = (self.min_monthly_thb or 0) * 100 * term
        return max(self.amount_min, monthly)

    def monthly_minimum_binds(self, term: int) -> bool:
        """True when the monthly minimum, not the amount floor, sets the smallest amount for this term."""
        return self.min_amount_for_term(term) > self.amount_min


@dataclass(frozen=True)
class Profile:
    """A whole profile: fees, the interest default and every method."""

    name: str
    path: Path
    fee_flat: Decimal
    fee_rate: Decimal
    vat_rate: Decimal
    fee_strings: dict
    default_zero_interest_installments: bool
    methods: dict[str, Method]

    @property
    def banks(self) -> list[Method]:
        """The methods that take an installment term."""
        return [m for m in self.methods.values() if m.is_bank]

    @property
    def offline(self) -> list[Method]:
        """The methods without a term (the buyer picks it in an app)."""
        return [m for m in self.methods.values() if not m.is_bank]

    def method(self, source_type: str) -> Method:
        """The method for a source type; KeyError when the profile has none."""
        return self.methods[source_type]


def _method(source_type: str, row: dict) -> Method:
    terms = row.get("installment_terms")
    rate = row.get("merchant_interest_rate")
    return Method(
        type=source_type,
        name=row["name"],
        flow=row["flow"],
        currency=row["currency"],
        amount_min=row["amount_min"],
        amount_max=row["amount_max"],
        installment_terms=tuple(terms) if terms is not None else None,
        min_monthly_thb=row.get("min_monthly_thb"),
        failure_codes=tuple(row["failure_codes"]),
        expires_after_days=row["expires_after_days"],
        refund_policy=row["refund_policy"],
        refund_window_days=row.get("refund_window_days"),
        void_timezone=row.get("void_timezone"),
        merchant_interest_rate=Decimal(rate) if rate is not None else None,
        cite=row.get("cite", {}),
    )


def read_raw(path: Path | str) -> dict:
    """The profile file as plain data."""
    with open(path, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


@cache
def load(path: Path | str | None = None) -> Profile:
    """Load and validate a profile (the default one when no path is given)."""
    from installment_conformance.meta import validate_profile

    path = Path(path) if path else paths.DEFAULT_PROFILE
    raw = read_raw(path)
    validate_profile(raw, source=str(path))
    fees = raw["fees"]
    return Profile(
        name=raw["profile"],
        path=path,
        fee_flat=Decimal(fees["fee_flat"]),
        fee_rate=Decimal(fees["fee_rate"]),
        vat_rate=Decimal(fees["vat_rate"]),
        fee_strings={k: fees[k] for k in ("fee_flat", "fee_rate", "vat_rate")},
        default_zero_interest_installments=raw["default_zero_interest_installments"],
        methods={name: _method(name, row) for name, row in raw["methods"].items()},
    )
