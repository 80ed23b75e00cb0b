"""The contract's rules as schemathesis checks, each failure naming its rule id, plus the bracket form encoding.

Importing this module registers the checks with `@schemathesis.check` (so the
schemathesis CLI and `case.call_and_validate()` run them) and replaces
schemathesis's `application/x-www-form-urlencoded` serializer: schemathesis does
not apply the document's `style: deepObject` encoding to request bodies, and the
API reads nested fields the way the SDKs send them, `source[type]=...`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from urllib.parse import urlencode

import schemathesis

from installment_conformance import money, schemas
from installment_conformance import profile as profile_module

MONEY_FIELDS = ("amount", "fee", "fee_vat", "interest", "interest_vat", "net", "funding_amount")

_active_profile: profile_module.Profile | None = None


def use_profile(active: profile_module.Profile | None) -> None:
    """Check money against this profile (None: the default profile)."""
    global _active_profile
    _active_profile = active


def active_profile() -> profile_module.Profile:
    """The profile the money checks use."""
    return _active_profile or profile_module.load()


def rules(*rule_ids: str):
    """Tag a check with the rule ids it checks (read by the suites to mark their tests)."""

    def tag(func):
        func.rules = rule_ids
        return func

    return tag


def _json_body(response) -> object | None:
    """The parsed JSON body, or None when the body is not JSON."""
    try:
        return json.loads(response.content or b"")
    except (ValueError, UnicodeDecodeError):
        return None


def _problem_lines(found) -> str:
    return "; ".join(f"{problem.pointer or '/'}: {problem.message}" for problem in found[:5])


@schemathesis.check
@rules("API-05")
def contract_no_server_error(ctx, response, case) -> bool | None:
    """API-05: no request, however malformed, gives a 5xx."""
    if response.status_code >= 500:
        raise AssertionError(
            f"API-05 (no request, however malformed, gives a 5xx): received {response.status_code} "
            f"for {case.method} {case.formatted_path}"
        )
    return None


@schemathesis.check
@rules("API-01")
def contract_error_object(ctx, response, case) -> bool | None:
    """API-01: every 4xx body is an `error` object with `location`, `code` and `message`."""
    if not 400 <= response.status_code < 500:
        return None
    body = _json_body(response)
    if not isinstance(body, dict):
        raise AssertionError(
            f"API-01 (every error body is an error object): the {response.status_code} answer to "
            f"{case.method} {case.formatted_path} is not a JSON object: {response.text[:200]!r}"
        )
    found = schemas.problems(body, "error")
    if found:
        raise AssertionError(
            f"API-01 (every error body is an error object with location, code, message): "
            f"the {response.status_code} answer to {case.method} {case.formatted_path} breaks error.json: "
            f"{_problem_lines(found)}"
        )
    return None


@schemathesis.check
@rules("API-06")
def contract_body_schema(ctx, response, case) -> bool | None:
    """API-06: every 2xx JSON body validates against the JSON Schema of its `object`."""
    if not 200 <= response.status_code < 300:
        return None
    body = _json_body(response)
    if schemas.schema_for(body) is None:
        return None  # not JSON, or an object without a schema of its own (the test helpers' objects)
    found = schemas.problems(body)
    if found:
        raise AssertionError(
            f"API-06 (every 2xx body validates against its JSON Schema): the {body['object']} from "
            f"{case.method} {case.formatted_path} breaks {body['object']}.json: {_problem_lines(found)}"
        )
    return None


def iter_charges(body) -> Iterator[dict]:
    """Every charge object in a body: the body itself, list items and event data."""
    if not isinstance(body, dict):
        return
    if body.get("object") == "charge":
        yield body
    elif body.get("object") == "list" and isinstance(body.get("data"), list):
        for item in body["data"]:
            yield from iter_charges(item)
    elif body.get("object") == "event":
        yield from iter_charges(body.get("data"))


def _whole(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def money_mismatches(charge: dict, active: profile_module.Profile) -> list[str]:
    """The FEE-01..03 identities a THB charge breaks, one line each (empty when it adds up)."""
    if str(charge.get("currency", "")).upper() != "THB" or not all(_whole(charge.get(f)) for f in MONEY_FIELDS):
        return []
    amount, fee, interest = charge["amount"], charge["fee"], charge["interest"]
    expected = {
        ("FEE-01", "fee"): money.percent(amount, active.fee_rate),
        ("FEE-01", "fee_vat"): money.percent(fee, active.vat_rate),
        ("FEE-02", "interest_vat"): money.percent(interest, active.vat_rate),
        ("FEE-03", "funding_amount"): amount,
        ("FEE-03", "net"): charge["funding_amount"] - fee - charge["fee_vat"] - interest - charge["interest_vat"],
    }
    lines = [
        f"{rule}: /{field} is {charge[field]}, expected {value}"
        for (rule, field), value in expected.items()
        if charge[field] != value
    ]
    fees = charge.get("transaction_fees")
    if isinstance(fees, dict):
        for name in ("fee_rate", "vat_rate"):
            if name in fees and fees[name] != active.fee_strings[name]:
                lines.append(f"FEE-01: /transaction_fees/{name} is {fees[name]!r}, expected {active.fee_strings[name]!r}")
    return lines


@schemathesis.check
@rules("FEE-01", "FEE-02", "FEE-03")
def contract_charge_money(ctx, response, case) -> bool | None:
    """FEE-01..03: on every charge in a 2xx body, fee, VAT and net follow from the amount and the profile's rates."""
    if not 200 <= response.status_code < 300:
        return None
    active = active_profile()
    for charge in iter_charges(_json_body(response)):
        lines = money_mismatches(charge, active)
        if lines:
            raise AssertionError(
                f"charge {charge.get('id')} from {case.method} {case.formatted_path} does not add up "
                f"(profile {active.name}, fee_rate {active.fee_rate}%, vat_rate {active.vat_rate}%): " + "; ".join(lines)
            )
    return None


CONTRACT_CHECKS = (contract_no_server_error, contract_error_object, contract_body_schema, contract_charge_money)


def checked_rules(checks) -> tuple[str, ...]:
    """The rule ids the given checks cover, in order, without repeats."""
    seen: dict[str, None] = {}
    for check in checks:
        for rule in getattr(check, "rules", ()):
            seen[rule] = None
    return tuple(seen)


def bracket_pairs(value, prefix: str = "") -> list[tuple[str, str]]:
    """Form fields for a value with bracket nesting: {"source": {"type": "x"}} -> [("source[type]", "x")]."""
    if isinstance(value, Mapping):
        pairs = []
        for key, item in value.items():
            pairs += bracket_pairs(item, f"{prefix}[{key}]" if prefix else str(key))
        return pairs
    if isinstance(value, list):
        pairs = []
        for item in value:
            pairs += bracket_pairs(item, f"{prefix}[]")
        return pairs
    if isinstance(value, bool):
        return [(prefix, "true" if value else "false")]
    if value is None:
        return [(prefix, "")]
    return [(prefix, str(value))]


def bracket_form_serializer(ctx, value) -> bytes:
    """Encode a form body the way the SDKs do: bracket nesting, `true`/`false`, UTF-8."""
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return value.encode("utf-8")
    if isinstance(value, Mapping):
        return urlencode(bracket_pairs(value)).encode("ascii")
    # Negative data can be a list or a scalar: send it as text so the server still has to answer it.
    return json.dumps(value).encode("utf-8")


schemathesis.serializer("application/x-www-form-urlencoded")(bracket_form_serializer)
