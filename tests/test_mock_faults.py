"""The fault catalogue: valid, one fault or more per contract rule, and every fault changes the behaviour it names.

Each fault has a probe: a few requests whose observable answer must differ between the
mock without faults and the mock with only that fault on.
"""

from __future__ import annotations

import asyncio
import io
from collections.abc import Callable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest
import zxingcpp
from PIL import Image

from installment_conformance import catalogue as rule_catalogue
from installment_conformance import money, paths
from installment_conformance.mock import create_app, serve
from installment_conformance.mock.faults import Faults, UnknownFault, catalogue
from installment_conformance.mock.pricing import round_down
from installment_conformance.mock.testing import RETURN_URI, MockClient, default_term, smallest_amount
from installment_conformance.mock.validation import first_missing_term
from installment_conformance.webhook_receiver import WebhookReceiver

KBANK, BBL, PAYNEXT = "installment_kbank", "installment_bbl", "installment_paynext_extra_qr"
DAY = 86400


def test_the_catalogue_covers_every_rule_of_the_contract():
    rule_ids = {rule["id"] for rule in rule_catalogue.read_raw(paths.SUITES / "rules.yaml")["rules"]}
    fault_rules = {fault.rule for fault in catalogue().values()}
    assert rule_ids - fault_rules == set(), "rules without a fault"
    assert fault_rules - rule_ids == set(), "faults citing unknown rules"


def test_an_unknown_fault_is_a_usage_error_listing_the_names():
    with pytest.raises(UnknownFault) as raised:
        create_app(faults=["vat_half_up_forever"])
    message = str(raised.value)
    assert "'vat_half_up_forever'" in message and all(name in message for name in catalogue())


def test_asking_for_a_fault_outside_the_catalogue_is_a_programming_error():
    with pytest.raises(AttributeError, match="no_such_fault"):
        Faults().no_such_fault  # noqa: B018 (the read is the test)


# ---------------------------------------------------------------- probe helpers


def status(reply: httpx.Response) -> int:
    """The HTTP status."""
    return reply.status_code


def charge_params(source: dict, **extra) -> dict:
    """The body charging `source` for its own amount."""
    return {"source": source["id"], "amount": source["amount"], "currency": source["currency"].upper(), "return_uri": RETURN_URI, **extra}


def inline(m: MockClient, source_type: str, amount: int | None = None, **extra) -> httpx.Response:
    """POST a one-call charge of a method (at the maximum amount when `amount` is given)."""
    method = m.method(source_type)
    source = {"type": source_type}
    if method.is_bank:
        source["installment_term"] = max(method.installment_terms) if amount else default_term(method)
    return m.post("/charges", {"source": source, "amount": amount or smallest_amount(method), "currency": "THB", "return_uri": RETURN_URI, **extra})


def paid_at_local(m: MockClient, hour: int) -> dict:
    """A PayNext charge paid at `hour`:00 in its void time zone (the clock moved forward to that time first)."""
    method = m.method(PAYNEXT)
    now = datetime.fromisoformat(m.ok(m.get("/test_helpers/clock"))["now"]).astimezone(ZoneInfo(method.void_timezone))
    target = now.replace(hour=hour, minute=0, second=0)
    if target <= now:
        target += timedelta(days=1)
    m.advance(int((target - now).total_seconds()))
    return m.paid(method)


def amount_where(m: MockClient, differs: Callable[[int], bool]) -> int:
    """The smallest KBANK amount (default term) at which `differs(amount)` holds."""
    start = smallest_amount(m.method(KBANK))
    return next(amount for amount in range(start, start + 200_000) if differs(amount))


def fee_vat_rounding_differs(m: MockClient) -> int:
    """fee_vat of a charge whose fee VAT ends in exactly half a satang below an even number."""
    def differs(amount: int) -> bool:
        """True when the two roundings disagree at this amount."""
        fee = money.percent(amount, m.profile.fee_rate)
        return money.percent(fee, m.profile.vat_rate) != money.percent(fee, m.profile.vat_rate, money.round_half_even)

    amount = amount_where(m, differs)
    return m.charge(m.method(KBANK), amount)["fee_vat"]


