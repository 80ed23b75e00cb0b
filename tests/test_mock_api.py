"""The reference mock in-process: endpoints, rules from the profile, seed numbers, shapes, state machine, refunds, events, clock, QR."""

from __future__ import annotations

import io
import json
import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import zxingcpp
from PIL import Image

from installment_conformance import paths, schemas
from installment_conformance.mock.testing import RETURN_URI, MockClient, default_term, smallest_amount

KBANK, PAYNEXT, BBL = "installment_kbank", "installment_paynext_extra_qr", "installment_bbl"
DAY = 86400
EXAMPLES = paths.SCHEMAS / "examples"


@pytest.fixture
def mock() -> MockClient:
    """A fresh mock with the default profile."""
    return MockClient()


def example(name: str) -> dict:
    """A seed payload from schemas/examples."""
    return json.loads((EXAMPLES / f"{name}.json").read_text(encoding="utf-8"))


def missing_keys(documented: object, produced: object, pointer: str = "") -> list[str]:
    """JSON pointers of documented object keys the produced payload lacks (nested objects too)."""
    if not isinstance(documented, dict) or not isinstance(produced, dict):
        return []
    missing = []
    for key, value in documented.items():
        if key not in produced:
            missing.append(f"{pointer}/{key}")
        else:
            missing += missing_keys(value, produced[key], f"{pointer}/{key}")
    return missing


def assert_valid(body: dict) -> None:
    """The body validates against the schema of its object (API-06)."""
    assert schemas.problems(body) == [], body


# ---------------------------------------------------------------- the seed examples


def test_the_bank_seed_example_comes_out_to_the_satang(mock):
    kbank = mock.method(KBANK)
    source = mock.source(kbank, amount=400000, term=4)
    charge = mock.ok(mock.post("/charges", {"source": source["id"], "amount": 400000, "currency": "THB", "return_uri": RETURN_URI}))
    seed = example("bank-installments.charge")
    for field in ("amount", "fee", "fee_vat", "interest", "interest_vat", "net", "funding_amount", "zero_interest_installments"):
        assert charge[field] == seed[field], field
    assert (charge["fee"], charge["fee_vat"], charge["interest"], charge["interest_vat"], charge["net"]) == (14600, 1022, 10400, 728, 373250)


def test_the_paynext_seed_example_comes_out_to_the_satang(mock):
    source = mock.source(mock.method(PAYNEXT), amount=400000)
    assert source["zero_interest_installments"] is None and source["installment_term"] is None
    charge = mock.ok(mock.post("/charges", {"source": source["id"], "amount": 400000, "currency": "THB", "return_uri": RETURN_URI}))
    assert (charge["net"], charge["interest"], charge["interest_vat"]) == (384378, 0, 0)
    assert charge["zero_interest_installments"] is False
    assert charge["transaction_fees"] == example("paynext-extra-installment-qr.charge")["transaction_fees"]


@pytest.mark.parametrize("seed, source_type, make", [
    ("bank-installments.source", KBANK, "source"),
    ("bank-installments.charge", KBANK, "charge"),
    ("paynext-extra-installment-qr.source", PAYNEXT, "source"),
    ("paynext-extra-installment-qr.charge", PAYNEXT, "charge"),
])
def test_every_documented_field_of_the_seed_payloads_is_present(mock, seed, source_type, make):
    body = getattr(mock, make)(mock.method(source_type), amount=400000)
    assert missing_keys(example(seed), body) == []
    assert_valid(body)


def test_the_qr_barcode_has_every_documented_field(mock):
    charge = mock.charge(mock.method(PAYNEXT))
    assert missing_keys(example("paynext-extra-installment-qr.barcode"), charge["source"]["scannable_code"]) == []


# ---------------------------------------------------------------- sources


@pytest.mark.parametrize("source_type", [KBANK, BBL, PAYNEXT])
def test_a_source_echoes_its_request_and_is_retrievable(mock, source_type):
    method = mock.method(source_type)
    params = mock.source_params(method, currency=method.currency.lower())
    source = mock.ok(mock.post("/sources", params, key="public"))
    assert source["id"].startswith("src_test_") and source["location"] == f"/sources/{source['id']}"
    assert (source["amount"], source["currency"], source["type"]) == (params["amount"], method.currency, method.type)
    assert source["flow"] == method.flow and source["livemode"] is False and source["charge_status"] == "unknown"
    assert source["installment_term"] == params.get("installment_term")
    assert mock.ok(mock.get(f"/sources/{source['id']}", key="public")) == source


