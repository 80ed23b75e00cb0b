"""The `run` subcommand: the conformance suites (the packaged `suites/`) under pytest with the plugin's options."""

from __future__ import annotations

import argparse
import os

from installment_conformance import paths
from installment_conformance.client import DEFAULT_TIMEOUT_SECONDS

EXAMPLES_VARIABLE = "CONFORMANCE_GENERATED_EXAMPLES"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of `installment-conformance run`; anything after `--` goes to pytest as it is."""
    parser.add_argument("--target", default="mock", metavar="mock|replay|URL",
                        help="'mock' (default): the embedded reference mock; 'replay': the cassettes, network blocked; "
                             "or an http(s):// base URL with OMISE_PUBLIC_KEY / OMISE_SECRET_KEY set to test keys")
    parser.add_argument("--report", metavar="DIR", help="write report.json, report.md, report.html and junit.xml into DIR")
    parser.add_argument("--profile", metavar="FILE", help="payment-method profile to check against (default: omise-th.yaml)")
    parser.add_argument("--deviations", metavar="FILE", help="the target's known deviations (YAML), run as strict xfails")
    parser.add_argument("--fault", action="append", default=[], metavar="NAME",
                        help="with --target mock: switch on a named fault of the mock (repeatable)")
    parser.add_argument("--record", action="store_true", help="(re)record the cassettes from the target while running")
    parser.add_argument("--cassette-dir", metavar="DIR", help="where cassettes are read and written (default: cassettes/)")
    parser.add_argument("--examples", type=int, metavar="N",
                        help="generated examples per operation and stateful scenarios (default 5; raise it for a deeper search)")
    parser.add_argument("--request-timeout", type=float, default=DEFAULT_TIMEOUT_SECONDS, metavar="SECONDS",
                        help=f"timeout of every request (default {DEFAULT_TIMEOUT_SECONDS:g})")
    parser.add_argument("-k", dest="keyword", metavar="EXPR", help="only the tests matching EXPR, e.g. 'RFD-03 or TRM-01'")
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress dots (the rule table is still printed)")
    parser.add_argument("pytest_args", nargs="*", metavar="-- PYTEST_ARGS", help="further pytest arguments, after --")


def pytest_arguments(args: argparse.Namespace) -> list[str]:
    """The pytest command line of a run."""
    argv = [str(paths.SUITES), "--target", args.target, "--request-timeout", str(args.request_timeout),
            "-p", "no:cacheprovider", "-W", "ignore::pytest.PytestAssertRewriteWarning", "--tb=short", "-rfE", "-q" if not args.quiet else "-qq"]
    for option in ("report", "profile", "deviations"):
        if getattr(args, option):
            argv += [f"--{option}", getattr(args, option)]
    for fault in args.fault:
        argv += ["--mock-fault", fault]
    if args.record:
        argv += ["--record-cassettes"]
    if args.cassette_dir:
        argv += ["--cassette-dir", args.cassette_dir]
    if args.keyword:
        argv += ["-k", args.keyword]
    return argv + list(args.pytest_args)


def run(args: argparse.Namespace) -> int:
    """Run the suites; the exit status is pytest's (0 only when no applicable rule failed)."""
    import pytest

    if args.examples is not None:
        if args.examples < 1:
            print("installment-conformance run: --examples must be at least 1")
            return 2
        os.environ[EXAMPLES_VARIABLE] = str(args.examples)
    return int(pytest.main(pytest_arguments(args)))
