"""report.md: a conformance run's report as Markdown (a CI job summary), rules per family, then the failures."""

from __future__ import annotations

import re

from installment_conformance.report.outcomes import FAILING, RULE_OUTCOMES

LABELS = {"pass": "pass", "fail": "FAIL", "not_applicable": "not applicable",
          "known_deviation": "known deviation", "not_run": "not run"}
MARKS = {"pass": "✅", "fail": "❌", "not_applicable": "➖", "known_deviation": "🟡", "not_run": "⚪"}
MESSAGES_PER_RULE = 3  # a rule can fail hundreds of near-identical tests; report.html and report.json keep them all
_CODE_SPAN = re.compile(r"((?<!`)`[^`]+`(?!`))")  # single-backtick spans only: what CommonMark surely reads as code


def render(report: dict) -> str:
    """The whole Markdown report."""
    lines = _header(report)
    for family, rules in rules_by_family(report):
        if not rules:
            continue
        lines += ["", f"## {_text(family['name'])} ({family['prefix']})", "",
                  "| Rule | Title | Outcome | Reason |", "|---|---|---|---|"]
        lines += [f"| {rule['id']} | {_cell(rule['title'])} | {outcome_mark(rule['outcome'])} | {_cell(rule['reason'] or '')} |"
                  for rule in rules]
    lines += _failures(report)
    if report.get("mutation"):
        lines += _mutation(report["mutation"])
    return "\n".join(lines) + "\n"


def outcome_mark(outcome: str) -> str:
    """A rule outcome as a symbol and a label ("❌ FAIL")."""
    return f"{MARKS.get(outcome, '?')} {LABELS.get(outcome, outcome)}"


def rules_by_family(report: dict) -> list[tuple[dict, list[dict]]]:
    """The report's families in display order, each with its rules; rules of an unlisted family come last."""
    families = list(report["families"])
    listed = {family["name"] for family in families}
    for rule in report["rules"]:
        if rule["family"] not in listed:
            listed.add(rule["family"])
            families.append({"prefix": rule["id"].split("-")[0], "name": rule["family"]})
    return [(family, [rule for rule in report["rules"] if rule["family"] == family["name"]]) for family in families]


def failing_tests(rule: dict) -> list[dict]:
    """The tests of a rule that failed it (failed, error, or a known deviation that no longer happens)."""
    return [test for test in rule["tests"] if test["outcome"] in FAILING]


def summary_counts(report: dict) -> list[tuple[str, int]]:
    """The rule outcomes in their fixed order with their counts."""
    return [(outcome, report["summary"].get(outcome, 0)) for outcome in RULE_OUTCOMES]


def count_tests(report: dict) -> int:
    """How many distinct tests ran (a test of several rules is listed under each)."""
    return len({test["id"] for rule in report["rules"] for test in rule["tests"]})


def quoted_sources(rule: dict) -> list[dict]:
    """The sources of a rule that quote a seed sentence."""
    return [source for source in rule["sources"] if source.get("quote")]


def _header(report: dict) -> list[str]:
    """The title, the facts of the run and the outcome counts."""
    facts = [("Target", _text(report["target"])), ("Profile", _code(report["profile"])),
             ("Suite version", _text(report["suite_version"])), ("Started", _text(report["started_at"])),
             ("Duration", f"{report['duration_seconds']} s")]
    if report.get("faults"):
        facts.append(("Mock faults switched on", ", ".join(_code(name) for name in report["faults"])))
    facts.append(("Capabilities", ", ".join(_code(name) for name in report["capabilities"]) or "none"))
    counts = " · ".join(f"{MARKS[outcome]} {count} {LABELS[outcome]}" for outcome, count in summary_counts(report))
    return (["# Conformance report", "", "| | |", "|---|---|"] + [f"| {name} | {_pipes(value)} |" for name, value in facts]
            + ["", f"**Rules:** {counts} ({count_tests(report)} tests)"])


def _failures(report: dict) -> list[str]:
    """Each failing rule: its statement, its seed sentences, and its failing tests' messages."""
    failing = [rule for rule in report["rules"] if rule["outcome"] == "fail"]
    lines = ["", "## Failures", ""]
    if not failing:
        return lines + ["No rule failed."]
    for rule in failing:
        lines += [f"### {rule['id']}: {_text(rule['title'])}", "", f"{_text(rule['statement'])} ({rule['strictness']})", ""]
        for source in quoted_sources(rule):
            lines += [f"> {_text(source['quote'])}", ">", f"> {_text(source.get('english') or '')} ({_text(source.get('seed') or 'seed')})", ""]
        tests = failing_tests(rule)
        lines += [f"{_text(rule['reason'] or '')}.", ""] if rule["reason"] else []
        for test in tests[:MESSAGES_PER_RULE]:
            lines += [_code(test["id"]) + f" ({test['outcome']})", "", *_fenced(test["message"] or "(no message)"), ""]
        if len(tests) > MESSAGES_PER_RULE:
            lines += [f"... and {len(tests) - MESSAGES_PER_RULE} more failing tests (report.html and report.json list them all).", ""]
    return lines[:-1]


def _mutation(mutation: dict) -> list[str]:
    """The mutation score and a table of the mock's faults and the rules that caught them."""
    faults = mutation["faults"]
    caught = sum(fault["caught"] for fault in faults)
    lines = ["", "## Mutation score", "",
             f"**{caught} of {len(faults)} faults caught** (score {mutation['score']:.1%})", "",
             "| Fault | Rule | Caught | Caught by | Seconds | Description |", "|---|---|---|---|---|---|"]
    for fault in faults:
        verdict = "✅ caught" if fault["caught"] else "❌ **missed**"
        caught_by = ", ".join(fault["caught_by"]) or (_cell(f"run failed: {fault['error']}") if fault.get("error") else "-")
        lines.append(f"| {_code(fault['name'])} | {fault['rule']} | {verdict} | {caught_by} "
                     f"| {fault['seconds']} | {_cell(fault['description'])} |")
    return lines


def _fenced(text: str) -> list[str]:
    """A fenced code block holding `text` verbatim: the fence is longer than any backtick run inside."""
    fence = "`" * max(3, max((len(run) for run in re.findall(r"`+", text)), default=0) + 1)
    return [fence + "text", *text.splitlines(), fence]


def _code(text: str) -> str:
    """An inline code span that holds `text` whatever backticks it contains."""
    ticks = "`" * (max((len(run) for run in re.findall(r"`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{ticks}{pad}{text}{pad}{ticks}"


def _text(text: str) -> str:
    """Prose for Markdown: HTML-significant characters escaped outside the code spans, on one line."""
    parts = _CODE_SPAN.split(" ".join(str(text).split()))
    return "".join(part if index % 2 else part.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
                   for index, part in enumerate(parts))


def _cell(text: str) -> str:
    """Prose for a table cell: as `_text`, with its pipes escaped."""
    return _pipes(_text(text))


def _pipes(markdown: str) -> str:
    """Markdown with its pipes escaped, to sit in a table cell (GitHub honours the escape inside code spans too)."""
    return markdown.replace("|", "\\|")
