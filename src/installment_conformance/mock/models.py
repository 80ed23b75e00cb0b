"""The mock's in-memory objects: what it knows about sources, charges, refunds, events and QR documents."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from installment_conformance.money import Breakdown
from installment_conformance.profile import Method

PENDING = "pending"
SUCCESSFUL = "successful"
FAILED = "failed"
EXPIRED = "expired"
FINAL_STATES = (SUCCESSFUL, FAILED, EXPIRED)


@dataclass
class Source:
    """A payment source; `charge_id` is set once it is charged."""

    id: str
    method: Method
    amount: int
    currency: str
    installment_term: int | None
    zero_interest_installments: bool | None
    promotion_code: str | None
    created_at: datetime
    charge_id: str | None = None


@dataclass
class Document:
    """The QR image of an offline (PayNext) charge: served at its download URI."""

    id: str
    key: str
    charge_id: str
    content: str
    created_at: datetime


@dataclass
class Refund:
    """A refund (or, on a same-day PayNext refund, a void) of part or all of a charge; `created_snapshot` is its JSON when made."""

    id: str
    charge_id: str
    amount: int
    currency: str
    voided: bool
    metadata: dict
    transaction: str
    created_at: datetime
    created_snapshot: dict | None = None


@dataclass
class Charge:
    """A charge and its state: pending until paid, failed or expired; `created_snapshot` is its JSON when made."""

    id: str
    source: Source
    amount: int
    currency: str
    zero_interest_installments: bool
    breakdown: Breakdown
    return_uri: str | None
    description: str | None
    metadata: dict
    authorize_uri: str
    provider_reference: str | None
    document: Document | None
    created_at: datetime
    expires_at: datetime
    status: str = PENDING
    paid_at: datetime | None = None
    expired_at: datetime | None = None
    failure_code: str | None = None
    failure_message: str | None = None
    transaction: str | None = None
    refunds: list[Refund] = field(default_factory=list)
    created_snapshot: dict | None = None

    @property
    def refunded_amount(self) -> int:
        """The sum of the charge's refunds."""
        return sum(refund.amount for refund in self.refunds)

    @property
    def voided(self) -> bool:
        """True once a refund of the charge was a void."""
        return any(refund.voided for refund in self.refunds)


@dataclass
class Event:
    """A recorded event; `data` is a snapshot of the object when it happened."""

    id: str
    key: str
    data: dict
    charge_id: str
    created_at: datetime