def interest_vat_rounding_differs(m: MockClient) -> int:
    """interest_vat of a charge whose interest VAT has a fraction of half a satang or more."""
    kbank = m.method(KBANK)
    term = default_term(kbank)

    def differs(amount: int) -> bool:
        """True when the two roundings disagree at this amount."""
        interest = money.interest(amount, kbank.merchant_interest_rate, term, True)
        return money.percent(interest, m.profile.vat_rate) != money.percent(interest, m.profile.vat_rate, round_down)

    return m.charge(kbank, amount_where(m, differs))["interest_vat"]


def event_keys(m: MockClient, charge: dict) -> list[str]:
    """The event keys of a charge."""
    return [event["key"] for event in m.ok(m.get(f"/charges/{charge['id']}/events"))["data"]]


def complete_event_status(m: MockClient) -> str:
    """The status inside a paid charge's charge.complete event."""
    charge = m.paid(m.method(KBANK))
    complete = next(e for e in m.ok(m.get(f"/charges/{charge['id']}/events"))["data"] if e["key"] == "charge.complete")
    return complete["data"]["status"]


def webhook_object(m: MockClient) -> str:
    """The object of the first webhook body a charge sends."""
    with WebhookReceiver() as receiver:
        m.ok(m.post("/test_helpers/webhook_endpoints", {"url": receiver.url}))
        m.charge(m.method(KBANK))
        body = receiver.wait_for(lambda body: True, timeout=5)
    m.app.state.gateway.close()
    return body["object"]


def qr_decodes(m: MockClient) -> int:
    """How many QR codes the PayNext download decodes to."""
    uri = m.charge(m.method(PAYNEXT))["source"]["scannable_code"]["image"]["download_uri"]
    try:
        image = Image.open(io.BytesIO(m.http.get(uri).content))
        image.load()
    except OSError:
        return 0
    return len(zxingcpp.read_barcodes(image))


def refunds_in_a_race(faults: tuple[str, ...]) -> int:
    """How many of 20 concurrent full refunds of one charge the real server accepts."""
    with serve.start_background(faults=faults) as running:
        auth = ("skey_test_race", "")
        with httpx.Client(base_url=running.base_url, auth=auth, timeout=10) as client:
            source = client.post("/sources", data={"type": KBANK, "amount": 400000, "currency": "THB", "installment_term": 4}).json()
            charge = client.post("/charges", data=charge_params(source)).json()
            client.post(f"/charges/{charge['id']}/mark_as_paid").raise_for_status()

        async def race() -> int:
            """Send the refunds at once; count the 200s."""
            async with httpx.AsyncClient(base_url=running.base_url, auth=auth, timeout=10) as client:
                replies = await asyncio.gather(*(client.post(f"/charges/{charge['id']}/refunds", data={"amount": 400000}) for _ in range(20)))
            return sum(reply.status_code == 200 for reply in replies)

        return asyncio.run(race())


def bad_json_status(m: MockClient) -> int:
    """The status of a broken JSON body."""
    return m.http.post("/sources", content=b"{", headers={"Content-Type": "application/json"}, auth=(m.public_key, "")).status_code


def voided_after(m: MockClient, hour: int, wait: int) -> bool:
    """Whether a refund `wait` seconds after a payment at local `hour` is a void."""
    charge = paid_at_local(m, hour)
    m.advance(wait)
    return m.ok(m.refund(charge))["voided"]


def late_refund_status(m: MockClient) -> int:
    """The status of a refund one second past the window."""
    method = m.method(PAYNEXT)
    charge = m.paid(method)
    m.advance(method.refund_window_days * DAY + 1)
    return m.refund(charge).status_code


