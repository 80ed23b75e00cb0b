"""HTTP Basic authentication with test keys; the account is the key's suffix (pkey_test_abc and skey_test_abc share `abc`)."""

from __future__ import annotations

import base64
import binascii
import re
from functools import lru_cache
from typing import NamedTuple

from starlette.requests import Request

from installment_conformance.mock.errors import authentication_failure

PUBLIC = "public"
SECRET = "secret"
_TEST_KEY = re.compile(r"^(pkey|skey)_test_([0-9A-Za-z_-]{1,100})$")
_ANY_KEY = re.compile(r"^(pkey|skey)_")


class Caller(NamedTuple):
    """Who is calling: the account (key suffix) and whether the key is public or secret."""

    account: str
    kind: str


def key_from_header(header: str | None) -> str:
    """The key (the Basic user name) from an Authorization header; 401 when there is none or it is malformed."""
    if not header:
        raise authentication_failure("no key: send HTTP Basic auth with your test key as the user name and an empty password (curl -u skey_test_...:)")
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic" or not encoded.strip():
        raise authentication_failure("the Authorization header must be HTTP Basic: 'Basic base64(<key>:)'")
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, ValueError):
        raise authentication_failure("the Basic credentials are not valid base64 of '<key>:'") from None
    return decoded.partition(":")[0]


def caller_for_key(key: str) -> Caller:
    """The caller a key stands for; 401 for a live key (no _test_) or a key that is not pkey_test_/skey_test_."""
    match = _TEST_KEY.match(key)
    if match:
        return Caller(account=match.group(2), kind=PUBLIC if match.group(1) == "pkey" else SECRET)
    if _ANY_KEY.match(key) and "_test_" not in key:
        raise authentication_failure("live keys are refused: the mock only takes test keys (pkey_test_... or skey_test_...)")
    raise authentication_failure("unknown key: use a test key such as skey_test_yourname (letters, digits, _ or - after skey_test_)")


@lru_cache(maxsize=1024)
def caller_for_header(header: str | None) -> Caller:
    """The caller an Authorization header stands for (a client sends the same header each time: decoded once)."""
    return caller_for_key(key_from_header(header))


def authenticate(request: Request, *, secret: bool) -> Caller:
    """The caller of a request; 401 unless it carries a test key, and a secret one when `secret`."""
    caller = caller_for_header(request.headers.get("authorization"))
    if secret and caller.kind != SECRET:
        raise authentication_failure(f"{request.method} {request.url.path} needs your secret key (skey_test_...), not the public key")
    return caller
