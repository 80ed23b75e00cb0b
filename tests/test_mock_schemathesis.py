"""Schemathesis fuzzes the reference mock: no input gets a 5xx or kills it; answers are documented and schema-valid.

The budget is small so the test stays well under a minute on two cores; raise it with
CONFORMANCE_FUZZ_EXAMPLES (examples per operation, and stateful scenarios).
"""

from __future__ import annotations

import httpx
import pytest

from installment_conformance import fuzzing

mock_serve = pytest.importorskip(
    "installment_conformance.mock.serve", reason="the reference mock (installment_conformance.mock) is not built yet"
)

EXAMPLES = fuzzing.examples_from_env("CONFORMANCE_FUZZ_EXAMPLES", 25)
SECRET_KEY = "skey_test_schemathesis"
CHECKS = (*fuzzing.CONTRACT_CHECKS, *fuzzing.PINNED_CHECKS)

# The mock is private to this module, so even reset and clock moves may be fuzzed; a webhook
# endpoint may not: the mock would then POST events to whatever host the fuzzer invented.
schema = fuzzing.load_schema(EXAMPLES, exclude=fuzzing.OUTSIDE_REACHING_OPERATIONS, coverage=True)


@pytest.fixture(scope="module")
def mock_url():
    """A reference mock of its own on a free 127.0.0.1 port."""
    running = mock_serve.start_background()
    try:
        yield running.base_url.rstrip("/")
    finally:
        running.stop()


@schema.parametrize()
def test_no_input_gets_a_server_error_or_an_undocumented_answer(case, mock_url):
    fuzzing.call_and_check(case, mock_url, SECRET_KEY, CHECKS)


def test_linked_sequences_get_no_server_error_and_reach_past_the_source(mock_url):
    seen: dict[str, set[int]] = {}
    machine = fuzzing.state_machine(schema, mock_url, SECRET_KEY, CHECKS, seen_statuses=seen)
    machine.run(settings=fuzzing.stateful_settings(max_examples=EXAMPLES, step_count=8))
    assert 200 in seen.get("POST /sources", set()), f"no source was ever created: {seen}"
    linked = {label for label, statuses in seen.items() if label != "POST /sources" and 200 in statuses}
    assert linked, f"no linked step ever succeeded: {seen}"


def test_the_mock_still_answers_after_the_fuzzing(mock_url):
    reply = httpx.get(f"{mock_url}/capability", auth=(SECRET_KEY, ""), timeout=10)
    assert reply.status_code == 200
    assert reply.json()["object"] == "capability"
