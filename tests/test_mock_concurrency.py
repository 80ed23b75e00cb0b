"""The mock under load, over real HTTP (uvicorn): nothing lost, nothing doubled."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from installment_conformance.mock import serve
from installment_conformance.mock.testing import RETURN_URI, default_term, smallest_amount

KBANK = "installment_kbank"
AUTH = ("skey_test_load", "")
IN_FLIGHT = 20  # requests on the wire at once: enough to interleave, few enough that two cores stay quick


@pytest.fixture(scope="module")
def base_url():
    """A mock on a free 127.0.0.1 port for this module."""
    with serve.start_background() as running:
        yield running.base_url


def _run(coroutine):
    """Run a coroutine to completion."""
    return asyncio.run(coroutine)


async def _paid_charge(client: httpx.AsyncClient, method) -> dict:
    """A successful charge made in one call plus mark_as_paid."""
    body = {"source[type]": method.type, "source[installment_term]": default_term(method), "amount": smallest_amount(method),
            "currency": method.currency, "return_uri": RETURN_URI}
    charge = (await client.post("/charges", data=body)).raise_for_status().json()
    return (await client.post(f"/charges/{charge['id']}/mark_as_paid")).raise_for_status().json()


def test_a_hundred_parallel_full_refunds_refund_the_charge_exactly_once(base_url):
    from installment_conformance import profile

    method = profile.load().method(KBANK)

    async def scenario():
        """The requests of the test, concurrently."""
        async with httpx.AsyncClient(base_url=base_url, auth=AUTH, timeout=30, limits=httpx.Limits(max_connections=100)) as client:
            charge = await _paid_charge(client, method)
            replies = await asyncio.gather(*(client.post(f"/charges/{charge['id']}/refunds", data={"amount": charge["amount"]}) for _ in range(100)))
            after = (await client.get(f"/charges/{charge['id']}")).json()
            return charge, replies, after

    charge, replies, after = _run(scenario())
    statuses = sorted(reply.status_code for reply in replies)
    assert statuses == [200] + [400] * 99
    assert all(reply.json()["code"] == "failed_refund" for reply in replies if reply.status_code == 400)
    assert after["refunded_amount"] == charge["amount"] and after["refunds"]["total"] == 1 and after["refundable"] is False


def test_a_thousand_parallel_charges_get_distinct_ids_are_all_retrievable_and_all_recorded(base_url):
    from installment_conformance import profile

    method = profile.load().method(KBANK)
    auth = ("skey_test_thousand", "")
    body = {"source[type]": method.type, "source[installment_term]": default_term(method), "amount": smallest_amount(method),
            "currency": method.currency, "return_uri": RETURN_URI}

    async def scenario():
        """The requests of the test, concurrently."""
        in_flight = asyncio.Semaphore(IN_FLIGHT)
        async with httpx.AsyncClient(base_url=base_url, auth=auth, timeout=60, limits=httpx.Limits(max_connections=IN_FLIGHT)) as client:

            async def create() -> httpx.Response:
                """One charge creation, within the in-flight limit."""
                async with in_flight:
                    return await client.post("/charges", data=body)

            replies = await asyncio.gather(*(create() for _ in range(1000)))
            listed = []
            for offset in range(0, 1000, 100):
                page = (await client.get("/charges", params={"limit": 100, "offset": offset})).json()
                listed += [charge["id"] for charge in page["data"]]
            events = (await client.get("/events", params={"limit": 1})).json()
            sample = await asyncio.gather(*(client.get(f"/charges/{reply.json()['id']}") for reply in replies[::50]))
            return replies, listed, events, sample

    replies, listed, events, sample = _run(scenario())
    assert [reply.status_code for reply in replies] == [200] * 1000
    ids = {reply.json()["id"] for reply in replies}
    assert len(ids) == 1000
    assert set(listed) == ids and len(listed) == 1000
    assert events["total"] == 1000
    assert all(reply.status_code == 200 for reply in sample)
