"""Request bodies and query strings as one nested dict: form with bracket nesting and JSON give the same result.

Also the coercions of those values (form values are strings): integers, booleans and text,
each refusing with a 400 that names the field and what to send instead.
"""

from __future__ import annotations

import json
import math
import re
from urllib.parse import parse_qsl

from starlette.requests import Request

from installment_conformance.mock.errors import bad_request

MAX_BODY_BYTES = 1_000_000
MAX_DEPTH = 16
MAX_FIELDS = 1000
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
FORM = "application/x-www-form-urlencoded"
JSON = "application/json"

_BRACKETS = re.compile(r"^([^\[\]]+)((?:\[[^\[\]]*\])*)$")
_SEGMENT = re.compile(r"\[([^\[\]]*)\]")
_DIGITS = re.compile(r"^-?[0-9]+$")


def shown(value: object, limit: int = 40) -> str:
    """A value as a message quotes it, cut short."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


async def body_params(request: Request) -> dict:
    """The request body as a dict: {} when empty; form or JSON by Content-Type; 400 for anything else."""
    raw = await _read_limited(request)
    if not raw.strip():
        return {}
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type == JSON or media_type.endswith("+json"):
        return _json_object(raw)
    if media_type in (FORM, ""):
        return form_params(_utf8(raw))
    raise bad_request(
        f"Content-Type {media_type!r} is not supported; send {FORM} (source[type]=...) or {JSON}"
    )


async def request_params(request: Request) -> dict:
    """The parameters of any request: the body's, with the query string's on top (SDKs send list params either way)."""
    params = await body_params(request)
    query = request.scope.get("query_string", b"")
    if query:
        params.update(form_params(_utf8(query)))
    return params


async def _read_limited(request: Request) -> bytes:
    """The whole body, refusing one larger than MAX_BODY_BYTES."""
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise bad_request(f"the request body is larger than {MAX_BODY_BYTES} bytes; send a smaller body")
        chunks.append(chunk)
    return b"".join(chunks)


def _utf8(raw: bytes) -> str:
    """Bytes as UTF-8 text; 400 when they are not."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise bad_request("the request is not valid UTF-8; encode text (Thai included) as UTF-8") from None


def _json_object(raw: bytes) -> dict:
    """A JSON body that must be an object, not too deep, with finite numbers."""
    try:
        value = _DECODER.decode(_utf8(raw))
    except (ValueError, RecursionError) as error:
        raise bad_request(f"the JSON body does not parse ({str(error)[:80]}); send a JSON object such as {{\"amount\": 400000}}") from None
    if not isinstance(value, dict):
        raise bad_request(f"the JSON body is a {type(value).__name__}, not an object; send {{\"name\": value, ...}}")
    could_nest_too_deep = raw.count(b"{") + raw.count(b"[") > MAX_DEPTH  # each level opens one; fewer cannot be too deep
    if could_nest_too_deep and _depth(value) > MAX_DEPTH:
        raise bad_request(f"the JSON body is nested more than {MAX_DEPTH} levels deep; flatten it")
    return value


def _no_constant(name: str) -> float:
    """JSON has no NaN or Infinity; Python's parser would accept them, the mock does not."""
    raise ValueError(f"{name} is not a JSON number")


def _finite_float(text: str) -> float:
    """A JSON number with a fraction or exponent, refused when it overflows to infinity (1e999)."""
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"{text[:20]} is out of range")
    return value


_DECODER = json.JSONDecoder(parse_constant=_no_constant, parse_float=_finite_float)


def _depth(value: object) -> int:
    """How deeply objects and arrays nest in `value`, counted level by level without recursion."""
    level, frontier = 0, [value]
    while frontier and level <= MAX_DEPTH:
        level += 1
        frontier = [child for item in frontier for child in (item.values() if isinstance(item, dict) else item)
                    if isinstance(child, (dict, list))]
    return level