def test_a_paynext_promotion_code_is_echoed(mock):
    assert mock.source(mock.method(PAYNEXT), promotion_code="โปรสงกรานต์")["promotion_code"] == "โปรสงกรานต์"


@pytest.mark.parametrize("change, fragment", [
    ({"amount": None}, "amount is required"),
    ({"currency": None}, "currency is required"),
    ({"type": None}, "type is required"),
    ({"amount": "400000.5"}, "whole number"),
    ({"amount": "1e5"}, "whole number"),
    ({"amount": str(2**70)}, "whole number"),
    ({"amount": "-5"}, "positive"),
    ({"currency": "USD"}, "send THB"),
    ({"type": "installment_nonexistent"}, "is not offered"),
    ({"installment_term": None}, "installment_term is required"),
    ({"installment_term": "four"}, "whole number"),
])
def test_a_bad_source_is_a_400_error_saying_what_to_fix(mock, change, fragment):
    params = {**mock.source_params(mock.method(KBANK)), **change}
    reply = mock.post("/sources", params, key="public")
    assert reply.status_code == 400
    body = reply.json()
    assert body["object"] == "error" and body["code"] == "bad_request" and fragment in body["message"]


@pytest.mark.parametrize("amount", [400000.5, 1e5, 2**70, True, "๔๐๐๐๐๐"])
def test_json_amounts_that_are_not_int64_whole_numbers_are_rejected(mock, amount):
    params = {**mock.source_params(mock.method(KBANK)), "amount": amount}
    reply = mock.post("/sources", json=params, key="public")
    assert reply.status_code == 400 and reply.json()["code"] == "bad_request"


def test_a_term_outside_the_list_names_the_terms_to_use(mock):
    kbank = mock.method(KBANK)
    outside = next(term for term in range(1, 49) if term not in kbank.installment_terms)
    reply = mock.post("/sources", mock.source_params(kbank, term=outside), key="public")
    listed = ", ".join(map(str, kbank.installment_terms))
    assert reply.json()["message"] == f"installment_term {outside} is not offered for {KBANK}; use one of {listed}"


# ---------------------------------------------------------------- amount limits and terms from the profile


def _accepted(mock, method, amount, term=None) -> bool:
    """True when POST /sources accepts the amount and term (a 200), False for a 400."""
    reply = mock.post("/sources", mock.source_params(method, amount=amount, term=term), key="public")
    assert reply.status_code in (200, 400), reply.text
    return reply.status_code == 200


def test_every_method_accepts_exactly_its_amount_range(mock):
    for method in mock.profile.methods.values():
        loosest = min(method.installment_terms, key=method.min_amount_for_term) if method.is_bank else None
        floor = method.min_amount_for_term(loosest) if method.is_bank else method.amount_min
        assert not _accepted(mock, method, floor - 1, loosest), method.type
        assert _accepted(mock, method, floor, loosest), method.type
        longest_ok = max(method.installment_terms) if method.is_bank else None
        assert _accepted(mock, method, method.amount_max, longest_ok), method.type
        assert not _accepted(mock, method, method.amount_max + 1, longest_ok), method.type


def test_every_bank_accepts_exactly_its_terms(mock):
    for bank in mock.profile.banks:
        accepted = {term for term in range(1, 49) if _accepted(mock, bank, bank.amount_max, term)}
        assert accepted == set(bank.installment_terms), bank.type


def test_the_monthly_minimum_is_exact_where_it_binds(mock):
    checked = 0
    for bank in mock.profile.banks:
        for term in bank.installment_terms:
            if bank.monthly_minimum_binds(term):
                minimum = bank.min_amount_for_term(term)
                assert _accepted(mock, bank, minimum, term) and not _accepted(mock, bank, minimum - 1, term), (bank.type, term)
                checked += 1
    assert checked > 0


def test_the_seed_worked_example_330000_over_10_months(mock):
    assert not _accepted(mock, mock.method(BBL), 330000, 10)
    assert _accepted(mock, mock.method(KBANK), 330000, 10)


def test_the_capability_lists_the_profile_terms(mock):
    capability = mock.ok(mock.get("/capability", key="public"))
    assert_valid(capability)
    terms = {pm["name"]: pm["installment_terms"] for pm in capability["payment_methods"]}
    assert terms == {m.type: (list(m.installment_terms) if m.is_bank else None) for m in mock.profile.methods.values()}


