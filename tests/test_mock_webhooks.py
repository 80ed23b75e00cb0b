"""Webhook delivery: every event POSTed as JSON equal to the event; a slow or dead receiver never blocks the API."""

from __future__ import annotations

import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from installment_conformance.mock.testing import MockClient
from installment_conformance.webhook_receiver import WebhookReceiver

KBANK = "installment_kbank"


def test_every_event_is_posted_and_equals_the_event():
    mock = MockClient()
    with WebhookReceiver() as receiver:
        assert mock.ok(mock.post("/test_helpers/webhook_endpoints", {"url": receiver.url})) == {"object": "webhook_endpoint", "url": receiver.url}
        charge = mock.paid(mock.method(KBANK))
        mock.ok(mock.refund(charge))
        events = mock.ok(mock.get("/events"))["data"]
        for event in events:
            assert receiver.wait_for(lambda body, wanted=event: body == wanted, timeout=5) == event
        assert [event["key"] for event in events] == ["charge.create", "charge.complete", "refund.create"]
    mock.app.state.gateway.close()


def test_the_webhook_url_must_be_http():
    mock = MockClient()
    for url in ("", "ftp://example.com/x", "not a url", "http://[::1"):
        reply = mock.post("/test_helpers/webhook_endpoints", {"url": url})
        assert reply.status_code == 400 and reply.json()["code"] == "bad_request", url


class _SlowHandler(BaseHTTPRequestHandler):
    """Answers after a long pause (a receiver that hangs)."""

    def do_POST(self):  # noqa: N802 (http.server's naming)
        """Sleep, then answer 200."""
        time.sleep(3)
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        """Quiet."""


@pytest.fixture
def slow_url():
    """A receiver that takes seconds to answer."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _SlowHandler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hook"
    server.shutdown()
    server.server_close()


def _closed_port_url() -> str:
    """A URL on a 127.0.0.1 port nobody listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}/hook"


@pytest.mark.parametrize("receiver", ["slow", "dead"])
def test_a_slow_or_dead_receiver_never_blocks_the_api(receiver, request):
    url = request.getfixturevalue("slow_url") if receiver == "slow" else _closed_port_url()
    mock = MockClient()
    mock.ok(mock.post("/test_helpers/webhook_endpoints", {"url": url}))
    started = time.monotonic()
    for _ in range(5):
        charge = mock.charge(mock.method(KBANK))
        mock.ok(mock.post(f"/charges/{charge['id']}/mark_as_paid"))
    assert time.monotonic() - started < 2.0
    assert mock.ok(mock.get("/events"))["total"] == 10
    mock.app.state.gateway.close()
