"""report.html: a conformance run's report as one self-contained page (inline CSS and script, no external resources)."""

from __future__ import annotations

import base64
import hashlib
import re
from html import escape
from importlib import resources

from installment_conformance.report.markdown import (LABELS, MESSAGES_PER_RULE, count_tests, failing_tests, quoted_sources,
                                                     rules_by_family, summary_counts)

TEST_LABELS = {"passed": "passed", "failed": "failed", "error": "error", "skipped": "not applicable",
               "xfailed": "known deviation", "xpassed": "deviation fixed", "inconclusive": "stopped early"}
TEST_CLASSES = {"passed": "pass", "failed": "fail", "error": "fail", "xpassed": "fail", "skipped": "not_applicable",
                "xfailed": "known_deviation", "inconclusive": "not_run"}
SYMBOLS = {"pass": "✓", "fail": "✗", "not_applicable": "–", "known_deviation": "!", "not_run": "○"}
_CODE_SPAN = re.compile(r"`([^`]*)`")

# Runs first: any later script error is written into the page, where a person (and the browser test) sees it.
ERROR_HOOK = """window.addEventListener("error", function (event) {
  document.documentElement.setAttribute("data-script-error", String(event.message));
});"""
# Filtering is CSS over the radio buttons; the script only adds expand/collapse all and says it ran.
BEHAVIOUR = """(function () {
  var rules = document.querySelectorAll("details.rule");
  document.querySelectorAll("button[data-expand]").forEach(function (button) {
    button.addEventListener("click", function () {
      var open = button.getAttribute("data-expand") === "open";
      rules.forEach(function (rule) { rule.open = open; });
    });
  });
  function openLinked() {
    var linked = location.hash && document.getElementById(location.hash.slice(1));
    if (linked && linked.tagName === "DETAILS") { linked.open = true; }
  }
  window.addEventListener("hashchange", openLinked);
  openLinked();
  document.documentElement.setAttribute("data-script", "ready");
})();"""


