"""schemas/openapi.yaml: current, loadable by schemathesis, self-contained, and covering CONTRACT.md section 3."""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import urldefrag, urljoin

import pytest
import schemathesis
import yaml
from schemathesis.core.result import Err

from installment_conformance import openapi, paths

METHODS = ("get", "post", "put", "patch", "delete")
QR_DOWNLOAD = ("GET", "/charges/{id}/documents/{document_id}/downloads/{key}")
REQUIRED_LINKS = {
    ("createSource", "createCharge"),
    ("createCharge", "getCharge"),
    ("createCharge", "createRefund"),
    ("createCharge", "markAsPaid"),
    ("markAsPaid", "createRefund"),
}


@pytest.fixture(scope="module")
def document() -> dict:
    """The committed OpenAPI document."""
    return yaml.safe_load(openapi.OUTPUT.read_text(encoding="utf-8"))


def operations(document: dict):
    """(method, path, operation) for every operation of the document."""
    for path, item in document["paths"].items():
        for method in METHODS:
            if method in item:
                yield method.upper(), path, item[method]


def shape(path: str) -> str:
    """A path with its parameter names blanked, so `{rfnd_id}` and `{refund_id}` compare equal."""
    return re.sub(r"\{[^}]*\}", "{}", path)


def contract_endpoints() -> list[tuple[str, str, str]]:
    """(method, path, key column) for every endpoint CONTRACT.md section 3 names."""
    if not paths.CONTRACT.exists():
        pytest.skip(f"CONTRACT.md is not at {paths.CONTRACT} (set INSTALLMENT_CONFORMANCE_SHARED)")
    text = paths.CONTRACT.read_text(encoding="utf-8")
    section = text[text.index("## 3. Endpoints") : text.index("## 4.")]
    found = []
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        for method, path in re.findall(r"`(GET|POST|PUT|PATCH|DELETE) (/[^` ]*)`", cells[0] if cells else ""):
            found.append((method, path, cells[1] if len(cells) > 1 else ""))
    return found


def resolve_pointer(document: dict, ref: str):
    """The node a local `#/...` reference points at; KeyError/IndexError when it points nowhere."""
    node = document
    for token in ref.removeprefix("#/").split("/") if ref != "#" else []:
        token = token.replace("~1", "/").replace("~0", "~")
        node = node[int(token)] if isinstance(node, list) else node[token]
    return node


def test_committed_document_equals_a_fresh_build():
    fresh = openapi.render(openapi.build())
    committed = openapi.OUTPUT.read_text(encoding="utf-8") if openapi.OUTPUT.exists() else ""
    assert committed == fresh, (
        f"{openapi.OUTPUT} is out of date with schemas/openapi-paths.yaml and schemas/*.json; "
        f"regenerate it with: {openapi.REGENERATE_COMMAND}"
    )


def test_document_loads_in_schemathesis_without_errors():
    schema = schemathesis.openapi.from_path(openapi.OUTPUT)
    schema.validate()  # the OpenAPI 3.1 meta-schema
    results = list(schema.get_all_operations())
    errors = [str(result.err()) for result in results if isinstance(result, Err)]
    assert errors == []
    assert len(results) == sum(1 for _ in operations(yaml.safe_load(openapi.OUTPUT.read_text(encoding="utf-8"))))


def test_links_build_a_state_machine():
    schema = schemathesis.openapi.from_path(openapi.OUTPUT)
    assert schema.statistic.transitions.total >= len(REQUIRED_LINKS)
    machine = schema.as_state_machine()
    assert machine.schema is not None


def test_every_ref_resolves_inside_the_document(document):
    refs = openapi.iter_refs(document)
    assert refs, "the document has no $ref at all"
    unresolved = []
    for ref in refs:
        if not ref.startswith("#/"):
            unresolved.append(f"{ref} (not local: tools would fetch it)")
            continue
        try:
            resolve_pointer(document, ref)
        except (KeyError, IndexError, ValueError):
            unresolved.append(ref)
    assert unresolved == []


def test_no_schema_id_or_unresolvable_host_is_left():
    text = openapi.OUTPUT.read_text(encoding="utf-8")
    assert ".invalid" not in text
    assert "$id" not in text


