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
        if not row["name"].isidentifier() or row["name"] in vars(Faults):
            raise ValueError(f"{CATALOGUE}: fault {row['name']} cannot be an attribute of Faults")
        faults[row["name"]] = Fault(row["name"], row["rule"], row["description"])
    return faults


def usage() -> str:
    """The fault names with their rules, one a line, for a usage error or --help."""
    return "\n".join(f"  {f.name:45} {f.rule}  {f.description}" for f in catalogue().values())


class Faults:
    """The faults switched on in one mock: each fault of the catalogue is a boolean attribute (`faults.void_window_utc`).

    The code reads the attribute at the one place a behaviour lives. Attributes rather than a
    lookup method because a charge asks about thirty times, and a call cost five times a read.
    """

    def __init__(self, names: Iterable[str] = ()):
        """Switch on `names`; UnknownFault for a name outside the catalogue."""
        names = tuple(names)
        known = catalogue()
        unknown = [name for name in names if name not in known]
        if unknown:
            raise UnknownFault(f"unknown fault {', '.join(map(repr, unknown))}; the faults are:\n{usage()}")
        self.names = frozenset(names)
        for name in known:
            setattr(self, name, name in self.names)

    def __getattr__(self, name: str) -> bool:
        """Only reached for a name that is not a fault of the catalogue: a programming error."""
        raise AttributeError(f"fault {name!r} is not in {CATALOGUE.name}")

    def __repr__(self) -> str:
        """The switched-on names, for debugging."""
        return f"Faults({sorted(self.names)})"