def render(report: dict) -> str:
    """The whole page."""
    css = resources.files("installment_conformance.report").joinpath("report.css").read_text(encoding="utf-8")
    policy = ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
              f"script-src {script_hash(ERROR_HOOK)} {script_hash(BEHAVIOUR)}")
    families = "\n".join(_family(family, rules) for family, rules in rules_by_family(report) if rules)
    mutation = _mutation(report["mutation"]) if report.get("mutation") else ""
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{policy}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Conformance report: {escape(report["target"])}</title>
<script>{ERROR_HOOK}</script>
<style>{css}</style>
</head>
<body>
{_filters(report)}
<header>
<h1>Conformance report</h1>
<p class="target">{escape(report["target"])}</p>
{_facts(report)}
{_badges(report)}
</header>
<main>
{mutation}
{_toolbar(report)}
{_attention(report)}
{families}
</main>
<script>{BEHAVIOUR}</script>
</body>
</html>
"""


def script_hash(script: str) -> str:
    """The Content-Security-Policy source that allows exactly this inline script."""
    return "'sha256-" + base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii") + "'"


def _filters(report: dict) -> str:
    """The hidden radio buttons the filter labels set (the CSS reads them; no script needed)."""
    names = ["all", "not_pass", *(outcome for outcome, _ in summary_counts(report))]
    return "\n".join(f'<input type="radio" name="filter" id="filter-{name}" class="filter"{" checked" if name == "all" else ""}>'
                     for name in names)


def _facts(report: dict) -> str:
    """Profile, suite version, date, duration, faults and capabilities."""
    facts = [("Profile", f"<code>{escape(report['profile'])}</code>"), ("Suite version", escape(report["suite_version"])),
             ("Started", escape(report["started_at"])), ("Duration", f"{escape(str(report['duration_seconds']))} s"),
             ("Tests", str(count_tests(report)))]
    if report.get("faults"):
        facts.append(("Mock faults", " ".join(f'<code class="fault">{escape(name)}</code>' for name in report["faults"])))
    facts.append(("Capabilities", " ".join(f"<code>{escape(name)}</code>" for name in report["capabilities"]) or "none"))
    return '<dl class="facts">' + "".join(f"<div><dt>{name}</dt><dd>{value}</dd></div>" for name, value in facts) + "</dl>"


def _badges(report: dict) -> str:
    """The rule counts per outcome, each a filter."""
    badges = [f'<label for="filter-{outcome}" class="badge big o-{outcome}{" zero" if not count else ""}">'
              f'{SYMBOLS[outcome]} <span class="count">{count}</span> {escape(LABELS[outcome])}</label>' for outcome, count in summary_counts(report)]
    return '<div class="badges" aria-label="rules per outcome">' + "".join(badges) + "</div>"


def _toolbar(report: dict) -> str:
    """Filter choices and expand/collapse all."""
    choices = [("all", f"All rules ({len(report['rules'])})"),
               ("not_pass", f"Not passing ({sum(rule['outcome'] != 'pass' for rule in report['rules'])})")]
    choices += [(outcome, f"{LABELS[outcome].capitalize()} ({count})") for outcome, count in summary_counts(report) if count]
    labels = "".join(f'<label for="filter-{name}" class="choice choice-{name}">{escape(text)}</label>' for name, text in choices)
    return (f'<nav class="toolbar"><span class="show">Show:</span>{labels}<span class="spacer"></span>'
            '<button type="button" class="needs-script" data-expand="open">Expand all</button>'
            '<button type="button" class="needs-script" data-expand="close">Collapse all</button></nav>')


def _attention(report: dict) -> str:
    """Links to every rule that did not pass, worst first."""
    order = {outcome: index for index, outcome in enumerate(LABELS)}
    rules = sorted((rule for rule in report["rules"] if rule["outcome"] != "pass"), key=lambda rule: order.get(rule["outcome"], len(order)))
    if not rules:
        return '<p class="attention all-pass">Every rule passed.</p>'
    items = "".join(f'<li><a href="#rule-{escape(rule["id"])}">{_label(rule["outcome"], badge=True)}<code>{escape(rule["id"])}</code>'
                    f'<span>{escape(rule["title"])}</span></a></li>' for rule in rules)
    return f'<section class="attention"><h2>Not passing ({len(rules)})</h2><ul>{items}</ul></section>'


def _family(family: dict, rules: list[dict]) -> str:
    """One family: its heading with its counts, then its rules."""
    counts = [(outcome, sum(rule["outcome"] == outcome for rule in rules)) for outcome in LABELS]
    tally = " ".join(f'<span class="tally o-{outcome}" title="{LABELS[outcome]}">{SYMBOLS[outcome]} {count}</span>'
                     for outcome, count in counts if count)
    prefix = escape(family["prefix"])
    return (f'<section class="family" id="family-{prefix}"><h2>{escape(family["name"])} <span class="prefix">{prefix}</span>'
            f'<span class="tallies">{tally}</span></h2>\n' + "\n".join(_rule(rule) for rule in rules) + "\n</section>")


def _rule(rule: dict) -> str:
    """One rule: a summary line that opens onto its statement, sources, failures and tests."""
    outcome, rule_id = escape(rule["outcome"]), escape(rule["id"])
    passed = sum(test["outcome"] == "passed" for test in rule["tests"])
    reason = f'<span class="reason">{escape(rule["reason"])}</span>' if rule["reason"] else ""
    methods = " ".join(f"<code>{escape(method)}</code>" for method in rule["methods"])
    summary = (f'{_label(outcome, badge=True)}<code class="rule-id">{rule_id}</code><span class="title">{escape(rule["title"])}</span>'
               f'{reason}<span class="passed" title="tests passed">{passed}/{len(rule["tests"])}</span>')
    return f"""<details class="rule o-{outcome}" id="rule-{rule_id}" data-outcome="{outcome}"{" open" if outcome == "fail" else ""}>
<summary>{summary}</summary>
<div class="body">
<p class="statement">{_prose(rule["statement"])}</p>
<dl class="about"><div><dt>Strictness</dt><dd>{escape(rule["strictness"])}</dd></div><div><dt>Methods</dt><dd>{methods}</dd></div></dl>
{_sources(rule)}
{_failures(rule)}
{_tests(rule)}
</div>
</details>"""


def _sources(rule: dict) -> str:
    """Where the rule comes from: the seed sentences (Thai, with their English) and the other sources."""
    items = []
    for source in quoted_sources(rule):
        english = f'<p class="english">{escape(source["english"])}</p>' if source.get("english") else ""
        items.append(f'<figure class="quote"><blockquote lang="th">{escape(source["quote"])}</blockquote>{english}'
                     f'<figcaption>{escape(source.get("seed") or "seed")}</figcaption></figure>')
    for source in rule["sources"]:
        if source.get("quote"):
            continue
        where = {"fixture": f"SDK fixture <code>{escape(source.get('fixture') or '')}</code>",
                 "contract": "CONTRACT.md", "missing": "no source yet"}.get(source["kind"], escape(source["kind"]))
        note = f": {escape(source['note'])}" if source.get("note") else ""
        items.append(f'<p class="source">{where}{note}</p>')
    return '<div class="sources">' + "".join(items) + "</div>" if items else ""


def _failures(rule: dict) -> str:
    """Each failing test's message in full: the first few shown, the rest folded away."""
    shown = [_failure(test) for test in failing_tests(rule)]
    folded = shown[MESSAGES_PER_RULE:]
    more = (f'<details class="more-failures"><summary>{len(folded)} more failing tests</summary>{"".join(folded)}</details>'
            if folded else "")
    return "".join(shown[:MESSAGES_PER_RULE]) + more


