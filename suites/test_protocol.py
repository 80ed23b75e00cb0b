"""Protocol and errors (API-01..06): error objects, authentication, unknown ids, form and JSON alike, no 5xx, schema-valid bodies."""

from __future__ import annotations

import json

import pytest

from installment_conformance import paths, scenarios
from installment_conformance.checks import expect_error, expect_field, expect_schema, expect_status, expect_success
from installment_conformance.scenarios import from_profile

pytest_generate_tests = scenarios.pytest_generate_tests

UNKNOWN = {"source": "src_test_0000000000000000000", "charge": "chrg_test_0000000000000000000",
           "event": "evnt_test_0000000000000000000", "refund": "rfnd_test_0000000000000000000"}
# Requests that must be answered 401 authentication_failure: (id, method, path, key, Authorization header).
UNAUTHENTICATED = (
    ("no-key-get-charges", "GET", "/charges", None, None),
    ("no-key-post-sources", "POST", "/sources", None, None),
    ("no-key-post-charges", "POST", "/charges", None, None),
    ("no-key-get-events", "GET", "/events", None, None),
    ("malformed-key-get-charges", "GET", "/charges", "not a key", None),
    ("malformed-key-post-sources", "POST", "/sources", "key_without_a_prefix", None),
    ("bearer-scheme", "POST", "/sources", None, "Bearer skey_test_conformance"),
    ("basic-not-base64", "POST", "/sources", None, "Basic !!!not-base64!!!"),
    ("basic-without-colon", "POST", "/sources", None, "Basic bm90LWEta2V5"),
    ("empty-header", "POST", "/sources", None, ""),
)
# Fields of a source and of a charge that do not depend on ids or times: what form and JSON must agree on.
SOURCE_FIELDS = ("object", "type", "flow", "amount", "currency", "installment_term", "zero_interest_installments", "charge_status", "livemode")
CHARGE_FIELDS = ("object", "status", "amount", "currency", "fee", "fee_vat", "interest", "interest_vat", "net", "funding_amount",
                 "paid", "authorized", "refundable", "voided", "expired", "zero_interest_installments", "return_uri", "refunded_amount")
# Request bodies no API reads: each must get a 4xx error, never a 5xx. (id, content type, body)
DEEP = '{"a":' * 2000 + "1" + "}" * 2000
MALFORMED_BODIES = (
    ("json-truncated", "application/json", '{"amount": 400000, "currency": "THB", "type": '),
    ("json-array", "application/json", "[]"),
    ("json-null", "application/json", "null"),
    ("json-string", "application/json", '"installment"'),
    ("json-deep-nesting", "application/json", DEEP),
    ("json-huge-number", "application/json", '{"amount": 1e999, "currency": "THB", "type": "installment_kbank", "installment_term": 4}'),
    ("json-huge-integer", "application/json", '{"amount": ' + "9" * 400 + ', "currency": "THB", "type": "installment_kbank"}'),
    ("json-thai-text", "application/json", '{"amount": "สามพันบาท", "currency": "บาท", "type": "ผ่อนชำระ"}'),
    ("json-null-byte", "application/json", '{"amount": "4\\u0000", "currency": "THB\\u0000", "type": "installment_kbank"}'),
    ("json-nested-where-scalar", "application/json", '{"amount": {"value": 1}, "currency": ["THB"], "type": {"a": "b"}}'),
    ("json-duplicate-keys", "application/json", '{"amount": 1, "amount": "x", "currency": "THB", "type": "installment_kbank"}'),
    ("invalid-utf8", "application/json", b'{"type": "\xff\xfe"}'),
    ("text-plain", "text/plain", "amount=400000&currency=THB&type=installment_kbank"),
    ("xml", "application/xml", "<source><amount>1</amount></source>"),
    ("form-bracket-clash", "application/x-www-form-urlencoded", "source=1&source[type]=installment_kbank&amount[]=1&amount=2"),
    ("form-deep-brackets", "application/x-www-form-urlencoded", "type" + "[a]" * 500 + "=1"),
    ("form-bad-percent", "application/x-www-form-urlencoded", "amount=%ZZ&currency=%&type=%E0%B8"),
    ("form-thai", "application/x-www-form-urlencoded", "amount=สามพัน&currency=บาท&type=ผ่อน"),
    ("form-huge-amount", "application/x-www-form-urlencoded", "amount=" + "9" * 5000 + "&currency=THB&type=installment_kbank"),
    ("empty-body", "application/json", ""),
)
MALFORMED_PATHS = ("/sources", "/charges")
# Query strings nobody documents: a target may ignore or refuse them, never fail on them.
ODD_QUERIES = ({"limit": "abc"}, {"limit": "-1"}, {"limit": "100000000000000000000"}, {"offset": "x"},
               {"order": "sideways"}, {"from": "not-a-date"}, {"to": "2020-13-45T99:99:99Z"}, {"limit": "ร้อย"})
