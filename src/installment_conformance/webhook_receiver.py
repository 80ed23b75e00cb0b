"""A local webhook receiver on 127.0.0.1: records every JSON body POSTed to it, for the webhook rule (EVT-04)."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOCALHOST = "127.0.0.1"
MAX_BODY_BYTES = 5_000_000


class WebhookReceiver:
    """An HTTP server in a thread that keeps the deliveries it receives; use it as a context manager."""

    def __init__(self, host: str = LOCALHOST, port: int = 0):
        """Bind to `host` on `port` (0: a free port); nothing is served before `start`."""
        self._deliveries: list[object] = []
        self._arrived = threading.Condition()
        self._server = ThreadingHTTPServer((host, port), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="webhook-receiver", daemon=True)

    @property
    def url(self) -> str:
        """The http URL to register as the webhook endpoint."""
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/webhooks"

    def start(self) -> WebhookReceiver:
        """Serve in a background thread."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and free the port."""
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> WebhookReceiver:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()

    @property
    def deliveries(self) -> list[object]:
        """Every body received so far, parsed as JSON (None for a body that is not JSON), oldest first."""
        with self._arrived:
            return list(self._deliveries)

    def wait_for(self, predicate, timeout: float = 5.0) -> object | None:
        """The first delivery for which `predicate(body)` is true, waiting up to `timeout` seconds; None if none came."""
        with self._arrived:
            found = self._arrived.wait_for(lambda: next((body for body in self._deliveries if predicate(body)), None), timeout)
        return found

    def _record(self, body: object) -> None:
        with self._arrived:
            self._deliveries.append(body)
            self._arrived.notify_all()

    def _handler_class(self):
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            """Answers every POST with 200 and records its body."""

            def do_POST(self) -> None:  # noqa: N802 (the http.server naming)
                length = min(int(self.headers.get("Content-Length") or 0), MAX_BODY_BYTES)
                raw = self.rfile.read(length)
                try:
                    body = json.loads(raw)
                except (ValueError, UnicodeDecodeError):
                    body = None
                receiver._record(body)
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args) -> None:  # noqa: A002 (the http.server signature)
                """Quiet: a test run's output is the report, not an access log."""

        return Handler
