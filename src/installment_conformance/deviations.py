"""Known deviations of a target (the --deviations file): which rules it breaks and why, run as strict xfails."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from installment_conformance import catalogue as catalogues
from installment_conformance.meta import DataFileError, validate_data


@dataclass(frozen=True)
class Deviation:
    """One rule the target is known to break, optionally only in the tests whose id contains `tests`."""

    rule: str
    reason: str
    tests: str | None = None

    def covers(self, rule_ids: list[str], node_id: str) -> bool:
        """True when a test of these rules, with this id, is expected to fail."""
        return self.rule in rule_ids and (self.tests is None or self.tests in node_id)


@dataclass(frozen=True)
class Deviations:
    """Every deviation of one target."""

    items: tuple[Deviation, ...] = ()
    target: str | None = None

    def matching(self, rule_ids: list[str], node_id: str) -> Deviation | None:
        """The first deviation covering a test, or None."""
        return next((item for item in self.items if item.covers(rule_ids, node_id)), None)


def load(path: Path | str, loaded_catalogue: catalogues.Catalogue) -> Deviations:
    """Read and validate a deviations file; DataFileError naming the file for bad shapes and unknown rule ids."""
    try:
        raw = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise DataFileError(f"{path}: not YAML: {error}") from None
    validate_data(raw, "deviations", source=str(path))
    unknown = [entry["rule"] for entry in raw["deviations"] if entry["rule"] not in loaded_catalogue.ids]
    if unknown:
        raise DataFileError(f"{path}: no such rule in the catalogue: {', '.join(unknown)}")
    items = tuple(Deviation(entry["rule"], entry["reason"], entry.get("tests")) for entry in raw["deviations"])
    return Deviations(items=items, target=raw.get("target"))
