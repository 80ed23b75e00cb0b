"""Named contract checks shared by the suites: each raises `ContractFailure` speaking the contract (rule, expected, received, pointer, curl)."""

from __future__ import annotations

import json

from installment_conformance import catalogue as catalogues
from installment_conformance import schemas
from installment_conformance.client import Reply

_MISSING = object()
_active: catalogues.Catalogue | None = None


class ContractFailure(AssertionError):
    """A target broke a rule: the message names the rule and its statement, what was expected and received, where, and how to reproduce it."""

    def __init__(self, rule: str, expected: str, received: str, pointer: str | None = None, curl: str | None = None):
        """Build the message from its parts (kept as attributes for reports)."""
        self.rule, self.expected, self.received, self.pointer, self.curl = rule, expected, received, pointer, curl
        super().__init__(failure_text(rule, expected, received, pointer, curl))


class SuiteMisuse(RuntimeError):
    """A suite asked for a check its rule's strictness forbids (a pinned code on a `class` rule)."""


def use_catalogue(loaded: catalogues.Catalogue | None) -> None:
    """The catalogue (read against the run's profile) that failure messages quote; None for the default."""
    global _active
    _active = loaded


def _rule(rule_id: str) -> catalogues.Rule | None:
    """The rule with this id in the active catalogue, None when it has none."""
    try:
        return (_active or catalogues.load()).rule(rule_id)
    except KeyError:
        return None


def failure_text(rule: str, expected: str, received: str, pointer: str | None = None, curl: str | None = None) -> str:
    """The text of a contract failure."""
    known = _rule(rule)
    lines = [f"{rule} ({known.strictness}): {known.statement}" if known else f"{rule}: (not in the catalogue)",
             f"  expected: {expected}", f"  received: {received}"]
    if pointer is not None:
        lines.append(f"  at: {pointer or '/'}")
    if curl:
        lines.append(f"  reproduce: {curl}")
    return "\n".join(lines)


def shown(value: object, limit: int = 300) -> str:
    """A JSON value as short text."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True) if not isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= limit else text[:limit] + "..."


def _payload(reply_or_payload: Reply | object) -> tuple[object, str | None]:
    """The JSON value and curl line of a reply, or a payload as given."""
    if isinstance(reply_or_payload, Reply):
        return reply_or_payload.body, reply_or_payload.curl
    return reply_or_payload, getattr(reply_or_payload, "curl", None)


def resolve(payload: object, pointer: str) -> object:
    """The value at a JSON pointer, or `_MISSING`."""
    node = payload
    for token in pointer.split("/")[1:] if pointer else []:
        token = token.replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict) and token in node:
            node = node[token]
        elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
        else:
            return _MISSING
    return node


def expect_status(reply: Reply, status: int, rule: str) -> Reply:
    """The reply has exactly this HTTP status."""
    if reply.status != status:
        raise ContractFailure(rule, f"HTTP {status}", reply.describe(), None, reply.curl)
    return reply


def expect_success(reply: Reply, rule: str) -> dict:
    """A 2xx reply whose body is a JSON object; the body."""
    if not 200 <= reply.status < 300:
        raise ContractFailure(rule, "a 2xx answer with a JSON object", reply.describe(), None, reply.curl)
    if not isinstance(reply.body, dict):
        raise ContractFailure(rule, "a JSON object body", f"{reply.status} with a body that is not a JSON object: {reply.describe()}",
                              None, reply.curl)
    return reply.body


def expect_error(reply: Reply, rule: str, status: int | None = None, code: str | None = None) -> dict:
    """A 4xx `error` object with location, code and message (`status`/`code` only for exact rules); the body."""
    known = _rule(rule)
    if (status is not None or code is not None) and known is not None and known.strictness != "exact":
        raise SuiteMisuse(f"{rule} is a class rule: a suite may assert a 4xx error object, not status {status} / code {code!r}")
    wanted = f"HTTP {status}" if status is not None else "a 4xx status"
    if not (reply.status == status if status is not None else 400 <= reply.status < 500):
        raise ContractFailure(rule, f"{wanted} with an error object", reply.describe(), None, reply.curl)
    if not isinstance(reply.body, dict) or reply.body.get("object") != "error":
        raise ContractFailure(rule, "an error object ({\"object\": \"error\", ...})", reply.describe(), "/object", reply.curl)
    problems = schemas.problems(reply.body, "error")
    if problems:
        first = problems[0]
        raise ContractFailure(rule, "an error object with location, code and message", first.message, first.pointer, reply.curl)
    if code is not None and reply.body.get("code") != code:
        raise ContractFailure(rule, f"code {code!r}", shown(reply.body.get("code")), "/code", reply.curl)
    return reply.body


def expect_schema(reply_or_payload: Reply | object, schema_name: str, rule: str) -> object:
    """The body (or payload) validates against a JSON Schema of the contract; the payload."""
    payload, curl = _payload(reply_or_payload)
    problems = schemas.problems(payload, schema_name)
    if problems:
        listing = "; ".join(f"{problem.pointer or '/'}: {problem.message}" for problem in problems[:5])
        raise ContractFailure(rule, f"a body valid against {schema_name}.json", listing, problems[0].pointer, curl)
    return payload


def expect_field(reply_or_payload: Reply | object, pointer: str, expected: object, rule: str) -> object:
    """The value at a JSON pointer equals `expected` (type and value: 0 is not false); the value."""
    payload, curl = _payload(reply_or_payload)
    value = resolve(payload, pointer)
    if value is _MISSING:
        raise ContractFailure(rule, shown(expected), "the field is missing", pointer, curl)
    if not same_json(value, expected):
        raise ContractFailure(rule, shown(expected), shown(value), pointer, curl)
    return value


def same_json(value: object, expected: object) -> bool:
    """Equal as JSON values: 0 is not false and 1 is not 1.0, but an object is an object whatever its Python class."""
    scalars = (bool, int, float)
    if isinstance(value, scalars) or isinstance(expected, scalars):
        return type(value) is type(expected) and value == expected
    return value == expected


def expect_true(condition: bool, rule: str, expected: str, received: str, *, pointer: str | None = None, reply: Reply | None = None) -> None:
    """A free-form check: `condition` holds, else a failure with these words."""
    if not condition:
        raise ContractFailure(rule, expected, received, pointer, reply.curl if reply else None)
