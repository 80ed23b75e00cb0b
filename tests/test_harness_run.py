"""The conformance run end to end: the embedded mock passes every rule, faults fail theirs, guards, capabilities, deviations, hostile targets."""

from __future__ import annotations

import subprocess
import sys
import xml.etree.ElementTree as ElementTree

import pytest
import yaml
from harness_targets import (
    TEST_KEYS,
    conformance,
    hostile_target,
    outcomes_by_rule,
    read_report,
    rule_entry,
    without_test_helpers,
)

from installment_conformance import catalogue, paths
from installment_conformance.mock import create_app
from installment_conformance.mock.serve import start_background

# A sample of faults, one per kind of subtlety, with the rule each breaks: the full catalogue is `installment-conformance mutate`.
FAULT_SAMPLE = (
    ("amount_min_off_by_one", "AMT-01"),
    ("bank_accepts_first_missing_term", "TRM-01"),
    ("vat_half_even", "FEE-01"),
    ("bank_partial_refund_allowed", "RFD-03"),
    ("void_window_utc", "RFD-05"),
    ("refund_race", "RFD-04"),
    ("stale_event_payload", "EVT-02"),
    ("refundable_flag_lies", "RFD-08"),
    ("error_is_500", "API-05"),
)


def test_the_embedded_mock_passes_every_rule_and_writes_every_report(tmp_path):
    """`installment-conformance run --report DIR` (the README's main job) passes all rules and writes json, md, html and junit."""
    result = conformance("run", "--report", "out", cwd=tmp_path)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    report = read_report(tmp_path / "out")
    assert set(outcomes_by_rule(report).values()) == {"pass"}
    assert [rule["id"] for rule in report["rules"]] == catalogue.load().ids
    assert report["summary"] == {"pass": len(catalogue.load().ids), "fail": 0, "not_applicable": 0, "known_deviation": 0, "not_run": 0}
    assert "rules: 60 pass" in result.stdout
    junit = ElementTree.parse(tmp_path / "out" / "junit.xml").getroot()
    suite = junit if junit.tag == "testsuite" else junit.find("testsuite")
    assert int(suite.get("tests")) == report["tests"] and int(suite.get("failures")) == 0
    for name in ("report.md", "report.html"):
        text = (tmp_path / "out" / name).read_text(encoding="utf-8")
        assert all(rule_id in text for rule_id in catalogue.load().ids), f"{name} misses rules"


@pytest.mark.parametrize("fault, rule", FAULT_SAMPLE, ids=[f"{rule}-{fault}" for fault, rule in FAULT_SAMPLE])
def test_a_fault_of_the_mock_fails_the_rule_it_breaks(tmp_path, fault, rule):
    """The mock started with a named fault fails the fault's rule, and the run exits 1."""
    result = conformance("run", "--fault", fault, "-k", rule, "--report", "out", cwd=tmp_path)
    assert result.returncode == 1, result.stdout[-3000:]
    report = read_report(tmp_path / "out")
    assert outcomes_by_rule(report)[rule] == "fail"
    failing = [test for test in rule_entry(report, rule)["tests"] if test["outcome"] == "failed"]
    assert failing and all(rule in test["message"] for test in failing)


def test_k_with_a_rule_id_runs_only_that_rule(tmp_path):
    """`-k RFD-03` selects exactly the tests of RFD-03, and their ids start with the rule id."""
    result = conformance("run", "-k", "RFD-03", "--report", "out", cwd=tmp_path)
    assert result.returncode == 0, result.stdout[-3000:]
    report = read_report(tmp_path / "out")
    assert outcomes_by_rule(report) == {"RFD-03": "pass"}
    assert all("[RFD-03-" in test["id"] for test in rule_entry(report, "RFD-03")["tests"])


def test_a_live_key_stops_the_run_before_any_request(tmp_path):
    """A key without _test_ is refused with a reason, and the target receives nothing."""
    with hostile_target("html") as server:
        result = conformance("run", "--target", server.url, cwd=tmp_path,
                             env={"OMISE_PUBLIC_KEY": "pkey_5xyz", "OMISE_SECRET_KEY": "skey_5xyz"})
        assert server.requests == 0
    assert result.returncode == 4
    assert "live key" in result.stderr and "_test_" in result.stderr


@pytest.mark.parametrize("args, env, words", [
    (("--target", "ftp://example.com"), TEST_KEYS, "'mock'"),
    (("--target", "http://127.0.0.1:9"), {}, "OMISE_PUBLIC_KEY"),
    (("--fault", "no_such_fault"), {}, "no_such_fault"),
    (("--deviations", "missing.yaml"), {}, "missing.yaml"),
], ids=["bad-target", "url-without-keys", "unknown-fault", "missing-deviations-file"])
def test_misuse_is_a_usage_error_saying_what_to_fix(tmp_path, args, env, words):
    """Wrong options stop the run with exit status 4 (pytest's usage error) and a message naming the problem."""
    result = conformance("run", *args, cwd=tmp_path, env=env)
    assert result.returncode in (2, 4), result.stdout[-2000:] + result.stderr[-2000:]
    assert words in result.stderr + result.stdout


