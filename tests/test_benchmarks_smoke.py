"""The benchmark's own plumbing, never its timings: the command line, the bodies the servers accept, the wrk script and its result line."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from installment_conformance import profile as profiles
from installment_conformance import scenarios
from installment_conformance.mock import serve

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))

import bare_starlette  # noqa: E402
import bench_operations  # noqa: E402
import bench_wrk  # noqa: E402
import mock_throughput  # noqa: E402

WRK_MISSING = "wrk is not installed (apt-get install -y wrk); the benchmark's Lua scripts cannot be run"


@pytest.fixture(scope="module")
def loaded() -> profiles.Profile:
    """The default profile."""
    return profiles.load()


@pytest.fixture(scope="module")
def operations(loaded) -> dict[str, bench_operations.Operation]:
    """The benchmarked operations, built from the profile."""
    return bench_operations.build(loaded)


@pytest.fixture()
def mock():
    """A fresh reference mock in a thread."""
    with serve.start_background() as running:
        yield running


def test_the_command_line_help_names_its_options():
    completed = subprocess.run([sys.executable, str(BENCHMARKS / "mock_throughput.py"), "--help"],
                               capture_output=True, text=True, timeout=60, check=False)
    assert completed.returncode == 0, completed.stderr
    for option in ("--duration", "--connections", "--latency-connections", "--servers", "--refund-charges", "--rounds", "--json"):
        assert option in completed.stdout


def test_an_unknown_server_is_a_usage_error():
    completed = subprocess.run([sys.executable, str(BENCHMARKS / "mock_throughput.py"), "--servers", "mock,nginx"],
                               capture_output=True, text=True, timeout=60, check=False)
    assert completed.returncode == 2
    assert "nginx" in completed.stderr


def test_the_bodies_come_from_the_profile(loaded, operations):
    bank = loaded.method(bench_operations.BANK_TYPE)
    assert operations["sources"].body == bench_operations.json_body(scenarios.source_params(bank))
    assert operations["charges"].body == bench_operations.json_body(scenarios.inline_charge_params(bank))
    assert operations["refunds"].per_charge and not operations["sources"].per_charge


@pytest.mark.parametrize("name", ["sources", "charges"])
def test_the_mock_accepts_the_benchmarked_request(mock, operations, name):
    assert bench_operations.probe(mock.base_url, operations[name], []) is None


def test_the_refund_requests_are_real_partial_refunds_after_the_payment_day(mock, loaded, operations):
    charge_ids = bench_operations.prepare_refundable_charges(mock.base_url, loaded, 3)
    assert len(set(charge_ids)) == 3
    assert bench_operations.probe(mock.base_url, operations["refunds"], charge_ids) is None
    api = bench_operations.bench_api(mock.base_url)
    try:
        charge = scenarios.get_charge(api, charge_ids[0])
        untouched = scenarios.get_charge(api, charge_ids[1])
    finally:
        api.close()
    assert charge["status"] == "successful" and untouched["status"] == "successful"
    assert charge["refunded_amount"] == bench_operations.REFUND_AMOUNT_SATANG
    assert charge["voided"] is False
    assert untouched["refunded_amount"] == 0


def test_the_probe_reports_a_refused_request(mock, operations):
    problem = bench_operations.probe(mock.base_url, operations["refunds"], bench_operations.placeholder_charge_ids(1))
    assert problem is not None and "404" in problem


def test_the_bare_app_answers_every_benchmarked_request(operations):
    with serve.start_background(app=bare_starlette.create_app()) as bare:
        for operation in operations.values():
            assert bench_operations.probe(bare.base_url, operation, bench_operations.placeholder_charge_ids(1)) is None


def test_the_result_line_is_parsed():
    result = bench_wrk.parse("Running 1s test\nBENCH_RESULT 2000000 5000 3 0 1 0 0 1500 9000\n")
    assert result.requests == 5000
    assert result.duration_s == 2.0
    assert result.requests_per_s == 2500.0
    assert (result.p50_ms, result.p99_ms) == (1.5, 9.0)
    assert (result.non_2xx, result.socket_errors) == (3, 1)
    with pytest.raises(ValueError):
        bench_wrk.parse("wrk crashed\n")


def test_the_script_carries_the_body_and_key_verbatim(operations):
    authorization = bench_wrk.basic_authorization(bench_operations.BENCH_SECRET_KEY)
    text = bench_wrk.script("POST", "/sources", operations["sources"].body, authorization)
    assert operations["sources"].body.decode() in text and authorization in text
    with pytest.raises(ValueError):
        bench_wrk.script("POST", "/sources", b'{"a":"]==]"}', authorization)


@pytest.mark.skipif(shutil.which("wrk") is None, reason=WRK_MISSING)
@pytest.mark.parametrize("name", ["charges", "refunds"])
def test_wrk_sends_requests_the_mock_answers_2xx(mock, loaded, operations, name, tmp_path):
    """One second of load with the generated script: every answer 2xx (the number of requests is not judged)."""
    operation = operations[name]
    charge_ids = bench_operations.prepare_refundable_charges(mock.base_url, loaded, 5) if operation.per_charge else None
    script_path = tmp_path / "load.lua"
    authorization = bench_wrk.basic_authorization(bench_operations.BENCH_SECRET_KEY)
    script_path.write_text(bench_wrk.script("POST", operation.path, operation.body, authorization, charge_ids))
    result = bench_wrk.run(bench_wrk.require_wrk(), mock.base_url, script_path, duration_s=1, connections=2, threads=1)
    assert result.requests > 0
    assert result.non_2xx == 0 and result.socket_errors == 0


def test_the_conformance_run_benchmark_refuses_an_unknown_target():
    completed = subprocess.run([sys.executable, str(BENCHMARKS / "conformance_run.py"), "--targets", "mock,staging"],
                               capture_output=True, text=True, timeout=60, check=False)
    assert completed.returncode == 2
    assert "staging" in completed.stderr


def test_the_conformance_run_benchmark_summarises_a_report():
    import conformance_run

    runs = [{"target": "mock", "wall_seconds": seconds, "exit": 0, "session_seconds": seconds - 1, "tests": 100,
             "requests": 400, "rules": {"passed": 60}} for seconds in (4.0, 2.0, 3.0)]
    summary = conformance_run.summarise(runs)
    assert summary["wall_seconds_median"] == 3.0
    assert summary["tests_per_second"] == round(100 / 3.0, 1)
    assert summary["requests_per_second"] == round(400 / 3.0, 1)
    assert "problem" in conformance_run.summarise([{"target": "mock", "wall_seconds": 1.0, "exit": 4, "problem": "usage"}])


def _measured(server: str, round_number: int, p50_ms: float, rps: float, connections: int, non_2xx: int = 0) -> mock_throughput.Measurement:
    """A charges measurement as wrk would have produced it."""
    result = bench_wrk.WrkResult(requests=1000, duration_s=1.0, requests_per_s=rps, p50_ms=p50_ms, p99_ms=2 * p50_ms,
                                 non_2xx=non_2xx, socket_errors=0)
    return mock_throughput.Measurement(server, "charges", connections, round_number, result)


def test_the_ratios_compare_medians_over_the_rounds_and_leave_out_invalid_runs():
    args = mock_throughput.parse_args(["--operations", "charges", "--rounds", "3"])
    run = mock_throughput.Run(settings={}, machine={}, operations={})
    for round_number, (mock_p50, bare_p50) in enumerate([(0.30, 0.20), (0.21, 0.15), (0.24, 0.16)], start=1):
        run.measurements += [_measured("mock", round_number, mock_p50, 4000, 1), _measured("bare", round_number, bare_p50, 6000, 1),
                             _measured("mock", round_number, 8.0, 4000, 32), _measured("prism", round_number, 30.0, 1000, 32)]
    run.measurements.append(_measured("bare", 4, 0.01, 6000, 1, non_2xx=5))  # an invalid run must not pull the median down
    [row] = mock_throughput.ratios(run, args)
    assert row["mock_over_bare_p50_lone_client"] == round(0.24 / 0.16, 2)
    assert row["mock_over_prism_rps"] == 4.0 and row["meets_throughput_goal"] is True
    assert row["meets_latency_goal"] is (0.24 / 0.16 <= mock_throughput.GOAL_BARE_LATENCY)


def test_rounds_must_be_at_least_one():
    completed = subprocess.run([sys.executable, str(BENCHMARKS / "mock_throughput.py"), "--rounds", "0"],
                               capture_output=True, text=True, timeout=60, check=False)
    assert completed.returncode == 2 and "--rounds" in completed.stderr


def test_the_in_process_benchmark_drives_both_apps_through_every_operation():
    completed = subprocess.run([sys.executable, str(BENCHMARKS / "in_process.py"), "--batches", "1", "--requests", "10"],
                               capture_output=True, text=True, timeout=120, check=False)
    assert completed.returncode == 0, completed.stderr
    rows = [line.split()[:2] for line in completed.stdout.splitlines() if "us median per request" in line]
    assert rows == [[app, operation] for app in ("mock", "bare") for operation in ("sources", "charges", "refunds")]