# ---------------------------------------------------------------- charges


def test_a_new_charge_has_the_documented_initial_state(mock):
    method = mock.method(KBANK)
    charge = mock.charge(method)
    assert charge["id"].startswith("chrg_test_") and charge["location"] == f"/charges/{charge['id']}"
    expected = {"status": "pending", "paid": False, "authorized": False, "capturable": False, "refundable": False,
                "reversible": False, "voided": False, "expired": False, "capture": True, "livemode": False, "refunded_amount": 0}
    assert {key: charge[key] for key in expected} == expected
    assert charge["refunds"]["data"] == [] and charge["refunds"]["total"] == 0
    assert charge["source"]["charge_status"] == "pending"
    assert charge["authorize_uri"].startswith("https://") and charge["return_uri"] == RETURN_URI
    assert mock.ok(mock.get(f"/charges/{charge['id']}")) == charge
    listed = mock.ok(mock.get("/charges"))
    assert [item["id"] for item in listed["data"]] == [charge["id"]]


@pytest.mark.parametrize("source_type", [KBANK, PAYNEXT])
def test_expires_at_is_created_at_plus_the_method_days(mock, source_type):
    method = mock.method(source_type)
    charge = mock.charge(method)
    created = datetime.fromisoformat(charge["created_at"])
    assert datetime.fromisoformat(charge["expires_at"]) - created == timedelta(days=method.expires_after_days)


def test_a_charge_needs_the_secret_key(mock):
    source = mock.source(mock.method(KBANK))
    reply = mock.post("/charges", {"source": source["id"], "amount": source["amount"], "currency": "THB", "return_uri": RETURN_URI}, key="public")
    assert reply.status_code == 401 and reply.json()["code"] == "authentication_failure"


@pytest.mark.parametrize("change, fragment", [
    ({"amount": "+1"}, "must equal the source's"),
    ({"currency": "JPY"}, "must equal the source's"),
    ({"return_uri": None}, "return_uri is required"),
    ({"zero_interest_installments": False}, "zero_interest_installments is false but source"),
])
def test_a_charge_that_breaks_a_charge_rule_is_invalid_charge(mock, change, fragment):
    source = mock.source(mock.method(KBANK))
    params = {"source": source["id"], "amount": source["amount"], "currency": "THB", "return_uri": RETURN_URI, **change}
    if params["amount"] == "+1":
        params["amount"] = source["amount"] + 1
    reply = mock.post("/charges", params)
    assert reply.status_code == 400 and reply.json()["code"] == "invalid_charge" and fragment in reply.json()["message"]


def test_a_source_is_charged_once(mock):
    source = mock.source(mock.method(KBANK))
    params = {"source": source["id"], "amount": source["amount"], "currency": "THB", "return_uri": RETURN_URI}
    first = mock.ok(mock.post("/charges", params))
    second = mock.post("/charges", params)
    assert second.status_code == 400 and first["id"] in second.json()["message"]


def test_an_unknown_source_is_not_found(mock):
    reply = mock.post("/charges", {"source": "src_test_nosuchsource", "amount": 400000, "currency": "THB", "return_uri": RETURN_URI})
    assert reply.status_code == 404 and reply.json()["code"] == "not_found"


def test_an_inline_charge_creates_source_and_charge_in_one_call(mock):
    kbank = mock.method(KBANK)
    charge = mock.ok(mock.post("/charges", {
        "amount": 400000, "currency": "THB", "return_uri": RETURN_URI, "zero_interest_installments": False,
        "source": {"type": KBANK, "installment_term": 4},
    }))
    assert charge["source"]["type"] == KBANK and charge["source"]["installment_term"] == 4
    assert charge["zero_interest_installments"] is False and charge["source"]["zero_interest_installments"] is False
    assert (charge["interest"], charge["interest_vat"]) == (0, 0)
    assert mock.ok(mock.get(f"/sources/{charge['source']['id']}"))["charge_status"] == "pending"
    too_small = mock.post("/charges", {"amount": smallest_amount(kbank) - 1, "currency": "THB", "return_uri": RETURN_URI,
                                       "source": {"type": KBANK, "installment_term": default_term(kbank)}})
    assert too_small.status_code == 400 and too_small.json()["code"] == "invalid_charge"


