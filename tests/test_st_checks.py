"""The schemathesis rule checks: they pass the seeds' documented payloads and name the rule they fail."""

from __future__ import annotations

import json
from types import SimpleNamespace
from urllib.parse import parse_qsl

import pytest

from installment_conformance import paths, profile, st_checks

EXAMPLES = paths.SCHEMAS / "examples"
SEED_CHARGES = sorted(EXAMPLES.glob("*.charge.json"))


def reply(status: int, body) -> SimpleNamespace:
    """A stand-in for schemathesis's Response with the fields the checks read."""
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    return SimpleNamespace(status_code=status, content=content, text=content.decode("utf-8", "replace"))


CASE = SimpleNamespace(method="POST", formatted_path="/charges")


def seed_charge(path) -> dict:
    """A charge the seeds document."""
    return json.loads(path.read_text(encoding="utf-8"))


def test_the_seeds_document_charges():
    assert len(SEED_CHARGES) == 2


@pytest.mark.parametrize("path", SEED_CHARGES, ids=lambda p: p.name)
def test_a_seed_charge_passes_every_check(path):
    charge = seed_charge(path)
    assert st_checks.money_mismatches(charge, profile.load()) == []
    for check in st_checks.CONTRACT_CHECKS:
        assert check(None, reply(200, charge), CASE) is None


@pytest.mark.parametrize(
    ("field", "rule"),
    [("fee", "FEE-01"), ("fee_vat", "FEE-01"), ("interest_vat", "FEE-02"), ("net", "FEE-03"), ("funding_amount", "FEE-03")],
)
def test_a_charge_off_by_one_satang_fails_naming_its_rule(field, rule):
    charge = seed_charge(SEED_CHARGES[0])
    charge[field] += 1
    with pytest.raises(AssertionError, match=rule) as failure:
        st_checks.contract_charge_money(None, reply(200, charge), CASE)
    assert f"/{field}" in str(failure.value)


def test_charges_inside_lists_and_events_are_checked_too():
    charge = seed_charge(SEED_CHARGES[0])
    charge["net"] -= 1
    event = {"object": "event", "data": charge}
    listing = {"object": "list", "data": [seed_charge(SEED_CHARGES[1]), event]}
    with pytest.raises(AssertionError, match="FEE-03"):
        st_checks.contract_charge_money(None, reply(200, listing), CASE)


def test_a_transaction_fee_rate_other_than_the_profile_fails_fee_01():
    charge = seed_charge(SEED_CHARGES[0])
    charge["transaction_fees"] = {"fee_flat": "0.0", "fee_rate": "3.5", "vat_rate": "7.0"}
    with pytest.raises(AssertionError, match="FEE-01.*fee_rate"):
        st_checks.contract_charge_money(None, reply(200, charge), CASE)


def test_a_server_error_fails_api_05():
    with pytest.raises(AssertionError, match="API-05"):
        st_checks.contract_no_server_error(None, reply(502, b"Bad Gateway"), CASE)
    assert st_checks.contract_no_server_error(None, reply(404, {}), CASE) is None


@pytest.mark.parametrize(
    "body",
    [b"Method Not Allowed", {"object": "error", "code": "bad_request"}, {"error": "amount is wrong"}],
    ids=["text", "no-message", "not-an-error-object"],
)
def test_a_4xx_without_an_error_object_fails_api_01(body):
    with pytest.raises(AssertionError, match="API-01"):
        st_checks.contract_error_object(None, reply(400, body), CASE)


def test_a_contract_error_object_passes_api_01():
    error = {"object": "error", "location": "https://www.omise.co/api-errors#bad-request", "code": "bad_request", "message": "amount is missing"}
    assert st_checks.contract_error_object(None, reply(400, error), CASE) is None


def test_a_2xx_body_that_breaks_its_schema_fails_api_06():
    charge = seed_charge(SEED_CHARGES[0])
    charge["amount"] = "400000"
    with pytest.raises(AssertionError, match="API-06.*/amount"):
        st_checks.contract_body_schema(None, reply(200, charge), CASE)


def test_objects_without_a_schema_and_non_json_bodies_are_left_to_other_checks():
    assert st_checks.contract_body_schema(None, reply(200, {"object": "test_clock", "now": "x"}), CASE) is None
    assert st_checks.contract_body_schema(None, reply(200, b"\x89PNG\r\n"), CASE) is None


def test_every_contract_check_names_the_rules_it_covers():
    assert st_checks.checked_rules(st_checks.CONTRACT_CHECKS) == ("API-05", "API-01", "API-06", "FEE-01", "FEE-02", "FEE-03")


def test_form_bodies_use_bracket_nesting_and_lower_case_booleans():
    body = {"amount": 400000, "source": {"type": "installment_kbank", "installment_term": 4}, "zero_interest_installments": False}
    encoded = st_checks.bracket_form_serializer(None, body).decode("ascii")
    assert parse_qsl(encoded) == [
        ("amount", "400000"),
        ("source[type]", "installment_kbank"),
        ("source[installment_term]", "4"),
        ("zero_interest_installments", "false"),
    ]


def test_form_bodies_that_are_not_objects_still_go_out_as_text():
    assert st_checks.bracket_form_serializer(None, [1, 2]) == b"[1, 2]"
    assert st_checks.bracket_form_serializer(None, "amount=1") == b"amount=1"
