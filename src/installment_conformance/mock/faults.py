"""The catalogue of named faults (faults.yaml) and the switches a running mock consults."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from installment_conformance.meta import validate_data

CATALOGUE = Path(__file__).with_name("faults.yaml")


class UnknownFault(ValueError):
    """A fault name that is not in the catalogue; the message lists the names there are."""


@dataclass(frozen=True)
class Fault:
    """One deliberate deviation: its name, the rule it breaks and what it does."""

    name: str
    rule: str
    description: str


@cache
def catalogue() -> dict[str, Fault]:
    """Every fault of faults.yaml by name (validated by schemas/meta/faults.json, names unique)."""
    raw = yaml.safe_load(CATALOGUE.read_text(encoding="utf-8"))
    validate_data(raw, "faults", source=str(CATALOGUE))
    faults: dict[str, Fault] = {}
    for row in raw["faults"]:
        if row["name"] in faults:
            raise ValueError(f"{CATALOGUE}: fault {row['name']} is listed twice")
        faults[row["name"]] = Fault(row["name"], row["rule"], row["description"])
    return faults


def usage() -> str:
    """The fault names with their rules, one a line, for a usage error or --help."""
    return "\n".join(f"  {f.name:45} {f.rule}  {f.description}" for f in catalogue().values())


class _Switches(dict):
    """Every catalogue name to whether it is on; a name outside the catalogue raises KeyError."""

    def __missing__(self, name: str) -> bool:
        """A name outside the catalogue is a programming error."""
        raise KeyError(f"fault {name!r} is not in {CATALOGUE.name}")


class Faults:
    """The faults switched on in one mock; `on(name)` is what the code asks at the one place a behaviour lives."""

    def __init__(self, names: Iterable[str] = ()):
        """Switch on `names`; UnknownFault for a name outside the catalogue."""
        names = tuple(names)
        known = catalogue()
        unknown = [name for name in names if name not in known]
        if unknown:
            raise UnknownFault(f"unknown fault {', '.join(map(repr, unknown))}; the faults are:\n{usage()}")
        self.names = frozenset(names)
        switches = _Switches((name, name in self.names) for name in known)
        # `on(name)`: True when the fault is on. A bound dict lookup, not a method: a charge asks about thirty times.
        self.on = switches.__getitem__

    def __repr__(self) -> str:
        """The switched-on names, for debugging."""
        return f"Faults({sorted(self.names)})"
