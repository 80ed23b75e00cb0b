"""Hypothesis fuzzing of every endpoint: no input, however malformed, gets a 5xx or crashes the mock (API-05).

Thai text in values and keys, huge and negative numbers, deep brackets, wrong content types,
broken JSON, empty bodies, top-level arrays and strings. Every 4xx must be a valid error
object (API-01). The in-process client re-raises any exception the app lets escape, so a
crash fails the test as well as a 5xx. (Schemathesis fuzzing from the OpenAPI document
lives in test_mock_schemathesis.py.)
"""

from __future__ import annotations

import base64
import json
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from installment_conformance import schemas
from installment_conformance.mock import parsing
from installment_conformance.mock.errors import ApiError
from installment_conformance.mock.testing import MockClient, form_pairs

FIELDS = ["amount", "currency", "type", "installment_term", "source", "return_uri", "zero_interest_installments", "metadata",
          "limit", "offset", "order", "from", "to", "failure_code", "advance_seconds", "void", "promotion_code", "description"]
THAI = "กขฃคฅฆงจฉชซฌญฎฏฐฑฒณดตถทธนบปผฝพฟภมยรฤลฦวศษสหฬอฮะาำิีึืุูเแโใไๅๆ็่้๊๋์๐๑๒๓๔๕๖๗๘๙"
CONTENT_TYPES = ["application/json", "application/x-www-form-urlencoded", "application/json; charset=utf-8", "text/plain",
                 "multipart/form-data; boundary=x", "application/xml", "", "ผิด/ชนิด", "application/vnd.api+json"]
# (method, path template); {charge}, {source}, {refund}, {event} become a real id or fuzzed text.
# The webhook endpoint is left out: a fuzzed URL would make the mock POST events to any host.
ENDPOINTS = [
    ("POST", "/sources"), ("GET", "/sources/{source}"),
    ("POST", "/charges"), ("GET", "/charges"), ("GET", "/charges/{charge}"),
    ("POST", "/charges/{charge}/refunds"), ("GET", "/charges/{charge}/refunds"), ("GET", "/charges/{charge}/refunds/{refund}"),
    ("GET", "/charges/{charge}/events"), ("POST", "/charges/{charge}/mark_as_paid"), ("POST", "/charges/{charge}/mark_as_failed"),
    ("POST", "/charges/{charge}/expire"), ("GET", "/charges/{charge}/documents/{document}/downloads/{key}"),
    ("GET", "/refunds"), ("GET", "/events"), ("GET", "/events/{event}"), ("GET", "/capability"),
    ("GET", "/test_helpers/capabilities"), ("POST", "/test_helpers/reset"), ("GET", "/test_helpers/clock"), ("POST", "/test_helpers/clock"),
    ("PUT", "/charges"), ("DELETE", "/charges/{charge}"), ("PATCH", "/sources"), ("GET", "/{garbage}"),
]

texts = st.text(alphabet=st.sampled_from(THAI) | st.characters(codec="utf-8"), max_size=30)
numbers = st.one_of(
    st.integers(min_value=-(2**80), max_value=2**80),
    st.floats(),  # NaN and Infinity too: json.dumps writes them, and a body may carry them
    st.sampled_from([400000.5, 1e5, 1e308, -0.0, 2**63, 2**63 - 1, -(2**63) - 1]),
)
number_texts = st.one_of(numbers.map(str), st.sampled_from(["1e5", "400000.5", "9" * 100, "-1", "0x10", " 42", "๔๒", "NaN", "Infinity"]))
scalars = st.one_of(st.none(), st.booleans(), numbers, texts, number_texts)
keys = st.one_of(st.sampled_from(FIELDS), texts)
json_values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=4), max_leaves=20)
bracket_keys = st.builds(
    lambda root, parts: root + "".join(f"[{part}]" for part in parts),
    st.sampled_from(FIELDS) | texts,
    st.lists(st.sampled_from(["type", "installment_term", "", "0"]) | texts, max_size=5),
)
form_bodies = st.lists(st.tuples(bracket_keys, texts | number_texts), max_size=8).map(
    lambda pairs: "&".join(f"{quote(k)}={quote(v)}" for k, v in pairs).encode()
)
json_bodies = json_values.map(lambda value: json.dumps(value, ensure_ascii=False).encode("utf-8"))
raw_bodies = st.one_of(
    st.binary(max_size=64),
    st.sampled_from([b"", b"{", b"[]", b'"text"', b"null", b"{\"amount\": NaN}", b"{\"a\": 1e999}", b"[" * 5000, b"\"\\ud800\""]),
)
bodies = st.one_of(form_bodies, json_bodies, raw_bodies)
credentials = st.sampled_from(["secret", "public", None, "skey_5live", "skey_test_", "pkey_test_ทดสอบ", "Basic", "skey_test_other"])


