"""Generated conformance tests: schemathesis over schemas/openapi.yaml against the run's target.

Every operation gets positive and negative requests, and the OpenAPI links give stateful
source -> charge -> refund sequences; every answer is judged by the contract's checks
(installment_conformance.st_checks) and the document's response schemas. Requests carry
the target's secret key. The default budget keeps a run to a few seconds; raise it with
CONFORMANCE_GENERATED_EXAMPLES (examples per operation, and stateful scenarios).
Operations that would disturb the whole target (reset, clock moves, webhook endpoints)
are left out: their rules have hand-written tests.
"""

from __future__ import annotations

import pytest

from installment_conformance import fuzzing, st_checks

EXAMPLES = fuzzing.examples_from_env("CONFORMANCE_GENERATED_EXAMPLES", 5)
# The rules the checks cover (st_checks.checked_rules(CONTRACT_CHECKS)), literal so the rule reference can read them.
RULES = ("API-05", "API-01", "API-06", "FEE-01", "FEE-02", "FEE-03")

schema = fuzzing.load_schema(EXAMPLES)


@pytest.fixture(autouse=True)
def money_checked_against_the_run_profile(profile):
    """The FEE checks use the profile the run checks against."""
    st_checks.use_profile(profile)
    yield
    st_checks.use_profile(None)


LIVE_ONLY = pytest.mark.live_only("generated requests differ from run to run, so no cassette can answer them")


@pytest.mark.rule(*RULES)
@LIVE_ONLY
@schema.parametrize()
def test_generated_requests_get_contract_answers(case, target):
    fuzzing.call_and_check(case, target.base_url, target.secret_key, fuzzing.CONTRACT_CHECKS)


@pytest.mark.rule(*RULES)
@LIVE_ONLY
def test_linked_sequences_get_contract_answers(target):
    machine = fuzzing.state_machine(schema, target.base_url, target.secret_key, fuzzing.CONTRACT_CHECKS)
    machine.run(settings=fuzzing.stateful_settings(max_examples=EXAMPLES))
