"""report.html in a real browser: headless Chromium renders the sample report, runs its scripts without an error, and paints it."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image

from installment_conformance.report import html

DATA = Path(__file__).parent / "data"
BROWSER = next((found for found in (shutil.which("chromium"), shutil.which("chromium-browser"), "/usr/bin/chromium")
                if found and Path(found).exists()), None)
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--hide-scrollbars"]
WINDOW = (1280, 2000)
HEADER = (0x24, 0x29, 0x2F)  # the page header's background in report.css
FAIL_RED = (0xCF, 0x22, 0x2E)  # --fail in report.css

pytestmark = pytest.mark.skipif(BROWSER is None, reason="no headless Chromium on this machine (apt-get install chromium); "
                                                       "report.html is checked without a browser in test_report_render.py")


@pytest.fixture(scope="module")
def sample() -> dict:
    """The sample report with its mutation data."""
    report = json.loads((DATA / "sample_report.json").read_text(encoding="utf-8"))
    report["mutation"] = json.loads((DATA / "sample_mutation.json").read_text(encoding="utf-8"))
    return report


def chromium(page: Path, profile: Path, *extra: str) -> subprocess.CompletedProcess:
    """Run headless Chromium on a local page with its own profile directory and console logging on stderr."""
    return subprocess.run([BROWSER, *FLAGS, f"--user-data-dir={profile}", "--enable-logging=stderr", "--v=0", *extra, page.as_uri()],
                          capture_output=True, text=True, timeout=120, check=False)


def console_errors(stderr: str) -> list[str]:
    """The page's console lines that report an uncaught error or a refused resource (a policy violation)."""
    return [line for line in stderr.splitlines() if ":CONSOLE" in line and re.search(r"Uncaught|Refused|Error", line)]


def test_the_page_renders_every_rule_and_its_scripts_run_cleanly(sample, tmp_path):
    """After the scripts ran, the DOM holds every rule with its outcome, the page says its script ran, and nothing failed."""
    page = tmp_path / "report.html"
    page.write_text(html.render(sample), encoding="utf-8")
    run = chromium(page, tmp_path / "profile", "--dump-dom")
    dom = run.stdout
    assert run.returncode == 0, run.stderr[-2000:]
    shown = dict(re.findall(r'<details class="rule [^"]*" id="rule-([A-Z]{3}-\d{2})" data-outcome="([a-z_]+)"', dom))
    assert shown == {rule["id"]: rule["outcome"] for rule in sample["rules"]}
    assert re.search(r'<html[^>]* data-script="ready"', dom), "the page's script did not finish"
    assert not re.search(r"<html[^>]* data-script-error=", dom), "a script error was caught by the page's hook"
    assert console_errors(run.stderr) == []
    assert dom.count("<script") == 2, "only the page's own two scripts: a message's <script> must stay text"
    assert '&lt;script&gt;location.replace("/maintenance")&lt;/script&gt;' in dom, "the message's script is shown as text"


def test_a_script_error_would_be_seen(tmp_path):
    """The detection above can fail: a page whose script throws gets the error hook's marker and a console line."""
    page = tmp_path / "broken.html"
    page.write_text(f"<!DOCTYPE html><html><head><script>{html.ERROR_HOOK}</script></head>"
                    "<body><script>undefinedFunction();</script></body></html>", encoding="utf-8")
    run = chromium(page, tmp_path / "profile", "--dump-dom")
    assert 'data-script-error="Uncaught ReferenceError: undefinedFunction is not defined"' in run.stdout
    assert console_errors(run.stderr)


def test_the_page_paints_its_header_and_failures(sample, tmp_path):
    """A screenshot is a real PNG of the window: the dark header on top and the failing rules' red on the page."""
    page = tmp_path / "report.html"
    page.write_text(html.render(sample), encoding="utf-8")
    shot = tmp_path / "report.png"
    run = chromium(page, tmp_path / "profile", f"--screenshot={shot}", f"--window-size={WINDOW[0]},{WINDOW[1]}")
    assert shot.exists(), run.stderr[-2000:]
    assert shot.read_bytes().startswith(b"\x89PNG\r\n\x1a\n") and shot.stat().st_size > 50_000
    with Image.open(shot) as image:
        pixels = image.convert("RGB")
        assert pixels.size == WINDOW
        assert pixels.getpixel((10, 10)) == HEADER
        reds = sum(count for count, colour in pixels.getcolors(maxcolors=1 << 20) if colour == FAIL_RED)
        assert reds > 500, "the failing rules' red border and badges are not painted"
