"""The wire-object JSON Schemas (CONTRACT.md API-06): the schema set, the seeds' examples, payloads that break them."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.exceptions import Unresolvable
from referencing.jsonschema import DRAFT202012

from installment_conformance import paths, profile, schemas

EXAMPLES = paths.SCHEMAS / "examples"
EXAMPLE_FILES = sorted(EXAMPLES.glob("*.json"))
WIRE_OBJECTS = {"source", "charge", "refund", "event", "list", "error", "capability", "barcode", "document"}
REQUEST_BODIES = {"source-create", "charge-create", "charge-create-inline", "refund-create"}
DATA_KEYWORDS = {"const", "enum", "default", "examples"}
DELETE = object()  # a mutation value meaning "remove the field"


def example(name: str) -> dict:
    """A fresh copy of a seed example (`bank-installments.charge`)."""
    return json.loads((EXAMPLES / f"{name}.json").read_text(encoding="utf-8"))


def seed_path(example_file: Path) -> Path:
    """The seed document an example file was copied from: its name up to the object."""
    return paths.SEEDS / f"{example_file.name.split('.')[0]}.th.txt"


def collapse(text: str) -> str:
    """Text with every run of whitespace made one space."""
    return re.sub(r"\s+", " ", text).strip()


def seed_payloads(text: str) -> list[object]:
    """Every JSON object printed in a seed: each `{` that opens a line and parses as JSON up to its closing `}`."""
    decoder = json.JSONDecoder()
    found = []
    for match in re.finditer(r"(?m)^\{$", text):
        try:
            found.append(decoder.raw_decode(text, match.start())[0])
        except json.JSONDecodeError:
            continue
    return found


def embedded_objects(payload: object, pointer: str = ""):
    """(pointer, object) for the payload and every object nested in it that has a string `object`."""
    if isinstance(payload, dict):
        if isinstance(payload.get("object"), str):
            yield pointer, payload
        for key, value in payload.items():
            yield from embedded_objects(value, f"{pointer}/{key}")
    elif isinstance(payload, list):
        for index, value in enumerate(payload):
            yield from embedded_objects(value, f"{pointer}/{index}")


def iter_refs(node: object):
    """Every `$ref` string in a schema, skipping data keywords whose contents are values, not schemas."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield value
            elif key not in DATA_KEYWORDS:
                yield from iter_refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from iter_refs(item)


def pointers(payload: object, name: str | None = None) -> list[str]:
    """The JSON pointers of the problems `payload` has."""
    return [problem.pointer for problem in schemas.problems(payload, name)]


# --- the schema set -----------------------------------------------------------------------------


