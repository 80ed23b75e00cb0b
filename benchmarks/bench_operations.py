"""The benchmarked requests: JSON bodies the mock accepts with 200 (amounts and terms read from the profile), and the refund preparation."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from installment_conformance import scenarios
from installment_conformance.client import Api, TargetUnavailable
from installment_conformance.mock.store import new_id
from installment_conformance.profile import VOID_SAME_DAY_THEN_REFUND, Method, Profile

BENCH_SECRET_KEY = "skey_test_bench"
BENCH_PUBLIC_KEY = "pkey_test_bench"
BANK_TYPE = "installment_kbank"
REFUND_AMOUNT_SATANG = 1
# One day on the test clock moves the prepared charges past their payment's calendar day, where a refund must be a
# full void, into the refund window, where partial refunds are accepted (RFD rules of CONTRACT.md).
DAY_SECONDS = 24 * 60 * 60
PREPARE_WORKERS = 8


class PreparationError(RuntimeError):
    """The server did not let the benchmark build what an operation needs (a profile without a fitting method, a refused request)."""


@dataclass(frozen=True)
class Operation:
    """One benchmarked request: `path` may hold `{id}`, filled per request from prepared charge ids."""

    name: str
    path: str
    body: bytes
    description: str

    @property
    def per_charge(self) -> bool:
        """True when each request names a charge (the refund operation)."""
        return "{id}" in self.path

    def probe_path(self, charge_ids: list[str]) -> str:
        """The path of one request, for a probe before the load."""
        return self.path.format(id=charge_ids[0]) if self.per_charge else self.path


def json_body(params: dict) -> bytes:
    """A request body as compact JSON bytes."""
    return json.dumps(params, separators=(",", ":")).encode("utf-8")


def refund_method(profile: Profile) -> Method:
    """The method whose charges take partial refunds a day after payment (PayNext in omise-th)."""
    for method in profile.methods.values():
        window = method.refund_window_days
        if method.refund_policy == VOID_SAME_DAY_THEN_REFUND and (window is None or window > 1):
            return method
    raise PreparationError(f"profile {profile.name} has no method with partial refunds after the payment's day ({VOID_SAME_DAY_THEN_REFUND})")


def build(profile: Profile) -> dict[str, Operation]:
    """The three benchmarked operations by name: sources, charges (one-call inline source) and refunds."""
    bank = profile.method(BANK_TYPE)
    source = scenarios.source_params(bank)
    inline = scenarios.inline_charge_params(bank)
    refundable = refund_method(profile)
    money = f"term {source['installment_term']} and the smallest amount the profile accepts with it"
    return {
        "sources": Operation("sources", "/sources", json_body(source), f"POST /sources: {bank.type}, {money}"),
        "charges": Operation("charges", "/charges", json_body(inline),
                             f"POST /charges with an inline source: {bank.type}, {money}; a new source and charge per request"),
        "refunds": Operation("refunds", "/charges/{id}/refunds", json_body({"amount": REFUND_AMOUNT_SATANG}),
                             f"POST /charges/{{id}}/refunds amount={REFUND_AMOUNT_SATANG}: partial refunds of successful "
                             f"{refundable.type} charges a day after payment, round robin over the prepared charges"),
    }


def bench_api(base_url: str) -> Api:
    """The project's HTTP client bound to a server with the benchmark's test keys."""
    return Api(base_url, public_key=BENCH_PUBLIC_KEY, secret_key=BENCH_SECRET_KEY)


def _successful_charge_id(api: Api, method: Method) -> str:
    """A new charge (one-call inline source) completed with mark_as_paid; its id."""
    charge = scenarios.require(scenarios.create_inline_charge(api, method, encoding="json"), f"POST /charges ({method.type})")
    return scenarios.require(scenarios.mark_as_paid(api, charge), f"mark_as_paid ({method.type})")["id"]


def prepare_refundable_charges(base_url: str, profile: Profile, count: int) -> list[str]:
    """On a stateful server: `count` successful charges, then the test clock a day later; their ids."""
    method = refund_method(profile)
    api = bench_api(base_url)
    try:
        with ThreadPoolExecutor(PREPARE_WORKERS) as pool:
            ids = list(pool.map(lambda _: _successful_charge_id(api, method), range(count)))
        scenarios.advance_clock(api, DAY_SECONDS)
    except scenarios.ScenarioError as error:
        raise PreparationError(str(error)) from None
    finally:
        api.close()
    return ids


def placeholder_charge_ids(count: int) -> list[str]:
    """Well-formed charge ids for stateless servers (the bare app, Prism), which answer any id alike."""
    return [new_id("chrg") for _ in range(count)]


def probe(base_url: str, operation: Operation, charge_ids: list[str]) -> str | None:
    """Send the operation's request once; None when it is answered 2xx, else what went wrong (the load would measure errors)."""
    api = bench_api(base_url)
    try:
        reply = api.request("POST", operation.probe_path(charge_ids), content=operation.body,
                            headers={"Content-Type": "application/json"})
    except TargetUnavailable as error:
        return f"the probe got no answer: {error}"
    finally:
        api.close()
    if 200 <= reply.status < 300:
        return None
    return f"the probe {operation.probe_path(charge_ids)} answered {reply.status}: {reply.text[:300]}"