# The seeds' documented payloads, each with the schema its file name names (bank-installments.charge.json -> charge).
SEED_EXAMPLES = [pytest.param(path, path.name.split(".")[-2], id=path.stem) for path in sorted((paths.SCHEMAS / "examples").glob("*.json"))]


def _error_requests(loaded):
    """Requests every target answers with an error, one per kind of mistake."""
    method = next(iter(loaded.banks), next(iter(loaded.methods.values())))
    return [
        pytest.param("GET", "/charges", None, {"key": None}, id="no-credentials"),
        pytest.param("GET", f"/charges/{UNKNOWN['charge']}", None, {}, id="unknown-charge"),
        pytest.param("POST", "/sources", scenarios.source_params(method, amount=-1), {}, id="bad-source"),
        pytest.param("POST", "/sources", {"amount": "x"}, {"encoding": "json"}, id="bad-json-source"),
        pytest.param("POST", "/charges", {"source": UNKNOWN["source"], "amount": "x"}, {}, id="bad-charge"),
        pytest.param("POST", f"/charges/{UNKNOWN['charge']}/refunds", {"amount": 1}, {}, id="refund-of-unknown-charge"),
    ]


def _unknown_ids(loaded):
    """Paths naming objects that do not exist."""
    return [
        pytest.param("GET", f"/sources/{UNKNOWN['source']}", id="get-unknown-source"),
        pytest.param("GET", f"/charges/{UNKNOWN['charge']}", id="get-unknown-charge"),
        pytest.param("GET", f"/events/{UNKNOWN['event']}", id="get-unknown-event"),
        pytest.param("GET", f"/charges/{UNKNOWN['charge']}/refunds", id="list-refunds-of-unknown-charge"),
        pytest.param("GET", f"/charges/{UNKNOWN['charge']}/events", id="list-events-of-unknown-charge"),
        pytest.param("POST", f"/charges/{UNKNOWN['charge']}/refunds", id="refund-unknown-charge"),
    ]


def _send(api, verb: str, path: str, data=None, **options):
    if verb == "GET":
        return api.get(path, key=options.get("key", "secret"))
    return api.post(path, data, **options)


def _same_fields(form_body: dict, json_body: dict, fields, rule: str) -> None:
    """Form and JSON answers agree on every listed field either of them has."""
    for field in fields:
        if field in form_body or field in json_body:
            expect_field(json_body, f"/{field}", form_body.get(field), rule)


@pytest.mark.rule("API-01")
@from_profile("verb, path, data, options", _error_requests)
def test_every_error_is_an_error_object(api, verb, path, data, options):
    """An error body is an `error` object with location, code and message."""
    reply = _send(api, verb, path, data, **options)
    expect_error(reply, "API-01")
    expect_schema(reply, "error", "API-01")
    for field in ("location", "code", "message"):
        assert isinstance(reply.body.get(field), str) and reply.body[field], f"API-01: the error's {field} is {reply.body.get(field)!r}\n{reply.curl}"


@pytest.mark.rule("API-02")
@pytest.mark.parametrize("verb, path, key, authorization", [pytest.param(*case[1:], id=case[0]) for case in UNAUTHENTICATED])
def test_missing_or_wrong_credentials_get_401(api, verb, path, key, authorization):
    """No key, a malformed key or a malformed Authorization header gets 401 authentication_failure."""
    if authorization is not None:
        reply = scenarios.send_raw(api, verb, path, headers={"Authorization": authorization})
    else:
        reply = _send(api, verb, path, {} if verb == "POST" else None, key=key)
    expect_error(reply, "API-02", status=401, code="authentication_failure")


@pytest.mark.rule("API-03")
@from_profile("verb, path", _unknown_ids)
def test_unknown_ids_get_404(api, verb, path):
    """An id that names no object gets 404 not_found."""
    expect_error(_send(api, verb, path, {"amount": 1} if verb == "POST" else None), "API-03", status=404, code="not_found")


