"""The harness's parts on their own: keys and targets, the client's bodies and curl lines, contract failures, rule outcomes, deviations."""

from __future__ import annotations

import types

import httpx
import pytest
import yaml

from installment_conformance import catalogue, checks, deviations, target
from installment_conformance.client import Api, Reply, TargetUnavailable, form_pairs
from installment_conformance.meta import DataFileError
from installment_conformance.report.outcomes import Results, TestOutcome, fold


@pytest.mark.parametrize("key", ["skey_5abcdefgh", "pkey_live_x", "skey"])
def test_a_key_without_test_is_refused_without_showing_it(key):
    """Any key lacking `_test_` is a live key: refused, and the message shows at most its first five characters."""
    with pytest.raises(target.LiveKeyRefused, match="live key") as raised:
        target.refuse_live_keys("skey_test_fine", key)
    assert len(key) <= 5 or key not in str(raised.value)


def test_test_keys_pass_the_guard_and_generated_keys_share_a_suffix():
    """Well-formed test keys are accepted; the embedded mock's keys are a fresh pair for one account."""
    target.refuse_live_keys("pkey_test_abc", "skey_test_abc")
    public, secret = target.generated_keys()
    assert public.startswith("pkey_test_") and secret.startswith("skey_test_") and public[10:] == secret[10:]
    assert target.generated_keys() != (public, secret)


@pytest.mark.parametrize("value, accepted", [("mock", True), ("replay", True), ("https://sandbox.example/", True),
                                             ("http://127.0.0.1:12111", True), ("ftp://x", False), ("sandbox", False)])
def test_the_target_option_takes_mock_replay_or_an_http_url(value, accepted):
    """--target is checked before anything runs."""
    if accepted:
        assert target.check_target_option(value) == value.rstrip("/")
    else:
        with pytest.raises(ValueError, match="http"):
            target.check_target_option(value)


def test_a_target_url_is_shown_without_credentials():
    """Reports and cassettes never show user:password@."""
    assert target.without_credentials("https://skey_test_x:pw@sandbox.example:8443/v1") == "https://sandbox.example:8443/v1"


def test_form_bodies_nest_with_brackets():
    """Dicts become bracketed names; booleans are true/false."""
    assert form_pairs({"source": {"type": "installment_kbank", "installment_term": 4}, "zero_interest_installments": False}) == [
        ("source[type]", "installment_kbank"), ("source[installment_term]", "4"), ("zero_interest_installments", "false")]


def _api(handler) -> Api:
    """An Api whose requests go to `handler` (httpx.MockTransport), never to the network."""
    return Api("http://127.0.0.1:9", "pkey_test_units", "skey_test_units", transport=httpx.MockTransport(handler))


def test_the_curl_line_names_the_key_variable_never_the_key():
    """A reply's curl line reproduces the request with $OMISE_SECRET_KEY in place of the key."""
    seen = {}

    def handler(request):
        seen["authorization"] = request.headers.get("authorization")
        return httpx.Response(200, json={"object": "source"})

    reply = _api(handler).post("/sources", {"amount": 1, "source": {"type": "x"}})
    assert seen["authorization"].startswith("Basic ")
    assert '-u "$OMISE_SECRET_KEY:"' in reply.curl and "skey_test_units" not in reply.curl
    assert "source%5Btype%5D=x" in reply.curl and reply.body == {"object": "source"}


def test_a_target_that_keeps_timing_out_is_given_up_on_without_waiting_again():
    """After three timeouts in a row the client fails at once, naming the last request that got no answer."""
    calls = []

    def handler(request):
        calls.append(request)
        raise httpx.ReadTimeout("slow", request=request)

    api = _api(handler)
    for _ in range(3):
        with pytest.raises(TargetUnavailable, match="no answer within"):
            api.get("/charges")
    with pytest.raises(TargetUnavailable, match="stopped answering.*GET /charges"):
        api.get("/charges")
    assert len(calls) == 3


def _reply(status: int, body, text: str | None = None) -> Reply:
    """A reply as the client builds it."""
    import json

    return Reply("POST", "http://127.0.0.1:9/sources", status, text if text is not None else json.dumps(body), body,
                 "curl -X POST http://127.0.0.1:9/sources -u \"$OMISE_SECRET_KEY:\"", {})


def test_a_contract_failure_names_rule_statement_expected_received_pointer_and_curl():
    """The message a reviewer reads: every part of the failure is there."""
    rule = catalogue.load().rule("SRC-02")
    with pytest.raises(checks.ContractFailure) as raised:
        checks.expect_field(_reply(200, {"object": "source", "flow": "redirect"}), "/flow", "offline", "SRC-02")
    message = str(raised.value)
    for part in ("SRC-02 (exact)", rule.statement, 'expected: "offline"', 'received: "redirect"', "at: /flow", "$OMISE_SECRET_KEY"):
        assert part in message


