"""The `mock` subcommand and the embedded target: URL on start, usage errors, one log line per request with --verbose."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time

import httpx

from installment_conformance import cli
from installment_conformance.mock import serve
from installment_conformance.mock.faults import catalogue


def _start(*args: str) -> tuple[subprocess.Popen, str]:
    """`installment-conformance mock --port 0 ...` in a child process, and the URL it printed."""
    process = subprocess.Popen(
        [sys.executable, "-m", "installment_conformance.cli", "mock", "--port", "0", *args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    line = process.stdout.readline()
    assert "http://127.0.0.1:" in line, (line, process.stderr.read() if process.poll() is not None else "")
    return process, re.search(r"http://127\.0\.0\.1:[0-9]+", line).group(0)


def _stop(process: subprocess.Popen) -> tuple[str, str]:
    """Ctrl-C the child process and collect its output."""
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=15)
    return out, err


def test_the_mock_command_prints_its_url_serves_and_stops_on_ctrl_c():
    process, url = _start()
    try:
        reply = httpx.get(f"{url}/capability", auth=("pkey_test_cli", ""), timeout=10)
        assert reply.status_code == 200 and reply.json()["object"] == "capability"
    finally:
        out, err = _stop(process)
    assert process.returncode == 0
    assert "GET /capability" not in out + err  # quiet by default


def test_verbose_logs_one_line_per_request():
    process, url = _start("--verbose", "--fault", "vat_half_even")
    try:
        for path in ("/capability", "/charges", "/nowhere"):
            httpx.get(f"{url}{path}", auth=("skey_test_cli", ""), timeout=10)
        time.sleep(0.2)
    finally:
        out, err = _stop(process)
    logged = [line for line in (out + err).splitlines() if '"GET /' in line]
    assert len(logged) == 3 and '"GET /nowhere HTTP/1.1" 404' in logged[2]


def test_an_unknown_fault_is_a_usage_error_naming_the_faults(capsys):
    assert cli.main(["mock", "--fault", "no_such_fault"]) == 2
    err = capsys.readouterr().err
    assert "no_such_fault" in err and "vat_half_even" in err and "refund_race" in err


def test_fault_list_prints_the_catalogue(capsys):
    assert cli.main(["mock", "--fault", "list"]) == 0
    out = capsys.readouterr().out
    assert all(name in out for name in catalogue())


def test_start_background_serves_on_a_free_port_until_stopped():
    running = serve.start_background(faults=["error_is_500"])
    try:
        assert running.base_url.startswith("http://127.0.0.1:")
        broken = httpx.post(f"{running.base_url}/sources", content=b"{", headers={"Content-Type": "application/json"},
                            auth=("pkey_test_bg", ""), timeout=10)
        assert broken.status_code == 500  # the fault is on
    finally:
        running.stop()
    try:
        httpx.get(f"{running.base_url}/capability", timeout=1)
        answered = True
    except httpx.TransportError:
        answered = False
    assert not answered


def test_a_serving_mock_freezes_what_survives_a_full_collection():
    script = (
        "import gc\n"
        "from installment_conformance.mock import serve\n"
        "serve.tune_gc()\n"
        "before = gc.get_freeze_count()\n"
        "kept = [[n] for n in range(10000)]\n"
        "gc.collect()\n"
        "print(gc.get_freeze_count() - before)\n"
    )
    completed = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True)
    assert int(completed.stdout) >= 10000