def test_the_interest_flag_is_echoed_inherited_and_zero_when_the_buyer_pays(mock):
    kbank = mock.method(KBANK)
    buyer = mock.charge(kbank, source_extra={"zero_interest_installments": False})
    assert buyer["source"]["zero_interest_installments"] is False and buyer["zero_interest_installments"] is False
    assert (buyer["interest"], buyer["interest_vat"]) == (0, 0)
    default = mock.charge(kbank)
    assert default["zero_interest_installments"] is mock.profile.default_zero_interest_installments
    assert default["source"]["zero_interest_installments"] is mock.profile.default_zero_interest_installments


# ---------------------------------------------------------------- lifecycle


def test_mark_as_paid_completes_a_pending_charge(mock):
    charge = mock.paid(mock.method(KBANK))
    assert charge["status"] == "successful" and charge["paid"] is True and charge["authorized"] is True
    assert charge["paid_at"] and charge["failure_code"] is None and charge["transaction"].startswith("trxn_test_")
    assert charge["source"]["charge_status"] == "successful"
    assert mock.ok(mock.get(f"/sources/{charge['source']['id']}"))["charge_status"] == "successful"
    assert_valid(charge)


@pytest.mark.parametrize("source_type", [KBANK, PAYNEXT])
def test_mark_as_failed_takes_only_the_method_failure_codes(mock, source_type):
    method = mock.method(source_type)
    for code in method.failure_codes:
        charge = mock.charge(method)
        failed = mock.ok(mock.post(f"/charges/{charge['id']}/mark_as_failed", {"failure_code": code}))
        assert (failed["status"], failed["failure_code"], failed["paid"], failed["expired"]) == ("failed", code, False, False)
        assert failed["failure_message"]
    reply = mock.post(f"/charges/{mock.charge(method)['id']}/mark_as_failed", {"failure_code": "card_declined"})
    assert reply.status_code == 400 and all(code in reply.json()["message"] for code in method.failure_codes)


def test_expire_and_the_clock_expire_pending_charges(mock):
    kbank = mock.method(KBANK)
    expired = mock.ok(mock.post(f"/charges/{mock.charge(kbank)['id']}/expire"))
    assert (expired["status"], expired["expired"]) == ("expired", True) and expired["expired_at"]
    waiting = mock.charge(kbank)
    mock.advance(kbank.expires_after_days * DAY - 1)
    assert mock.ok(mock.get(f"/charges/{waiting['id']}"))["status"] == "pending"
    mock.advance(1)
    later = mock.ok(mock.get(f"/charges/{waiting['id']}"))
    assert (later["status"], later["expired_at"]) == ("expired", waiting["expires_at"])
    assert later["source"]["charge_status"] == "expired"


@pytest.mark.parametrize("final", ["mark_as_paid", "mark_as_failed", "expire"])
@pytest.mark.parametrize("action", ["mark_as_paid", "mark_as_failed", "expire"])
def test_final_states_stay_final(mock, final, action):
    charge = mock.charge(mock.method(KBANK))
    done = mock.ok(mock.post(f"/charges/{charge['id']}/{final}"))
    reply = mock.post(f"/charges/{charge['id']}/{action}")
    assert reply.status_code == 400 and reply.json()["code"] == "bad_request"
    assert mock.ok(mock.get(f"/charges/{charge['id']}"))["status"] == done["status"]


# ---------------------------------------------------------------- refunds


def test_a_bank_charge_is_refunded_in_full_only(mock):
    charge = mock.paid(mock.method(KBANK))
    assert (charge["refundable"], charge["partially_refundable"]) == (True, False)
    partial = mock.refund(charge, charge["amount"] - 1)
    assert partial.status_code == 400 and partial.json()["code"] == "failed_refund"
    refund = mock.ok(mock.refund(charge))
    assert refund["id"].startswith("rfnd_test_") and (refund["amount"], refund["charge"], refund["voided"]) == (charge["amount"], charge["id"], False)
    after = mock.ok(mock.get(f"/charges/{charge['id']}"))
    assert (after["refunded_amount"], after["refundable"]) == (charge["amount"], False)
    assert after["refunds"]["data"] == [refund]
    assert mock.refund(charge, 1).status_code == 400
    assert mock.ok(mock.get(f"/charges/{charge['id']}/refunds/{refund['id']}")) == refund
    assert [r["id"] for r in mock.ok(mock.get("/refunds"))["data"]] == [refund["id"]]