def expiry_days(m: MockClient) -> timedelta:
    """expires_at minus created_at of a bank charge."""
    charge = m.charge(m.method(KBANK))
    return datetime.fromisoformat(charge["expires_at"]) - datetime.fromisoformat(charge["created_at"])


def status_after_expiry(m: MockClient) -> str:
    """A bank charge's status once the clock reaches its expires_at."""
    kbank = m.method(KBANK)
    charge = m.charge(kbank)
    m.advance(kbank.expires_after_days * DAY)
    return m.ok(m.get(f"/charges/{charge['id']}"))["status"]


def source_without_term(m: MockClient) -> int:
    """The status of a bank source without a term."""
    params = m.source_params(m.method(KBANK))
    del params["installment_term"]
    return m.post("/sources", params, key="public").status_code


def source_status(m: MockClient, source_type: str, amount: int, term: int | None) -> int:
    """The status of POST /sources for a method, amount and term."""
    return m.post("/sources", m.source_params(m.method(source_type), amount=amount, term=term), key="public").status_code


def binding_minimum_status(m: MockClient) -> int:
    """The status at exactly a binding monthly minimum."""
    bank, term = next((b, t) for b in m.profile.banks for t in b.installment_terms if b.monthly_minimum_binds(t))
    return source_status(m, bank.type, bank.min_amount_for_term(term), term)


def below_binding_minimum_status(m: MockClient) -> int:
    """The status one satang below a binding monthly minimum."""
    bank, term = next((b, t) for b in m.profile.banks for t in b.installment_terms if b.monthly_minimum_binds(t))
    return source_status(m, bank.type, bank.min_amount_for_term(term) - 1, term)


def capability_terms(m: MockClient) -> dict:
    """The terms GET /capability lists per method."""
    return {pm["name"]: pm["installment_terms"] for pm in m.ok(m.get("/capability"))["payment_methods"]}


def mismatched_flag_status(m: MockClient) -> int:
    """The status of a charge contradicting its source's interest flag."""
    source = m.source(m.method(KBANK), zero_interest_installments=True)
    return m.post("/charges", charge_params(source, zero_interest_installments=False)).status_code


def second_charge_status(m: MockClient) -> int:
    """The status of charging a source twice."""
    source = m.source(m.method(KBANK))
    m.ok(m.post("/charges", charge_params(source)))
    return m.post("/charges", charge_params(source)).status_code


def mismatched_amount_status(m: MockClient) -> int:
    """The status of a charge for another amount than its source's."""
    source = m.source(m.method(KBANK))
    return m.post("/charges", charge_params(source, amount=source["amount"] + 100)).status_code


def public_key_charge_status(m: MockClient) -> int:
    """The status of POST /charges with the public key."""
    return m.post("/charges", charge_params(m.source(m.method(KBANK))), key="public").status_code


def mark_paid_after_failure(m: MockClient) -> int:
    """The status of mark_as_paid on a failed charge."""
    charge = m.charge(m.method(KBANK))
    m.ok(m.post(f"/charges/{charge['id']}/mark_as_failed"))
    return m.post(f"/charges/{charge['id']}/mark_as_paid").status_code


def unknown_failure_code_status(m: MockClient) -> int:
    """The status of mark_as_failed with a code the method does not have."""
    charge = m.charge(m.method(KBANK))
    return m.post(f"/charges/{charge['id']}/mark_as_failed", {"failure_code": "card_declined"}).status_code


def failed_message(m: MockClient) -> str | None:
    """The failure_message of a failed charge."""
    charge = m.charge(m.method(KBANK))
    return m.ok(m.post(f"/charges/{charge['id']}/mark_as_failed"))["failure_message"]


def refund_of_pending_status(m: MockClient) -> int:
    """The status of refunding a pending charge."""
    return m.refund(m.charge(m.method(KBANK))).status_code


def refunded_amount_after_refund(m: MockClient) -> int:
    """refunded_amount after a full refund."""
    charge = m.paid(m.method(KBANK))
    m.ok(m.refund(charge))
    return m.ok(m.get(f"/charges/{charge['id']}"))["refunded_amount"]