def _failure(test: dict) -> str:
    """One failing test: its id, its outcome and its message."""
    return (f'<div class="failure"><p><code>{escape(test["id"])}</code> {_test_label(test["outcome"])}</p>'
            f'<pre>{escape(test["message"] or "(no message)")}</pre></div>')


def _tests(rule: dict) -> str:
    """The rule's tests in a table, folded away."""
    if not rule["tests"]:
        return '<p class="no-tests">No test of this rule ran.</p>'
    rows = []
    for test in rule["tests"]:
        note = test["message"] if test["message"] and test["outcome"] not in ("passed", "failed", "error", "xpassed") else ""
        rows.append(f'<tr><td>{_test_label(test["outcome"])}</td><td><code>{escape(test["id"])}</code>'
                    f'{f"<div class=note>{escape(note)}</div>" if note else ""}</td><td class="num">{test["seconds"]:.3f} s</td></tr>')
    return (f'<details class="tests"><summary>{len(rule["tests"])} tests</summary><table>'
            '<thead><tr><th>Outcome</th><th>Test</th><th>Time</th></tr></thead><tbody>' + "".join(rows) + "</tbody></table></details>")


def _mutation(mutation: dict) -> str:
    """The mutation score and each fault of the mock: caught or missed, and by which rules."""
    faults = mutation["faults"]
    caught = sum(fault["caught"] for fault in faults)
    return f"""<section class="mutation" id="mutation"><h2>Mutation score <span class="score">{mutation["score"]:.1%}</span></h2>
<p>{caught} of {len(faults)} deliberate faults of the reference mock were caught by the suites.</p>
<table><thead><tr><th>Fault</th><th>Rule</th><th>Description</th><th>Verdict</th><th>Caught by</th><th>Time</th></tr></thead>
<tbody>{"".join(_fault_row(fault) for fault in faults)}</tbody></table></section>"""


def _fault_row(fault: dict) -> str:
    """One fault of the mutation run as a table row."""
    verdict = _label("pass", badge=True, text="caught") if fault["caught"] else _label("fail", badge=True, text="missed")
    caught_by = " ".join(f'<a href="#rule-{escape(rule)}">{escape(rule)}</a>' for rule in fault["caught_by"]) or "–"
    error = f'<div class="note">run failed: {escape(fault["error"])}</div>' if fault.get("error") else ""
    return (f'<tr class="{"caught" if fault["caught"] else "missed"}"><td><code>{escape(fault["name"])}</code></td>'
            f'<td><a href="#rule-{escape(fault["rule"])}">{escape(fault["rule"])}</a></td><td>{escape(fault["description"])}</td>'
            f'<td>{verdict}</td><td>{caught_by}{error}</td><td class="num">{fault["seconds"]} s</td></tr>')


def _label(outcome: str, *, badge: bool = False, text: str | None = None) -> str:
    """An outcome as a symbol and a word, coloured by its class (the word carries it without colour too)."""
    css = f"badge o-{escape(outcome)}" if badge else f"o-{escape(outcome)}"
    return f'<span class="{css}"><span aria-hidden="true">{SYMBOLS.get(outcome, "?")}</span> {escape(text or LABELS.get(outcome, outcome))}</span>'


def _test_label(outcome: str) -> str:
    """A test outcome as a small coloured label."""
    return f'<span class="pill o-{TEST_CLASSES.get(outcome, "not_run")}">{escape(TEST_LABELS.get(outcome, outcome))}</span>'


def _prose(text: str) -> str:
    """Escaped text whose `backtick spans` become <code>."""
    parts = _CODE_SPAN.split(text)
    return "".join(f"<code>{escape(part)}</code>" if index % 2 else escape(part) for index, part in enumerate(parts))