@pytest.mark.parametrize("reply, words", [
    (_reply(200, {"object": "source"}), "4xx"),
    (_reply(400, None, "<html>oops</html>"), "error object"),
    (_reply(400, {"object": "error", "code": "bad_request"}), "/location"),
    (_reply(500, {"object": "error", "location": "x", "code": "c", "message": "m"}), "500"),
])
def test_expect_error_wants_a_4xx_error_object_with_location_code_and_message(reply, words):
    """A success, an HTML page, an incomplete error or a 5xx each fail with a message showing what arrived."""
    with pytest.raises(checks.ContractFailure, match=words):
        checks.expect_error(reply, "SRC-04")


def test_a_class_rule_may_not_assert_a_pinned_code():
    """Asking for a code on a class rule is the suite's mistake, not the target's, and says so."""
    with pytest.raises(checks.SuiteMisuse, match="class rule"):
        checks.expect_error(_reply(400, {"object": "error", "location": "x", "code": "bad_request", "message": "m"}), "SRC-04",
                            code="bad_request")


def test_expect_field_tells_zero_from_false_and_a_missing_field_from_null():
    """Types count: 0 is not false; a missing field is not null."""
    with pytest.raises(checks.ContractFailure, match="received: 0"):
        checks.expect_field({"paid": 0}, "/paid", False, "LIF-02")
    with pytest.raises(checks.ContractFailure, match="missing"):
        checks.expect_field({}, "/failure_code", None, "LIF-02")
    assert checks.expect_field({"failure_code": None}, "/failure_code", None, "LIF-02") is None


def _test(outcome: str, failed_rules=None, message=None) -> TestOutcome:
    """A test outcome."""
    return TestOutcome("t", outcome, 0.0, message, failed_rules)


@pytest.mark.parametrize("tests, expected", [
    ([_test("passed"), _test("failed")], "fail"),
    ([_test("passed"), _test("skipped", message="needs capability clock")], "pass"),
    ([_test("skipped", message="needs capability clock")], "not_applicable"),
    ([_test("xfailed", message="known deviation RFD-03: x")], "known_deviation"),
    ([_test("xpassed")], "fail"),
    ([_test("error")], "fail"),
    ([_test("failed", failed_rules=frozenset({"FEE-01"}))], "fail"),
    ([], "not_run"),
])
def test_test_outcomes_fold_into_a_rule_outcome(tests, expected):
    """Any failure fails the rule; skips alone make it not applicable; a deviation is reported as such."""
    assert fold("API-05", tests)[0] == expected


def test_a_failure_naming_another_rule_does_not_pass_or_fail_this_one_on_its_own():
    """A multi-rule test that failed on FEE-01 fails FEE-01; for API-05 it is inconclusive, not a pass."""
    failed = _test("failed", failed_rules=frozenset({"FEE-01"}))
    assert fold("FEE-01", [failed])[0] == "fail"
    assert failed.for_rule("API-05") == "inconclusive"
    assert fold("API-05", [failed, _test("passed")])[0] == "pass"


def test_results_record_skip_reasons_and_failure_messages():
    """Phase reports become test outcomes with the skip reason or the failure message."""
    results = Results(rules_of={"a": ["RFD-07"], "b": ["FEE-01", "API-05"]})
    results.record(types.SimpleNamespace(nodeid="a", duration=0.1, when="setup", skipped=True, failed=False,
                                         longrepr=("f", 1, "Skipped: needs capability clock (the target does not offer it)")))
    results.record(types.SimpleNamespace(nodeid="b", duration=0.1, when="call", skipped=False, failed=True, longrepr="x",
                                         conformance_message="FEE-01 (exact): fee_vat..."))
    assert results.tests["a"].outcome == "skipped" and results.tests["a"].message.startswith("needs capability clock")
    assert results.tests["b"].failed_rules == frozenset({"FEE-01"})


def test_a_deviations_file_is_validated_and_matches_by_rule_and_test_text(tmp_path):
    """Unknown rules and bad shapes are rejected naming the file; `tests` narrows a deviation to matching test ids."""
    good = tmp_path / "good.yaml"
    good.write_text(yaml.safe_dump({"deviations": [{"rule": "RFD-03", "reason": "r", "tests": "installment_bbl"}]}))
    loaded = deviations.load(good, catalogue.load())
    assert loaded.matching(["RFD-03"], "x[RFD-03-installment_bbl]").reason == "r"
    assert loaded.matching(["RFD-03"], "x[RFD-03-installment_kbank]") is None
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump({"deviations": [{"rule": "XYZ-01", "reason": "r"}]}))
    with pytest.raises(DataFileError, match="XYZ-01"):
        deviations.load(bad, catalogue.load())
    bad.write_text(yaml.safe_dump({"deviations": [{"rule": "RFD-03"}]}))
    with pytest.raises(DataFileError, match="reason"):
        deviations.load(bad, catalogue.load())
