"""Schemathesis over schemas/openapi.yaml, bound to one target: the loaded schema, the checks, a state machine.

Shared by the generated conformance suite (suites/test_generated.py) and the mock's
own fuzz test (tests/test_mock_schemathesis.py), so both send the same requests and
judge the answers the same way.
"""

from __future__ import annotations

import os

import hypothesis
import schemathesis
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from installment_conformance import openapi, st_checks

# Operations that change the whole target or reach beyond it: a random webhook URL would make
# the target POST events to any host, and reset / clock moves would break the other suites' objects.
DISRUPTIVE_OPERATIONS = ("createWebhookEndpoint", "resetTestState", "advanceTestClock")
OUTSIDE_REACHING_OPERATIONS = ("createWebhookEndpoint",)

# What every answer is judged by: the contract's own rules plus schemathesis's schema conformance (API-06).
CONTRACT_CHECKS = (not_a_server_error, response_schema_conformance, *st_checks.CONTRACT_CHECKS)
# The reference mock pins more than the contract: only documented statuses and content types.
PINNED_CHECKS = (status_code_conformance, content_type_conformance)


def examples_from_env(variable: str, default: int) -> int:
    """A positive example budget from the environment (`default` when unset); a usage error when malformed."""
    raw = os.environ.get(variable, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or int(raw) < 1:
        raise ValueError(f"{variable}={raw!r}: expected a positive whole number of examples per operation")
    return int(raw)


def load_schema(max_examples: int, *, exclude: tuple[str, ...] = DISRUPTIVE_OPERATIONS, coverage: bool = False):
    """schemas/openapi.yaml with positive and negative generation, `max_examples` per operation, nothing cached."""
    config = schemathesis.Config.from_dict(
        {
            "generation": {"mode": "all", "max-examples": max_examples, "database": "none"},
            "phases": {"coverage": {"enabled": coverage}},
        }
    )
    schema = schemathesis.openapi.from_path(openapi.OUTPUT, config=config)
    return schema.exclude(operation_id=list(exclude)) if exclude else schema


def call_kwargs(base_url: str, secret_key: str) -> dict:
    """Transport arguments that send a case to `base_url` with HTTP Basic `secret_key:`."""
    return {"base_url": base_url.rstrip("/"), "auth": (secret_key, ""), "timeout": 10}


def is_positive(case) -> bool:
    """True for a case generated to fit the document (negative cases break it on purpose)."""
    meta = case.meta
    return meta is None or meta.generation.mode == GenerationMode.POSITIVE


def call_and_check(case, base_url: str, secret_key: str, checks) -> object:
    """Send `case` to the target and raise schemathesis's FailureGroup when any check fails."""
    kwargs = call_kwargs(base_url, secret_key)
    response = case.call(**kwargs)
    case.validate_response(response, checks=list(checks), transport_kwargs=kwargs)
    return response


def state_machine(schema, base_url: str, secret_key: str, checks, seen_statuses: dict | None = None):
    """The document's links as a Hypothesis state machine that calls the target and applies `checks`.

    `seen_statuses`, when given, collects `{operation label: set of statuses}` so a test can
    tell that the sequences got past their first step.
    """
    base = schema.as_state_machine()

    class BoundStateMachine(base):
        """The links of schemas/openapi.yaml, sent to one target with its secret key."""

        def get_call_kwargs(self, case):
            """Every step goes to the target, authenticated with the secret key."""
            return call_kwargs(base_url, secret_key)

        def after_call(self, response, case):
            """Remember which statuses each operation answered."""
            if seen_statuses is not None:
                seen_statuses.setdefault(case.operation.label, set()).add(response.status_code)

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            """Judge each answer by the given checks only."""
            case.validate_response(response, checks=list(checks), transport_kwargs=kwargs)

    return BoundStateMachine


def stateful_settings(max_examples: int, step_count: int = 6) -> hypothesis.settings:
    """Hypothesis settings for a short stateful run: no deadline, no example database, no health checks."""
    return hypothesis.settings(
        max_examples=max_examples,
        stateful_step_count=step_count,
        deadline=None,
        database=None,
        derandomize=False,
        suppress_health_check=list(hypothesis.HealthCheck),
        phases=[hypothesis.Phase.generate, hypothesis.Phase.shrink],
    )
