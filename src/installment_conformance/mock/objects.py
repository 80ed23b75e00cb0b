"""The wire shapes: sources, charges, refunds, events and lists as JSON dicts, with every field of the seeds' payloads."""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from installment_conformance.mock import refunds as refund_policy
from installment_conformance.mock.clock import EPOCH, iso
from installment_conformance.mock.faults import Faults
from installment_conformance.mock.models import FINAL_STATES, PENDING, SUCCESSFUL, Charge, Event, Refund, Source
from installment_conformance.profile import Profile

EMBEDDED_REFUNDS_LIMIT = 20


class View(NamedTuple):
    """What rendering needs besides the object: the time, the faults, the profile and the mock's own base URL."""

    now: datetime
    faults: Faults
    profile: Profile
    base_url: str


# Every field of a source in the seeds' order: fixed ones hold their value, the others are filled in per source.
# Copying this template costs a twentieth of building a dict literal of the same size, and a charge builds two.
_SOURCE_FIELDS = {
    "object": "source",
    "id": None,
    "livemode": False,
    "location": None,
    "amount": None,
    "barcode": None,
    "bank": None,
    "created_at": None,
    "currency": None,
    "email": None,
    "flow": None,
    "installment_term": None,
    "ip": None,
    "absorption_type": None,
    "name": None,
    "mobile_number": None,
    "phone_number": None,
    "platform_type": None,
    "scannable_code": None,
    "billing": None,
    "shipping": None,
    "items": None,
    "references": None,
    "provider_references": None,
    "store_id": None,
    "store_name": None,
    "terminal_id": None,
    "type": None,
    "zero_interest_installments": None,
    "charge_status": None,
    "receipt_amount": None,
    "discounts": None,
    "promotion_code": None,
}


def source_json(source: Source, charge: Charge | None, view: View) -> dict:
    """A source (SRC-01..08); `charge` is its charge, if any, for charge_status and the QR code."""
    method, faults = source.method, view.faults
    offline = not method.is_bank
    charge_status = "unknown"
    if charge is not None:
        charge_status = charge.status
        if faults.charge_status_not_mirrored and charge.status in FINAL_STATES:
            charge_status = PENDING
    body = _SOURCE_FIELDS.copy()
    body["id"] = source.id
    body["location"] = f"/sources/{source.id}"
    body["amount"] = source.amount
    body["created_at"] = iso(source.created_at)
    body["currency"] = source.currency
    body["flow"] = "redirect" if offline and faults.paynext_flow_redirect else method.flow
    body["installment_term"] = source.installment_term if method.is_bank and not faults.bank_term_not_echoed else None
    body["scannable_code"] = _scannable_code(charge, view)
    body["items"] = []
    body["provider_references"] = _provider_references(charge)
    body["type"] = method.type
    body["zero_interest_installments"] = source.zero_interest_installments
    body["charge_status"] = charge_status
    body["discounts"] = []
    body["promotion_code"] = None if faults.promotion_code_dropped else source.promotion_code
    return body


def _scannable_code(charge: Charge | None, view: View) -> dict | None:
    """The QR barcode of an offline charge (null otherwise), its download_uri on the mock itself."""
    if charge is None or charge.document is None or view.faults.paynext_no_qr:
        return None
    document = charge.document
    location = f"/charges/{charge.id}/documents/{document.id}"
    return {
        "object": "barcode",
        "type": "qr",
        "image": {
            "object": "document",
            "livemode": False,
            "id": document.id,
            "deleted": False,
            "filename": "qrcode.png",
            "location": location,
            "kind": "qr",
            "download_uri": f"{view.base_url}{location}/downloads/{document.key}",
            "created_at": iso(document.created_at),
        },
    }


def _provider_references(charge: Charge | None) -> dict | None:
    """The PayNext provider reference of a charged source (null otherwise)."""
    if charge is None or charge.provider_reference is None:
        return None
    return {"reference_number_1": charge.provider_reference, "reference_number_2": None}


# Every field of a charge in the seeds' order: fixed ones hold their value, the others are filled in per charge.
_CHARGE_FIELDS = {
    "object": "charge",
    "id": None,
    "location": None,
    "amount": None,
    "acquirer_reference_number": None,
    "net": None,
    "fee": None,
    "fee_vat": None,
    "interest": None,
    "interest_vat": None,
    "funding_amount": None,
    "refunded_amount": None,
    "transaction_fees": None,
    "platform_fee": None,
    "currency": None,
    "funding_currency": None,
    "ip": None,
    "refunds": None,
    "link": None,
    "description": None,
    "metadata": None,
    "card": None,
    "source": None,
    "schedule": None,
    "linked_account": None,
    "customer": None,
    "dispute": None,
    "transaction": None,
    "failure_code": None,
    "failure_message": None,
    "status": None,
    "authorize_uri": None,
    "return_uri": None,
    "created_at": None,
    "paid_at": None,
    "expires_at": None,
    "expired_at": None,
    "reversed_at": None,
    "zero_interest_installments": None,
    "branch": None,
    "terminal": None,
    "device": None,
    "authorized": None,
    "capturable": None,
    "capture": True,
    "disputable": False,
    "livemode": False,
    "refundable": None,
    "partially_refundable": None,
    "reversed": False,
    "reversible": False,
    "voided": None,
    "paid": None,
    "expired": None,
    "can_perform_void": None,
    "approval_code": None,
}


