"""The `mutate` subcommand: the mutation score, the share of the mock's named faults that the suites catch.

Each fault gets real conformance runs, `installment-conformance run --fault NAME` in a
subprocess against the embedded mock started with only that fault on, N at a time.

Speed without losing honesty: a full run takes about 10 s, so 64 faults on 2 cores
would take over 5 minutes. A fault is first run with `-k RULE` (only the tests of the
rule it breaks, a few seconds); only when that run catches nothing does it get the
full run (every suite test). Either way a fault counts as caught only when a real
run against the faulty mock reported a failing rule, and never by a rule that also
fails on the fault-free mock (one baseline run in the same command; when it fails,
the score means nothing and the command exits 1). The cost of the shortcut: for a
fault caught by its own rule, `caught_by` lists only the rules of that targeted run;
`--full-runs` gives every fault the full run, for the complete list.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

from installment_conformance.mock.faults import Fault, catalogue
from installment_conformance.report import html

RUN_TIMEOUT_SECONDS = 600
ERROR_TAIL = 1500
BASELINE = "fault-free"


@dataclass
class Run:
    """One conformance run in a subprocess: its scope ("rule" or "full"), report (None when it wrote none), exit status, seconds, output tail."""

    scope: str
    report: dict | None
    exit_status: int
    seconds: float
    output: str = ""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of `installment-conformance mutate`."""
    parser.add_argument("--fault", action="append", default=[], metavar="NAME",
                        help="a fault to check (repeatable; default: every fault of the catalogue)")
    parser.add_argument("--report", metavar="DIR", help="write mutation.json, report.html and the fault-free run's reports into DIR")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, metavar="N",
                        help="conformance runs at a time (default: the number of CPUs)")
    parser.add_argument("--examples", type=int, metavar="N", help="generated examples per operation, passed to every run")
    parser.add_argument("--full-runs", action="store_true",
                        help="run every suite test for every fault (slower; caught_by then lists every rule that catches it)")
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress line per fault (the table is still printed)")


def run(args: argparse.Namespace) -> int:
    """Check the faults; exit 0 only when every one is caught, 1 otherwise, 2 on a usage error."""
    problem = usage_problem(args)
    if problem:
        print(f"installment-conformance mutate: {problem}", file=sys.stderr)
        return 2
    faults = [catalogue()[name] for name in dict.fromkeys(args.fault)] if args.fault else list(catalogue().values())
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="mutate-") as scratch:
        baseline_dir = Path(args.report) / BASELINE if args.report else Path(scratch) / BASELINE
        baseline, runs = run_all(faults, Path(scratch), baseline_dir, args)
    baseline_failures = frozenset(failing_rules(baseline.report)) if baseline.report else frozenset()
    data = mutation_data([fold(fault, runs[fault.name], baseline_failures=baseline_failures) for fault in faults])
    data["seconds"] = round(time.monotonic() - started, 2)
    for line in table_lines(data):
        print(line)
    baseline_passes = baseline.report is not None and not baseline_failures
    if not baseline_passes:
        print(f"the fault-free mock does not pass ({describe_failure(baseline)}): "
              "the score is not meaningful until it does", file=sys.stderr)
    if args.report:
        for path in write_outputs(data, baseline.report, Path(args.report)):
            print(f"wrote {path}")
    return 0 if baseline_passes and data["score"] == 1 else 1


def usage_problem(args: argparse.Namespace) -> str | None:
    """What is wrong with the options (an unknown fault name, a count below 1), or None."""
    unknown = [name for name in args.fault if name not in catalogue()]
    if unknown:
        return f"unknown fault {', '.join(map(repr, unknown))}; `installment-conformance mock --fault list` shows the catalogue"
    if args.jobs < 1:
        return "--jobs must be at least 1"
    if args.examples is not None and args.examples < 1:
        return "--examples must be at least 1"
    return None


def run_all(faults: list[Fault], scratch: Path, baseline_dir: Path, args: argparse.Namespace) -> tuple[Run, dict[str, list[Run]]]:
    """The fault-free run and every fault's runs, `args.jobs` at a time; progress lines unless quiet."""
    runs: dict[str, list[Run]] = {}
    with ThreadPoolExecutor(max_workers=args.jobs) as pool:
        baseline = pool.submit(conformance_run, None, baseline_dir, examples=args.examples)
        pending = {pool.submit(judge, fault, scratch / fault.name, args): fault for fault in faults}
        for done, future in enumerate(as_completed(pending), start=1):
            fault = pending[future]
            runs[fault.name] = future.result()
            if not args.quiet:
                entry = fold(fault, runs[fault.name])
                verdict = f"caught by {', '.join(entry['caught_by'])}" if entry["caught"] else "NOT caught"
                print(f"[{done}/{len(faults)}] {fault.name} ({fault.rule}): {verdict} in {entry['seconds']:.1f} s", flush=True)
        return baseline.result(), runs