@pytest.fixture(scope="module")
def mock() -> MockClient:
    """One mock for the whole module, with a charge, a refund and an event to aim at."""
    client = MockClient(account="fuzz")
    method = client.method("installment_kbank")
    charge = client.paid(method)
    client.ok(client.refund(charge))
    client.known = {"charge": charge["id"], "source": charge["source"]["id"],
                    "refund": client.ok(client.get(f"/charges/{charge['id']}/refunds"))["data"][0]["id"],
                    "event": client.ok(client.get("/events"))["data"][0]["id"]}
    return client


def assert_answer_is_not_a_failure(reply) -> None:
    """No 5xx; a 4xx is a JSON error object with location, code and message."""
    assert reply.status_code < 500, f"{reply.request.method} {reply.request.url} -> {reply.status_code} {reply.text[:300]}"
    if reply.status_code >= 400:
        body = reply.json()
        assert schemas.problems(body, "error") == [], body


def _path(template: str, ids: dict, fuzzed: str) -> str:
    """The path of `template` with real ids or fuzzed text."""
    path = template
    for name in ("charge", "source", "refund", "event", "document", "key", "garbage"):
        path = path.replace("{" + name + "}", ids.get(name) or quote(fuzzed, safe="") or "x")
    return path


def _auth(mock: MockClient, credential: str | None) -> dict:
    """The Authorization header for a credential choice."""
    if credential is None:
        return {}
    if credential == "Basic":
        return {"Authorization": "Basic ไม่ใช่"}
    key = {"secret": mock.secret_key, "public": mock.public_key}.get(credential, credential)
    return {"Authorization": "Basic " + base64.b64encode(f"{key}:".encode()).decode()}


FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck), database=None)


@FUZZ
@given(endpoint=st.sampled_from(ENDPOINTS), real_ids=st.booleans(), fuzzed=texts, body=bodies,
       content_type=st.sampled_from(CONTENT_TYPES), credential=credentials, query=st.dictionaries(keys, texts | number_texts, max_size=4))
def test_any_request_to_any_endpoint_gets_an_answer_below_500(mock, endpoint, real_ids, fuzzed, body, content_type, credential, query):
    method, template = endpoint
    path = _path(template, mock.known if real_ids else {}, fuzzed)
    headers = {**_auth(mock, credential), **({"Content-Type": content_type} if content_type else {})}
    try:
        headers_ok = {name: value.encode("latin-1").decode("latin-1") for name, value in headers.items()}
    except UnicodeEncodeError:
        headers_ok = {name: quote(value) for name, value in headers.items()}
    reply = mock.http.request(method, path, content=body, headers=headers_ok, params=query)
    assert_answer_is_not_a_failure(reply)


@FUZZ
@given(field=st.sampled_from(["amount", "currency", "type", "installment_term", "zero_interest_installments", "promotion_code", "metadata"]),
       value=json_values, as_json=st.booleans())