@pytest.mark.parametrize("path", sorted(paths.SCHEMAS.glob("*.json")), ids=lambda path: path.name)
def test_every_schema_is_draft_2020_12_with_its_id(path):
    document = json.loads(path.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(document)
    assert document["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert document["$id"] == f"https://installment-conformance.invalid/schemas/{path.name}"
    assert document.get("description"), f"{path.name} has no description"


def test_there_is_a_schema_for_every_wire_object_and_request_body():
    assert set(schemas.object_schemas()) == WIRE_OBJECTS
    assert all(schemas.object_schemas()[name] == name for name in WIRE_OBJECTS)
    assert WIRE_OBJECTS | REQUEST_BODIES == set(schemas.names())


@pytest.mark.parametrize("name", sorted(WIRE_OBJECTS | REQUEST_BODIES | {"common"}))
def test_every_ref_resolves_inside_the_registry(name):
    document = schemas.schema(name)
    resolver = schemas.registry().resolver(base_uri=document["$id"])
    refs = list(iter_refs(document))
    for ref in refs:
        assert not ref.startswith(("http:", "https:")), f"{name}.json: {ref} is not relative"
        resolver.lookup(ref)  # raises Unresolvable when it points nowhere


def test_inlined_references_keep_the_meaning_of_the_files_as_written():
    as_written = Registry().with_resources(
        (document["$id"], Resource.from_contents(document, default_specification=DRAFT202012))
        for document in map(schemas.schema, [*schemas.names(), "common"])
    )
    payloads = [(name, VALID[name]()) for name in VALID]
    payloads += [(name, mutated(VALID[name](), pointer, value)) for name, _, _, pointer, value, _ in BROKEN]
    for name, payload in payloads:
        plain = Draft202012Validator(schemas.schema(name), registry=as_written)
        expected = sorted((list(error.absolute_path), error.message) for error in plain.iter_errors(payload))
        found = sorted((list(error.absolute_path), error.message) for error in schemas.validator(name).iter_errors(payload))
        assert found == expected, name
    inlined = json.dumps(schemas.registry().contents(schemas.BASE_URI + "charge.json"))
    assert "common.json" not in inlined, "the charge's timestamps and amounts still go through references"


def test_the_registry_fetches_nothing_from_outside():
    outside = Draft202012Validator({"$ref": schemas.BASE_URI + "missing.json"}, registry=schemas.registry())
    with pytest.raises(Unresolvable):
        outside.validate({})


def test_the_embedded_object_dispatch_covers_every_wire_object():
    branches = schemas.schema("common")["$defs"]["known_object"]["allOf"]
    dispatched = {branch["if"]["properties"]["object"]["const"]: branch["then"]["$ref"] for branch in branches}
    assert dispatched == {kind: f"{name}.json" for kind, name in schemas.object_schemas().items()}
    assert all(branch["if"]["required"] == ["object"] for branch in branches)


def test_validators_are_built_once_per_schema():
    assert schemas.validator("charge") is schemas.validator("charge")
    assert schemas.validator("charge.json") is schemas.validator("charge")


def test_an_unknown_schema_name_is_refused_with_the_known_names():
    with pytest.raises(schemas.UnknownSchemaError, match=r"no schema named 'charges'; known: .*charge-create"):
        schemas.problems({}, "charges")


def test_a_schema_file_with_a_wrong_id_is_refused(tmp_path, monkeypatch):
    (tmp_path / "charge.json").write_text(json.dumps({"$id": "https://example.com/charge.json"}), encoding="utf-8")
    monkeypatch.setattr(paths, "SCHEMAS", tmp_path)
    schemas.clear_caches()
    try:
        with pytest.raises(schemas.SchemaSetError, match=r"charge.json: \$id is 'https://example.com/charge.json'"):
            schemas.names()
    finally:
        monkeypatch.undo()
        schemas.clear_caches()


# --- the seeds' examples ------------------------------------------------------------------------


def test_the_examples_folder_holds_the_seeds_payloads():
    assert {path.name.split(".")[1] for path in EXAMPLE_FILES} == {"source", "charge", "barcode"}
    assert len(EXAMPLE_FILES) == 5


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=lambda path: path.name)
def test_every_seed_example_validates_against_its_schema(path):
    payload = json.loads(path.read_text(encoding="utf-8"))
    assert schemas.schema_for(payload) == path.name.split(".")[1]
    assert schemas.problems(payload) == []


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=lambda path: path.name)
def test_every_example_is_verbatim_in_its_seed(path):
    seed = seed_path(path)
    if not seed.exists():
        pytest.skip(f"seed document not found at {seed} (../shared is absent; set INSTALLMENT_CONFORMANCE_SHARED)")
    assert collapse(path.read_text(encoding="utf-8")) in collapse(seed.read_text(encoding="utf-8"))


def test_every_json_payload_of_the_seeds_has_an_example_file():
    if not paths.SEEDS.is_dir():
        pytest.skip(f"seed documents not found at {paths.SEEDS} (../shared is absent; set INSTALLMENT_CONFORMANCE_SHARED)")
    kept = [json.loads(path.read_text(encoding="utf-8")) for path in EXAMPLE_FILES]
    seeds = sorted(paths.SEEDS.glob("*.th.txt"))
    printed = [payload for seed in seeds for payload in seed_payloads(seed.read_text(encoding="utf-8"))]
    assert len(printed) == len(kept)
    assert all(payload in kept for payload in printed)


