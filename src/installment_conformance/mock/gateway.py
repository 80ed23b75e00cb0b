"""The mock's state changes: create sources and charges, complete, fail and expire charges, refund, record events.

Every change holds the account's lock, so concurrent requests never lose or double an update.
"""

from __future__ import annotations

import asyncio
import secrets
from datetime import timedelta

from installment_conformance.mock import objects, pricing, validation
from installment_conformance.mock import refunds as refund_policy
from installment_conformance.mock.auth import Caller
from installment_conformance.mock.errors import bad_request, failed_refund, invalid_charge, not_found
from installment_conformance.mock.faults import Faults
from installment_conformance.mock.models import EXPIRED, FAILED, PENDING, SUCCESSFUL, Charge, Document, Event, Refund, Source
from installment_conformance.mock.store import Account, Store, new_id
from installment_conformance.mock.webhooks import WebhookSender
from installment_conformance.profile import Profile

REFUND_RACE_WINDOW_SECONDS = 0.005


class Gateway:
    """One mock gateway: a profile, the faults switched on, the accounts and the webhook sender."""

    def __init__(self, profile: Profile, faults: Faults):
        """A gateway with empty accounts."""
        self.profile = profile
        self.faults = faults
        self.store = Store()
        self.webhooks = WebhookSender()

    def account(self, caller: Caller) -> Account:
        """The caller's account, with charges whose expires_at has passed expired first (LIF-04)."""
        account = self.store.account(caller.account)
        self.expire_due(account)
        return account

    def expire_due(self, account: Account) -> None:
        """Expire the pending charges whose expires_at the account's clock has reached."""
        if self.faults.clock_expiry_ignored:
            return
        with account.lock:
            for charge in account.due_for_expiry(account.clock.now()):
                charge.status = EXPIRED
                charge.expired_at = charge.expires_at

    def view(self, account: Account, base_url: str) -> objects.View:
        """What rendering needs for this account now."""
        return objects.View(now=account.clock.now(), faults=self.faults, profile=self.profile, base_url=base_url)

    # sources

    def create_source(self, account: Account, request: validation.SourceRequest) -> Source:
        """A new source from a checked request; an unsent interest flag takes the account default (bank types)."""
        with account.lock:
            return self._new_source(account, request)

    def _new_source(self, account: Account, request: validation.SourceRequest) -> Source:
        """Create and keep a source (the caller holds the lock)."""
        method = request.method
        default = self.profile.default_zero_interest_installments if method.is_bank else None
        flag = request.zero_interest_installments
        if flag is None or self.faults.zero_interest_not_echoed:
            flag = default
        source = Source(
            id=account.fresh_id("src", account.sources),
            method=method,
            amount=request.amount,
            currency=request.currency,
            installment_term=request.installment_term,
            zero_interest_installments=flag,
            promotion_code=request.promotion_code if not method.is_bank else None,
            created_at=account.clock.now(),
        )
        account.add_source(source)
        return source

    def find_source(self, account: Account, source_id: str) -> Source:
        """A source of the account, or 404."""
        source = account.sources.get(source_id)
        if source is None or self.faults.source_retrieve_404:
            raise not_found("source", source_id)
        return source

    # charges

    def find_charge(self, account: Account, charge_id: str) -> Charge:
        """A charge of the account, or 404."""
        charge = account.charges.get(charge_id)
        if charge is None:
            raise not_found("charge", charge_id)
        return charge

    def create_charge(self, account: Account, request: validation.ChargeRequest, base_url: str) -> Charge:
        """A pending charge of an existing source (CHG-02..07) or of an inline one (CHG-08), with its charge.create event."""
        with account.lock:
            if request.inline_source is not None:
                source = None
            else:
                source = account.sources.get(request.source_id)
                if source is None:
                    raise not_found("source", request.source_id)
                self._check_source_chargeable(source, request)
            flag = self._charge_flag(source, request)
            method = source.method if source else request.inline_source.method
            if method.flow == "redirect" and not request.return_uri:
                raise invalid_charge(f"return_uri is required for {method.type} (a redirect flow): the URL the buyer comes back to")
            if source is None:
                source = self._new_source(account, request.inline_source)
            charge = self._new_charge(account, source, request, flag)
            source.charge_id = charge.id
            account.add_charge(charge)
            charge.created_snapshot = objects.charge_json(charge, self.view(account, base_url))
            if not self.faults.no_charge_create_event:
                self._record(account, "charge.create", charge.created_snapshot, charge.id)
            return charge

    def _check_source_chargeable(self, source: Source, request: validation.ChargeRequest) -> None:
        """CHG-03/04: the source is not charged yet and the charge matches its amount and currency."""
        if source.charge_id is not None and not self.faults.source_reusable:
            raise invalid_charge(f"source {source.id} is already charged by {source.charge_id}; create a new source for each charge")
        same_money = request.amount == source.amount and request.currency == source.currency.upper()
        if not same_money and not self.faults.charge_amount_mismatch_accepted:
            raise invalid_charge(
                f"amount and currency must equal the source's: send amount={source.amount} currency={source.currency.upper()} "
                f"(received {request.amount} {request.currency})"
            )

    def _charge_flag(self, source: Source | None, request: validation.ChargeRequest) -> bool:
        """The charge's zero_interest_installments: as sent, else the source's, else false (ZII-01/02/05)."""
        sent = request.zero_interest_installments
        own = source.zero_interest_installments if source else request.inline_source.zero_interest_installments
        if source is not None and sent is not None and own is not None and sent != own:
            if not self.faults.zero_interest_mismatch_accepted:
                raise invalid_charge(
                    f"zero_interest_installments is {str(sent).lower()} but source {source.id} has {str(own).lower()}; "
                    "send the source's value or leave it out"
                )
        if sent is not None:
            return sent
        if own is not None:
            return own
        return bool(self.profile.default_zero_interest_installments) if (source or request.inline_source).method.is_bank else False

    def _new_charge(self, account: Account, source: Source, request: validation.ChargeRequest, flag: bool) -> Charge:
        """A pending charge of `source`, priced, with its authorize URI and, offline, its QR document."""
        method = source.method
        now = account.clock.now()
        charge_id = account.fresh_id("chrg", account.charges)
        days = method.expires_after_days + (1 if self.faults.expiry_off_by_one_day else 0)
        document, provider_reference = None, None
        if method.is_bank:
            authorize_uri = f"https://pay.omise.co/offsites/{_id('ofsp')}/pay"
        else:
            provider_reference = _id("pay2")
            authorize_uri = f"https://pay.omise.co/payments/{provider_reference}/authorize"
            document = Document(id=_id("docu"), key=secrets.token_hex(8).upper(), charge_id=charge_id, content=authorize_uri, created_at=now)
            self.store.add_document(document)
        return Charge(
            id=charge_id,
            source=source,
            amount=request.amount,
            currency=request.currency,
            zero_interest_installments=flag,
            breakdown=pricing.charge_breakdown(request.amount, method, source.installment_term, flag, self.profile, self.faults),
            return_uri=request.return_uri,
            description=request.description,
            metadata=request.metadata,
            authorize_uri=authorize_uri,
            provider_reference=provider_reference,
            document=document,
            created_at=now,
            expires_at=now + timedelta(days=days),
        )

    # test-mode actions

    def _pending(self, account: Account, charge_id: str, action: str) -> Charge:
        """The charge if it is pending (the only state a test-mode action accepts), else a 400."""
        charge = self.find_charge(account, charge_id)
        if charge.status != PENDING and not (action == "mark_as_paid" and self.faults.final_state_not_final):
            raise bad_request(f"charge {charge_id} is {charge.status}; only a pending charge can be sent to {action} (final states stay final)")
        return charge

    def mark_as_paid(self, account: Account, charge_id: str, base_url: str) -> Charge:
        """Complete a pending charge as successful (LIF-02) and record charge.complete."""
        with account.lock:
            charge = self._pending(account, charge_id, "mark_as_paid")
            charge.status = SUCCESSFUL
            charge.paid_at = account.clock.now()
            charge.transaction = _id("trxn")
            charge.failure_code = charge.failure_message = None
            charge.expired_at = None
            self._record_completion(account, charge, base_url)
            return charge

    def mark_as_failed(self, account: Account, charge_id: str, params: dict, base_url: str) -> Charge:
        """Complete a pending charge as failed with one of its method's codes (LIF-03, LIF-06) and record charge.complete."""
        with account.lock:
            charge = self._pending(account, charge_id, "mark_as_failed")
            code = validation.failure_code(params, charge.source.method, self.faults)
            charge.status = FAILED
            charge.failure_code = code
            charge.failure_message = f"the payment failed: {code.replace('_', ' ')}"
            self._record_completion(account, charge, base_url)
            return charge

    def expire(self, account: Account, charge_id: str) -> Charge:
        """Expire a pending charge now (LIF-04); no event, as the contract allows."""
        with account.lock:
            charge = self._pending(account, charge_id, "expire")
            charge.status = EXPIRED
            charge.expired_at = account.clock.now()
            return charge

    def _record_completion(self, account: Account, charge: Charge, base_url: str) -> None:
        """Record charge.complete with the charge as it is now."""
        data = charge.created_snapshot if self.faults.stale_event_payload else objects.charge_json(charge, self.view(account, base_url))
        self._record(account, "charge.complete", data, charge.id)

    # refunds

    async def refund(self, account: Account, charge_id: str, request: validation.RefundRequest) -> Refund:
        """Refund (or, on a PayNext payment's day, void) a charge when the refund policy allows it (RFD-01..08)."""
        stale_refunded = None
        if self.faults.refund_race:
            with account.lock:
                stale_refunded = self.find_charge(account, charge_id).refunded_amount
            await asyncio.sleep(REFUND_RACE_WINDOW_SECONDS)
        with account.lock:
            charge = self.find_charge(account, charge_id)
            now = account.clock.now()
            problem = refund_policy.refund_problem(charge, request.amount, now, self.faults, void=request.void, refunded=stale_refunded)
            if problem:
                raise failed_refund(problem)
            refund = Refund(
                id=account.fresh_id("rfnd", account.refunds),
                charge_id=charge.id,
                amount=request.amount,
                currency=charge.currency,
                voided=refund_policy.is_void_day(charge, now, self.faults),
                metadata=request.metadata,
                transaction=_id("trxn"),
                created_at=now,
            )
            charge.refunds.append(refund)
            account.add_refund(refund)
            refund.created_snapshot = objects.refund_json(refund)
            if not self.faults.no_refund_event:
                self._record(account, "refund.create", refund.created_snapshot, charge.id)
            return refund

    # events and webhooks

    def _record(self, account: Account, key: str, data: dict, charge_id: str) -> Event:
        """Record an event and queue its webhook when an endpoint is set."""
        event = Event(id=account.fresh_id("evnt", account.events), key=key, data=data, charge_id=charge_id, created_at=account.clock.now())
        account.add_event(event)
        if account.webhook_url:
            body = event.data if self.faults.webhook_body_is_data else objects.event_json(event)
            self.webhooks.send(account.webhook_url, body)
        return event

    def find_event(self, account: Account, event_id: str) -> Event:
        """An event of the account, or 404."""
        event = account.events.get(event_id)
        if event is None or self.faults.event_retrieve_404:
            raise not_found("event", event_id)
        return event

    def close(self) -> None:
        """Stop background work (webhook deliveries)."""
        self.webhooks.stop()



def _id(prefix: str) -> str:
    """An id for something the mock does not keep on its own (offsite, payment, transaction, document)."""
    return new_id(prefix)
