"""The `installment-conformance` command: one subcommand per job, each in its own module."""

from __future__ import annotations

import argparse
import importlib
import sys

# subcommand -> (module with add_arguments(parser) and run(args) -> int, one-line help)
COMMANDS = {
    "run": ("installment_conformance.run_cmd", "run the conformance suites against a target and write the report"),
    "mock": ("installment_conformance.mock.serve", "serve the stateful reference mock gateway"),
    "validate": ("installment_conformance.validate", "validate JSON payload files against the schemas"),
    "rules": ("installment_conformance.catalogue", "print the rule catalogue"),
    "cassettes": ("installment_conformance.cassettes", "check recorded cassettes for drift"),
    "mutate": ("installment_conformance.mutate", "run the suites against every named fault of the mock"),
}


def build_parser() -> argparse.ArgumentParser:
    """The top-level parser with every subcommand."""
    parser = argparse.ArgumentParser(prog="installment-conformance", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, (module_name, help_text) in COMMANDS.items():
        module = importlib.import_module(module_name)
        command = sub.add_parser(name, help=help_text, description=help_text)
        module.add_arguments(command)
        command.set_defaults(handler=module.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and run the subcommand; its return value is the exit status."""
    args = build_parser().parse_args(argv)
    return args.handler(args)


if __name__ == "__main__":
    sys.exit(main())