def test_the_examples_readme_names_every_example_and_its_seed():
    readme = (EXAMPLES / "README.md").read_text(encoding="utf-8")
    for path in EXAMPLE_FILES:
        assert f"`{path.name}` | `{seed_path(path).name}`" in readme


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=lambda path: path.name)
def test_core_fields_are_present_in_every_seed_example_of_their_object(path):
    for pointer, embedded in embedded_objects(json.loads(path.read_text(encoding="utf-8"))):
        name = schemas.object_schemas().get(embedded["object"])
        if name is None or embedded["object"] == "list":
            continue
        missing = set(schemas.schema(name)["required"]) - set(embedded)
        assert missing == set(), f"{path.name}{pointer}: core fields of {name}.json absent from the seed example"


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=lambda path: path.name)
def test_every_documented_field_has_its_type_checked(path):
    for pointer, embedded in embedded_objects(json.loads(path.read_text(encoding="utf-8"))):
        declared = schemas.schema(schemas.object_schemas()[embedded["object"]])["properties"]
        unchecked = set(embedded) - set(declared)
        assert unchecked == set(), f"{path.name}{pointer}: fields the schema does not type-check"


# --- choosing a schema and reporting problems ---------------------------------------------------


def test_schema_for_chooses_by_object():
    assert schemas.schema_for(example("bank-installments.charge")) == "charge"
    assert schemas.schema_for(example("bank-installments.charge")["refunds"]) == "list"
    assert schemas.schema_for({"object": "token"}) is None
    assert schemas.schema_for({"object": 5}) is None
    assert schemas.schema_for(["charge"]) is None


def test_problems_of_an_unknown_object_point_at_its_object_field():
    found = schemas.problems({"object": "token", "id": "tokn_test_5x"})
    assert [(problem.pointer, problem.message.split(" (")[0]) for problem in found] == [
        ("/object", "no schema for object 'token'")
    ]


def test_a_list_validates_each_item_by_its_own_object():
    listing = example("bank-installments.charge")["refunds"]
    good_charge, bad_charge = example("bank-installments.charge"), example("bank-installments.charge")
    bad_charge["status"] = "authorized"
    customer = {"object": "customer", "id": "cust_test_5x"}
    listing["data"] = [good_charge, customer, bad_charge, example("bank-installments.source")]
    assert pointers(listing) == ["/data/2/status"]


def test_a_list_item_without_object_is_reported():
    listing = example("bank-installments.charge")["refunds"]
    listing["data"] = [{"id": "chrg_test_5x"}]
    assert pointers(listing) == ["/data/0/object"]


def test_an_alternative_is_reported_inside_the_branch_that_fits():
    charge = example("paynext-extra-installment-qr.charge")
    charge["source"]["scannable_code"]["image"]["id"] = "docu_test_UPPER"
    assert pointers(charge) == ["/source/scannable_code/image/id"]


def test_a_value_fitting_no_alternative_is_reported_where_it_is():
    charge = example("bank-installments.charge")
    charge["source"] = "src_test_5jk1yq570rnqr5enlc8"
    found = schemas.problems(charge)
    assert [problem.pointer for problem in found] == ["/source"]
    assert "is not valid under any of the given schemas" in found[0].message


def test_pointer_tokens_are_escaped():
    capability = capability_payload()
    capability["limits"] = {"charge/amount~max": {"min": -1}}
    assert pointers(capability) == ["/limits/charge~1amount~0max/min"]


def test_a_long_offending_value_is_cut_short_in_the_message():
    charge = example("bank-installments.charge")
    charge["metadata"] = ["order"] * 200
    (problem,) = schemas.problems(charge)
    assert problem.pointer == "/metadata"
    assert len(problem.message) < 200
    assert problem.message.endswith("is not of type 'object'")


def test_a_problem_prints_as_pointer_and_message():
    assert str(schemas.Problem("/status", "bad")) == "/status: bad"
    assert str(schemas.Problem("", "not an object")) == "/: not an object"


# --- payloads that break each schema ------------------------------------------------------------


def kbank() -> profile.Method:
    """The profile's Kasikorn method: the bank of the seed's example."""
    return profile.load().method("installment_kbank")


def refund_payload() -> dict:
    """A refund of the seed's bank charge."""
    charge = example("bank-installments.charge")
    return {
        "object": "refund",
        "id": "rfnd_test_5jk1yqz8a9pcf6vyh2a",
        "location": f"{charge['location']}/refunds/rfnd_test_5jk1yqz8a9pcf6vyh2a",
        "amount": charge["amount"],
        "currency": charge["currency"],
        "charge": charge["id"],
        "transaction": "trxn_test_5jk1yqz8w7l1r0a5qb9",
        "voided": False,
        "status": "closed",
        "metadata": {},
        "created_at": charge["created_at"],
    }