def test_every_contract_endpoint_is_an_operation(document):
    present = {(method, shape(path)) for method, path, _ in operations(document)}
    expected = {(method, shape(path)) for method, path, _ in contract_endpoints()}
    assert len(expected) >= 20, "section 3 of CONTRACT.md was not read"
    assert expected - present == set()
    assert (QR_DOWNLOAD[0], shape(QR_DOWNLOAD[1])) in present


def test_only_the_public_or_secret_endpoints_accept_a_public_key(document):
    public = {(m, shape(p)) for m, p, key in contract_endpoints() if key.startswith("public or secret")}
    assert public, "CONTRACT.md section 3 names no public-or-secret endpoint"
    for method, path, operation in operations(document):
        schemes = {name for requirement in operation.get("security", document["security"]) for name in requirement}
        accepts_public = "publicKey" in schemes
        assert "secretKey" in schemes, f"{method} {path} refuses the secret key"
        assert accepts_public == ((method, shape(path)) in public), f"{method} {path}: publicKey in {schemes}"
    basic = document["components"]["securitySchemes"]
    assert {scheme["scheme"] for scheme in basic.values()} == {"basic"}


def test_operation_ids_are_unique_and_present(document):
    ids = [operation.get("operationId") for _, _, operation in operations(document)]
    assert None not in ids
    assert len(ids) == len(set(ids))


