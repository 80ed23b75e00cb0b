"""Test outcomes folded into rule outcomes (pass, fail, not applicable, known deviation, not run) and the report data."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from importlib import metadata

from installment_conformance import catalogue as catalogues
from installment_conformance import paths

NEEDS_PREFIX = "needs capability "
DEVIATION_PREFIX = "known deviation "
NOT_REPLAYABLE_PREFIX = "not replayable: "
RULE_ID = re.compile(r"\b[A-Z]{3}-\d{2}\b")
MESSAGE_LIMIT = 4000
RULE_OUTCOMES = ("pass", "fail", "not_applicable", "known_deviation", "not_run")
FAILING = ("failed", "error", "xpassed")


@dataclass
class TestOutcome:
    """What happened to one test: passed, failed, error, skipped, xfailed or xpassed; the rules a failure names."""

    __test__ = False  # a result, not a pytest test class

    id: str
    outcome: str = "passed"
    seconds: float = 0.0
    message: str | None = None
    failed_rules: frozenset[str] | None = None  # None: the failure concerns every rule of the test

    def for_rule(self, rule_id: str) -> str:
        """The outcome as one of the test's rules sees it ("inconclusive" when the failure named only other rules)."""
        if self.outcome == "failed" and self.failed_rules is not None and rule_id not in self.failed_rules:
            return "inconclusive"
        return self.outcome


@dataclass
class Results:
    """The run's tests: their rules and outcomes, and the requests sent."""

    rules_of: dict[str, list[str]] = field(default_factory=dict)
    tests: dict[str, TestOutcome] = field(default_factory=dict)
    requests: int = 0

    def record(self, report) -> None:
        """Fold one phase report (setup, call, teardown) of a test into its outcome."""
        test = self.tests.setdefault(report.nodeid, TestOutcome(report.nodeid))
        test.seconds += report.duration
        message = getattr(report, "conformance_message", None)
        if hasattr(report, "wasxfail") and report.skipped:
            test.outcome, test.message = "xfailed", report.wasxfail or message
        elif report.failed and report.when == "call" and "XPASS(strict)" in str(report.longrepr):
            test.outcome, test.message = "xpassed", f"the known deviation no longer happens: {report.longrepr}; remove it from the deviations file"
        elif report.failed:
            test.outcome = "failed" if report.when == "call" else "error"
            test.message = (message or str(report.longrepr))[:MESSAGE_LIMIT]
            named = set(RULE_ID.findall(test.message)) & set(self.rules_of.get(report.nodeid, ()))
            test.failed_rules = frozenset(named) if named and test.outcome == "failed" else None
        elif report.skipped and test.outcome == "passed":
            test.outcome, test.message = "skipped", skip_reason(report.longrepr)


def skip_reason(longrepr) -> str:
    """The reason of a skip report."""
    text = longrepr[2] if isinstance(longrepr, tuple) and len(longrepr) == 3 else str(longrepr)
    return text.removeprefix("Skipped: ")


def failure_message(excinfo) -> str:
    """A failure's own words: an assertion's message, or the exception's type and text."""
    value = excinfo.value
    text = str(value) if isinstance(value, AssertionError) and str(value) else f"{excinfo.typename}: {value}"
    return text[:MESSAGE_LIMIT]


def fold(rule_id: str, tests: list[TestOutcome]) -> tuple[str, str | None]:
    """A rule's outcome and reason from its tests' outcomes."""
    seen = [test.for_rule(rule_id) for test in tests]
    if not tests:
        return "not_run", "no test of this rule was selected"
    if any(outcome in FAILING for outcome in seen):
        failing = sum(outcome in FAILING for outcome in seen)
        return "fail", f"{failing} of {len(tests)} tests failed"
    if "xfailed" in seen:
        return "known_deviation", next(test.message for test in tests if test.outcome == "xfailed")
    skipped = sorted({test.message for test in tests if test.outcome == "skipped" and test.message})
    if "passed" in seen:
        return "pass", (f"{seen.count('skipped')} tests not applicable: {'; '.join(skipped)}" if skipped else None)
    if "inconclusive" in seen:
        return "fail", "its tests stopped at a failure of another rule they also check"
    return "not_applicable", "; ".join(skipped) or "every test was skipped"


def build(loaded: catalogues.Catalogue, results: Results, *, target: str, capabilities: list[str], faults: list[str],
          started: float, mutation: dict | None = None) -> dict:
    """The report data (the shape of report.json)."""
    rules = []
    for rule in loaded:
        tests = [test for node_id, test in results.tests.items() if rule.id in results.rules_of.get(node_id, ())]
        outcome, reason = fold(rule.id, tests)
        rules.append({
            "id": rule.id, "family": rule.family, "title": rule.title, "statement": rule.statement,
            "strictness": rule.strictness, "methods": list(rule.methods),
            "sources": [_source(source) for source in rule.sources],
            "outcome": outcome, "reason": reason,
            "tests": [{"id": test.id, "outcome": test.for_rule(rule.id), "seconds": round(test.seconds, 4), "message": test.message}
                      for test in tests],
        })
    return {
        "target": target,
        "profile": _shown_path(loaded.profile.path),
        "suite_version": suite_version(),
        "started_at": datetime.fromtimestamp(started, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "duration_seconds": round(time.time() - started, 2),
        "faults": faults,
        "capabilities": capabilities,
        "requests": results.requests,
        "tests": len(results.tests),
        "families": [{"prefix": family.prefix, "name": family.name} for family in loaded.families],
        "rules": rules,
        "summary": {name: sum(rule["outcome"] == name for rule in rules) for name in RULE_OUTCOMES},
        "mutation": mutation,
    }


def _source(source: catalogues.Source) -> dict:
    """A rule source as report data."""
    return {"kind": source.kind, "seed": source.seed, "quote": source.quote, "english": source.english,
            "fixture": source.fixture, "note": source.note}


def _shown_path(path) -> str:
    """A data file's path relative to the data folders when it is one of ours."""
    for root in (paths.PROFILES.parent,):
        try:
            return str(path.resolve().relative_to(root.resolve()))
        except ValueError:
            continue
    return str(path)


def suite_version() -> str:
    """The installed distribution's version."""
    try:
        return metadata.version("installment-conformance")
    except metadata.PackageNotFoundError:
        return "unknown"


def summary_lines(report: dict) -> list[str]:
    """The terminal table: one line per rule that ran, then the counts."""
    labels = {"pass": "pass", "fail": "FAIL", "not_applicable": "n/a", "known_deviation": "deviation", "not_run": "not run"}
    lines = ["", "rule outcomes against " + report["target"]]
    for rule in report["rules"]:
        if rule["outcome"] == "not_run":
            continue
        passed = sum(test["outcome"] == "passed" for test in rule["tests"])
        note = f"  ({rule['reason']})" if rule["outcome"] != "pass" and rule["reason"] else ""
        lines.append(f"  {rule['id']}  {labels[rule['outcome']]:<9}  {passed:>3}/{len(rule['tests']):<3}  {rule['title']}{note}")
    counts = ", ".join(f"{count} {labels[name]}" for name, count in report["summary"].items() if count)
    lines.append(f"rules: {counts}; {report['tests']} tests, {report['requests']} requests in {report['duration_seconds']} s")
    return lines
