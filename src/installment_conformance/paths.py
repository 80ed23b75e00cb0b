"""Where the contract's data folders are: inside an installed wheel, or at the top of a clone."""

from __future__ import annotations

import os
from pathlib import Path

_PACKAGED = Path(__file__).parent / "_data"
_CLONE = Path(__file__).resolve().parents[2]


def _root() -> Path:
    return _PACKAGED if (_PACKAGED / "schemas").is_dir() else _CLONE


def data_dir(name: str) -> Path:
    """The folder `schemas`, `suites`, `profiles` or `cassettes`."""
    return _root() / name


SCHEMAS = data_dir("schemas")
SUITES = data_dir("suites")
PROFILES = data_dir("profiles")
CASSETTES = data_dir("cassettes")
DEFAULT_PROFILE = PROFILES / "omise-th.yaml"

SHARED = Path(os.environ.get("INSTALLMENT_CONFORMANCE_SHARED", _CLONE.parent / "shared"))
SEEDS = SHARED / "seeds"
SDK_FIXTURES = SHARED / "fixtures" / "omise-sdk"
CONTRACT = SHARED / "spec" / "CONTRACT.md"
