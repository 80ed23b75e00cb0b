"""Charges (CHG-01..10): creating a charge from a source or in one call, its shape, its expiry, retrieval and the PayNext QR code."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest

from installment_conformance import scenarios
from installment_conformance.checks import expect_error, expect_field, expect_success
from installment_conformance.scenarios import from_profile

pytest_generate_tests = scenarios.pytest_generate_tests

CHARGE_ID = re.compile(r"chrg_test_[0-9a-z]+")
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# A new charge's flags (CHG-02).
NEW_CHARGE_FIELDS = {
    "/object": "charge", "/status": "pending", "/paid": False, "/authorized": False, "/capturable": False,
    "/refundable": False, "/reversible": False, "/voided": False, "/expired": False, "/capture": True,
    "/livemode": False, "/refunded_amount": 0,
}


def expect_new_charge(reply, method, amount: int, term: int | None, rule: str) -> dict:
    """A just-created charge: the flags of a new pending charge and an embedded source matching what was sent."""
    expect_success(reply, rule)
    charge = reply.body
    assert CHARGE_ID.fullmatch(str(charge.get("id"))), f"{rule}: id {charge.get('id')!r} is not chrg_test_...\n{reply.curl}"
    expect_field(charge, "/location", f"/charges/{charge['id']}", rule)
    for pointer, value in NEW_CHARGE_FIELDS.items():
        expect_field(charge, pointer, value, rule)
    expect_field(charge, "/amount", amount, rule)
    expect_field(charge, "/currency", scenarios.CURRENCY, rule)
    expect_field(charge, "/source/type", method.type, rule)
    expect_field(charge, "/source/amount", amount, rule)
    expect_field(charge, "/source/currency", scenarios.CURRENCY, rule)
    expect_field(charge, "/source/installment_term", term, rule)
    expect_field(charge, "/refunds/object", "list", rule)
    expect_field(charge, "/refunds/data", [], rule)
    return charge


def _https_url(value) -> bool:
    """True for an absolute https URL."""
    parts = urlsplit(value) if isinstance(value, str) else None
    return bool(parts and parts.scheme == "https" and parts.netloc)


def _served_by_local_target(value, base_url: str) -> bool:
    """True for a URL on a plain-http loopback target's own origin: a local mock serves its QR without TLS."""
    parts, base = urlsplit(value) if isinstance(value, str) else None, urlsplit(base_url)
    return bool(parts and base.scheme == "http" and base.hostname in ("127.0.0.1", "localhost", "::1")
                and (parts.scheme, parts.netloc) == (base.scheme, base.netloc))


@pytest.mark.rule("CHG-01")
@from_profile("method", scenarios.all_methods)
def test_a_charge_with_the_public_key_is_refused(api, method):
    """POST /charges with the public key is a 4xx error: charges need the secret key."""
    source = scenarios.new_source(api, method)
    expect_error(scenarios.create_charge(api, source, key="public"), "CHG-01")


@pytest.mark.rule("CHG-02")
@from_profile("method", scenarios.all_methods)
def test_a_charge_from_a_source_is_pending(api, method):
    """A charge from a source is a pending, unpaid, non-refundable test charge embedding that source and no refunds."""
    source = scenarios.new_source(api, method)
    charge = expect_new_charge(scenarios.create_charge(api, source), method, source["amount"], source["installment_term"], "CHG-02")
    expect_field(charge, "/source/id", source["id"], "CHG-02")


@pytest.mark.rule("CHG-03")
@from_profile("method", scenarios.all_methods)
def test_a_charge_amount_other_than_the_source_amount_is_rejected(api, method):
    """A charge whose amount differs from its source's is a 4xx error."""
    source = scenarios.new_source(api, method)
    expect_error(scenarios.create_charge(api, source, amount=source["amount"] + 100), "CHG-03")


@pytest.mark.rule("CHG-03")
@from_profile("method", scenarios.all_methods)
def test_a_charge_currency_other_than_the_source_currency_is_rejected(api, method):
    """A charge whose currency differs from its source's is a 4xx error."""
    source = scenarios.new_source(api, method)
    expect_error(scenarios.create_charge(api, source, currency="USD"), "CHG-03")


@pytest.mark.rule("CHG-04")
@from_profile("method", scenarios.all_methods)
def test_a_source_is_charged_once(api, method):
    """A second charge on a source that already has one is a 4xx error."""
    source = scenarios.new_source(api, method)
    scenarios.require(scenarios.create_charge(api, source), "the first charge")
    expect_error(scenarios.create_charge(api, source), "CHG-04")