@pytest.mark.rule("API-03")
@pytest.mark.needs("mark_as_paid")
@from_profile("method", scenarios.all_methods)
def test_an_unknown_refund_of_a_known_charge_gets_404(api, method):
    """GET /charges/{id}/refunds/{rfnd_id} with an unknown refund id gets 404 not_found."""
    charge = scenarios.successful_charge(api, method)
    expect_error(api.get(f"/charges/{charge['id']}/refunds/{UNKNOWN['refund']}"), "API-03", status=404, code="not_found")


@pytest.mark.rule("API-04")
@from_profile("method", scenarios.all_methods)
def test_form_and_json_create_the_same_source_and_charge(api, method):
    """A source and a charge created form-encoded equal those created from the same JSON body."""
    form_source, json_source = (scenarios.new_source(api, method, encoding=encoding) for encoding in ("form", "json"))
    _same_fields(form_source, json_source, SOURCE_FIELDS, "API-04")
    form_charge, json_charge = (
        scenarios.require(scenarios.create_charge(api, source, encoding=encoding), f"POST /charges ({encoding})")
        for source, encoding in ((form_source, "form"), (json_source, "json"))
    )
    _same_fields(form_charge, json_charge, CHARGE_FIELDS, "API-04")
    _same_fields(form_charge["source"], json_charge["source"], SOURCE_FIELDS, "API-04")


def _banks_and_flags(loaded):
    """Every bank with each value of zero_interest_installments."""
    return [pytest.param(method, flag, id=f"{method.type}-{str(flag).lower()}") for method in loaded.banks for flag in (False, True)]


@pytest.mark.rule("API-04")
@from_profile("method, flag", _banks_and_flags)
def test_form_and_json_read_a_boolean_alike(api, method, flag):
    """zero_interest_installments sent form-encoded ("false"/"true") means what the JSON boolean means, on the source and the charge."""
    form_source, json_source = (scenarios.new_source(api, method, zero_interest_installments=flag, encoding=encoding)
                                for encoding in ("form", "json"))
    _same_fields(form_source, json_source, SOURCE_FIELDS, "API-04")
    form_charge, json_charge = (
        scenarios.require(scenarios.create_charge(api, source, encoding=encoding, zero_interest_installments=flag), f"POST /charges ({encoding})")
        for source, encoding in ((form_source, "form"), (json_source, "json"))
    )
    _same_fields(form_charge, json_charge, CHARGE_FIELDS, "API-04")


@pytest.mark.rule("API-04")
@from_profile("method", scenarios.all_methods)
def test_form_and_json_create_the_same_one_call_charge(api, method):
    """A one-call charge with nested source fields is the same form-encoded (brackets) and as JSON."""
    form_charge, json_charge = (
        scenarios.require(scenarios.create_inline_charge(api, method, encoding=encoding), f"POST /charges ({encoding})")
        for encoding in ("form", "json")
    )
    _same_fields(form_charge, json_charge, CHARGE_FIELDS, "API-04")
    _same_fields(form_charge["source"], json_charge["source"], SOURCE_FIELDS, "API-04")


@pytest.mark.rule("API-04")
@from_profile("method", scenarios.all_methods)
def test_form_and_json_reject_the_same_bad_source(api, method):
    """A source one satang under the minimum is refused with the same status and code in both encodings."""
    form_reply, json_reply = (scenarios.create_source(api, method, method.amount_min - 1, encoding=e) for e in ("form", "json"))
    expect_error(form_reply, "API-04")
    expect_error(json_reply, "API-04", status=form_reply.status, code=form_reply.body.get("code"))


@pytest.mark.rule("API-04")
@pytest.mark.needs("mark_as_paid")
@from_profile("method", scenarios.all_methods)
def test_form_and_json_refund_alike(api, method):
    """A full refund sent form-encoded and one sent as JSON give the same refund."""
    refunds = []
    for encoding in ("form", "json"):
        charge = scenarios.successful_charge(api, method)
        reply = api.post(f"/charges/{charge['id']}/refunds", {"amount": charge["amount"]}, encoding=encoding)
        expect_success(reply, "API-04")
        refunds.append(reply.body)
    _same_fields(refunds[0], refunds[1], ("object", "amount", "currency", "voided", "status"), "API-04")


@pytest.mark.rule("API-05", "API-01")
@pytest.mark.parametrize("path", MALFORMED_PATHS)
@pytest.mark.parametrize("content_type, body", [pytest.param(*case[1:], id=case[0]) for case in MALFORMED_BODIES])
def test_a_malformed_body_gets_a_4xx_error(api, path, content_type, body):
    """A body no one can read gets a 4xx error object, never a 5xx."""
    reply = scenarios.send_raw(api, "POST", path, content=body, headers={"Content-Type": content_type}, key="secret")
    expect_error(reply, "API-05")
    expect_schema(reply, "error", "API-01")


