"""The `validate` subcommand: check JSON payload files against the wire-object schemas, one line per finding."""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterator
from pathlib import Path

from installment_conformance import schemas


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """PATH... (files, or folders meaning every *.json under them) and an optional forced --schema."""
    parser.add_argument(
        "paths", nargs="+", type=Path, metavar="PATH", help="a JSON payload file, or a folder: every *.json under it"
    )
    parser.add_argument(
        "--schema",
        metavar="NAME",
        help="validate every file against this schema (e.g. source-create) instead of choosing by its `object`",
    )


def run(args: argparse.Namespace) -> int:
    """Print one line per file (or per problem); 0 only when every file is valid."""
    if args.schema is not None and schemas.schema_name(args.schema) not in schemas.names():
        print(f"--schema {args.schema}: no such schema; known: {', '.join(schemas.names())}")
        return 2
    all_valid = True
    for path, unreadable in _targets(args.paths):
        valid, lines = (False, [unreadable]) if unreadable else check_file(path, args.schema)
        all_valid = all_valid and valid
        for line in lines:
            print(line)
    return 0 if all_valid else 1


def _targets(arguments: list[Path]) -> Iterator[tuple[Path, str | None]]:
    """Each file to check, or a path with the line that says why it cannot be checked."""
    for argument in arguments:
        if argument.is_dir():
            found = sorted(p for p in argument.rglob("*.json") if p.is_file())
            if not found:
                yield argument, f"{argument}: no *.json files in this folder"
            yield from ((path, None) for path in found)
        elif argument.is_file():
            yield argument, None
        else:
            yield argument, f"{argument}: no such file or folder"


def check_file(path: Path, schema_name: str | None = None) -> tuple[bool, list[str]]:
    """Whether one file is valid, and its lines: `PATH: valid (name)` or one `PATH: /pointer: message` per problem."""
    try:
        payload = json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as error:
        return False, [f"{path}: not JSON: not UTF-8 text ({error.reason} at byte {error.start})"]
    except json.JSONDecodeError as error:
        return False, [f"{path}: not JSON: {error.msg} at line {error.lineno} column {error.colno}"]
    name = schema_name or schemas.schema_for(payload)
    found = schemas.problems(payload, name)
    if not found:
        return True, [f"{path}: valid ({schemas.schema_name(name)})"]
    return False, [f"{path}: {problem}" for problem in found]