def test_every_operation_documents_its_errors_with_the_error_schema(document):
    for method, path, operation in operations(document):
        statuses = set(operation["responses"])
        expected = {"200", "400", "401"} | ({"404"} if "{" in path else set())
        assert expected <= statuses, f"{method} {path} documents {sorted(statuses)}"
        for status in statuses - {"200"}:
            response = resolve_pointer(document, operation["responses"][status]["$ref"])
            assert response["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}


def body_properties(document: dict, schema: dict) -> dict[str, list]:
    """Property name -> its schemas, over a body schema and its allOf/oneOf/anyOf branches, references followed."""
    if "$ref" in schema:
        return body_properties(document, resolve_pointer(document, schema["$ref"]))
    found = {name: [value] for name, value in schema.get("properties", {}).items()}
    for keyword in ("allOf", "oneOf", "anyOf"):
        for branch in schema.get(keyword, []):
            for name, values in body_properties(document, branch).items():
                found.setdefault(name, []).extend(values)
    return found


def may_be_object(document: dict, schema) -> bool:
    """True when a value of this schema can be a JSON object (so a form needs bracket nesting for it)."""
    if not isinstance(schema, dict):
        return False
    if "$ref" in schema:
        return may_be_object(document, resolve_pointer(document, schema["$ref"]))
    types = schema.get("type", [])
    if "object" in ([types] if isinstance(types, str) else types) or "properties" in schema:
        return True
    return any(may_be_object(document, branch) for key in ("allOf", "oneOf", "anyOf") for branch in schema.get(key, []))


def test_request_bodies_accept_form_with_bracket_nesting_and_json(document):
    bodies = 0
    for method, path, operation in operations(document):
        if "requestBody" not in operation:
            continue
        bodies += 1
        content = operation["requestBody"]["content"]
        assert set(content) == {"application/x-www-form-urlencoded", "application/json"}, f"{method} {path}"
        form = content["application/x-www-form-urlencoded"]
        assert form["schema"] == content["application/json"]["schema"], f"{method} {path}"
        properties = body_properties(document, form["schema"])
        encoding = form.get("encoding", {})
        for name, rule in encoding.items():
            assert name in properties, f"{method} {path}: encoding for undeclared property {name}"
            assert rule == {"style": "deepObject", "explode": True}, f"{method} {path} {name}"
        for name in ("source", "metadata"):
            if any(may_be_object(document, value) for value in properties.get(name, [])):
                assert name in encoding, f"{method} {path}: the nested {name} needs deepObject encoding"
    assert bodies >= 6
    create_charge = document["paths"]["/charges"]["post"]["requestBody"]["content"]
    assert "source" in create_charge["application/x-www-form-urlencoded"]["encoding"]


def test_list_endpoints_take_the_list_parameters(document):
    lists = [(m, p, op) for m, p, op in operations(document) if op["operationId"].startswith("list")]
    assert len(lists) == 5
    for method, path, operation in lists:
        parameters = {}
        for parameter in operation["parameters"]:
            parameter = resolve_pointer(document, parameter["$ref"]) if "$ref" in parameter else parameter
            parameters[parameter["name"]] = parameter["schema"]
        assert parameters["limit"]["minimum"] == 1 and parameters["limit"]["maximum"] == 100, path
        assert parameters["offset"]["minimum"] == 0, path
        assert set(parameters["order"]["enum"]) == {"chronological", "reverse_chronological"}, path
        assert parameters["from"]["format"] == parameters["to"]["format"] == "date-time", path


def test_links_lead_from_source_to_charge_to_refund(document):
    by_id = {operation["operationId"]: operation for _, _, operation in operations(document)}
    found = set()
    for source_id, operation in by_id.items():
        for link in operation["responses"]["200"].get("links", {}).values():
            assert link["operationId"] in by_id, f"{source_id} links to unknown {link['operationId']}"
            found.add((source_id, link["operationId"]))
    assert REQUIRED_LINKS <= found
    to_charge = next(
        link for link in by_id["createSource"]["responses"]["200"]["links"].values() if link["operationId"] == "createCharge"
    )
    assert to_charge["requestBody"]["source"] == "$response.body#/id"


def test_qr_download_answers_a_png(document):
    operation = document["paths"][QR_DOWNLOAD[1]]["get"]
    assert set(operation["responses"]["200"]["content"]) == {"image/png"}


def _canonical_ref(ref: str, base: str) -> tuple[str, str]:
    """(schema file, JSON pointer) a reference in a JSON Schema points at."""
    target, fragment = urldefrag(urljoin(base, ref))
    return Path(target).name, fragment


def _component_ref(ref: str, files_by_name: dict[str, str]) -> tuple[str, str]:
    """(schema file, JSON pointer) a `#/components/schemas/<Name>/...` reference points at."""
    name, _, rest = ref.removeprefix(openapi.COMPONENT_PREFIX).partition("/")
    return files_by_name.get(name, f"<no schema file for component {name}>"), f"/{rest}" if rest else ""


def _same_modulo_refs(original, component, base: str, files_by_name: dict[str, str], where: str) -> list[str]:
    """Where `component` differs from `original` other than in the spelling of references."""
    if isinstance(original, dict) and isinstance(component, dict):
        diffs = []
        if set(original) != set(component):
            diffs.append(f"{where}: keys {sorted(set(original) ^ set(component))} differ")
        for key in set(original) & set(component):
            if key == "$ref" and isinstance(original[key], str):
                want = _canonical_ref(original[key], base)
                got = _component_ref(component[key], files_by_name)
                if want != got:
                    diffs.append(f"{where}/$ref: {original[key]} became {component[key]}")
            else:
                diffs += _same_modulo_refs(original[key], component[key], base, files_by_name, f"{where}/{key}")
        return diffs
    if isinstance(original, list) and isinstance(component, list) and len(original) == len(component):
        diffs = []
        for index, (left, right) in enumerate(zip(original, component)):
            diffs += _same_modulo_refs(left, right, base, files_by_name, f"{where}/{index}")
        return diffs
    return [] if original == component else [f"{where}: {original!r} became {component!r}"]


def test_each_component_is_its_json_schema_modulo_the_ref_rewrite(document):
    files = openapi.schema_files()
    if not files:
        pytest.skip("schemas/*.json do not exist yet")
    files_by_name = {openapi.component_name(path): path.name for path in files}
    components = document["components"]["schemas"]
    for path in files:
        original = json.loads(path.read_text(encoding="utf-8"))
        base = original.get("$id", path.as_uri())
        name = openapi.component_name(path)
        assert name in components, f"{path.name} is not bundled as {name}"
        stripped = {key: value for key, value in original.items() if key not in ("$id", "$schema")}
        assert _same_modulo_refs(stripped, components[name], base, files_by_name, name) == []


def test_generated_suite_marks_exactly_the_rules_its_checks_cover():
    from installment_conformance import catalogue, fuzzing, st_checks

    scan = catalogue.scan_suites()
    generated = {
        rule_id
        for rule_id, tests in scan.by_rule.items()
        for test in tests
        if test.path.endswith("test_generated.py")
    }
    assert not [test for test, _ in scan.computed if test.path.endswith("test_generated.py")]
    assert generated == set(st_checks.checked_rules(fuzzing.CONTRACT_CHECKS))
