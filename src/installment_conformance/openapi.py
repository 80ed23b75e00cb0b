"""Builds schemas/openapi.yaml: the hand-written paths plus every JSON Schema bundled into components.

The JSON Schemas carry `$id`s on a host that never resolves, so tools that read the
OpenAPI document (schemathesis, Prism) must never see them: each schema is copied
into `components/schemas/<Name>` without its `$id` and `$schema`, and each `$ref`
between the files becomes a local `#/components/schemas/<Name>` pointer.

Regenerate the committed document with `python -m installment_conformance.openapi`.
"""

from __future__ import annotations

import argparse
import copy
import json
import sys
from pathlib import Path
from urllib.parse import urldefrag, urljoin

import yaml

from installment_conformance import paths

SCHEMA_FOLDER = paths.SCHEMAS
PATHS_SOURCE = SCHEMA_FOLDER / "openapi-paths.yaml"
OUTPUT = SCHEMA_FOLDER / "openapi.yaml"
REGENERATE_COMMAND = "python -m installment_conformance.openapi"
COMPONENT_PREFIX = "#/components/schemas/"
DROPPED_KEYWORDS = ("$id", "$schema")

HEADER = (
    "# GENERATED FILE: do not edit. Built from schemas/openapi-paths.yaml and schemas/*.json by\n"
    f"#     {REGENERATE_COMMAND}\n"
)


class BundleError(ValueError):
    """A JSON Schema or the paths source that cannot be bundled; the message says which and why."""


def component_name(schema_file: Path | str) -> str:
    """The component name of a schema file: `charge-create-inline.json` -> `ChargeCreateInline`."""
    stem = Path(schema_file).name.removesuffix(".json")
    return "".join(part[:1].upper() + part[1:] for part in stem.replace("_", "-").split("-") if part)


def schema_files(folder: Path | None = None) -> list[Path]:
    """The wire-object and request-body schemas: every `*.json` directly under `folder` (not `meta/`)."""
    return sorted((folder or SCHEMA_FOLDER).glob("*.json"))


def load_json_schemas(folder: Path | None = None) -> dict[str, dict]:
    """Every JSON Schema under `folder`, by file name."""
    return {path.name: json.loads(path.read_text(encoding="utf-8")) for path in schema_files(folder)}


def _ids_to_names(schemas: dict[str, dict]) -> dict[str, str]:
    """Map each schema's `$id` (and its file name, for schemas without one) to its component name."""
    names: dict[str, str] = {}
    for file_name, schema in schemas.items():
        name = component_name(file_name)
        names[file_name] = name
        if "$id" in schema:
            names[urldefrag(schema["$id"]).url] = name
    return names


def rewrite_ref(ref: str, base: str, names: dict[str, str]) -> str:
    """The local component pointer for `ref` as written in the schema whose `$id` is `base`."""
    target, fragment = urldefrag(urljoin(base, ref))
    name = names.get(target) or names.get(Path(target).name)
    if name is None:
        raise BundleError(f"$ref {ref!r} in {base} points outside schemas/*.json ({target}); bundle it or fix it")
    if fragment and not fragment.startswith("/"):
        raise BundleError(f"$ref {ref!r} in {base} uses an anchor; only JSON pointers can be bundled")
    return COMPONENT_PREFIX + name + fragment


DATA_KEYWORDS = frozenset({"const", "enum", "default", "example", "examples"})
NAME_MAP_KEYWORDS = frozenset({"properties", "patternProperties", "$defs", "definitions", "dependentSchemas"})


def map_schema(node, on_ref, *, top: bool = True, name_map: bool = False):
    """A copy of a schema tree with `on_ref` applied to every `$ref`; data keywords are copied untouched.

    `name_map` marks an object whose keys are names (a `properties` map), not keywords.
    """
    if isinstance(node, list):
        return [map_schema(item, on_ref, top=False) for item in node]
    if not isinstance(node, dict):
        return node
    if name_map:
        return {name: map_schema(value, on_ref, top=False) for name, value in node.items()}
    result = {}
    for key, value in node.items():
        if top and key in DROPPED_KEYWORDS:
            continue
        if key == "$ref" and isinstance(value, str):
            result[key] = on_ref(value)
        elif key in DATA_KEYWORDS:
            result[key] = copy.deepcopy(value)
        else:
            result[key] = map_schema(value, on_ref, top=False, name_map=key in NAME_MAP_KEYWORDS)
    return result


def to_component(schema: dict, base: str, names: dict[str, str]) -> dict:
    """A copy of `schema` without `$id`/`$schema` and with every `$ref` rewritten to a component pointer."""
    return map_schema(schema, lambda ref: rewrite_ref(ref, base, names))


def bundle_components(schemas: dict[str, dict]) -> dict[str, dict]:
    """Every JSON Schema as a component, keyed by component name."""
    names = _ids_to_names(schemas)
    components = {}
    for file_name, schema in schemas.items():
        base = schema.get("$id", f"{SCHEMA_FOLDER.as_uri()}/{file_name}")
        components[component_name(file_name)] = to_component(schema, base, names)
    return components


def load_paths_source(path: Path | None = None) -> dict:
    """The hand-written paths source, with YAML anchors expanded into plain data."""
    with open(path or PATHS_SOURCE, encoding="utf-8") as handle:
        return json.loads(json.dumps(yaml.safe_load(handle)))


def build(paths_source: Path | None = None, schema_folder: Path | None = None) -> dict:
    """The whole OpenAPI document."""
    paths_source = paths_source or PATHS_SOURCE
    document = load_paths_source(paths_source)
    bundled = bundle_components(load_json_schemas(schema_folder))
    written = document.setdefault("components", {}).setdefault("schemas", {})
    clashes = sorted(set(bundled) & set(written))
    if clashes:
        raise BundleError(f"{paths_source.name} defines components that schemas/*.json also define: {clashes}")
    document["components"]["schemas"] = {**dict(sorted(bundled.items())), **written}
    return document


def iter_refs(document) -> list[str]:
    """Every `$ref` string in a document (schemas, parameters, responses), data keywords excluded."""
    found: list[str] = []

    def collect(ref: str) -> str:
        found.append(ref)
        return ref

    map_schema(document, collect, top=False)
    return found


def render(document: dict) -> str:
    """The document as the YAML text committed in schemas/openapi.yaml."""
    body = yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=110, default_flow_style=False)
    return HEADER + body


def main(argv: list[str] | None = None) -> int:
    """Write schemas/openapi.yaml (or check that it is current with --check)."""
    parser = argparse.ArgumentParser(prog="python -m installment_conformance.openapi", description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 when the committed file differs from a fresh build")
    parser.add_argument("--output", type=Path, default=None, help="where to write (default: schemas/openapi.yaml)")
    args = parser.parse_args(argv)
    text = render(build())
    args.output = args.output or OUTPUT
    if args.check:
        current = args.output.read_text(encoding="utf-8") if args.output.exists() else ""
        if current != text:
            print(f"{args.output} is out of date; regenerate it with: {REGENERATE_COMMAND}", file=sys.stderr)
            return 1
        return 0
    args.output.write_text(text, encoding="utf-8")
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