def test_missing_capabilities_make_rules_not_applicable_naming_them(tmp_path):
    """Against a target without test helpers or test-mode actions, rules needing them are not applicable, never passed."""
    with start_background(app=without_test_helpers(create_app())) as target:
        result = conformance("run", "--target", target.base_url, "-k", "RFD-07 or LIF-04 or EVT-04 or SRC-01 or TRM-04",
                             "--report", "out", cwd=tmp_path, env=TEST_KEYS)
    assert result.returncode == 0, result.stdout[-3000:]
    report = read_report(tmp_path / "out")
    outcomes = outcomes_by_rule(report)
    assert outcomes["SRC-01"] == "pass"
    for rule_id, capability in (("RFD-07", "mark_as_paid"), ("LIF-04", "expire"), ("EVT-04", "webhooks"), ("TRM-04", "capability_endpoint")):
        assert outcomes[rule_id] == "not_applicable", rule_id
        assert capability in rule_entry(report, rule_id)["reason"]
    assert report["capabilities"] == []


def test_a_known_deviation_is_an_expected_failure_and_a_fixed_one_fails_the_run(tmp_path):
    """A deviations file turns the faulty rule into a strict xfail; against a target that no longer deviates, the run fails saying so."""
    (tmp_path / "deviations.yaml").write_text(yaml.safe_dump({"target": "the mock with a fault", "deviations": [
        {"rule": "RFD-03", "reason": "partial refunds of bank installments are allowed (ticket PAY-1)"}]}))
    deviating = conformance("run", "--fault", "bank_partial_refund_allowed", "-k", "RFD-03", "--deviations", "deviations.yaml",
                            "--report", "out", cwd=tmp_path)
    assert deviating.returncode == 0, deviating.stdout[-3000:]
    entry = rule_entry(read_report(tmp_path / "out"), "RFD-03")
    assert entry["outcome"] == "known_deviation" and "PAY-1" in entry["reason"]
    fixed = conformance("run", "-k", "RFD-03", "--deviations", "deviations.yaml", "--report", "fixed", cwd=tmp_path)
    assert fixed.returncode == 1
    assert outcomes_by_rule(read_report(tmp_path / "fixed"))["RFD-03"] == "fail"
    assert "XPASS(strict)" in fixed.stdout


@pytest.mark.parametrize("kind, words", [
    ("html", "not a JSON object"),
    ("truncated-json", "not a JSON object"),
    ("cut-connection", "got no HTTP answer"),
    ("server-error", "500"),
    ("hang", "no answer within"),
])
def test_a_hostile_target_fails_the_rules_with_a_reason_and_the_run_finishes(tmp_path, kind, words):
    """A target answering HTML, truncated JSON, a cut connection, 500s or nothing fails its rules with a clear reason; the run ends, no internal error."""
    with hostile_target(kind) as server:
        result = conformance("run", "--target", server.url, "--request-timeout", "0.5", "-k", "SRC-01 or SRC-08 or API-02",
                             "--report", "out", cwd=tmp_path, env=TEST_KEYS, timeout=120)
    assert result.returncode == 1, result.stdout[-3000:] + result.stderr[-2000:]
    assert "INTERNALERROR" not in result.stdout + result.stderr
    report = read_report(tmp_path / "out")
    assert outcomes_by_rule(report)["SRC-01"] == "fail"
    messages = "\n".join(test["message"] or "" for test in rule_entry(report, "SRC-01")["tests"])
    assert words in messages, messages[:2000]


def test_a_test_naming_an_unknown_rule_stops_the_run(tmp_path):
    """A suite test marked with a rule id the catalogue lacks is a usage error naming it."""
    (tmp_path / "test_unknown_rule.py").write_text('import pytest\n\n@pytest.mark.rule("XYZ-99")\ndef test_x():\n    pass\n')
    result = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "test_unknown_rule.py"], cwd=tmp_path,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 4
    assert "XYZ-99" in result.stderr


def test_every_rule_has_a_collected_suite_test():
    """Collecting the suites finds at least one test for every rule of the catalogue (and the plugin refuses unknown ones)."""
    result = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--collect-only", "-q", str(paths.SUITES)],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-2000:]
    collected = result.stdout
    missing = [rule_id for rule_id in catalogue.load().ids if rule_id not in collected]
    assert not missing, f"rules without a collected test: {missing}"
