"""The wire objects' JSON Schemas: one `referencing` registry, cached validators, problems named by JSON pointer."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from urllib.parse import urldefrag, urljoin

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
    for cached in (_contents, registry, object_schemas, _validator):
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
    """One registry holding every schema under its `$id`, so `$ref`s resolve and nothing is fetched.

    The documents it holds are the files with their fragment `$ref`s inlined (`_inline_refs`): the
    same meaning, but validation no longer resolves a reference at every timestamp and amount.
    """
    by_id = {document["$id"]: document for document in _contents().values()}
    resources = [
        (uri, Resource.from_contents(_inline_refs(document, uri, by_id), default_specification=DRAFT202012))
        for uri, document in by_id.items()
    ]
    return Registry().with_resources(resources).crawl()


ANNOTATIONS = frozenset({"description", "title", "$comment"})
DATA_KEYWORDS = frozenset({"const", "enum", "default", "examples"})
NAME_MAP_KEYWORDS = frozenset({"properties", "patternProperties", "$defs", "dependentSchemas"})


def _inline_refs(node: object, base: str, by_id: dict[str, dict], active: tuple[str, ...] = ()) -> object:
    """A copy of a schema whose `$ref`s to a part of a file (`common.json#/$defs/money`) hold that part instead.

    A `$ref` to a whole file (`source.json`) stays a reference, made absolute, so recursive objects
    (a charge's refunds list, an event's data) still go through the registry; so does a part already
    being inlined further up (a cycle).
    """
    if isinstance(node, list):
        return [_inline_refs(item, base, by_id, active) for item in node]
    if not isinstance(node, dict):
        return node
    copied = {}
    for key, value in node.items():
        if key in DATA_KEYWORDS:
            copied[key] = value
        elif key in NAME_MAP_KEYWORDS and isinstance(value, dict):
            copied[key] = {name: _inline_refs(sub, base, by_id, active) for name, sub in value.items()}
        elif key != "$ref":
            copied[key] = _inline_refs(value, base, by_id, active)
    ref = node.get("$ref")
    if not isinstance(ref, str):
        return copied
    target = urljoin(base, ref)
    document_uri, fragment = urldefrag(target)
    if not fragment or target in active or document_uri not in by_id:
        return {**copied, "$ref": target}
    part = _inline_refs(_resolve_pointer(by_id[document_uri], fragment), document_uri, by_id, (*active, target))
    if set(copied) <= ANNOTATIONS and isinstance(part, dict):
        return {**part, **copied}
    return {**copied, "allOf": [*copied.get("allOf", []), part]}


def _resolve_pointer(document: dict, fragment: str) -> object:
    """The part of a document a JSON pointer fragment (`/$defs/money`) names."""
    node: object = document
    for token in fragment.removeprefix("/").split("/"):
        token = token.replace("~1", "/").replace("~0", "~")
        node = node[int(token)] if isinstance(node, list) else node[token]
    return node


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


def validator(name: str) -> Draft202012Validator:
    """The validator of schema `name` (`charge` or `charge.json`), built once and shared."""
    return _validator(schema_name(name))


@cache
def _validator(name: str) -> Draft202012Validator:
    """A Draft 2020-12 validator over the registry's copy of schema `name`; its `$ref`s go through `registry()`."""
    uri = schema(name)["$id"]
    return Draft202012Validator(registry().contents(uri), registry=registry())


def problems(payload: object, name: str | None = None) -> list[Problem]:
    """Every place `payload` breaks schema `name` (default: the schema of its `object`), sorted by pointer."""
    if name is None:
        name = schema_for(payload)
        if name is None:
            return [_no_schema_problem(payload)]
    errors = validator(name).iter_errors(payload)
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
