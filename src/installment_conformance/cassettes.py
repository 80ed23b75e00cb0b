"""The `cassettes check` subcommand: recorded answers against the schemas and money rules, stale cassettes, tests without one."""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from installment_conformance import paths, recording, schemas, st_checks
from installment_conformance import profile as profiles


@dataclass
class Drift:
    """What a check of the cassettes found."""

    checked: int = 0
    answers: int = 0
    problems: list[str] = field(default_factory=list)
    stale: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        """True when nothing drifted."""
        return not (self.problems or self.stale or self.missing)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of `installment-conformance cassettes`."""
    parser.add_argument("action", choices=["check"], help="check: validate recorded answers and find stale or missing cassettes")
    parser.add_argument("--cassette-dir", default=None, metavar="DIR", help="the cassettes to check (default: cassettes/)")
    parser.add_argument("--profile", default=None, metavar="FILE", help="profile for the money rules (default: omise-th.yaml)")


def interactions(cassette: Path) -> list[dict]:
    """The recorded request/response pairs of one cassette file."""
    data = yaml.safe_load(cassette.read_text(encoding="utf-8")) or {}
    return data.get("interactions", [])


def answer_problems(body: object, loaded: profiles.Profile) -> list[str]:
    """What is wrong with one recorded JSON answer: schema problems by pointer, money rules broken by its charges."""
    found = []
    if isinstance(body, dict) and schemas.schema_for(body):
        found += [f"{problem.pointer or '/'}: {problem.message} (API-06)" for problem in schemas.problems(body)]
    for charge in st_checks.iter_charges(body):
        found += [f"charge {charge.get('id')}: {mismatch}" for mismatch in st_checks.money_mismatches(charge, loaded)]
    return found


def check_answers(folder: Path, loaded: profiles.Profile, drift: Drift) -> None:
    """Validate every recorded JSON answer under `folder`."""
    for cassette in sorted(folder.rglob("*.yaml")):
        if cassette.name == recording.PROVENANCE_FILE:
            continue
        drift.checked += 1
        for number, interaction in enumerate(interactions(cassette)):
            text = interaction.get("response", {}).get("body", {}).get("string", "")
            try:
                body = json.loads(text) if text else None
            except (ValueError, TypeError, RecursionError):
                continue
            drift.answers += 1
            for problem in answer_problems(body, loaded):
                drift.problems.append(f"{cassette.relative_to(folder)} #{number}: {problem}")


def replayable_tests() -> set[str]:
    """The names `collect_replayable` finds, collected in a fresh interpreter (pytest ids depend on process-wide state)."""
    listing = subprocess.run([sys.executable, "-m", "installment_conformance.cassettes"], capture_output=True, text=True, check=True)
    return set(json.loads(listing.stdout.strip().splitlines()[-1]))


def collect_replayable() -> set[str]:
    """`<suite module>/<cassette name>` of every suite test that talks to the target and that replay covers (not live_only)."""
    import pytest
    from pytest_recording.plugin import get_default_cassette_name

    class Collect:
        """Keeps the collected suite tests."""

        names: set[str] = set()

        def pytest_collection_modifyitems(self, items):
            """Remember each replayable test."""
            self.names |= {f"{Path(str(item.fspath)).stem}/{get_default_cassette_name(None, item.name)}" for item in items
                           if item.get_closest_marker("live_only") is None and "api" in getattr(item, "fixturenames", ())}

    collector = Collect()
    with contextlib.redirect_stdout(io.StringIO()):
        pytest.main([str(paths.SUITES), "--collect-only", "-qq", "-p", "no:cacheprovider", "-p", "no:warnings"], plugins=[collector])
    return collector.names


def check_coverage(folder: Path, drift: Drift) -> None:
    """Cassettes whose test no longer exists, and tests without a cassette."""
    recorded = {f"{path.parent.name}/{path.stem}" for path in folder.rglob("*.yaml") if path.name != recording.PROVENANCE_FILE}
    tests = replayable_tests()
    drift.stale = sorted(recorded - tests)
    drift.missing = sorted(tests - recorded)


def check(root: Path | None = None, profile_path: str | None = None) -> Drift:
    """Check the suites' cassettes under `root` (default: the project's cassettes/)."""
    folder = recording.suite_cassettes(root)
    loaded = profiles.load(profile_path) if profile_path else profiles.load()
    drift = Drift()
    check_answers(folder, loaded, drift)
    check_coverage(folder, drift)
    documented = (root or paths.CASSETTES) / "documented"
    if documented.exists():
        check_answers(documented, loaded, drift)
    return drift


def run(args: argparse.Namespace) -> int:
    """Print what drifted; exit 0 only when nothing did."""
    root = Path(args.cassette_dir) if args.cassette_dir else None
    stamp = recording.read_provenance(root)
    if stamp is None:
        print(f"no cassettes recorded under {recording.suite_cassettes(root)}")
        return 1
    drift = check(root, args.profile)
    print(f"recorded from {stamp['target']} on {stamp['recorded_at']} (suite {stamp['suite_version']}, profile {stamp['profile']})")
    for title, lines in (("answers that break the contract", drift.problems), ("cassettes whose test no longer exists", drift.stale),
                         ("tests without a cassette", drift.missing)):
        if lines:
            print(f"{title} ({len(lines)}):")
            print("\n".join(f"  {line}" for line in lines[:200]))
    print(f"{drift.checked} cassettes, {drift.answers} JSON answers: "
          + ("no drift" if drift.clean else f"{len(drift.problems)} bad answers, {len(drift.stale)} stale, {len(drift.missing)} missing"))
    return 0 if drift.clean else 1


if __name__ == "__main__":
    print(json.dumps(sorted(collect_replayable())))