def test_a_valid_source_with_one_fuzzed_field_gets_an_answer_below_500(mock, field, value, as_json):
    params = {**mock.source_params(mock.method("installment_kbank")), field: value}
    if as_json:
        reply = mock.post("/sources", json=params, key="public")
    else:
        reply = mock.post("/sources", params if not isinstance(value, list) else {k: v for k, v in params.items() if k != field}, key="public")
    assert_answer_is_not_a_failure(reply)


@FUZZ
@given(field=st.sampled_from(["amount", "currency", "source", "return_uri", "zero_interest_installments", "description", "metadata"]),
       value=json_values, as_json=st.booleans())
def test_a_valid_charge_with_one_fuzzed_field_gets_an_answer_below_500(mock, field, value, as_json):
    method = mock.method("installment_paynext_extra_qr")
    params = {"source": {"type": method.type}, "amount": method.amount_min, "currency": "THB", "return_uri": "https://example.com", field: value}
    reply = mock.post("/charges", json=params) if as_json else mock.http.post(
        "/charges", content="&".join(f"{quote(k)}={quote(v)}" for k, v in form_pairs(params)),
        headers={"Content-Type": "application/x-www-form-urlencoded"}, auth=(mock.secret_key, ""))
    assert_answer_is_not_a_failure(reply)


@FUZZ
@given(amount=json_values, metadata=json_values, void=json_values)
def test_a_refund_with_fuzzed_fields_gets_an_answer_below_500(mock, amount, metadata, void):
    reply = mock.post(f"/charges/{mock.known['charge']}/refunds", json={"amount": amount, "metadata": metadata, "void": void})
    assert_answer_is_not_a_failure(reply)


@pytest.mark.parametrize("body, content_type", [
    (b"a" + b"[b]" * 1000 + b"=1", "application/x-www-form-urlencoded"),
    (b"[" * 1000 + b"]" * 1000, "application/json"),
    (b"{\"a\":" * 1000 + b"1" + b"}" * 1000, "application/json"),
    (b"[" * 100_000, "application/json"),
    (b"x=" + b"9" * 100_000, "application/x-www-form-urlencoded"),
    (b"&".join(b"k%d=1" % i for i in range(5000)), "application/x-www-form-urlencoded"),
    (b"a" * 2_000_000, "application/x-www-form-urlencoded"),
])
def test_deep_nesting_huge_and_numerous_fields_are_400(mock, body, content_type):
    reply = mock.http.post("/charges", content=body, headers={"Content-Type": content_type}, auth=(mock.secret_key, ""))
    assert reply.status_code == 400 and reply.json()["code"] in ("bad_request", "invalid_charge")


def test_thai_metadata_keys_and_values_are_echoed(mock):
    metadata = {"รหัสคำสั่งซื้อ": "๔๒", "note": "ผ่อน ๐% ๑๐ เดือน"}
    source = mock.source(mock.method("installment_kbank"))
    params = {"source": source["id"], "amount": source["amount"], "currency": "THB", "return_uri": "https://example.com", "metadata": metadata}
    assert mock.ok(mock.post("/charges", params))["metadata"] == metadata


def test_the_mock_still_answers_after_the_fuzzing(mock):
    assert mock.ok(mock.get("/capability"))["object"] == "capability"


def nested_json(levels: int, with_arrays: bool) -> bytes:
    """A JSON object nested `levels` deep, every other level an array when `with_arrays`."""
    value: object = {}
    for step in range(levels - 1):
        outermost = step == levels - 2
        value = [value] if with_arrays and step % 2 == 0 and not outermost else {"a": value}
    return json.dumps(value).encode()


@pytest.mark.parametrize("with_arrays", [False, True], ids=["objects", "objects-and-arrays"])
def test_json_nesting_is_taken_up_to_the_limit_and_refused_one_level_past_it(with_arrays):
    assert isinstance(parsing._json_object(nested_json(parsing.MAX_DEPTH, with_arrays)), dict)
    with pytest.raises(ApiError, match="nested more than"):
        parsing._json_object(nested_json(parsing.MAX_DEPTH + 1, with_arrays))