@pytest.mark.rule("CHG-05")
@from_profile("method", lambda p: scenarios.method_cases(m for m in p.methods.values() if m.flow == "redirect"))
def test_a_redirect_charge_has_an_authorize_uri_and_its_return_uri(api, method):
    """A bank charge has an https authorize_uri and echoes return_uri."""
    charge = scenarios.pending_charge(api, method)
    assert _https_url(charge.get("authorize_uri")), f"CHG-05: authorize_uri {charge.get('authorize_uri')!r} is not an https URL"
    expect_field(charge, "/return_uri", scenarios.RETURN_URI, "CHG-05")


@pytest.mark.rule("CHG-06")
@from_profile("method", lambda p: scenarios.method_cases(m for m in p.methods.values() if m.flow == "offline"))
def test_an_offline_charge_carries_a_qr_code(api, target, method):
    """A PayNext charge's source has a QR scannable_code with a PNG document, a reference number and charge_status pending."""
    charge = scenarios.pending_charge(api, method)
    for pointer, value in {"/object": "barcode", "/type": "qr", "/image/object": "document",
                           "/image/filename": "qrcode.png", "/image/kind": "qr"}.items():
        expect_field(charge, f"/source/scannable_code{pointer}", value, "CHG-06")
    download = charge["source"]["scannable_code"]["image"].get("download_uri")
    assert _https_url(download) or _served_by_local_target(download, target.base_url), \
        f"CHG-06: download_uri {download!r} is not an https URL (nor, for a local http target, a URL on the target itself)"
    reference = (charge["source"].get("provider_references") or {}).get("reference_number_1")
    assert isinstance(reference, str) and reference, f"CHG-06: provider_references.reference_number_1 is {reference!r}"
    expect_field(charge, "/source/charge_status", "pending", "CHG-06")


@pytest.mark.rule("CHG-07")
@from_profile("method", scenarios.all_methods)
def test_a_charge_expires_after_its_method_period(api, method):
    """expires_at is created_at plus the method's expiry period (7 days for banks, 1 day for PayNext)."""
    charge = scenarios.pending_charge(api, method)
    expected = scenarios.parse_time(charge["created_at"]) + timedelta(days=method.expires_after_days)
    received = scenarios.parse_time(charge["expires_at"])
    assert received == expected, f"CHG-07: expires_at is {charge['expires_at']}, expected {expected:%Y-%m-%dT%H:%M:%SZ} (created_at + {method.expires_after_days} days)"


@pytest.mark.rule("CHG-08")
@from_profile("method", scenarios.all_methods)
def test_a_one_call_charge_creates_source_and_charge(api, method):
    """POST /charges with an inline source[type] creates the source and a pending charge of the same shape."""
    amount, term = scenarios.valid_amount(method), scenarios.default_term(method)
    charge = expect_new_charge(scenarios.create_inline_charge(api, method, amount, term), method, amount, term, "CHG-08")
    source = api.get(f"/sources/{charge['source']['id']}")
    expect_success(source, "CHG-08")
    expect_field(source, "/type", method.type, "CHG-08")


@pytest.mark.rule("CHG-09")
@from_profile("method", scenarios.all_methods)
def test_a_charge_can_be_retrieved_and_listed(api, method):
    """GET /charges/{id} returns the created charge and GET /charges lists it."""
    charge = scenarios.pending_charge(api, method)
    reply = api.get(f"/charges/{charge['id']}")
    expect_success(reply, "CHG-09")
    expect_field(scenarios.without_render_times(reply.body), "", scenarios.without_render_times(charge), "CHG-09")
    listed = scenarios.listed_ids(api, "/charges")
    assert charge["id"] in listed, f"CHG-09: GET /charges (newest 100) does not list {charge['id']}"


@pytest.mark.rule("CHG-10")
@pytest.mark.needs("qr_download")
@from_profile("method", lambda p: scenarios.method_cases(m for m in p.methods.values() if m.flow == "offline"))
def test_the_qr_image_decodes_as_a_qr_code(api, method):
    """The image at download_uri is a PNG holding a QR code."""
    zxingcpp = pytest.importorskip("zxingcpp", reason="decoding the QR code needs zxing-cpp (the test extra)")
    image_module = pytest.importorskip("PIL.Image", reason="reading the PNG needs pillow (the test extra)")
    charge = scenarios.pending_charge(api, method)
    content = scenarios.download(api, charge["source"]["scannable_code"]["image"]["download_uri"])
    assert content.startswith(PNG_SIGNATURE), f"CHG-10: the download is not a PNG (starts {content[:8]!r})"
    decoded = zxingcpp.read_barcodes(image_module.open(io.BytesIO(content)))
    assert any(result.format == zxingcpp.BarcodeFormat.QRCode and result.text for result in decoded), \
        "CHG-10: the PNG holds no readable QR code"
