"""Throughput and latency of the reference mock, against a bare Starlette handler (the floor) and Prism, measured with wrk.

Run from a clone with the project installed: `python benchmarks/mock_throughput.py` (see benchmarks/README.md).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

import bench_machine
import bench_operations
import bench_servers
import bench_wrk

from installment_conformance import profile as profiles

SERVERS = ("mock", "bare", "prism")
OPERATIONS = ("sources", "charges", "refunds")
GOAL_PRISM_THROUGHPUT = 2.0
GOAL_BARE_LATENCY = 1.5


@dataclass
class Measurement:
    """One server and operation at one concurrency: the wrk result, or why there is none."""

    server: str
    operation: str
    connections: int
    round: int = 1
    result: bench_wrk.WrkResult | None = None
    problem: str | None = None
    load_average: float | None = None

    @property
    def valid(self) -> bool:
        """True when every request was answered 2xx without socket errors (otherwise errors were measured, not the server)."""
        return self.result is not None and self.problem is None and self.result.non_2xx == 0 and self.result.socket_errors == 0

    def as_dict(self) -> dict:
        """The measurement as plain JSON values."""
        return {"server": self.server, "operation": self.operation, "connections": self.connections, "round": self.round, "valid": self.valid,
                "problem": self.problem, "load_average_1min": self.load_average, **(self.result.as_dict() if self.result else {})}


@dataclass
class Run:
    """Everything measured in one invocation."""

    settings: dict
    machine: dict
    operations: dict
    measurements: list[Measurement] = field(default_factory=list)

    def median(self, server: str, operation: str, connections: int, attribute: str) -> float | None:
        """The median of a result attribute over the valid rounds of a server and operation at a concurrency (None if none)."""
        values = [getattr(m.result, attribute) for m in self.measurements
                  if (m.server, m.operation, m.connections) == (server, operation, connections) and m.valid]
        return statistics.median(values) if values else None


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds of each measured wrk run (default 10)")
    parser.add_argument("--warmup", type=int, default=2, help="seconds of the unmeasured wrk run before each measurement (default 2)")
    parser.add_argument("--connections", type=int, default=32, help="keep-alive connections of the throughput runs (default 32)")
    parser.add_argument("--latency-connections", type=int, default=1,
                        help="connections of the latency runs, a lone client as a test suite is; 0 skips them (default 1)")
    parser.add_argument("--threads", type=int, default=1, help="wrk threads (default 1: the server keeps the other core)")
    parser.add_argument("--rounds", type=int, default=1,
                        help="measure every server this many times, taking turns (mock, bare, prism, mock, ...), and compare "
                             "medians: a shared machine's slow minutes then fall on every server alike (default 1)")
    parser.add_argument("--servers", default=",".join(SERVERS), help=f"comma-separated subset of {','.join(SERVERS)} (default all)")
    parser.add_argument("--operations", default=",".join(OPERATIONS),
                        help=f"comma-separated subset of {','.join(OPERATIONS)} (default all)")
    parser.add_argument("--refund-charges", type=int, default=2000,
                        help="successful charges prepared on the mock for the refund runs (default 2000)")
    parser.add_argument("--no-install", action="store_true", help="do not run `npm ci` for Prism when it is missing")
    parser.add_argument("--json", metavar="FILE", help="also write the results as JSON to FILE")
    parser.add_argument("--scripts", metavar="DIR", help="keep the generated wrk Lua scripts in DIR (default: a temporary folder)")
    args = parser.parse_args(argv)
    args.servers = _subset(parser, "--servers", args.servers, SERVERS)
    args.operations = _subset(parser, "--operations", args.operations, OPERATIONS)
    for name in ("duration", "connections", "threads", "refund_charges", "rounds"):
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1")
    if args.warmup < 0 or args.latency_connections < 0:
        parser.error("--warmup and --latency-connections cannot be negative")
    return args


def _subset(parser: argparse.ArgumentParser, option: str, text: str, allowed: tuple[str, ...]) -> list[str]:
    """The names of a comma-separated option, in the canonical order; a usage error for an unknown one."""
    names = [name.strip() for name in text.split(",") if name.strip()]
    unknown = sorted(set(names) - set(allowed))
    if unknown or not names:
        parser.error(f"{option}: unknown or empty {unknown or text!r}; choose from {','.join(allowed)}")
    return [name for name in allowed if name in names]


def machine(wrk: str, prism: Path | None) -> dict:
    """What the numbers were measured on: cores, CPU, load, and the versions in play."""
    return {
        "nproc": os.cpu_count(),
        "cpu_model": bench_machine.cpu_model(),
        "load_average_at_start": [round(value, 2) for value in os.getloadavg()],
        "python": platform.python_version(),
        "uvicorn": metadata.version("uvicorn"),
        "starlette": metadata.version("starlette"),
        "wrk": bench_wrk.version(wrk),
        "prism": bench_servers.prism_version(prism) if prism else None,
    }


def server_named(name: str, prism: Path | None) -> bench_servers.Server:
    """A server by name, not yet started."""
    if name == "mock":
        return bench_servers.mock_server()
    if name == "bare":
        return bench_servers.bare_server()
    return bench_servers.prism_server(prism)


def charge_ids_for(server: str, base_url: str, loaded: profiles.Profile, count: int) -> list[str]:
    """Charges the refund runs name: real successful ones on the stateful mock, well-formed placeholders elsewhere."""
    if server == "mock":
        print(f"  preparing {count} successful charges for the refund runs", flush=True)
        return bench_operations.prepare_refundable_charges(base_url, loaded, count)
    return bench_operations.placeholder_charge_ids(count)


def measure_operation(run: Run, server: bench_servers.Server, operation: bench_operations.Operation, args: argparse.Namespace,
                      wrk: str, loaded: profiles.Profile, workdir: Path, round_number: int) -> None:
    """Prepare, probe, warm up and measure one operation on one server at each concurrency."""
    concurrencies = [args.connections] + ([args.latency_connections] if args.latency_connections else [])
    try:
        charge_ids = charge_ids_for(server.name, server.url, loaded, args.refund_charges) if operation.per_charge else None
        problem = bench_operations.probe(server.url, operation, charge_ids or [])
    except bench_operations.PreparationError as error:
        problem = f"preparation failed: {error}"
    if problem:
        print(f"  {operation.name}: NOT MEASURED: {problem}", flush=True)
        run.measurements += [Measurement(server.name, operation.name, c, round_number, problem=problem) for c in concurrencies]
        return
    authorization = bench_wrk.basic_authorization(bench_operations.BENCH_SECRET_KEY)
    script_path = workdir / f"{server.name}-{operation.name}.lua"
    script_path.write_text(bench_wrk.script("POST", operation.path, operation.body, authorization, charge_ids))
    for connections in concurrencies:
        if args.warmup:
            bench_wrk.run(wrk, server.url, script_path, duration_s=args.warmup, connections=connections, threads=args.threads)
        result = bench_wrk.run(wrk, server.url, script_path, duration_s=args.duration, connections=connections, threads=args.threads)
        # The machine's 1-minute load right after the run: above about 2 (two cores) others competed for the CPU.
        measurement = Measurement(server.name, operation.name, connections, round_number, result, load_average=round(os.getloadavg()[0], 2))
        run.measurements.append(measurement)
        print(f"  {operation.name:8} c={connections:<3} {result.requests_per_s:9.1f} req/s  p50 {result.p50_ms:8.3f} ms  "
              f"p99 {result.p99_ms:8.3f} ms  non-2xx {result.non_2xx}  socket errors {result.socket_errors}  "
              f"load {measurement.load_average:g}", flush=True)


def ratio(numerator: float | None, denominator: float | None) -> float | None:
    """numerator / denominator, None when either is missing or the denominator is zero."""
    if numerator is None or not denominator:
        return None
    return round(numerator / denominator, 2)


def ratios(run: Run, args: argparse.Namespace) -> list[dict]:
    """Per operation: mock/Prism throughput, mock/bare p50 latency (lone client and under load), and the goal verdicts.

    Each figure is the median over the rounds; invalid measurements (errors) are no basis for a ratio.
    """
    rows = []
    for operation in args.operations:
        load = lambda server, attribute: run.median(server, operation, args.connections, attribute)  # noqa: E731
        alone = lambda server, attribute: run.median(server, operation, args.latency_connections, attribute)  # noqa: E731
        throughput = ratio(load("mock", "requests_per_s"), load("prism", "requests_per_s"))
        latency_alone = ratio(alone("mock", "p50_ms"), alone("bare", "p50_ms")) if args.latency_connections else None
        latency_load = ratio(load("mock", "p50_ms"), load("bare", "p50_ms"))
        latency = latency_alone if latency_alone is not None else latency_load
        rows.append({
            "operation": operation,
            "mock_over_prism_rps": throughput,
            "mock_over_bare_p50_lone_client": latency_alone,
            "mock_over_bare_p50_under_load": latency_load,
            "meets_throughput_goal": None if throughput is None else throughput >= GOAL_PRISM_THROUGHPUT,
            "meets_latency_goal": None if latency is None else latency <= GOAL_BARE_LATENCY,
        })
    return rows


def _cell(value: object) -> str:
    """A table cell: n/a for a missing value."""
    if value is None:
        return "n/a"
    if isinstance(value, bool):
        return "yes" if value else "NO"
    return f"{value:g}" if isinstance(value, float) else str(value)


def table(headers: list[str], rows: list[list[object]]) -> str:
    """A plain text table with aligned columns."""
    cells = [headers] + [[_cell(value) for value in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    lines = ["  ".join(text.ljust(width) for text, width in zip(row, widths)).rstrip() for row in cells]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines)


def report(run: Run, ratio_rows: list[dict]) -> str:
    """The results table, the ratios with the goals, and the machine line."""
    measured = table(
        ["round", "server", "operation", "conns", "req/s", "p50 ms", "p99 ms", "requests", "non-2xx", "sock err", "load", "valid"],
        [[m.round, m.server, m.operation, m.connections, m.result.requests_per_s if m.result else None, m.result.p50_ms if m.result else None,
          m.result.p99_ms if m.result else None, m.result.requests if m.result else None, m.result.non_2xx if m.result else None,
          m.result.socket_errors if m.result else None, m.load_average, m.valid] for m in run.measurements],
    )
    compared = table(
        ["operation", "mock/prism req/s", f"goal >= {GOAL_PRISM_THROUGHPUT:g}", "mock/bare p50 (lone)", "mock/bare p50 (load)",
         f"goal <= {GOAL_BARE_LATENCY:g}"],
        [[r["operation"], r["mock_over_prism_rps"], r["meets_throughput_goal"], r["mock_over_bare_p50_lone_client"],
          r["mock_over_bare_p50_under_load"], r["meets_latency_goal"]] for r in ratio_rows],
    )
    m = run.machine
    problems = [f"{x.server} {x.operation}: {x.problem}" for x in run.measurements if x.problem]
    lines = [measured, "", compared, "",
             f"machine: {m['nproc']} cores, {m['cpu_model']}; load average {m['load_average_at_start']} at start, "
             f"{[round(v, 2) for v in os.getloadavg()]} at end; Python {m['python']}, uvicorn {m['uvicorn']}, "
             f"starlette {m['starlette']}, {m['wrk']}, Prism {m['prism'] or 'not run'}"]
    lines += [f"not measured: {text}" for text in dict.fromkeys(problems)]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Measure every chosen server and operation; print the report; 0 when every measurement is valid, 1 if not, 2 on missing tools."""
    args = parse_args(argv)
    try:
        wrk = bench_wrk.require_wrk()
        prism = bench_servers.prism_binary(install=not args.no_install) if "prism" in args.servers else None
    except bench_wrk.MissingTool as error:
        print(f"mock_throughput: {error}", file=sys.stderr)
        return 2
    loaded = profiles.load()
    operations = bench_operations.build(loaded)
    run = Run(settings={key: value for key, value in vars(args).items() if key not in ("json", "scripts")}, machine=machine(wrk, prism),
              operations={name: operations[name].description for name in args.operations})
    print(f"{args.duration} s per measurement after {args.warmup} s of warm-up; {args.connections} connections for throughput"
          + (f", {args.latency_connections} for latency" if args.latency_connections else ""), flush=True)
    with tempfile.TemporaryDirectory(prefix="bench-wrk-") as temporary:
        workdir = Path(args.scripts or temporary)
        workdir.mkdir(parents=True, exist_ok=True)
        for round_number in range(1, args.rounds + 1):
            for name in args.servers:
                server = server_named(name, prism)
                print(f"{name}: starting" + (f" (round {round_number} of {args.rounds})" if args.rounds > 1 else ""), flush=True)
                with server:
                    print(f"{name}: {server.url} (pid {server.process.pid})", flush=True)
                    for operation in args.operations:
                        measure_operation(run, server, operations[operation], args, wrk, loaded, workdir, round_number)
    ratio_rows = ratios(run, args)
    print()
    print(report(run, ratio_rows))
    if args.json:
        document = {"settings": run.settings, "machine": {**run.machine, "load_average_at_end": [round(v, 2) for v in os.getloadavg()]},
                    "operations": run.operations, "measurements": [m.as_dict() for m in run.measurements], "ratios": ratio_rows,
                    "goals": {"mock_over_prism_rps_at_least": GOAL_PRISM_THROUGHPUT, "mock_over_bare_p50_at_most": GOAL_BARE_LATENCY}}
        Path(args.json).write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
        print(f"results written to {args.json}")
    return 0 if all(m.valid for m in run.measurements) else 1


if __name__ == "__main__":
    sys.exit(main())