def charge_json(charge: Charge, view: View) -> dict:
    """A charge (CHG-02..09, LIF-01..06, FEE-01..04, RFD-02..08), with the flags from the refund policy."""
    faults, money = view.faults, charge.breakdown
    flags = refund_policy.flags(charge, view.now, faults)
    paid = charge.status == SUCCESSFUL
    body = _CHARGE_FIELDS.copy()
    body["id"] = charge.id
    body["location"] = f"/charges/{charge.id}"
    body["amount"] = charge.amount
    body["net"] = money.net + (money.fee_vat + money.interest_vat if faults.net_ignores_vat else 0)
    body["fee"] = money.fee
    body["fee_vat"] = money.fee_vat
    body["interest"] = money.interest
    body["interest_vat"] = money.interest_vat
    body["funding_amount"] = money.funding_amount
    body["refunded_amount"] = 0 if faults.refunded_amount_not_updated else charge.refunded_amount
    body["transaction_fees"] = dict(view.profile.fee_strings)
    body["platform_fee"] = {"fixed": None, "amount": None, "percentage": None}
    body["currency"] = charge.currency
    body["funding_currency"] = charge.currency
    body["refunds"] = list_json(
        [refund_json(refund) for refund in charge.refunds[:EMBEDDED_REFUNDS_LIMIT]],
        total=len(charge.refunds),
        limit=EMBEDDED_REFUNDS_LIMIT,
        offset=0,
        order="chronological",
        start=EPOCH,
        end=view.now,
        location=f"/charges/{charge.id}/refunds",
    )
    body["description"] = charge.description
    body["metadata"] = charge.metadata
    body["source"] = source_json(charge.source, charge, view)
    body["transaction"] = charge.transaction
    body["failure_code"] = charge.failure_code
    body["failure_message"] = None if faults.failed_without_message else charge.failure_message
    body["status"] = SUCCESSFUL if charge.status == PENDING and faults.new_charge_status_successful else charge.status
    body["authorize_uri"] = charge.authorize_uri
    body["return_uri"] = None if faults.return_uri_not_echoed else charge.return_uri
    body["created_at"] = iso(charge.created_at)
    body["paid_at"] = iso(charge.paid_at) if charge.paid_at and not faults.paid_at_missing else None
    body["expires_at"] = iso(charge.expires_at)
    body["expired_at"] = iso(charge.expired_at) if charge.expired_at else None
    body["zero_interest_installments"] = charge.zero_interest_installments
    body["authorized"] = paid
    body["capturable"] = charge.status == PENDING and faults.new_charge_capturable
    body["refundable"] = flags.refundable
    body["partially_refundable"] = flags.partially_refundable
    body["voided"] = charge.voided
    body["paid"] = paid
    body["expired"] = charge.expired_at is not None
    body["can_perform_void"] = flags.can_perform_void
    if faults.charge_missing_created_at:
        del body["created_at"]
    return body


def refund_json(refund: Refund) -> dict:
    """A refund (RFD-02): status closed [pinned], voided true for a same-day PayNext refund."""
    return {
        "object": "refund",
        "id": refund.id,
        "livemode": False,
        "location": f"/charges/{refund.charge_id}/refunds/{refund.id}",
        "created_at": iso(refund.created_at),
        "status": "closed",
        "amount": refund.amount,
        "currency": refund.currency,
        "funding_amount": refund.amount,
        "funding_currency": refund.currency,
        "voided": refund.voided,
        "charge": refund.charge_id,
        "transaction": refund.transaction,
        "metadata": refund.metadata,
    }


def event_json(event: Event) -> dict:
    """An event (EVT-03): its key and the snapshot taken when it happened."""
    return {
        "object": "event",
        "id": event.id,
        "livemode": False,
        "location": f"/events/{event.id}",
        "key": event.key,
        "created_at": iso(event.created_at),
        "data": event.data,
        "webhook_deliveries": [],
    }


def list_json(data: list, *, total: int, limit: int, offset: int, order: str, start: datetime, end: datetime, location: str) -> dict:
    """A list object around one page of already-rendered items."""
    return {
        "object": "list",
        "data": data,
        "limit": limit,
        "offset": offset,
        "total": total,
        "location": location,
        "order": order,
        "from": iso(start),
        "to": iso(end),
    }


def capability_json(profile: Profile, faults: Faults) -> dict:
    """GET /capability: each method of the profile with its terms and amount limits (TRM-04)."""
    methods = []
    for method in profile.methods.values():
        terms = list(method.installment_terms) if method.is_bank else None
        if terms and faults.capability_terms_missing_last:
            terms = terms[:-1]
        methods.append(
            {
                "object": "payment_method",
                "name": method.type,
                "currencies": [method.currency],
                "card_brands": None,
                "installment_terms": terms,
                "banks": [],
                "amount": {"min": method.amount_min, "max": method.amount_max},
            }
        )
    return {
        "object": "capability",
        "location": "/capability",
        "livemode": False,
        "country": "TH",
        "banks": [],
        "zero_interest_installments": profile.default_zero_interest_installments,
        "tokenization_methods": [],
        "payment_methods": methods,
        "limits": {
            "charge_amount": {
                "min": min(m.amount_min for m in profile.methods.values()),
                "max": max(m.amount_max for m in profile.methods.values()),
            }
        },
    }

