"""The target under test: its base URL, keys, capabilities and profile; the live-key guard and the capability probe."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from installment_conformance import profile as profiles
from installment_conformance.client import Api, TargetUnavailable

MOCK = "mock"
REPLAY = "replay"
HELPER_CAPABILITIES = ("clock", "webhooks", "reset", "failure_codes", "qr_download")
PROBED_CAPABILITIES = ("mark_as_paid", "mark_as_failed", "expire", "capability_endpoint")
KEY_VARIABLES = ("OMISE_PUBLIC_KEY", "OMISE_SECRET_KEY")


class LiveKeyRefused(Exception):
    """A key without `_test_`: the run stops before it sends anything."""


@dataclass
class Target:
    """What the suites run against."""

    base_url: str
    public_key: str
    secret_key: str
    profile: profiles.Profile
    kind: str  # "mock", "replay" or "url"
    capabilities: frozenset[str] = frozenset()
    probe_notes: list[str] = field(default_factory=list)
    faults: tuple[str, ...] = ()

    @property
    def description(self) -> str:
        """How the report names the target (never a key)."""
        if self.kind == MOCK:
            faults = f" with faults {', '.join(self.faults)}" if self.faults else ""
            return f"{self.base_url} (embedded reference mock{faults})"
        if self.kind == REPLAY:
            return f"replay of the cassettes recorded from {self.base_url}"
        return without_credentials(self.base_url)


def without_credentials(url: str) -> str:
    """A URL with any user:password@ removed."""
    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return parts._replace(netloc=netloc).geturl()


def check_target_option(value: str) -> str:
    """`mock`, `replay` or an http(s) base URL; ValueError saying what is accepted otherwise."""
    if value in (MOCK, REPLAY):
        return value
    parts = urlsplit(value)
    if parts.scheme in ("http", "https") and parts.netloc:
        return value.rstrip("/")
    raise ValueError(f"--target {value!r}: use 'mock' (the embedded reference mock), 'replay' (the cassettes) or an http(s):// base URL")


def generated_keys() -> tuple[str, str]:
    """A fresh pair of test keys sharing one suffix: the mock's account for this run alone."""
    suffix = "conformance" + secrets.token_hex(6)
    return f"pkey_test_{suffix}", f"skey_test_{suffix}"


def keys_from_environment(environ: dict | None = None) -> tuple[str, str]:
    """The keys in OMISE_PUBLIC_KEY / OMISE_SECRET_KEY; ValueError naming what is missing."""
    environ = os.environ if environ is None else environ
    missing = [name for name in KEY_VARIABLES if not environ.get(name)]
    if missing:
        raise ValueError(f"set {' and '.join(missing)} to the target's test keys (pkey_test_... / skey_test_...)")
    return environ["OMISE_PUBLIC_KEY"], environ["OMISE_SECRET_KEY"]


def refuse_live_keys(*keys: str) -> None:
    """Stop before any request when a key is not a test key (no `_test_` in it)."""
    for key in keys:
        if "_test_" not in key:
            shown = key[:5] + "..." if len(key) > 5 else "(a short key)"
            raise LiveKeyRefused(f"refusing to run: the key {shown} has no '_test_' in it, so it is a live key; "
                                 "conformance runs create and refund charges and must only ever use test keys")


def probe_capabilities(api: Api, loaded: profiles.Profile) -> tuple[frozenset[str], list[str]]:
    """The target's capabilities: the test helpers it lists, and the endpoints that answer a real try; with notes on what failed."""
    found: set[str] = set()
    notes: list[str] = []
    try:
        listed = api.get("/test_helpers/capabilities")
        if listed.status == 200 and isinstance(listed.body, dict) and isinstance(listed.body.get("capabilities"), list):
            found |= {name for name in listed.body["capabilities"] if name in HELPER_CAPABILITIES}
        else:
            notes.append(f"GET /test_helpers/capabilities answered {listed.status}: no test helpers")
        capability = api.get("/capability")
        if capability.status == 200 and isinstance(capability.body, dict) and capability.body.get("object") == "capability":
            found.add("capability_endpoint")
        else:
            notes.append(f"GET /capability answered {capability.status}")
        for action in ("mark_as_paid", "mark_as_failed", "expire"):
            if _action_works(api, loaded, action, notes):
                found.add(action)
    except TargetUnavailable as error:
        notes.append(f"the probe stopped: {error}")
    return frozenset(found), notes


def _action_works(api: Api, loaded: profiles.Profile, action: str, notes: list[str]) -> bool:
    """True when a new pending charge accepts POST /charges/{id}/<action> with a 2xx."""
    method = min(loaded.methods.values(), key=lambda m: m.amount_min)
    body = {"source": {"type": method.type}, "amount": method.amount_min, "currency": "THB",
            "return_uri": "https://example.com/conformance/probe"}
    if method.is_bank:
        term = min(method.installment_terms, key=method.min_amount_for_term)
        body["source"]["installment_term"] = term
        body["amount"] = method.min_amount_for_term(term)
    charge = api.post("/charges", body)
    if not 200 <= charge.status < 300 or not isinstance(charge.body, dict) or "id" not in charge.body:
        notes.append(f"{action} not probed: creating a charge answered {charge.status}")
        return False
    reply = api.post(f"/charges/{charge.body['id']}/{action}")
    if not 200 <= reply.status < 300:
        notes.append(f"POST /charges/{{id}}/{action} answered {reply.status}")
    return 200 <= reply.status < 300
