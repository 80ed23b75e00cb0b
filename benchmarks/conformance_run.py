"""Wall time of the whole conformance run against the embedded mock and of the replay run, with tests and requests per second.

Run from a clone with the project installed: `python benchmarks/conformance_run.py` (see benchmarks/README.md).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_machine import cpu_model

TARGETS = ("mock", "replay")


def machine() -> dict:
    """The machine the numbers were taken on."""
    return {"cores": os.cpu_count(), "cpu": cpu_model(), "python": platform.python_version(),
            "load_average_1min": round(os.getloadavg()[0], 2)}


def one_run(target: str, extra: list[str]) -> dict:
    """One `installment-conformance run` in a fresh process: wall time and what its report.json counted."""
    with tempfile.TemporaryDirectory() as reports:
        command = [sys.executable, "-m", "installment_conformance.cli", "run", "--target", target,
                   "--report", reports, "-q", *extra]
        started = time.perf_counter()
        completed = subprocess.run(command, capture_output=True, text=True, timeout=900, check=False)
        wall = time.perf_counter() - started
        report_file = Path(reports) / "report.json"
        if not report_file.exists():
            return {"target": target, "wall_seconds": wall, "exit": completed.returncode,
                    "problem": (completed.stdout + completed.stderr)[-2000:]}
        report = json.loads(report_file.read_text(encoding="utf-8"))
    return {"target": target, "wall_seconds": round(wall, 2), "exit": completed.returncode,
            "session_seconds": report["duration_seconds"], "tests": report["tests"], "requests": report["requests"],
            "rules": {outcome: sum(1 for rule in report["rules"] if rule["outcome"] == outcome)
                      for outcome in sorted({rule["outcome"] for rule in report["rules"]})}}


def summarise(runs: list[dict]) -> dict:
    """The median run of a target, with its rates."""
    good = [run for run in runs if "tests" in run]
    if not good:
        return {"target": runs[0]["target"], "problem": runs[0].get("problem", "no report written")}
    median_wall = statistics.median(run["wall_seconds"] for run in good)
    typical = min(good, key=lambda run: abs(run["wall_seconds"] - median_wall))
    return {**typical, "wall_seconds_median": round(median_wall, 2),
            "wall_seconds_all": [run["wall_seconds"] for run in good],
            "tests_per_second": round(typical["tests"] / median_wall, 1),
            "requests_per_second": round(typical["requests"] / median_wall, 1)}


def print_table(summaries: list[dict], host: dict) -> None:
    """One line per target, then the machine."""
    print(f"{'target':8} {'wall s (median)':>16} {'pytest s':>9} {'tests':>6} {'requests':>9} {'tests/s':>8} "
          f"{'requests/s':>11} {'exit':>5}  rules")
    for summary in summaries:
        if "problem" in summary:
            print(f"{summary['target']:8} no report: {summary['problem']}")
            continue
        rules = ", ".join(f"{count} {outcome}" for outcome, count in summary["rules"].items())
        print(f"{summary['target']:8} {summary['wall_seconds_median']:>16} {summary['session_seconds']:>9} "
              f"{summary['tests']:>6} {summary['requests']:>9} {summary['tests_per_second']:>8} "
              f"{summary['requests_per_second']:>11} {summary['exit']:>5}  {rules}")
    print(f"machine: {host['cores']} cores, {host['cpu']}, Python {host['python']}, "
          f"load average {host['load_average_1min']} at start")


def main(argv: list[str] | None = None) -> int:
    """Time the runs and print the table; exit 1 when a run wrote no report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per target; the median is reported (default 3)")
    parser.add_argument("--targets", default=",".join(TARGETS), help="comma-separated: mock, replay (default both)")
    parser.add_argument("--json", type=Path, help="also write every run and the machine as JSON to this file")
    parser.add_argument("extra", nargs="*", help="extra arguments for `installment-conformance run` (after --)")
    args = parser.parse_args(argv)
    targets = [name for name in args.targets.split(",") if name]
    unknown = sorted(set(targets) - set(TARGETS))
    if unknown or args.repeat < 1:
        parser.error(f"unknown target {', '.join(unknown)}; use mock or replay" if unknown else "--repeat must be 1 or more")
    host = machine()
    summaries = []
    for target in targets:
        runs = []
        for index in range(args.repeat):
            runs.append(one_run(target, args.extra))
            print(f"{target} run {index + 1}/{args.repeat}: {runs[-1]['wall_seconds']:.2f} s", file=sys.stderr)
        summaries.append(summarise(runs))
    print_table(summaries, host)
    if args.json:
        args.json.write_text(json.dumps({"machine": host, "runs": summaries}, indent=2) + "\n", encoding="utf-8")
    return 1 if any("problem" in summary for summary in summaries) else 0


if __name__ == "__main__":
    sys.exit(main())
