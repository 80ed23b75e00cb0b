"""Reports of a conformance run: report.json, report.md and report.html (junit.xml comes from pytest)."""

from __future__ import annotations

import json
from pathlib import Path


def write(report: dict, directory: Path | str) -> list[Path]:
    """Write report.json, report.md and report.html into `directory`; the paths written."""
    from installment_conformance.report import html, markdown

    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    outputs = {
        "report.json": json.dumps(report, ensure_ascii=False, indent=2) + "\n",
        "report.md": markdown.render(report),
        "report.html": html.render(report),
    }
    for name, text in outputs.items():
        (directory / name).write_text(text, encoding="utf-8")
    return [directory / name for name in outputs]