def list_payload() -> dict:
    """The seed charge's refunds list holding one refund."""
    listing = example("bank-installments.charge")["refunds"]
    listing["data"], listing["total"] = [refund_payload()], 1
    return listing


def event_payload() -> dict:
    """A charge.create event carrying the seed's bank charge."""
    charge = example("bank-installments.charge")
    return {
        "object": "event",
        "id": "evnt_test_5jk1yqj2x1mh1t0p3gb",
        "livemode": False,
        "location": "/events/evnt_test_5jk1yqj2x1mh1t0p3gb",
        "key": "charge.create",
        "created_at": charge["created_at"],
        "data": charge,
    }


def error_payload() -> dict:
    """A not_found error."""
    return {
        "object": "error",
        "location": "https://www.omise.co/api-errors#not-found",
        "code": "not_found",
        "message": "charge chrg_test_5x was not found",
    }


def capability_payload() -> dict:
    """A capability listing every method of the default profile with its terms."""
    methods = profile.load().methods.values()
    return {
        "object": "capability",
        "location": "/capability",
        "livemode": False,
        "country": "TH",
        "payment_methods": [
            {
                "object": "payment_method",
                "name": method.type,
                "currencies": [method.currency],
                "card_brands": None,
                "installment_terms": list(method.installment_terms) if method.installment_terms else None,
            }
            for method in methods
        ],
    }


def source_create_payload() -> dict:
    """The seed's POST /sources body for Kasikorn, numbers from the profile."""
    return {"amount": kbank().amount_min, "currency": kbank().currency, "type": kbank().type,
            "installment_term": kbank().installment_terms[0]}


def charge_create_payload() -> dict:
    """The seed's POST /charges body charging its bank source."""
    source = example("bank-installments.source")
    return {"source": source["id"], "amount": source["amount"], "currency": source["currency"],
            "return_uri": "https://example.com/orders/345678/complete"}


def charge_create_inline_payload() -> dict:
    """The seed's one-call POST /charges body with an inline source."""
    return {"amount": kbank().amount_min, "currency": kbank().currency, "zero_interest_installments": False,
            "return_uri": "http://example.com/orders/345678/complete",
            "source": {"type": kbank().type, "installment_term": kbank().installment_terms[0]}}


VALID = {
    "source": lambda: example("bank-installments.source"),
    "charge": lambda: example("bank-installments.charge"),
    "barcode": lambda: example("paynext-extra-installment-qr.barcode"),
    "document": lambda: example("paynext-extra-installment-qr.barcode")["image"],
    "refund": refund_payload,
    "list": list_payload,
    "event": event_payload,
    "error": error_payload,
    "capability": capability_payload,
    "source-create": source_create_payload,
    "charge-create": charge_create_payload,
    "charge-create-inline": charge_create_inline_payload,
    "refund-create": lambda: {"amount": example("bank-installments.charge")["amount"]},
}