@pytest.mark.parametrize("final", ["pending", "mark_as_failed", "expire"])
def test_only_a_successful_charge_can_be_refunded(mock, final):
    charge = mock.charge(mock.method(KBANK))
    if final != "pending":
        mock.ok(mock.post(f"/charges/{charge['id']}/{final}"))
    reply = mock.refund(charge)
    assert reply.status_code == 400 and reply.json()["code"] == "failed_refund"


def _paynext_paid_at_bangkok_noon(mock):
    """A PayNext charge paid at 12:00 in its void time zone (the clock moved there first)."""
    method = mock.method(PAYNEXT)
    now = datetime.fromisoformat(mock.ok(mock.get("/test_helpers/clock"))["now"])
    local = now.astimezone(ZoneInfo(method.void_timezone))
    noon = local.replace(hour=12, minute=0, second=0)
    if noon <= local:
        noon += timedelta(days=1)
    mock.advance(int((noon - local).total_seconds()))
    return method, mock.paid(method)


def test_a_paynext_refund_on_the_payment_day_is_a_void(mock):
    method, charge = _paynext_paid_at_bangkok_noon(mock)
    assert (charge["can_perform_void"], charge["refundable"], charge["partially_refundable"]) == (True, True, False)
    mock.advance(11 * 3600 + 59 * 60 + 59)  # 23:59:59 the same Bangkok day
    refund = mock.ok(mock.refund(charge))
    assert refund["voided"] is True
    assert mock.ok(mock.get(f"/charges/{charge['id']}"))["voided"] is True


def test_a_paynext_refund_after_the_payment_day_is_a_refund_until_the_window_ends(mock):
    method, charge = _paynext_paid_at_bangkok_noon(mock)
    mock.advance(12 * 3600)  # 00:00 the next Bangkok day
    shown = mock.ok(mock.get(f"/charges/{charge['id']}"))
    assert (shown["can_perform_void"], shown["partially_refundable"]) == (False, True)
    assert mock.ok(mock.refund(charge, 1000))["voided"] is False
    mock.advance(method.refund_window_days * DAY - 12 * 3600)  # exactly the window after paid_at: accepted
    assert mock.ok(mock.refund(charge, 1000))["voided"] is False
    mock.advance(1)
    assert mock.ok(mock.get(f"/charges/{charge['id']}"))["refundable"] is False
    late = mock.refund(charge, 1000)
    assert late.status_code == 400 and "window" in late.json()["message"]


def test_the_refund_flags_always_predict_the_answer(mock):
    """For charges in many states and times, refundable/partially_refundable say exactly what a refund gets."""
    seen = set()
    for source_type in (KBANK, PAYNEXT):
        method = mock.method(source_type)
        window = (method.refund_window_days or 0) * DAY
        for paid, wait in ((False, 0), (True, 0), (True, DAY), (True, window), (True, window + 1)):
            charge = mock.paid(method) if paid else mock.charge(method)
            if wait:
                mock.advance(wait)
            shown = mock.ok(mock.get(f"/charges/{charge['id']}"))
            partial = mock.refund(shown, 1)
            assert (partial.status_code == 200) == shown["partially_refundable"], shown
            seen.add(("partial", shown["partially_refundable"]))
            shown = mock.ok(mock.get(f"/charges/{charge['id']}"))
            full = mock.refund(shown, shown["amount"] - shown["refunded_amount"])
            assert (full.status_code == 200) == shown["refundable"], shown
            seen.add(("full", shown["refundable"]))
            after = mock.ok(mock.get(f"/charges/{charge['id']}"))
            assert not after["refundable"] or full.status_code != 200
    assert seen == {("partial", True), ("partial", False), ("full", True), ("full", False)}


# ---------------------------------------------------------------- events


def test_charge_and_refund_events_are_recorded_with_snapshots(mock):
    created = mock.charge(mock.method(KBANK))
    paid = mock.ok(mock.post(f"/charges/{created['id']}/mark_as_paid"))
    refund = mock.ok(mock.refund(paid))
    events = mock.ok(mock.get(f"/charges/{created['id']}/events"))["data"]
    assert [event["key"] for event in events] == ["charge.create", "charge.complete", "refund.create"]
    assert events[0]["data"] == created
    assert events[1]["data"]["status"] == "successful" and events[1]["data"]["paid_at"] == paid["paid_at"]
    assert events[2]["data"] == refund
    for event in events:
        assert event["id"].startswith("evnt_test_") and event["location"] == f"/events/{event['id']}"
        assert mock.ok(mock.get(f"/events/{event['id']}")) == event
        assert_valid(event)
    assert mock.ok(mock.get("/events"))["total"] == 3