def form_params(text: str) -> dict:
    """A urlencoded string as a nested dict: source[type]=x -> {"source": {"type": "x"}}; items[]=a -> a list."""
    try:
        pairs = parse_qsl(text, keep_blank_values=True, max_num_fields=MAX_FIELDS)
    except ValueError:
        raise bad_request(f"the request has more than {MAX_FIELDS} fields; send fewer") from None
    params: dict = {}
    for key, value in pairs:
        if not key:
            continue
        _insert(params, key_path(key), value, key)
    return params


def key_path(key: str) -> list[str]:
    """`a[b][c]` -> ["a", "b", "c"]; a key that is not bracket syntax is one plain name."""
    match = _BRACKETS.match(key)
    if not match:
        return [key]
    path = [match.group(1), *_SEGMENT.findall(match.group(2))]
    if len(path) > MAX_DEPTH:
        raise bad_request(f"parameter {shown(key)} is nested {len(path)} levels deep; at most {MAX_DEPTH} are accepted")
    return path


def _conflict(key: str):
    """The 400 for a key sent both plain and nested."""
    return bad_request(f"parameter {shown(key)} is sent both as a plain value and as a nested one; send it one way")


def _insert(root: dict, path: list[str], value: str, key: str) -> None:
    """Put `value` at `path` inside `root`, creating objects and lists on the way."""
    node: dict | list = root
    for position, segment in enumerate(path[:-1]):
        container = list if path[position + 1] == "" else dict
        if segment == "":
            if not isinstance(node, list):
                raise _conflict(key)
            child = container()
            node.append(child)
        else:
            if not isinstance(node, dict):
                raise _conflict(key)
            child = node.get(segment)
            if child is None:
                child = node[segment] = container()
            elif not isinstance(child, container):
                raise _conflict(key)
        node = child
    last = path[-1]
    if last == "":
        if not isinstance(node, list):
            raise _conflict(key)
        node.append(value)
    elif not isinstance(node, dict) or isinstance(node.get(last), (dict, list)):
        raise _conflict(key)
    else:
        node[last] = value


def absent(value: object) -> bool:
    """True for a field not sent, sent as JSON null, or sent as an empty form value."""
    return value is None or value == ""


def integer(value: object, name: str) -> int:
    """A whole number from JSON or from a form's digits, within 64 bits; 400 for 400000.5, 1e5, true or text."""
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise bad_request(f"{name} must be a whole number such as 400000; received {shown(value)}")
    if isinstance(value, str):
        if not _DIGITS.match(value) or len(value.lstrip("-")) > 19:
            raise bad_request(f"{name} must be a whole number written in digits, such as 400000; received {shown(value)}")
        value = int(value)
    if not INT64_MIN <= value <= INT64_MAX:
        raise bad_request(f"{name} {shown(value)} is out of range; send a whole number below 2^63")
    return value


def boolean(value: object, name: str, *, lenient_form: bool = False) -> bool:
    """true/false from JSON, or the form strings true/false/1/0 (any case).

    `lenient_form` is the form_false_is_true fault: any non-empty string reads as true.
    """
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        if lenient_form:
            return value != ""
        lowered = value.lower()
        if lowered in ("true", "1"):
            return True
        if lowered in ("false", "0"):
            return False
    raise bad_request(f"{name} must be true or false; received {shown(value)}")


def text(value: object, name: str, *, max_length: int = 2000) -> str:
    """A string of at most `max_length` characters (Thai welcome)."""
    if not isinstance(value, str):
        raise bad_request(f"{name} must be a string; received {shown(value)}")
    if len(value) > max_length:
        raise bad_request(f"{name} is {len(value)} characters long; send at most {max_length}")
    return value


def mapping(value: object, name: str) -> dict:
    """An object such as metadata (metadata[key]=value in a form)."""
    if not isinstance(value, dict):
        raise bad_request(f"{name} must be an object (send {name}[key]=value, or a JSON object); received {shown(value)}")
    return value