# (schema, kind of breakage, case, pointer set, value or DELETE, pointer the problem must name)
BROKEN = [
    ("source", "wrong-type", "amount-as-string", "/amount", "400000", "/amount"),
    ("source", "wrong-type", "amount-with-fraction", "/amount", 400000.5, "/amount"),
    ("source", "bad-enum", "flow-not-in-enum", "/flow", "sideways", "/flow"),
    ("source", "missing-core", "type-missing", "/type", DELETE, "/type"),
    ("source", "bad-id", "id-bad-pattern", "/id", "source_5jk1yqfvb6k8pota2fd", "/id"),
    ("source", "bad-value", "term-zero", "/installment_term", 0, "/installment_term"),
    ("source", "bad-value", "currency-lower-case", "/currency", "thb", "/currency"),
    ("source", "bad-value", "created-at-not-utc-z", "/created_at", "2020-04-15T08:01:26+07:00", "/created_at"),
    ("source", "bad-enum", "charge-status-not-in-enum", "/charge_status", "paid", "/charge_status"),
    ("source", "missing-core", "scannable-code-without-image", "/scannable_code", {"object": "barcode", "type": "qr"}, "/scannable_code/image"),
    ("charge", "wrong-type", "paid-as-string", "/paid", "false", "/paid"),
    ("charge", "bad-enum", "status-not-in-enum", "/status", "authorized", "/status"),
    ("charge", "missing-core", "status-missing", "/status", DELETE, "/status"),
    ("charge", "missing-core", "created-at-missing", "/created_at", DELETE, "/created_at"),
    ("charge", "bad-id", "id-bad-pattern", "/id", "chrg_TEST_5jk1yqj1h3xql48pg0m", "/id"),
    ("charge", "wrong-type", "fee-with-fraction", "/fee", 14600.5, "/fee"),
    ("charge", "wrong-type", "net-as-string", "/net", "373250", "/net"),
    ("charge", "bad-value", "failure-code-not-snake-case", "/failure_code", "Payment Cancelled", "/failure_code"),
    ("charge", "wrong-type", "expires-at-null", "/expires_at", None, "/expires_at"),
    ("charge", "wrong-type", "fee-rate-as-number", "/transaction_fees", {"fee_rate": 3.65}, "/transaction_fees/fee_rate"),
    ("charge", "bad-enum", "embedded-source-flow", "/source/flow", "sideways", "/source/flow"),
    ("charge", "bad-enum", "refunds-holding-a-source", "/refunds/data", [example("bank-installments.source")], "/refunds/data/0/object"),
    ("charge", "bad-enum", "refunds-not-a-list", "/refunds/object", "refunds", "/refunds/object"),
    ("charge", "wrong-type", "zero-interest-as-string", "/zero_interest_installments", "true", "/zero_interest_installments"),
    ("refund", "wrong-type", "voided-as-string", "/voided", "no", "/voided"),
    ("refund", "bad-enum", "object-not-refund", "/object", "charge", "/object"),
    ("refund", "missing-core", "charge-missing", "/charge", DELETE, "/charge"),
    ("refund", "bad-id", "id-bad-pattern", "/id", "refund_5jk1", "/id"),
    ("refund", "bad-id", "charge-is-a-source-id", "/charge", "src_test_5jk1yq570rnqr5enlc8", "/charge"),
    ("refund", "bad-value", "amount-negative", "/amount", -1, "/amount"),
    ("event", "bad-id", "id-bad-pattern", "/id", "event_5jk1", "/id"),
    ("event", "missing-core", "data-missing", "/data", DELETE, "/data"),
    ("event", "bad-value", "key-without-dot", "/key", "charge", "/key"),
    ("event", "bad-enum", "data-charge-status", "/data/status", "authorized", "/data/status"),
    ("event", "wrong-type", "livemode-as-string", "/livemode", "false", "/livemode"),
    ("list", "wrong-type", "limit-as-string", "/limit", "20", "/limit"),
    ("list", "bad-enum", "order-not-in-enum", "/order", "newest_first", "/order"),
    ("list", "missing-core", "total-missing", "/total", DELETE, "/total"),
    ("list", "bad-id", "item-id-bad-pattern", "/data/0/id", "rfnd_TEST", "/data/0/id"),
    ("list", "bad-value", "from-with-offset", "/from", "1970-01-01T00:00:00+00:00", "/from"),
    ("error", "missing-core", "message-missing", "/message", DELETE, "/message"),
    ("error", "bad-value", "code-not-snake-case", "/code", "NotFound", "/code"),
    ("error", "bad-enum", "object-not-error", "/object", "failure", "/object"),
    ("error", "wrong-type", "location-as-number", "/location", 404, "/location"),
    ("capability", "missing-core", "payment-methods-missing", "/payment_methods", DELETE, "/payment_methods"),
    ("capability", "wrong-type", "term-as-string", "/payment_methods/0/installment_terms", ["4"], "/payment_methods/0/installment_terms/0"),
    ("capability", "bad-value", "currency-lower-case", "/payment_methods/0/currencies", ["thb"], "/payment_methods/0/currencies/0"),
    ("capability", "bad-enum", "method-object-wrong", "/payment_methods/0/object", "method", "/payment_methods/0/object"),
    ("barcode", "bad-enum", "object-not-barcode", "/object", "qr", "/object"),
    ("barcode", "missing-core", "image-missing", "/image", DELETE, "/image"),
    ("barcode", "wrong-type", "type-as-number", "/type", 5, "/type"),
    ("barcode", "bad-id", "image-id-bad-pattern", "/image/id", "document_5", "/image/id"),
    ("document", "bad-id", "id-bad-pattern", "/id", "docu_test_601OY", "/id"),
    ("document", "bad-enum", "object-not-document", "/object", "file", "/object"),
    ("document", "missing-core", "filename-missing", "/filename", DELETE, "/filename"),
    ("document", "wrong-type", "download-uri-as-number", "/download_uri", 5, "/download_uri"),
    ("document", "wrong-type", "deleted-as-string", "/deleted", "false", "/deleted"),
    ("source-create", "missing-core", "amount-missing", "/amount", DELETE, "/amount"),
    ("source-create", "wrong-type", "amount-as-string", "/amount", "400000", "/amount"),
    ("source-create", "bad-value", "term-zero", "/installment_term", 0, "/installment_term"),
    ("source-create", "bad-value", "currency-four-letters", "/currency", "THBX", "/currency"),
    ("charge-create", "bad-id", "source-is-a-charge-id", "/source", "chrg_test_5jk1yqj1h3xql48pg0m", "/source"),
    ("charge-create", "missing-core", "currency-missing", "/currency", DELETE, "/currency"),
    ("charge-create", "wrong-type", "zero-interest-as-string", "/zero_interest_installments", "yes", "/zero_interest_installments"),
    ("charge-create-inline", "missing-core", "source-without-type", "/source", {"installment_term": 4}, "/source/type"),
    ("charge-create-inline", "wrong-type", "source-type-as-number", "/source/type", 5, "/source/type"),
    ("charge-create-inline", "wrong-type", "amount-with-fraction", "/amount", 400000.5, "/amount"),
    ("refund-create", "missing-core", "amount-missing", "/amount", DELETE, "/amount"),
    ("refund-create", "bad-value", "amount-zero", "/amount", 0, "/amount"),
    ("refund-create", "wrong-type", "void-as-string", "/void", "yes", "/void"),
]