def judge(fault: Fault, directory: Path, args: argparse.Namespace) -> list[Run]:
    """A fault's runs: the targeted run of its own rule, then the full run only when that caught nothing (or always with --full-runs)."""
    if args.full_runs:
        return [conformance_run(fault.name, directory / "full", examples=args.examples)]
    targeted = conformance_run(fault.name, directory / "rule", keyword=fault.rule, examples=args.examples)
    if targeted.report is not None and failing_rules(targeted.report):
        return [targeted]
    return [targeted, conformance_run(fault.name, directory / "full", examples=args.examples)]


def conformance_run(fault: str | None, report_dir: Path, *, keyword: str | None = None, examples: int | None = None) -> Run:
    """`installment-conformance run -q` against the mock (with `fault` on) in a subprocess, its report read back."""
    report_dir = report_dir.resolve()  # the run starts in it, so a relative path would point elsewhere
    command = [sys.executable, "-m", "installment_conformance.cli", "run", "--report", str(report_dir), "-q"]
    if fault:
        command += ["--fault", fault]
    if keyword:
        command += ["-k", keyword]
    if examples is not None:
        command += ["--examples", str(examples)]
    report_dir.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    try:
        # cwd: pytest and hypothesis leave their caches where the run starts, not in the user's folder
        done = subprocess.run(command, cwd=report_dir, capture_output=True, text=True, timeout=RUN_TIMEOUT_SECONDS)
        status, output = done.returncode, done.stdout + done.stderr
    except subprocess.TimeoutExpired as expired:
        status, output = -1, f"timed out after {RUN_TIMEOUT_SECONDS} s: {expired.stdout or ''}"
    seconds = time.monotonic() - started
    report_file = report_dir / "report.json"
    report = json.loads(report_file.read_text(encoding="utf-8")) if report_file.exists() else None
    return Run("rule" if keyword else "full", report, status, seconds, output[-ERROR_TAIL:])


def failing_rules(report: dict) -> list[str]:
    """The ids of the rules a report says failed, in catalogue order."""
    return [rule["id"] for rule in report["rules"] if rule["outcome"] == "fail"]


def describe_failure(run: Run) -> str:
    """Why a run counts as failing: its failing rules, or that it wrote no report (with its output's end)."""
    if run.report is None:
        return f"the run wrote no report, exit status {run.exit_status}: {run.output.strip()[-300:]}"
    return "failing rules: " + ", ".join(failing_rules(run.report))


def fold(fault: Fault, runs: list[Run], *, baseline_failures: frozenset[str] = frozenset()) -> dict:
    """A fault's mutation.json entry: caught when a run's report has a failing rule that passes on the fault-free mock."""
    caught_by = sorted({rule for run in runs if run.report for rule in failing_rules(run.report)} - baseline_failures)
    entry = {"name": fault.name, "rule": fault.rule, "description": fault.description,
             "caught": bool(caught_by), "caught_by": caught_by,
             "seconds": round(sum(run.seconds for run in runs), 2),
             "runs": [run.scope for run in runs]}
    broken = [run for run in runs if run.report is None]
    if broken:
        entry["error"] = describe_failure(broken[-1])
    return entry


def mutation_data(entries: list[dict]) -> dict:
    """The mutation.json data: the faults' entries and the score, caught / total."""
    caught = sum(entry["caught"] for entry in entries)
    return {"faults": entries, "caught": caught, "total": len(entries), "score": caught / len(entries) if entries else 0.0}


def table_lines(data: dict) -> list[str]:
    """The terminal table: faults caught by their own rule, caught only by other rules, and not caught."""
    groups = (
        ("caught by the rule they break", lambda entry: entry["rule"] in entry["caught_by"]),
        ("caught only by other rules", lambda entry: entry["caught"] and entry["rule"] not in entry["caught_by"]),
        ("NOT caught", lambda entry: not entry["caught"]),
    )
    lines = [""]
    for title, belongs in groups:
        rows = [entry for entry in data["faults"] if belongs(entry)]
        if not rows:
            continue
        lines += [f"{title} ({len(rows)}):", f"  {'fault':<44} {'rule':<7} {'caught':<6} {'caught_by':<24} {'seconds':>7}"]
        for entry in rows:
            caught_by = ", ".join(entry["caught_by"]) or entry.get("error", "-")[:60]
            lines.append(f"  {entry['name']:<44} {entry['rule']:<7} {'yes' if entry['caught'] else 'NO':<6} {caught_by:<24} {entry['seconds']:>7.1f}")
    wall = f" in {data['seconds']} s" if "seconds" in data else ""
    lines.append(f"mutation score: {data['caught']}/{data['total']} faults caught ({data['score']:.0%}){wall}")
    return lines


def write_outputs(data: dict, baseline_report: dict | None, directory: Path) -> list[Path]:
    """mutation.json, and report.html (the fault-free run's report with the mutation section)."""
    directory.mkdir(parents=True, exist_ok=True)
    written = [directory / "mutation.json"]
    written[0].write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    if baseline_report is None:
        print("report.html not written: the fault-free run wrote no report", file=sys.stderr)
        return written
    page = directory / "report.html"
    page.write_text(html.render({**baseline_report, "mutation": data}), encoding="utf-8")
    return [*written, page]