def refundable_after_full_refund(m: MockClient) -> bool:
    """refundable after a full refund."""
    charge = m.paid(m.method(KBANK))
    m.ok(m.refund(charge))
    return m.ok(m.get(f"/charges/{charge['id']}"))["refundable"]


def partial_bank_refund_status(m: MockClient) -> int:
    """The status of a partial bank refund."""
    charge = m.paid(m.method(KBANK))
    return m.refund(charge, charge["amount"] // 2).status_code


def form_false_flag(m: MockClient) -> bool:
    """The flag a form-encoded zero_interest_installments=false gives."""
    return m.source(m.method(KBANK), zero_interest_installments=False)["zero_interest_installments"]


def event_retrieve_status(m: MockClient) -> int:
    """The status of GET /events/{id} for a real event."""
    m.charge(m.method(KBANK))
    return m.get(f"/events/{m.ok(m.get('/events'))['data'][0]['id']}").status_code


def events_after_refund(m: MockClient) -> list[str]:
    """The event keys of a refunded charge."""
    charge = m.paid(m.method(KBANK))
    m.ok(m.refund(charge))
    return event_keys(m, charge)


def listed_after_one_charge(m: MockClient) -> int:
    """GET /charges's total after one charge."""
    m.charge(m.method(KBANK))
    return m.ok(m.get("/charges"))["total"]


PROBES: dict[str, Callable[[MockClient], object]] = {
    "source_currency_lowercase": lambda m: m.source(m.method(KBANK), currency="thb")["currency"],
    "paynext_flow_redirect": lambda m: m.source(m.method(PAYNEXT))["flow"],
    "bank_term_not_echoed": lambda m: m.source(m.method(KBANK))["installment_term"],
    "currency_not_checked": lambda m: m.post("/sources", m.source_params(m.method(KBANK), currency="USD"), key="public").status_code,
    "bank_term_optional": source_without_term,
    "charge_status_not_mirrored": lambda m: m.ok(m.get(f"/sources/{m.paid(m.method(KBANK))['source']['id']}"))["charge_status"],
    "promotion_code_dropped": lambda m: m.source(m.method(PAYNEXT), promotion_code="TM2024")["promotion_code"],
    "source_retrieve_404": lambda m: m.get(f"/sources/{m.source(m.method(KBANK))['id']}").status_code,
    "amount_min_off_by_one": lambda m: source_status(m, KBANK, m.method(KBANK).amount_min - 1, min(m.method(KBANK).installment_terms)),
    "bank_max_not_enforced": lambda m: source_status(m, KBANK, m.method(KBANK).amount_max + 1, max(m.method(KBANK).installment_terms)),
    "bank_max_off_by_one": lambda m: source_status(m, KBANK, m.method(KBANK).amount_max + 1, max(m.method(KBANK).installment_terms)),
    "paynext_max_off_by_one": lambda m: source_status(m, PAYNEXT, m.method(PAYNEXT).amount_max + 1, None),
    "paynext_min_off_by_one": lambda m: source_status(m, PAYNEXT, m.method(PAYNEXT).amount_min - 1, None),
    "inline_source_skips_limits": lambda m: inline(m, KBANK, m.method(KBANK).amount_max + 1).status_code,
    "bank_accepts_first_missing_term": lambda m: source_status(m, KBANK, m.method(KBANK).amount_max, first_missing_term(m.method(KBANK).installment_terms)),
    "monthly_minimum_off_by_one": binding_minimum_status,
    "monthly_minimum_accepts_one_below": below_binding_minimum_status,
    "monthly_minimum_uses_lowest": lambda m: source_status(m, BBL, 330000, 10),
    "capability_terms_missing_last": capability_terms,
    "zero_interest_not_echoed": lambda m: m.source(m.method(KBANK), zero_interest_installments=False)["zero_interest_installments"],
    "zero_interest_mismatch_accepted": mismatched_flag_status,
    "buyer_paid_interest_charged": lambda m: m.charge(m.method(KBANK), source_extra={"zero_interest_installments": False})["interest"],
    "interest_ignores_term": lambda m: m.charge(m.method(KBANK), 400000, 4)["interest"],
    "inline_zero_interest_not_applied_to_source": lambda m: m.ok(inline(m, KBANK, zero_interest_installments=False))["source"]["zero_interest_installments"],
    "vat_half_even": fee_vat_rounding_differs,
    "interest_vat_truncated": interest_vat_rounding_differs,
    "net_ignores_vat": lambda m: m.charge(m.method(KBANK), 400000, 4)["net"],
    "interest_rate_of_wrong_bank": lambda m: m.charge(m.method(KBANK), 400000, 4)["interest"],
    "charge_accepts_public_key": public_key_charge_status,
    "new_charge_capturable": lambda m: m.charge(m.method(KBANK))["capturable"],
    "charge_amount_mismatch_accepted": mismatched_amount_status,
    "source_reusable": second_charge_status,
    "return_uri_not_echoed": lambda m: m.charge(m.method(KBANK))["return_uri"],
    "paynext_no_qr": lambda m: m.charge(m.method(PAYNEXT))["source"]["scannable_code"] is None,
    "expiry_off_by_one_day": expiry_days,
    "inline_charge_rejected": lambda m: inline(m, KBANK).status_code,
    "charge_list_omits_newest": listed_after_one_charge,
    "qr_image_truncated": qr_decodes,
    "new_charge_status_successful": lambda m: m.charge(m.method(KBANK))["status"],
    "paid_at_missing": lambda m: m.paid(m.method(KBANK))["paid_at"] is None,
    "failed_without_message": failed_message,
    "clock_expiry_ignored": status_after_expiry,
    "final_state_not_final": mark_paid_after_failure,
    "failure_code_unchecked": unknown_failure_code_status,
    "no_charge_create_event": lambda m: event_keys(m, m.charge(m.method(KBANK))),
    "stale_event_payload": complete_event_status,
    "event_retrieve_404": event_retrieve_status,
    "webhook_body_is_data": webhook_object,
    "no_refund_event": events_after_refund,
    "pending_charge_refundable": refund_of_pending_status,
    "refunded_amount_not_updated": refunded_amount_after_refund,
    "bank_partial_refund_allowed": partial_bank_refund_status,
    "void_window_utc": lambda m: voided_after(m, 6, 2 * 3600),
    "void_next_day_allowed": lambda m: voided_after(m, 12, DAY),
    "refund_window_off_by_one_day": late_refund_status,
    "refund_window_off_by_one_second": late_refund_status,
    "refundable_flag_lies": refundable_after_full_refund,
    "error_without_location": lambda m: "location" in m.get("/charges/chrg_test_missing").json(),
    "auth_error_is_403": lambda m: m.get("/charges", key=None).status_code,
    "unknown_id_400": lambda m: m.get("/charges/chrg_test_missing").status_code,
    "form_false_is_true": form_false_flag,
    "error_is_500": bad_json_status,
    "charge_missing_created_at": lambda m: "created_at" in m.charge(m.method(KBANK)),
}

CONCURRENT_PROBES = {"refund_race": refunds_in_a_race}


def test_every_fault_has_a_probe():
    assert set(PROBES) | set(CONCURRENT_PROBES) == set(catalogue())


@pytest.mark.parametrize("name", sorted(PROBES))
def test_the_fault_changes_the_behaviour_it_names(name):
    probe = PROBES[name]
    correct = probe(MockClient())
    faulty = probe(MockClient(faults=[name]))
    assert faulty != correct, f"{name} ({catalogue()[name].rule}) did not change the answer: {correct!r}"


def test_refund_race_lets_concurrent_refunds_double_count():
    assert refunds_in_a_race(()) == 1
    assert refunds_in_a_race(("refund_race",)) > 1