def mutated(payload: dict, pointer: str, value: object) -> dict:
    """A copy of `payload` with the field at `pointer` set to `value` (or removed for DELETE)."""
    result = copy.deepcopy(payload)
    *parents, last = pointer.strip("/").split("/")
    node = result
    for token in parents:
        node = node[int(token)] if isinstance(node, list) else node[token]
    if value is DELETE:
        del node[last]
    elif isinstance(node, list):
        node[int(last)] = value
    else:
        node[last] = value
    return result


@pytest.mark.parametrize("name", sorted(VALID))
def test_the_base_payloads_of_the_broken_cases_are_valid(name):
    assert schemas.problems(VALID[name](), name) == []


def test_every_schema_has_broken_cases_of_each_kind_it_can_have():
    for name in WIRE_OBJECTS | REQUEST_BODIES:
        properties = schemas.schema(name)["properties"]
        needed = {"wrong-type", "missing-core"}
        if any("enum" in field or "const" in field for field in properties.values()):
            needed.add("bad-enum")
        if "id" in properties:
            needed.add("bad-id")
        kinds = {kind for schema, kind, *_ in BROKEN if schema == name}
        assert needed <= kinds, f"{name}.json has no broken case of kind {sorted(needed - kinds)}"


@pytest.mark.parametrize(
    ("name", "pointer", "value", "expected"),
    [
        pytest.param(name, pointer, value, expected, id=f"{name}-{kind}-{case}")
        for name, kind, case, pointer, value, expected in BROKEN
    ],
)
def test_a_payload_that_breaks_its_schema_is_rejected_at_the_field(name, pointer, value, expected):
    broken = mutated(VALID[name](), pointer, value)
    assert pointers(broken, name) == [expected]
    if name in WIRE_OBJECTS and pointer != "/object":
        assert pointers(broken) == [expected], "choosing the schema by `object` finds the same problem"
