"""The Markdown and HTML renderings of report.json: golden Markdown, every rule shown, outcome labels, escaping, the mutation section.

The golden file is tests/golden/report.md, the Markdown of tests/data/sample_report.json with
tests/data/sample_mutation.json as its mutation data. After a deliberate change to the Markdown,
rewrite it with `UPDATE_GOLDEN=1 python -m pytest -q tests/test_report_render.py` and review the diff.
"""

from __future__ import annotations

import copy
import json
import os
from html import escape
from html.parser import HTMLParser
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from installment_conformance.report import html, markdown
from installment_conformance.report.outcomes import RULE_OUTCOMES

DATA = Path(__file__).parent / "data"
GOLDEN = Path(__file__).parent / "golden" / "report.md"
HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)> & ผ่อน | `tick` ```'


def sample(*, mutation: bool = False) -> dict:
    """The sample report, with or without the sample mutation data."""
    report = json.loads((DATA / "sample_report.json").read_text(encoding="utf-8"))
    report["mutation"] = json.loads((DATA / "sample_mutation.json").read_text(encoding="utf-8")) if mutation else None
    return report


def rule(report: dict, rule_id: str) -> dict:
    """One rule of a report."""
    return next(entry for entry in report["rules"] if entry["id"] == rule_id)


def table_rows(text: str) -> list[list[str]]:
    """The cells (inline Markdown) of every table row of a Markdown text, as a GitHub-style parser reads them."""
    rows, row = [], None
    for token in MarkdownIt("commonmark").enable("table").parse(text):
        if token.type == "tr_open":
            row = []
        elif token.type == "inline" and row is not None:
            row.append(token.content)
        elif token.type == "tr_close":
            rows.append(row)
            row = None
    return rows


class Page(HTMLParser):
    """An HTML page parsed into its elements (tag, attributes), the text of each script, and the text under each tag."""

    def __init__(self, text: str):
        """Parse `text`."""
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict]] = []
        self.scripts: list[str] = []
        self.texts: dict[str, list[str]] = {}
        self._open: list[str] = []
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        """Record an element; remember it is open (void elements never close)."""
        self.elements.append((tag, dict(attrs)))
        if tag not in ("meta", "input", "br", "img", "link"):
            self._open.append(tag)

    def handle_endtag(self, tag):
        """Close the innermost open element of this tag."""
        if tag in self._open:
            del self._open[len(self._open) - 1 - self._open[::-1].index(tag):]

    def handle_data(self, data):
        """Collect text under its innermost element; script bodies separately."""
        if self._open and self._open[-1] == "script":
            self.scripts.append(data)
        elif self._open:
            self.texts.setdefault(self._open[-1], []).append(data)

    def with_attribute(self, name: str, value: str) -> list[tuple[str, dict]]:
        """The elements whose attribute `name` is `value`."""
        return [(tag, attrs) for tag, attrs in self.elements if attrs.get(name) == value]


def test_the_markdown_matches_the_golden_file():
    """The sample renders to exactly tests/golden/report.md (UPDATE_GOLDEN=1 rewrites it)."""
    rendered = markdown.render(sample(mutation=True))
    if os.environ.get("UPDATE_GOLDEN") == "1":
        GOLDEN.parent.mkdir(exist_ok=True)
        GOLDEN.write_text(rendered, encoding="utf-8")
    assert rendered == GOLDEN.read_text(encoding="utf-8"), "report.md changed; if on purpose, UPDATE_GOLDEN=1 and review the diff"


def test_rendering_is_deterministic_and_leaves_the_report_alone():
    """Two renderings are identical and neither changes the report data."""
    report = sample(mutation=True)
    before = copy.deepcopy(report)
    assert markdown.render(report) == markdown.render(report)
    assert html.render(report) == html.render(report)
    assert report == before


def test_the_sample_covers_every_outcome_and_family():
    """The sample has a rule of every outcome and of every family, and a failure message with markup, Thai and curl."""
    report = sample()
    assert {entry["outcome"] for entry in report["rules"]} == set(RULE_OUTCOMES)
    assert {entry["family"] for entry in report["rules"]} == {family["name"] for family in report["families"]}
    messages = [test["message"] for entry in report["rules"] for test in entry["tests"] if test["outcome"] == "failed"]
    assert any("<" in text and "&" in text and "curl " in text and "\n" in text and "ไม่ถูกต้อง" in text for text in messages)


def test_every_rule_is_in_a_markdown_table_row_with_its_outcome_label():
    """Each rule is a row of four cells in its family's table, its outcome shown by symbol and label."""
    report = sample()
    by_id = {cells[0]: cells for cells in table_rows(markdown.render(report)) if len(cells) == 4 and cells[0] != "Rule"}
    assert set(by_id) == {entry["id"] for entry in report["rules"]}
    for entry in report["rules"]:
        assert by_id[entry["id"]][2] == f"{markdown.MARKS[entry['outcome']]} {markdown.LABELS[entry['outcome']]}"


def test_a_rule_of_an_unlisted_family_is_still_shown_and_an_empty_family_is_not():
    """A rule whose family the report does not list comes last under its own heading; a family without rules has none."""
    report = sample()
    report["families"].append({"prefix": "XYZ", "name": "Nothing here"})
    rule(report, "API-06")["family"] = "Schemas"
    text = markdown.render(report)
    assert "## Nothing here" not in text and text.index("## Schemas (API)") > text.index("## Protocol and errors (API)")
    page = html.render(report)
    assert 'id="family-XYZ"' not in page and page.index('id="rule-API-06"') > page.index('id="rule-API-05"')


def test_the_markdown_header_and_failures():
    """The header names the target, profile, version, date, duration and counts; failures carry statement, Thai sentence and messages."""
    report = sample()
    text = markdown.render(report)
    header, failures = text.split("\n## Failures\n")
    for fact in (report["target"], report["profile"], report["suite_version"], report["started_at"], f"{report['duration_seconds']} s"):
        assert fact in header
    assert "❌ 3 FAIL" in header and "✅ 54 pass" in header and "🟡 1 known deviation" in header
    tokens = MarkdownIt("commonmark").parse(failures)
    fenced = [token.content for token in tokens if token.type == "fence"]
    for entry in report["rules"]:
        if entry["outcome"] != "fail":
            assert f"### {entry['id']}:" not in failures
            continue
        assert f"### {entry['id']}:" in failures
        assert entry["sources"][0]["quote"].split()[0] in failures
        for test in markdown.failing_tests(entry)[:markdown.MESSAGES_PER_RULE]:
            assert test["message"] + "\n" in fenced


def test_many_failures_of_one_rule_show_the_first_few_messages():
    """Markdown shows the first few messages and counts the rest; the page shows the first few and folds the rest away."""
    report = sample()
    failing = rule(report, "TRM-01")
    template = markdown.failing_tests(failing)[0]
    failing["tests"] = [dict(template, id=f"{template['id']}-{number}", message=f"message {number}") for number in range(10)]
    text = markdown.render(report)
    assert "message 2\n" in text and "message 3\n" not in text
    assert f"... and {10 - markdown.MESSAGES_PER_RULE} more failing tests" in text
    page = html.render(report)
    visible, folded = page.split(f'<details class="more-failures"><summary>{10 - markdown.MESSAGES_PER_RULE} more failing tests</summary>')
    assert "<pre>message 2</pre>" in visible and "<pre>message 3</pre>" not in visible
    assert "<pre>message 3</pre>" in folded and "<pre>message 9</pre>" in folded.split("</details>")[0]


def test_markdown_keeps_hostile_text_inert():
    """Markup in prose is escaped, pipes do not split table cells, and a message with backticks keeps its code block."""
    report = sample()
    entry = rule(report, "SRC-04")
    entry["title"] += " " + HOSTILE
    entry["reason"] = HOSTILE
    markdown.failing_tests(entry)[0]["message"] = "line one\n" + HOSTILE + "\nline three"
    text = markdown.render(report)
    rendered = MarkdownIt("commonmark").enable("table").render(text)
    assert "<script>" not in rendered and "<img" not in rendered
    tokens = MarkdownIt("commonmark").enable("table").parse(text)
    assert "line one\n" + HOSTILE + "\nline three\n" in [token.content for token in tokens if token.type == "fence"]
    [cells] = [cells for cells in table_rows(text) if cells[0] == "SRC-04"]
    assert len(cells) == 4 and "&lt;script&gt;" in cells[1] and "ผ่อน | `tick`" in cells[3]


def test_the_mutation_section_appears_only_when_set():
    """With mutation data both renderings show the score and every fault; without it neither has the section."""
    with_mutation, without = sample(mutation=True), sample()
    mutation = with_mutation["mutation"]
    for render, written in ((markdown.render, str), (html.render, escape)):
        shown, plain = render(with_mutation), render(without)
        assert "Mutation score" in shown and "Mutation score" not in plain
        assert "83.3%" in shown
        for fault in mutation["faults"]:
            assert written(fault["description"]) in shown and written(fault["description"]) not in plain
    page = Page(html.render(with_mutation))
    assert len(page.with_attribute("class", "missed")) == sum(not fault["caught"] for fault in mutation["faults"])


def test_a_fault_whose_run_broke_says_so():
    """A fault entry with an error (its run wrote no report) shows the error in both renderings."""
    report = sample(mutation=True)
    report["mutation"]["faults"][4]["error"] = "the run wrote no report, exit status 3: <boom>"
    assert "run failed: the run wrote no report, exit status 3: &lt;boom&gt;" in markdown.render(report)
    assert "run failed: the run wrote no report, exit status 3: &lt;boom&gt;" in html.render(report)


def test_every_rule_is_an_html_element_with_its_outcome():
    """Each rule is one <details id="rule-..." data-outcome="..."> with a text label; failing rules start open."""
    report = sample()
    page = Page(html.render(report))
    for entry in report["rules"]:
        [(tag, attrs)] = page.with_attribute("id", f"rule-{entry['id']}")
        assert tag == "details" and attrs["data-outcome"] == entry["outcome"]
        assert ("open" in attrs) == (entry["outcome"] == "fail")
    labels = [text.strip() for text in page.texts.get("span", [])]
    for outcome in RULE_OUTCOMES:
        assert markdown.LABELS[outcome] in labels


def test_the_html_shows_thai_sources_statements_methods_and_failures():
    """A rule's Thai sentence is in a lang="th" element, with its English, its methods, strictness and failure messages in <pre>."""
    report = sample()
    page = Page(html.render(report))
    thai = "".join(page.texts["blockquote"])
    assert all(attrs.get("lang") == "th" for tag, attrs in page.elements if tag == "blockquote")
    for entry in report["rules"]:
        for source in markdown.quoted_sources(entry):
            assert source["quote"] in thai
    failing = rule(report, "FEE-01")
    text = html.render(report)
    assert failing["sources"][0]["english"].replace('"', "&quot;") in text
    assert all(f"<code>{method}</code>" in text for method in failing["methods"])
    assert "<dt>Strictness</dt><dd>exact</dd>" in text
    assert {test["message"] for test in markdown.failing_tests(failing)} <= set(page.texts["pre"])


def test_a_script_in_a_message_is_shown_as_text():
    """The sample's failure message with <script> appears verbatim as the text of a <pre>, and the page runs only its own two scripts."""
    report = sample()
    message = markdown.failing_tests(rule(report, "SRC-04"))[0]["message"]
    assert '<script>location.replace("/maintenance")</script>' in message
    text = html.render(report)
    assert "<script>location" not in text
    page = Page(text)
    assert message in page.texts["pre"]
    assert page.scripts == [html.ERROR_HOOK, html.BEHAVIOUR]


def test_hostile_text_anywhere_in_the_report_stays_text():
    """Markup appended to every free-text field of the report never becomes an element of the page."""
    report = sample(mutation=True)

    def poison(value, key=None):
        """Append the hostile text to every string except outcome names."""
        if isinstance(value, dict):
            return {name: poison(item, name) for name, item in value.items()}
        if isinstance(value, list):
            return [poison(item, key) for item in value]
        return value + HOSTILE if isinstance(value, str) and key not in ("outcome", "kind") else value

    page = Page(html.render(poison(report)))
    assert not [tag for tag, _ in page.elements if tag in ("img", "iframe", "object")]
    assert page.scripts == [html.ERROR_HOOK, html.BEHAVIOUR]


def test_the_page_is_self_contained():
    """No element loads anything: no src, no stylesheet link, and a policy that allows only the page's own scripts."""
    page = Page(html.render(sample(mutation=True)))
    assert not [attrs for _, attrs in page.elements if "src" in attrs]
    assert not [attrs for tag, attrs in page.elements if tag == "link"]
    hrefs = [attrs["href"] for tag, attrs in page.elements if tag == "a"]
    assert hrefs and all(href.startswith("#rule-") for href in hrefs)
    [(_, policy)] = [(tag, attrs) for tag, attrs in page.elements if attrs.get("http-equiv") == "Content-Security-Policy"]
    assert "default-src 'none'" in policy["content"]
    assert html.script_hash(html.BEHAVIOUR) in policy["content"]
    assert "unsafe-inline" not in policy["content"].split("script-src")[1]


@pytest.mark.parametrize("outcome", RULE_OUTCOMES)
def test_each_outcome_has_its_label_and_colour_class(outcome):
    """A rule of each outcome gets that outcome's word in both renderings and its colour class in the page."""
    report = sample()
    report["rules"] = [dict(rule(report, "SRC-01"), outcome=outcome, reason=None)]
    report["summary"] = {name: int(name == outcome) for name in RULE_OUTCOMES}
    row = next(line for line in markdown.render(report).splitlines() if line.startswith("| SRC-01 |"))
    assert f"| {markdown.MARKS[outcome]} {markdown.LABELS[outcome]} |" in row
    page = Page(html.render(report))
    [(_, attrs)] = page.with_attribute("id", "rule-SRC-01")
    assert f"o-{outcome}" in attrs["class"].split()
    assert markdown.LABELS[outcome] in [text.strip() for text in page.texts["span"]]
