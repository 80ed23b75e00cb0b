"""Helpers that build objects on a target (sources, charges in each state, refunds, clock moves) and profile-driven cases for the suites."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from installment_conformance import profile as profiles

RETURN_URI = "https://example.com/orders/conformance/complete"
CURRENCY = "THB"
FINAL_STATES = ("successful", "failed", "expired")


class ScenarioError(AssertionError):
    """A step that only prepares a test (create a source, pay a charge) did not work: the rule under test was not reached."""


# ---------------------------------------------------------------- cases from the profile


def collection_profile(config: pytest.Config) -> profiles.Profile:
    """The profile the run checks against, available while tests are collected (the plugin's choice)."""
    from installment_conformance import plugin

    return plugin.active_profile(config)


def from_profile(argnames: str, build: Callable[[profiles.Profile], Iterable]):
    """Parametrize a test with the cases `build(profile)` makes from the run's profile (pytest.param with ids)."""

    def mark(func):
        func.__dict__.setdefault("profile_cases", []).append((argnames, build))
        return func

    return mark


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Expand every `from_profile` table of a test; a suite module binds this as its own hook."""
    tables = getattr(metafunc.function, "profile_cases", ())
    if not tables:
        return
    loaded = collection_profile(metafunc.config)
    for argnames, build in reversed(tables):
        metafunc.parametrize(argnames, list(build(loaded)))


def method_cases(methods: Iterable[profiles.Method], *, marks=()) -> list:
    """One case per method, its id the source type."""
    return [pytest.param(method, id=method.type, marks=marks) for method in methods]


def all_methods(loaded: profiles.Profile) -> list:
    """Every method of the profile."""
    return method_cases(loaded.methods.values())


def bank_methods(loaded: profiles.Profile) -> list:
    """The methods with a term list (bank installments)."""
    return method_cases(loaded.banks)


def offline_methods(loaded: profiles.Profile) -> list:
    """The methods whose term the buyer picks in an app."""
    return method_cases(loaded.offline)


def methods_with_policy(policy: str) -> Callable[[profiles.Profile], list]:
    """A case builder: the methods with this refund policy."""
    return lambda loaded: method_cases(m for m in loaded.methods.values() if m.refund_policy == policy)


def outcome(accepted: bool) -> str:
    """The word a case id uses for its expected outcome."""
    return "accepted" if accepted else "rejected"


# ---------------------------------------------------------------- amounts and terms


def default_term(method: profiles.Method) -> int | None:
    """A term the method lists (the one allowing the smallest amount), None for methods without terms."""
    if not method.is_bank:
        return None
    return min(method.installment_terms, key=lambda term: (method.min_amount_for_term(term), term))


def valid_amount(method: profiles.Method, term: int | None = None) -> int:
    """The smallest amount the method accepts (with `term`, or its default term)."""
    if not method.is_bank:
        return method.amount_min
    return method.min_amount_for_term(term if term is not None else default_term(method))


def terms_for_amount(method: profiles.Method, amount: int) -> list[int]:
    """The listed terms that accept `amount` (empty for methods without terms)."""
    if not method.is_bank:
        return []
    return [term for term in method.installment_terms if method.min_amount_for_term(term) <= amount <= method.amount_max]


# ---------------------------------------------------------------- request bodies


class _Omit:
    """Marks a parameter left out of a request body (`source_params(method, currency=OMIT)`)."""

    def __repr__(self) -> str:
        return "OMIT"


OMIT = _Omit()


def source_params(method: profiles.Method, amount: int | None = None, term: int | None = None, **extra) -> dict:
    """The body of POST /sources for a method: amount, currency, type and, for banks, installment_term."""
    params = {"type": method.type, "amount": amount if amount is not None else valid_amount(method, term), "currency": CURRENCY}
    if method.is_bank:
        params["installment_term"] = term if term is not None else default_term(method)
    params.update(extra)
    return {key: value for key, value in params.items() if value is not OMIT}


def charge_params(source: dict, **extra) -> dict:
    """The body of POST /charges for an existing source: its amount and currency, and a return_uri for redirect flows."""
    params = {"source": source["id"], "amount": source["amount"], "currency": source["currency"]}
    if source.get("flow") == "redirect":
        params["return_uri"] = RETURN_URI
    params.update(extra)
    return {key: value for key, value in params.items() if value is not OMIT}


def inline_charge_params(method: profiles.Method, amount: int | None = None, term: int | None = None, **extra) -> dict:
    """The body of a one-call charge: `source[type]` (and `source[installment_term]`), amount, currency, return_uri."""
    source = {"type": method.type}
    if method.is_bank:
        source["installment_term"] = term if term is not None else default_term(method)
    params = {"source": source, "amount": amount if amount is not None else valid_amount(method, term), "currency": CURRENCY}
    if method.flow == "redirect":
        params["return_uri"] = RETURN_URI
    params.update(extra)
    return {key: value for key, value in params.items() if value is not OMIT}


# ---------------------------------------------------------------- building objects on the target


def require(reply, what: str) -> dict:
    """The body of a 2xx reply (an Answer, which keeps its curl line); a ScenarioError naming the preparation step otherwise."""
    if not 200 <= reply.status < 300 or not isinstance(reply.body, dict):
        raise ScenarioError(f"preparing the test: {what} answered {reply.status}: {reply.text[:300]}\n{reply.curl}")
    return reply.body


def create_source(api, method: profiles.Method, amount: int | None = None, term: int | None = None, *,
                  key: str | None = "secret", encoding: str = "form", **extra):
    """POST /sources for a method -> Reply."""
    return api.post("/sources", source_params(method, amount, term, **extra), key=key, encoding=encoding)


def new_source(api, method: profiles.Method, amount: int | None = None, term: int | None = None, **extra) -> dict:
    """A source created on the target (its body)."""
    return require(create_source(api, method, amount, term, **extra), f"POST /sources ({method.type})")


def create_charge(api, source: dict, *, key: str | None = "secret", encoding: str = "form", **extra):
    """POST /charges from an existing source -> Reply."""
    return api.post("/charges", charge_params(source, **extra), key=key, encoding=encoding)


def create_inline_charge(api, method: profiles.Method, amount: int | None = None, term: int | None = None, *,
                         key: str | None = "secret", encoding: str = "form", **extra):
    """POST /charges with an inline `source[type]` -> Reply."""
    return api.post("/charges", inline_charge_params(method, amount, term, **extra), key=key, encoding=encoding)


def pending_charge(api, method: profiles.Method, amount: int | None = None, term: int | None = None, *,
                   source_extra: dict | None = None, **charge_extra) -> dict:
    """A new pending charge of a method (source first, then charge)."""
    source = new_source(api, method, amount, term, **(source_extra or {}))
    return require(create_charge(api, source, **charge_extra), f"POST /charges ({method.type})")


def mark_as_paid(api, charge: dict):
    """POST /charges/{id}/mark_as_paid -> Reply."""
    return api.post(f"/charges/{charge['id']}/mark_as_paid")


def mark_as_failed(api, charge: dict, failure_code: str | None = None):
    """POST /charges/{id}/mark_as_failed (with `failure_code` when given) -> Reply."""
    return api.post(f"/charges/{charge['id']}/mark_as_failed", {"failure_code": failure_code} if failure_code else None)


def expire(api, charge: dict):
    """POST /charges/{id}/expire -> Reply."""
    return api.post(f"/charges/{charge['id']}/expire")


def successful_charge(api, method: profiles.Method, amount: int | None = None, term: int | None = None, **extra) -> dict:
    """A charge completed as successful through mark_as_paid."""
    charge = pending_charge(api, method, amount, term, **extra)
    return require(mark_as_paid(api, charge), f"mark_as_paid ({method.type})")


def failed_charge(api, method: profiles.Method, failure_code: str | None = None) -> dict:
    """A charge completed as failed through mark_as_failed."""
    charge = pending_charge(api, method)
    return require(mark_as_failed(api, charge, failure_code), f"mark_as_failed ({method.type})")


def expired_charge(api, method: profiles.Method) -> dict:
    """A charge expired through POST /charges/{id}/expire."""
    charge = pending_charge(api, method)
    return require(expire(api, charge), f"expire ({method.type})")


def charge_in_state(api, method: profiles.Method, state: str) -> dict:
    """A charge of a method in `state`: pending, successful, failed or expired."""
    makers = {"pending": pending_charge, "successful": successful_charge, "failed": failed_charge, "expired": expired_charge}
    return makers[state](api, method)


STATE_NEEDS = {"pending": (), "successful": ("mark_as_paid",), "failed": ("mark_as_failed",), "expired": ("expire",)}


def state_marks(state: str) -> tuple:
    """The `needs` mark reaching a state takes (none for pending)."""
    return (pytest.mark.needs(*STATE_NEEDS[state]),) if STATE_NEEDS[state] else ()


def get_charge(api, charge_id: str) -> dict:
    """The charge as the target shows it now."""
    return require(api.get(f"/charges/{charge_id}"), f"GET /charges/{charge_id}")


def refund(api, charge: dict, amount: int | None = None, **extra):
    """POST /charges/{id}/refunds (the full amount when `amount` is None) -> Reply."""
    return api.post(f"/charges/{charge['id']}/refunds", {"amount": charge["amount"] if amount is None else amount, **extra})


def charge_events(api, charge_id: str) -> list[dict]:
    """The events of one charge and its refunds (GET /charges/{id}/events), oldest first."""
    body = require(api.get(f"/charges/{charge_id}/events", {"limit": 100, "order": "chronological"}), f"GET /charges/{charge_id}/events")
    return body["data"]


def events_of_kind(api, charge_id: str, key: str) -> list[dict]:
    """The events of a charge with this `key` (charge.create, charge.complete, refund.create)."""
    return [event for event in charge_events(api, charge_id) if event.get("key") == key]


def listed_ids(api, path: str, **params) -> set[str]:
    """The ids on the newest page (up to 100) of a list endpoint."""
    body = require(api.get(path, {"limit": 100, "order": "reverse_chronological", **params}), f"GET {path}")
    return {item.get("id") for item in body["data"]}


# ---------------------------------------------------------------- time


def parse_time(text: str) -> datetime:
    """An ISO 8601 UTC timestamp (`...Z`) as an aware datetime."""
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def clock_now(api) -> datetime:
    """The target's test clock."""
    return parse_time(require(api.get("/test_helpers/clock"), "GET /test_helpers/clock")["now"])


def advance_clock(api, seconds: int) -> datetime:
    """Move the target's test clock forward by whole seconds; the new time."""
    body = require(api.post("/test_helpers/clock", {"advance_seconds": max(0, int(seconds))}), "POST /test_helpers/clock")
    return parse_time(body["now"])


def advance_clock_to(api, moment: datetime) -> datetime:
    """Move the clock forward so that it reads `moment` (to the second; it never moves back)."""
    now = clock_now(api).replace(microsecond=0)
    seconds = int((moment - now).total_seconds())
    if seconds < 0:
        raise ScenarioError(f"preparing the test: the clock reads {now.isoformat()}, past {moment.isoformat()}")
    return advance_clock(api, seconds)


def next_midnight(moment: datetime, zone: str) -> datetime:
    """The first midnight in time zone `zone` after `moment`, in UTC."""
    local = moment.astimezone(ZoneInfo(zone))
    midnight = datetime.combine(local.date() + timedelta(days=1), datetime.min.time(), tzinfo=ZoneInfo(zone))
    return midnight.astimezone(timezone.utc)


def advance_clock_to_local_hour(api, zone: str, hour: int) -> datetime:
    """Move the clock forward to the next `hour`:00 in time zone `zone` (so that a test starts at a known time of day)."""
    local = clock_now(api).astimezone(ZoneInfo(zone))
    target = local.replace(hour=hour, minute=0, second=0, microsecond=0)
    if target <= local:
        target += timedelta(days=1)
    return advance_clock_to(api, target.astimezone(timezone.utc))


def local_date(text: str, zone: str):
    """The calendar date in `zone` of an ISO timestamp."""
    return parse_time(text).astimezone(ZoneInfo(zone)).date()


# ---------------------------------------------------------------- comparing objects


def without_render_times(payload):
    """A copy of an object without the `to` stamp of its embedded lists, which is the time it was rendered."""
    if isinstance(payload, dict):
        return {key: without_render_times(value) for key, value in payload.items()
                if not (key == "to" and payload.get("object") == "list")}
    if isinstance(payload, list):
        return [without_render_times(item) for item in payload]
    return payload


def canonical(payload) -> str:
    """A stable text of a JSON value, for messages and comparisons."""
    return json.dumps(payload, sort_keys=True, ensure_ascii=False)


def download(api, url: str) -> bytes:
    """The bytes at an absolute URL the target gave (a QR image), fetched without a key."""
    reply = api.request("GET", url, key=None)
    if reply.status != 200:
        raise ScenarioError(f"downloading {url} answered {reply.status}\n{reply.curl}")
    return reply.content


def send_raw(api, verb: str, path: str, *, content: bytes | str | None = None, headers: dict | None = None, key: str | None = None):
    """A request exactly as given (raw body, headers, optional key) -> Reply."""
    return api.request(verb, path, content=content, headers=headers, key=key)
