"""Targets for testing the harness: hostile HTTP servers, a mock without test helpers, and a conformance run in a subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from starlette.responses import JSONResponse

TEST_KEYS = {"OMISE_PUBLIC_KEY": "pkey_test_harness", "OMISE_SECRET_KEY": "skey_test_harness"}
RUN_TIMEOUT_SECONDS = 300
HIDDEN_PATHS = ("/test_helpers/", "/capability")
HIDDEN_ACTIONS = ("/mark_as_paid", "/mark_as_failed", "/expire")


def hostile_answer(kind: str) -> tuple[int, str, bytes] | None:
    """The status, content type and body a hostile target sends (None: it never answers)."""
    return {
        "html": (200, "text/html", b"<html><body><h1>Welcome to nginx!</h1></body></html>"),
        "truncated-json": (200, "application/json", b'{"object": "source", "id": "src_test_1", "amou'),
        "cut-connection": (200, "application/json", b'{"object": "source", "id": "src_test_1", "amou'),
        "server-error": (500, "application/json", b'{"object": "error", "code": "internal", "message": "boom"}'),
        "hang": None,
    }[kind]


class _Counting(ThreadingHTTPServer):
    """An HTTP server that counts the requests it receives."""

    daemon_threads = True
    block_on_close = False
    requests = 0


@contextmanager
def hostile_target(kind: str):
    """A local server answering every request the `kind` way; yields the server (base URL in `.url`, `.requests`)."""
    answer = hostile_answer(kind)

    class Handler(BaseHTTPRequestHandler):
        def _answer(self):
            self.server.requests += 1
            if answer is None:
                time.sleep(60)
                return
            status, content_type, body = answer
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body) + (40 if kind == "cut-connection" else 0)))
            self.end_headers()
            self.wfile.write(body)
            if kind == "cut-connection":
                self.close_connection = True

        do_GET = do_POST = _answer

        def log_message(self, *args):
            """Quiet."""

    server = _Counting(("127.0.0.1", 0), Handler)
    server.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def without_test_helpers(app):
    """An ASGI app in front of the mock that has no test helpers, no /capability and no test-mode actions (all 404)."""

    async def filtered(scope, receive, send):
        path = scope.get("path", "")
        if scope["type"] == "http" and (path.startswith(HIDDEN_PATHS) or path.endswith(HIDDEN_ACTIONS)):
            response = JSONResponse({"object": "error", "location": path, "code": "not_found", "message": "no such endpoint"}, 404)
            await response(scope, receive, send)
            return
        await app(scope, receive, send)

    return filtered


def conformance(*args: str, cwd: Path, env: dict | None = None, timeout: float = RUN_TIMEOUT_SECONDS) -> subprocess.CompletedProcess:
    """`installment-conformance <args>` in a subprocess, with the given environment added."""
    environment = {key: value for key, value in os.environ.items() if not key.startswith("OMISE_")}
    environment.update(env or {})
    return subprocess.run([sys.executable, "-m", "installment_conformance.cli", *args], cwd=cwd, env=environment,
                          capture_output=True, text=True, timeout=timeout)


def read_report(directory: Path) -> dict:
    """A run's report.json."""
    return json.loads((directory / "report.json").read_text(encoding="utf-8"))


def outcomes_by_rule(report: dict) -> dict[str, str]:
    """Rule id -> outcome, for the rules that ran."""
    return {rule["id"]: rule["outcome"] for rule in report["rules"] if rule["outcome"] != "not_run"}


def rule_entry(report: dict, rule_id: str) -> dict:
    """One rule's entry in a report."""
    return next(rule for rule in report["rules"] if rule["id"] == rule_id)
