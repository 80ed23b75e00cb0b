"""Validation of the project's own data files (profile, rule catalogue, fault catalogue) by their schemas."""

from __future__ import annotations

import json
from functools import cache

import jsonschema

from installment_conformance import paths


class DataFileError(ValueError):
    """A data file that does not match its schema; the message names the file and the JSON pointer."""


@cache
def _validator(name: str) -> jsonschema.Draft202012Validator:
    schema = json.loads((paths.SCHEMAS / "meta" / f"{name}.json").read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(schema)


def validate_data(raw: object, schema_name: str, source: str) -> None:
    """Raise DataFileError listing every place `raw` breaks schemas/meta/<schema_name>.json."""
    errors = sorted(_validator(schema_name).iter_errors(raw), key=lambda e: list(e.absolute_path))
    if errors:
        lines = [f"{source}: /{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors]
        raise DataFileError("\n".join(lines))


def validate_profile(raw: object, source: str) -> None:
    """Validate a payment-method profile."""
    validate_data(raw, "profile", source)