@pytest.mark.rule("API-05")
@pytest.mark.parametrize("path", ("/charges", "/events", "/refunds"))
@pytest.mark.parametrize("query", ODD_QUERIES, ids=lambda query: "-".join(f"{k}-{v}" for k, v in query.items()))
def test_odd_list_parameters_never_get_a_5xx(api, path, query):
    """Undocumented list parameters are ignored or refused with a 4xx, never answered with a 5xx."""
    reply = api.get(path, query)
    assert reply.status < 500, f"API-05: GET {path} with {query} answered {reply.status}\n{reply.curl}"
    if reply.status >= 400:
        expect_error(reply, "API-05")


@pytest.mark.rule("API-05")
@pytest.mark.parametrize("verb, path", [
    pytest.param("GET", "/no_such_endpoint", id="GET-no_such_endpoint"),
    pytest.param("POST", "/sources/src_test_x/refunds", id="POST-source_refunds"),
    pytest.param("DELETE", "/charges", id="DELETE-charges"),
    pytest.param("PUT", "/sources", id="PUT-sources"),
    pytest.param("GET", "/charges/" + "x" * 5000, id="GET-charge_id_of_5000_characters"),
])
def test_unknown_routes_never_get_a_5xx(api, verb, path):
    """A path or method the API does not have gets a 4xx error, never a 5xx."""
    expect_error(scenarios.send_raw(api, verb, path, key="secret"), "API-05")


@pytest.mark.rule("API-06")
@from_profile("method", scenarios.all_methods)
def test_a_new_source_charge_their_events_and_lists_validate(api, method):
    """A source, its pending charge, the charge's events and the list endpoints validate against their JSON Schemas."""
    source = scenarios.create_source(api, method)
    expect_schema(source, "source", "API-06")
    charge = scenarios.create_charge(api, source.body)
    expect_schema(charge, "charge", "API-06")
    for event in scenarios.charge_events(api, charge.body["id"]):
        expect_schema(event, "event", "API-06")
    for path in ("/charges", "/events", "/refunds", f"/charges/{charge.body['id']}/refunds", f"/charges/{charge.body['id']}/events"):
        expect_schema(api.get(path), "list", "API-06")


@pytest.mark.rule("API-06")
@from_profile("method, state", lambda p: [pytest.param(m, state, id=f"{m.type}-{state}", marks=scenarios.state_marks(state))
                                          for m in p.methods.values() for state in scenarios.FINAL_STATES])
def test_a_completed_charge_validates(api, method, state):
    """A successful, failed or expired charge validates against the charge schema."""
    charge = scenarios.charge_in_state(api, method, state)
    expect_schema(api.get(f"/charges/{charge['id']}"), "charge", "API-06")


@pytest.mark.rule("API-06")
@pytest.mark.needs("mark_as_paid")
@from_profile("method", scenarios.all_methods)
def test_a_refund_and_its_lists_validate(api, method):
    """A refund, as created, retrieved and listed, validates against its JSON Schema."""
    charge = scenarios.successful_charge(api, method)
    refund = scenarios.refund(api, charge)
    expect_schema(refund, "refund", "API-06")
    expect_schema(api.get(f"/charges/{charge['id']}/refunds/{refund.body['id']}"), "refund", "API-06")
    expect_schema(api.get(f"/charges/{charge['id']}/refunds"), "list", "API-06")
    expect_schema(scenarios.get_charge(api, charge["id"]), "charge", "API-06")


@pytest.mark.rule("API-06")
@pytest.mark.needs("capability_endpoint")
def test_the_capability_validates_against_its_schema(api):
    """GET /capability validates against the capability schema."""
    expect_schema(api.get("/capability"), "capability", "API-06")


@pytest.mark.rule("API-06")
@pytest.mark.parametrize("path, schema_name", SEED_EXAMPLES)
def test_the_seed_examples_validate(path, schema_name):
    """Every payload the seeds document validates against the schema of its object."""
    expect_schema(json.loads(path.read_text(encoding="utf-8")), schema_name, "API-06")


@pytest.mark.rule("API-02")
def test_a_valid_secret_key_is_accepted(api):
    """The run's own secret key is accepted: the 401s above are about the credentials, not the endpoint."""
    expect_status(api.get("/charges"), 200, "API-02")
