"""An in-process client of the mock for tests: one account's keys and shortcuts that build objects from the profile."""

from __future__ import annotations

import json as json_module
import warnings
from urllib.parse import urlencode

import httpx

from installment_conformance import profile as profile_module
from installment_conformance.mock.app import create_app
from installment_conformance.profile import Method

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

RETURN_URI = "https://example.com/orders/1/complete"


def default_term(method: Method) -> int | None:
    """The listed term that allows the smallest amount (None without terms)."""
    if not method.is_bank:
        return None
    return min(method.installment_terms, key=lambda term: (method.min_amount_for_term(term), term))


def smallest_amount(method: Method, term: int | None = None) -> int:
    """The smallest amount the method accepts with `term` (or its default term)."""
    if not method.is_bank:
        return method.amount_min
    return method.min_amount_for_term(term if term is not None else default_term(method))


class MockClient:
    """A mock app called in-process (no sockets) with the keys of one account."""

    def __init__(self, profile: profile_module.Profile | None = None, faults=(), account: str = "tests"):
        """A new mock app with `faults` on, called through Starlette's TestClient."""
        self.app = create_app(profile, faults=faults)
        self.profile: profile_module.Profile = self.app.state.gateway.profile
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            self.http = TestClient(self.app, base_url="http://mock.test")
        self.secret_key = f"skey_test_{account}"
        self.public_key = f"pkey_test_{account}"

    def for_account(self, account: str) -> MockClient:
        """A client of the same mock with another account's keys."""
        other = object.__new__(MockClient)
        other.__dict__.update(self.__dict__, secret_key=f"skey_test_{account}", public_key=f"pkey_test_{account}")
        return other

    def _auth(self, key: str | None):
        """The Basic credentials for secret, public, None or a literal key."""
        if key is None:
            return None
        return ({"secret": self.secret_key, "public": self.public_key}.get(key, key), "")

    def post(self, path: str, data: dict | None = None, *, key: str | None = "secret", json: object = None, **kwargs) -> httpx.Response:
        """POST form `data` (bracket nesting for dicts) or `json`; `key` is secret, public, None or a literal key."""
        if data is not None:
            headers = {"Content-Type": "application/x-www-form-urlencoded", **kwargs.pop("headers", {})}
            return self.http.post(path, content=urlencode(form_pairs(data)), headers=headers, auth=self._auth(key), **kwargs)
        if json is None:
            return self.http.post(path, auth=self._auth(key), **kwargs)
        headers = {"Content-Type": "application/json", **kwargs.pop("headers", {})}
        body = json_module.dumps(json, ensure_ascii=False).encode("utf-8", errors="surrogatepass")  # NaN included, as some clients send
        return self.http.post(path, content=body, headers=headers, auth=self._auth(key), **kwargs)

    def get(self, path: str, params: dict | None = None, *, key: str | None = "secret", **kwargs) -> httpx.Response:
        """GET with query `params`."""
        return self.http.get(path, params=params, auth=self._auth(key), **kwargs)

    def ok(self, response: httpx.Response) -> dict:
        """The JSON of a 2xx answer; an AssertionError with the body otherwise."""
        assert 200 <= response.status_code < 300, f"{response.request.method} {response.request.url}: {response.status_code} {response.text}"
        return response.json()

    def method(self, source_type: str) -> Method:
        """A method of the mock's profile."""
        return self.profile.method(source_type)

    def source_params(self, method: Method, amount: int | None = None, term: int | None = None, **extra) -> dict:
        """The body of POST /sources for a method, valid unless overridden."""
        params = {"type": method.type, "amount": amount if amount is not None else smallest_amount(method, term), "currency": method.currency}
        if method.is_bank:
            params["installment_term"] = term if term is not None else default_term(method)
        return {**params, **extra}

    def source(self, method: Method, amount: int | None = None, term: int | None = None, **extra) -> dict:
        """A new source."""
        return self.ok(self.post("/sources", self.source_params(method, amount, term, **extra), key="public"))

    def charge(self, method: Method, amount: int | None = None, term: int | None = None, *, source_extra: dict | None = None, **extra) -> dict:
        """A new pending charge of a new source."""
        source = self.source(method, amount, term, **(source_extra or {}))
        body = {"source": source["id"], "amount": source["amount"], "currency": source["currency"], "return_uri": RETURN_URI, **extra}
        return self.ok(self.post("/charges", body))

    def paid(self, method: Method, amount: int | None = None, term: int | None = None, **extra) -> dict:
        """A charge completed as successful."""
        charge = self.charge(method, amount, term, **extra)
        return self.ok(self.post(f"/charges/{charge['id']}/mark_as_paid"))

    def advance(self, seconds: int) -> dict:
        """Move the account's clock forward."""
        return self.ok(self.post("/test_helpers/clock", {"advance_seconds": seconds}))

    def refund(self, charge: dict, amount: int | None = None, **extra) -> httpx.Response:
        """POST a refund (the whole charge when `amount` is None)."""
        return self.post(f"/charges/{charge['id']}/refunds", {"amount": charge["amount"] if amount is None else amount, **extra})


def form_pairs(value: dict, prefix: str = "") -> list[tuple[str, str]]:
    """A dict as form fields with bracket nesting, booleans as true/false: {"source": {"type": "x"}} -> source[type]=x."""
    pairs: list[tuple[str, str]] = []
    for key, item in value.items():
        name = f"{prefix}[{key}]" if prefix else str(key)
        if isinstance(item, dict):
            pairs += form_pairs(item, name)
        elif isinstance(item, bool):
            pairs.append((name, "true" if item else "false"))
        elif item is not None:
            pairs.append((name, str(item)))
    return pairs
