"""The wire shapes: sources, charges, refunds, events and lists as JSON dicts, with every field of the seeds' payloads."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from installment_conformance.mock import refunds as refund_policy
from installment_conformance.mock.clock import EPOCH, iso
from installment_conformance.mock.faults import Faults
from installment_conformance.mock.models import FINAL_STATES, PENDING, SUCCESSFUL, Charge, Event, Refund, Source
from installment_conformance.profile import Profile

EMBEDDED_REFUNDS_LIMIT = 20


@dataclass(frozen=True)
class View:
    """What rendering needs besides the object: the time, the faults, the profile and the mock's own base URL."""

    now: datetime
    faults: Faults
    profile: Profile
    base_url: str


def source_json(source: Source, charge: Charge | None, view: View) -> dict:
    """A source (SRC-01..08); `charge` is its charge, if any, for charge_status and the QR code."""
    method = source.method
    offline = not method.is_bank
    charge_status = "unknown"
    if charge is not None:
        charge_status = charge.status
        if view.faults.on("charge_status_not_mirrored") and charge.status in FINAL_STATES:
            charge_status = PENDING
    show_term = method.is_bank and not view.faults.on("bank_term_not_echoed")
    flow = method.flow
    if offline and view.faults.on("paynext_flow_redirect"):
        flow = "redirect"
    zero_interest = source.zero_interest_installments
    return {
        "object": "source",
        "id": source.id,
        "livemode": False,
        "location": f"/sources/{source.id}",
        "amount": source.amount,
        "barcode": None,
        "bank": None,
        "created_at": iso(source.created_at),
        "currency": source.currency,
        "email": None,
        "flow": flow,
        "installment_term": source.installment_term if show_term else None,
        "ip": None,
        "absorption_type": None,
        "name": None,
        "mobile_number": None,
        "phone_number": None,
        "platform_type": None,
        "scannable_code": _scannable_code(charge, view),
        "billing": None,
        "shipping": None,
        "items": [],
        "references": None,
        "provider_references": _provider_references(charge),
        "store_id": None,
        "store_name": None,
        "terminal_id": None,
        "type": method.type,
        "zero_interest_installments": zero_interest,
        "charge_status": charge_status,
        "receipt_amount": None,
        "discounts": [],
        "promotion_code": None if view.faults.on("promotion_code_dropped") else source.promotion_code,
    }


def _scannable_code(charge: Charge | None, view: View) -> dict | None:
    """The QR barcode of an offline charge (null otherwise), its download_uri on the mock itself."""
    if charge is None or charge.document is None or view.faults.on("paynext_no_qr"):
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


def charge_json(charge: Charge, view: View) -> dict:
    """A charge (CHG-02..09, LIF-01..06, FEE-01..04, RFD-02..08), with the flags from the refund policy."""
    faults, money = view.faults, charge.breakdown
    flags = refund_policy.flags(charge, view.now, faults)
    fee_vat, interest_vat = money.fee_vat, money.interest_vat
    net = money.net
    if faults.on("net_ignores_vat"):
        net += fee_vat + interest_vat
    paid = charge.status == SUCCESSFUL
    status = SUCCESSFUL if charge.status == PENDING and faults.on("new_charge_status_successful") else charge.status
    body = {
        "object": "charge",
        "id": charge.id,
        "location": f"/charges/{charge.id}",
        "amount": charge.amount,
        "acquirer_reference_number": None,
        "net": net,
        "fee": money.fee,
        "fee_vat": fee_vat,
        "interest": money.interest,
        "interest_vat": interest_vat,
        "funding_amount": money.funding_amount,
        "refunded_amount": 0 if faults.on("refunded_amount_not_updated") else charge.refunded_amount,
        "transaction_fees": dict(view.profile.fee_strings),
        "platform_fee": {"fixed": None, "amount": None, "percentage": None},
        "currency": charge.currency,
        "funding_currency": charge.currency,
        "ip": None,
        "refunds": list_json(
            [refund_json(refund) for refund in charge.refunds[:EMBEDDED_REFUNDS_LIMIT]],
            total=len(charge.refunds),
            limit=EMBEDDED_REFUNDS_LIMIT,
            offset=0,
            order="chronological",
            start=EPOCH,
            end=view.now,
            location=f"/charges/{charge.id}/refunds",
        ),
        "link": None,
        "description": charge.description,
        "metadata": charge.metadata,
        "card": None,
        "source": source_json(charge.source, charge, view),
        "schedule": None,
        "linked_account": None,
        "customer": None,
        "dispute": None,
        "transaction": charge.transaction,
        "failure_code": charge.failure_code,
        "failure_message": None if faults.on("failed_without_message") else charge.failure_message,
        "status": status,
        "authorize_uri": charge.authorize_uri,
        "return_uri": None if faults.on("return_uri_not_echoed") else charge.return_uri,
        "created_at": iso(charge.created_at),
        "paid_at": iso(charge.paid_at) if charge.paid_at and not faults.on("paid_at_missing") else None,
        "expires_at": iso(charge.expires_at),
        "expired_at": iso(charge.expired_at) if charge.expired_at else None,
        "reversed_at": None,
        "zero_interest_installments": charge.zero_interest_installments,
        "branch": None,
        "terminal": None,
        "device": None,
        "authorized": paid,
        "capturable": charge.status == PENDING and faults.on("new_charge_capturable"),
        "capture": True,
        "disputable": False,
        "livemode": False,
        "refundable": flags.refundable,
        "partially_refundable": flags.partially_refundable,
        "reversed": False,
        "reversible": False,
        "voided": charge.voided,
        "paid": paid,
        "expired": charge.expired_at is not None,
        "can_perform_void": flags.can_perform_void,
        "approval_code": None,
    }
    if faults.on("charge_missing_created_at"):
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
        if terms and faults.on("capability_terms_missing_last"):
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

