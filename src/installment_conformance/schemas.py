"""The wire objects' JSON Schemas: one `referencing` registry, cached validators, problems named by JSON pointer."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from installment_conformance import paths

BASE_URI = "https://installment-conformance.invalid/schemas/"
MAX_SHOWN_VALUE = 80  # characters of an offending value quoted in a message


class SchemaSetError(ValueError):
    """The schema files on disk are inconsistent (a wrong `$id`, a clash of `object` names)."""


class UnknownSchemaError(KeyError):
    """A schema name that has no file under schemas/."""

    def __str__(self) -> str:
        return str(self.args[0])


@dataclass(frozen=True, order=True)
class Problem:
    """One place where a payload breaks its schema: a JSON pointer ("" is the whole payload) and what is wrong."""

    pointer: str
    message: str

    def __str__(self) -> str:
        return f"{self.pointer or '/'}: {self.message}"


def schema_name(name: str) -> str:
    """The schema name for `charge`, `charge.json` or a full `$id`: the file name without `.json`."""
    return name.rsplit("/", 1)[-1].removesuffix(".json")


@cache
def _contents() -> dict[str, dict]:
    """Every `schemas/*.json` (not `meta/`), by schema name, with its `$id` checked."""
    found = {}
    for path in sorted(Path(paths.SCHEMAS).glob("*.json")):
        schema = json.loads(path.read_text(encoding="utf-8"))
        expected_id = BASE_URI + path.name
        if schema.get("$id") != expected_id:
            raise SchemaSetError(f"{path}: $id is {schema.get('$id')!r}, expected {expected_id!r}")
        found[schema_name(path.name)] = schema
    return found


def clear_caches() -> None:
    """Forget the loaded schemas, registry and validators (after the files under `paths.SCHEMAS` change)."""
    for cached in (_contents, registry, object_schemas, validator):
        cached.cache_clear()


def names() -> list[str]:
    """The names of the schemas a payload can be checked against: wire objects and request bodies (not `common`)."""
    return sorted(name for name, document in _contents().items() if "type" in document)


def schema(name: str) -> dict:
    """The schema document called `name` (`charge`, `charge.json`)."""
    key = schema_name(name)
    try:
        return _contents()[key]
    except KeyError:
        raise UnknownSchemaError(f"no schema named {name!r}; known: {', '.join(names())}") from None


@cache
def registry() -> Registry:
    """One registry holding every schema under its `$id`, so relative `$ref`s resolve and nothing is fetched."""
    resources = [
        (document["$id"], Resource.from_contents(document, default_specification=DRAFT202012))
        for document in _contents().values()
    ]
    return Registry().with_resources(resources).crawl()


@cache
def object_schemas() -> dict[str, str]:
    """Map each wire object's `object` value to its schema name, read from the schemas' `object` const."""
    found: dict[str, str] = {}
    for name, document in _contents().items():
        const = document.get("properties", {}).get("object", {}).get("const")
        if const is None:
            continue
        if const in found:
            raise SchemaSetError(f"object {const!r} is claimed by both {found[const]}.json and {name}.json")
        found[const] = name
    return found


def schema_for(payload: object) -> str | None:
    """The schema name for a payload, chosen by its `object` (`list` -> `list`); None when there is none."""
    if not isinstance(payload, dict):
        return None
    kind = payload.get("object")
    return object_schemas().get(kind) if isinstance(kind, str) else None


@cache
def validator(name: str) -> Draft202012Validator:
    """The validator of schema `name`, built once and shared (its `$ref`s go through `registry()`)."""
    return Draft202012Validator(schema(name), registry=registry())


def problems(payload: object, name: str | None = None) -> list[Problem]:
    """Every place `payload` breaks schema `name` (default: the schema of its `object`), sorted by pointer."""
    if name is None:
        name = schema_for(payload)
        if name is None:
            return [_no_schema_problem(payload)]
    errors = validator(schema_name(name)).iter_errors(payload)
    return sorted(set(_problems_of(_leaves(errors))))


def _no_schema_problem(payload: object) -> Problem:
    """Why no schema could be chosen for a payload."""
    known = ", ".join(sorted(object_schemas()))
    if not isinstance(payload, dict):
        return Problem("", f"expected a JSON object with an `object` field, got {_json_type(payload)}")
    if "object" not in payload:
        return Problem("", f"no `object` field, so no schema can be chosen (known objects: {known})")
    return Problem("/object", f"no schema for object {_short(payload['object'])} (known objects: {known})")


def _leaves(errors: Iterable[ValidationError]) -> Iterator[ValidationError]:
    """The errors to report: an anyOf/oneOf failure gives way to the errors of the one branch that fits the value."""
    for error in errors:
        branch = _fitting_branch(error) if error.validator in ("anyOf", "oneOf") else None
        if branch:
            yield from _leaves(branch)
        else:
            yield error


def _fitting_branch(error: ValidationError) -> list[ValidationError] | None:
    """The errors of the only alternative whose failure is not a mismatch of the value's type or constant."""
    by_branch: dict[object, list[ValidationError]] = defaultdict(list)
    for sub in error.context or ():
        by_branch[sub.relative_schema_path[0]].append(sub)
    fitting = [
        subs
        for subs in by_branch.values()
        if not any(sub.validator in ("type", "const") and not sub.relative_path for sub in subs)
    ]
    return fitting[0] if len(fitting) == 1 else None


def _problems_of(errors: Iterable[ValidationError]) -> Iterator[Problem]:
    """Problems for validation errors; a missing property is reported at its own pointer."""
    for error in errors:
        pointer = to_pointer(error.absolute_path)
        if error.validator == "required" and isinstance(error.instance, dict):
            for missing in error.validator_value:
                if missing not in error.instance and error.message == f"{missing!r} is a required property":
                    yield Problem(f"{pointer}/{_escape(missing)}", f"required property {missing!r} is missing")
                    break
            else:
                yield Problem(pointer, error.message)
        else:
            yield Problem(pointer, _message(error))


def _message(error: ValidationError) -> str:
    """The validator's message with a long offending value cut short."""
    shown = repr(error.instance)
    if len(shown) <= MAX_SHOWN_VALUE or shown not in error.message:
        return error.message
    return error.message.replace(shown, _short(error.instance), 1)


def _short(value: object) -> str:
    """A value quoted for a message, cut to MAX_SHOWN_VALUE characters."""
    shown = repr(value)
    if len(shown) <= MAX_SHOWN_VALUE:
        return shown
    return f"{shown[: MAX_SHOWN_VALUE - 5]}...{shown[-1]} ({_json_type(value)})"


def _json_type(value: object) -> str:
    """The JSON type name of a Python value."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    return {str: "string", list: "array", dict: "object"}.get(type(value), type(value).__name__)


def _escape(token: object) -> str:
    """One JSON pointer token (RFC 6901: `~` -> `~0`, `/` -> `~1`)."""
    return str(token).replace("~", "~0").replace("/", "~1")


def to_pointer(path: Iterable[object]) -> str:
    """The JSON pointer of a path of keys and indexes ("" for the whole document)."""
    return "".join(f"/{_escape(token)}" for token in path)
