"""Events and webhooks (EVT-01..05): charge.create, charge.complete and refund.create events, their shape, and their delivery."""

from __future__ import annotations

import json
import re

import pytest

from installment_conformance import scenarios
from installment_conformance.checks import expect_field, expect_success
from installment_conformance.scenarios import from_profile
from installment_conformance.webhook_receiver import WebhookReceiver

pytest_generate_tests = scenarios.pytest_generate_tests

EVENT_ID = re.compile(r"evnt_test_[0-9a-z]+")
DELIVERY_TIMEOUT_SECONDS = 5.0
COMPLETIONS = {"mark_as_paid": "successful", "mark_as_failed": "failed"}


def _completions(loaded):
    """Every method with each way to complete a charge."""
    return [pytest.param(method, action, id=f"{method.type}-{COMPLETIONS[action]}", marks=pytest.mark.needs(action))
            for method in loaded.methods.values() for action in COMPLETIONS]


def the_event(api, charge_id: str, key: str, rule: str) -> dict:
    """The one event of a charge with this key."""
    found = scenarios.events_of_kind(api, charge_id, key)
    assert len(found) == 1, f"{rule}: charge {charge_id} has {len(found)} {key} events, expected 1"
    return found[0]


def expect_same_object(received, expected: dict, rule: str) -> None:
    """Two renderings of one object are equal, apart from the render time of embedded lists."""
    expect_field(scenarios.without_render_times(received), "", scenarios.without_render_times(expected), rule)


@pytest.fixture(scope="module")
def webhook_receiver(api, target):
    """A receiver on 127.0.0.1 registered as the target's webhook endpoint for this module."""
    if "webhooks" not in target.capabilities:
        pytest.skip("the target lacks the capability: webhooks")
    with WebhookReceiver() as receiver:
        scenarios.require(api.post("/test_helpers/webhook_endpoints", {"url": receiver.url}), "POST /test_helpers/webhook_endpoints")
        yield receiver


@pytest.mark.rule("EVT-01")
@from_profile("method", scenarios.all_methods)
def test_creating_a_charge_records_charge_create(api, method):
    """Creating a charge records one charge.create event whose data is the charge."""
    charge = scenarios.pending_charge(api, method)
    expect_same_object(the_event(api, charge["id"], "charge.create", "EVT-01")["data"], charge, "EVT-01")


@pytest.mark.rule("EVT-02")
@from_profile("method, action", _completions)
def test_completing_a_charge_records_charge_complete(api, method, action):
    """Completing a charge records one charge.complete event whose data is the charge in its final state."""
    charge = scenarios.pending_charge(api, method)
    done = scenarios.require(getattr(scenarios, action)(api, charge), action)
    event = the_event(api, charge["id"], "charge.complete", "EVT-02")
    expect_field(event, "/data/status", COMPLETIONS[action], "EVT-02")
    expect_same_object(event["data"], done, "EVT-02")


@pytest.mark.rule("EVT-03")
@from_profile("method", scenarios.all_methods)
def test_an_event_has_its_documented_shape_and_can_be_retrieved(api, method):
    """An event is an `event` object with an evnt_test_ id, key, created_at, data and location; GET /events/{id} returns it."""
    charge = scenarios.pending_charge(api, method)
    event = the_event(api, charge["id"], "charge.create", "EVT-03")
    expect_field(event, "/object", "event", "EVT-03")
    assert EVENT_ID.fullmatch(str(event.get("id"))), f"EVT-03: id {event.get('id')!r} is not evnt_test_..."
    expect_field(event, "/location", f"/events/{event['id']}", "EVT-03")
    assert isinstance(event.get("created_at"), str) and scenarios.parse_time(event["created_at"]), \
        f"EVT-03: created_at is {event.get('created_at')!r}"
    assert isinstance(event.get("data"), dict), f"EVT-03: data is {event.get('data')!r}"
    reply = api.get(f"/events/{event['id']}")
    expect_success(reply, "EVT-03")
    expect_same_object(reply.body, event, "EVT-03")
    assert event["id"] in scenarios.listed_ids(api, "/events"), f"EVT-03: GET /events (newest 100) does not list {event['id']}"


@pytest.mark.rule("EVT-04")
@pytest.mark.needs("webhooks")
@pytest.mark.live_only("webhook deliveries go from the target to a local receiver; a replay has no target to send them")
@from_profile("method", scenarios.all_methods)
def test_events_are_posted_to_the_webhook_endpoint(api, method, webhook_receiver):
    """Each event is POSTed as JSON to the webhook endpoint, and the body equals the event."""
    charge = scenarios.pending_charge(api, method)
    event = the_event(api, charge["id"], "charge.create", "EVT-04")
    # Any delivery naming the charge (only charge.create exists for a pending one): a wrong body then fails at once.
    delivered = webhook_receiver.wait_for(lambda body: charge["id"] in json.dumps(body), DELIVERY_TIMEOUT_SECONDS)
    assert delivered is not None, f"EVT-04: event {event['id']} was not POSTed to {webhook_receiver.url} within {DELIVERY_TIMEOUT_SECONDS}s"
    expect_same_object(delivered, event, "EVT-04")


@pytest.mark.rule("EVT-05")
@pytest.mark.needs("mark_as_paid")
@from_profile("method", scenarios.all_methods)
def test_a_refund_records_refund_create(api, method):
    """A refund records one refund.create event whose data is the refund."""
    charge = scenarios.successful_charge(api, method)
    refund = scenarios.require(scenarios.refund(api, charge), "POST /charges/{id}/refunds")
    event = the_event(api, charge["id"], "refund.create", "EVT-05")
    expect_field(event, "/data/object", "refund", "EVT-05")
    expect_field(event, "/data/id", refund["id"], "EVT-05")
