"""Sources (SRC-01..08): creating, echoing and retrieving installment sources."""

from __future__ import annotations

import re

import pytest

from installment_conformance import scenarios
from installment_conformance.checks import expect_error, expect_field, expect_success
from installment_conformance.scenarios import OMIT, from_profile

pytest_generate_tests = scenarios.pytest_generate_tests

SOURCE_ID = re.compile(r"src_test_[0-9a-z]+")


def _keys_and_methods(loaded):
    """Every method with each key that may create a source (public and secret)."""
    return [pytest.param(method, key, id=f"{method.type}-{key}-key") for method in loaded.methods.values() for key in ("public", "secret")]


def _bank_terms(loaded):
    """Every listed term of every bank."""
    return [pytest.param(method, term, id=f"{method.type}-term-{term}") for method in loaded.banks for term in method.installment_terms]


def _bad_source_bodies(loaded):
    """Source bodies with one bad or missing field, per method (SRC-04)."""
    cases = []
    for method in loaded.methods.values():
        bad = {
            "missing-amount": {"amount": OMIT},
            "missing-currency": {"currency": OMIT},
            "missing-type": {"type": OMIT},
            "amount-not-a-number": {"amount": "four thousand"},
            "amount-with-a-fraction": {"amount": f"{scenarios.valid_amount(method)}.5"},
            "negative-amount": {"amount": -scenarios.valid_amount(method)},
            "currency-usd": {"currency": "USD"},
            "currency-unknown": {"currency": "XYZ"},
            "unknown-type": {"type": f"{method.type}_unknown"},
        }
        cases += [pytest.param(method, change, id=f"{method.type}-{name}-rejected") for name, change in bad.items()]
    return cases


@pytest.mark.rule("SRC-01")
@from_profile("method, key", _keys_and_methods)
def test_a_created_source_echoes_amount_currency_and_type(api, method, key):
    """POST /sources answers a test-mode source echoing amount, upper-case currency and type."""
    amount = scenarios.valid_amount(method)
    reply = scenarios.create_source(api, method, amount, key=key, currency="thb")
    expect_success(reply, "SRC-01")
    source = reply.body
    expect_field(source, "/object", "source", "SRC-01")
    assert SOURCE_ID.fullmatch(str(source.get("id"))), f"SRC-01: id {source.get('id')!r} is not src_test_[0-9a-z]+\n{reply.curl}"
    expect_field(source, "/livemode", False, "SRC-01")
    expect_field(source, "/location", f"/sources/{source['id']}", "SRC-01")
    expect_field(source, "/amount", amount, "SRC-01")
    expect_field(source, "/currency", "THB", "SRC-01")
    expect_field(source, "/type", method.type, "SRC-01")


@pytest.mark.rule("SRC-02")
@from_profile("method", scenarios.all_methods)
def test_a_source_has_the_flow_of_its_method(api, method):
    """Bank sources have flow redirect and PayNext sources flow offline, as the profile says."""
    expect_field(scenarios.new_source(api, method), "/flow", method.flow, "SRC-02")


@pytest.mark.rule("SRC-03")
@from_profile("method, term", _bank_terms)
def test_a_bank_source_echoes_its_installment_term(api, method, term):
    """A bank source echoes the installment_term it was created with."""
    expect_field(scenarios.new_source(api, method, term=term), "/installment_term", term, "SRC-03")


@pytest.mark.rule("SRC-03")
@from_profile("method", scenarios.offline_methods)
def test_an_offline_source_has_a_null_installment_term(api, method):
    """A PayNext source has installment_term null: the buyer picks the term in the app."""
    expect_field(scenarios.new_source(api, method), "/installment_term", None, "SRC-03")


@pytest.mark.rule("SRC-04")
@from_profile("method, change", _bad_source_bodies)
def test_a_source_with_a_bad_field_is_rejected(api, method, change):
    """A missing amount, currency or type, a non-integer or negative amount, a currency other than THB or an unknown type is a 4xx error."""
    expect_error(scenarios.create_source(api, method, **change), "SRC-04")


@pytest.mark.rule("SRC-04")
@from_profile("method", scenarios.all_methods)
def test_a_json_amount_with_a_fraction_is_rejected(api, method):
    """A JSON number with a fraction is never a valid amount."""
    expect_error(scenarios.create_source(api, method, scenarios.valid_amount(method) + 0.5, encoding="json"), "SRC-04")


@pytest.mark.rule("SRC-05")
@from_profile("method", scenarios.bank_methods)
def test_a_bank_source_without_a_term_is_rejected(api, method):
    """A bank source without installment_term is a 4xx error."""
    expect_error(scenarios.create_source(api, method, installment_term=OMIT), "SRC-05")


@pytest.mark.rule("SRC-06")
@from_profile("method", scenarios.all_methods)
def test_a_new_source_has_charge_status_unknown(api, method):
    """A source that no charge uses yet has charge_status unknown."""
    source = scenarios.new_source(api, method)
    if "charge_status" not in source:
        pytest.skip("the target's source has no charge_status field (SRC-06 applies where it is present)")
    expect_field(source, "/charge_status", "unknown", "SRC-06")


@pytest.mark.rule("SRC-06")
@pytest.mark.needs("mark_as_paid")
@from_profile("method", scenarios.all_methods)
def test_charge_status_mirrors_the_charge(api, method):
    """Once charged, the source's charge_status follows its charge: pending, then successful."""
    charge = scenarios.pending_charge(api, method)
    source = scenarios.require(api.get(f"/sources/{charge['source']['id']}"), "GET /sources/{id}")
    if "charge_status" not in source:
        pytest.skip("the target's source has no charge_status field (SRC-06 applies where it is present)")
    expect_field(source, "/charge_status", "pending", "SRC-06")
    scenarios.require(scenarios.mark_as_paid(api, charge), "mark_as_paid")
    reply = api.get(f"/sources/{charge['source']['id']}")
    expect_field(reply, "/charge_status", "successful", "SRC-06")


@pytest.mark.rule("SRC-07")
@from_profile("method", scenarios.offline_methods)
def test_an_offline_source_echoes_its_promotion_code(api, method):
    """A PayNext source accepts an optional promotion_code and echoes it."""
    reply = scenarios.create_source(api, method, promotion_code="CONFORMANCE10")
    expect_success(reply, "SRC-07")
    expect_field(reply, "/promotion_code", "CONFORMANCE10", "SRC-07")


@pytest.mark.rule("SRC-08")
@from_profile("method", scenarios.all_methods)
def test_a_retrieved_source_equals_the_created_one(api, method):
    """GET /sources/{id} returns the source POST /sources created."""
    created = scenarios.new_source(api, method)
    reply = api.get(f"/sources/{created['id']}")
    expect_success(reply, "SRC-08")
    expect_field(reply, "", created, "SRC-08")