# ---------------------------------------------------------------- QR


def test_a_paynext_qr_code_is_a_png_served_by_the_mock_that_decodes(mock):
    charge = mock.charge(mock.method(PAYNEXT))
    code = charge["source"]["scannable_code"]
    assert (code["object"], code["type"], code["image"]["filename"], code["image"]["kind"]) == ("barcode", "qr", "qrcode.png", "qr")
    assert charge["source"]["provider_references"]["reference_number_1"].startswith("pay2_test_")
    uri = code["image"]["download_uri"]
    assert uri.startswith("http://mock.test/charges/")
    image = mock.http.get(uri)
    assert image.status_code == 200 and image.headers["content-type"] == "image/png" and image.content[:8] == b"\x89PNG\r\n\x1a\n"
    decoded = zxingcpp.read_barcodes(Image.open(io.BytesIO(image.content)))
    assert [d.format for d in decoded] == [zxingcpp.BarcodeFormat.QRCode] and decoded[0].text == charge["authorize_uri"]
    assert mock.http.get(uri.replace("/downloads/", "/downloads/X")).status_code == 404


# ---------------------------------------------------------------- authentication and accounts


@pytest.mark.parametrize("header", [None, "Bearer skey_test_x", "Basic !!!", "Basic " + "c2tleV9saXZlX3g6"])
def test_missing_or_malformed_credentials_are_401(mock, header):
    headers = {"Authorization": header} if header else {}
    reply = mock.http.get("/charges", headers=headers)
    assert reply.status_code == 401 and reply.json()["code"] == "authentication_failure"


def test_a_live_key_is_refused(mock):
    reply = mock.get("/capability", key="skey_5jk1yqfvb6k8pota2fd")
    assert reply.status_code == 401 and "live keys" in reply.json()["message"]


def test_accounts_are_isolated_by_key_suffix(mock):
    charge = mock.charge(mock.method(KBANK))
    assert mock.get(f"/charges/{charge['id']}", key="skey_test_someone_else").status_code == 404
    assert mock.ok(mock.get("/charges", key="skey_test_someone_else"))["total"] == 0
    assert mock.get(f"/sources/{charge['source']['id']}", key="public").status_code == 200


def test_reset_and_clock_act_on_the_caller_account_only(mock):
    mine = mock.charge(mock.method(KBANK))
    other = mock.for_account("other")
    theirs = other.charge(other.method(KBANK))
    other.advance(DAY)
    assert mock.ok(mock.get("/test_helpers/clock"))["now"] == mine["created_at"]
    assert mock.ok(mock.post("/test_helpers/reset")) == {"object": "test_reset"}
    assert mock.get(f"/charges/{mine['id']}").status_code == 404
    assert other.get(f"/charges/{theirs['id']}").status_code == 200


def test_the_test_helpers_are_listed_and_need_the_secret_key(mock):
    assert set(mock.ok(mock.get("/test_helpers/capabilities"))["capabilities"]) == {"clock", "webhooks", "reset", "failure_codes", "qr_download"}
    assert mock.get("/test_helpers/capabilities", key="public").status_code == 401
    assert mock.post("/test_helpers/clock", {"advance_seconds": -1}).status_code == 400


# ---------------------------------------------------------------- protocol


def _comparable(body: dict) -> dict:
    """A charge without what differs between two creations (ids, URIs with ids)."""
    text = json.dumps(body)
    for value in (body["id"], body["source"]["id"], body["authorize_uri"]):
        text = text.replace(value, "<id>")
    return json.loads(text)


def test_form_and_json_requests_give_the_same_charge(mock):
    params = {"amount": 400000, "currency": "thb", "return_uri": RETURN_URI, "zero_interest_installments": False,
              "description": "ผ่อนชำระ", "metadata": {"order_id": "42", "หมายเหตุ": "ทดสอบ"},
              "source": {"type": KBANK, "installment_term": 4}}
    by_form = mock.ok(mock.post("/charges", params))
    by_json = mock.ok(mock.post("/charges", json=params))
    assert _comparable(by_form) == _comparable(by_json)
    assert by_json["metadata"] == {"order_id": "42", "หมายเหตุ": "ทดสอบ"}


def test_list_parameters_come_from_the_query_string_or_a_json_body(mock):
    ids = [mock.charge(mock.method(KBANK))["id"] for _ in range(3)]
    by_query = mock.ok(mock.get("/charges", {"limit": 2, "offset": 1, "order": "reverse_chronological"}))
    by_body = mock.ok(mock.http.request("GET", "/charges", json={"limit": 2, "offset": 1, "order": "reverse_chronological"},
                                        auth=(mock.secret_key, "")))
    assert [c["id"] for c in by_query["data"]] == [c["id"] for c in by_body["data"]] == [ids[1], ids[0]]
    assert (by_query["total"], by_query["limit"], by_query["offset"]) == (3, 2, 1)
    later = mock.ok(mock.get("/charges", {"from": "2999-01-01T00:00:00Z"}))
    assert later["total"] == 0
    for bad in ({"limit": 0}, {"limit": 101}, {"offset": -1}, {"order": "sideways"}, {"from": "yesterday"}):
        assert mock.get("/charges", bad).status_code == 400, bad


@pytest.mark.parametrize("path, method", [("/nowhere", "GET"), ("/charges/x/y/z", "POST")])
def test_unknown_routes_are_404_error_objects(mock, path, method):
    reply = mock.http.request(method, path, auth=(mock.secret_key, ""))
    assert reply.status_code == 404 and reply.json()["code"] == "not_found" and reply.headers["content-type"] == "application/json"


def test_a_wrong_method_is_a_405_error_object(mock):
    reply = mock.http.delete("/charges", auth=(mock.secret_key, ""))
    assert reply.status_code == 405 and reply.json()["object"] == "error" and "GET" in reply.headers["allow"]


@pytest.mark.parametrize("content, content_type", [
    (b"{broken", "application/json"),
    (b"[1, 2]", "application/json"),
    (b'"text"', "application/json"),
    (b'{"amount": NaN}', "application/json"),
    (b'{"metadata": {"a": Infinity}}', "application/json"),
    (b'{"metadata": {"a": 1e999}}', "application/json"),
    (b"\xff\xfe", "application/x-www-form-urlencoded"),
    (b"amount=1", "text/plain"),
    (b"a=1&a[b]=2", "application/x-www-form-urlencoded"),
    (b"a" + b"[b]" * 1000 + b"=1", "application/x-www-form-urlencoded"),
])
def test_malformed_bodies_are_400_error_objects(mock, content, content_type):
    reply = mock.http.post("/sources", content=content, headers={"Content-Type": content_type}, auth=(mock.public_key, ""))
    assert reply.status_code == 400 and reply.json()["code"] == "bad_request" and reply.json()["location"]


def test_the_omise_version_header_is_accepted(mock):
    for version in ("2019-05-29", "2017-11-02"):
        assert mock.get("/capability", headers={"Omise-Version": version}).status_code == 200


@pytest.mark.parametrize("value, echoed", [
    pytest.param(2**70, 2**70, id="integer-beyond-64-bits"),
    pytest.param("\ud800", "?", id="lone-surrogate"),
    pytest.param("ผ่อน ๐%", "ผ่อน ๐%", id="thai"),
])
def test_metadata_the_fast_encoder_cannot_take_is_still_echoed(mock, value, echoed):
    method = mock.method(KBANK)
    params = {"amount": smallest_amount(method), "currency": "THB", "return_uri": RETURN_URI,
              "source": {"type": KBANK, "installment_term": default_term(method)}, "metadata": {"note": value}}
    body = json.dumps(params).encode("ascii")  # \ud800 as a JSON escape: valid UTF-8, a lone surrogate once parsed
    reply = mock.post("/charges", content=body, headers={"Content-Type": "application/json"})
    charge = mock.ok(reply)
    assert charge["metadata"] == {"note": echoed}
    events = mock.ok(mock.get(f"/charges/{charge['id']}/events"))["data"]
    assert [event["data"]["metadata"] for event in events] == [{"note": echoed}]


def test_ids_are_distinct_lowercase_base36_after_the_test_prefix(mock):
    method = mock.method(KBANK)
    charges = [mock.charge(method) for _ in range(200)]
    ids = {charge["id"] for charge in charges} | {charge["source"]["id"] for charge in charges}
    assert len(ids) == 400
    assert all(re.fullmatch(r"(chrg|src)_test_[0-9a-z]{19}", identifier) for identifier in ids)
