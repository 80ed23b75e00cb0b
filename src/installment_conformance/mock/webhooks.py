"""Webhook delivery: events POSTed as JSON from a background thread, so a slow or dead receiver never blocks the API."""

from __future__ import annotations

import logging
import queue
import threading
import time

import httpx

log = logging.getLogger("installment_conformance.mock.webhooks")

TIMEOUT_SECONDS = 2.0
ATTEMPTS = 3
BACKOFF_SECONDS = (0.1, 0.5)
QUEUE_SIZE = 10_000


class WebhookSender:
    """One daemon thread delivering queued (url, body) pairs in order, each with bounded retries."""

    def __init__(self) -> None:
        """An idle sender; its thread starts with the first delivery."""
        self._queue: queue.Queue = queue.Queue(maxsize=QUEUE_SIZE)
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._stopped = threading.Event()
        self.delivered = 0
        self.failed = 0

    def send(self, url: str, body: dict) -> None:
        """Queue a delivery; when the queue is full the delivery is dropped and logged, never waited for."""
        self._start()
        try:
            self._queue.put_nowait((url, body))
        except queue.Full:
            self.failed += 1
            log.warning("webhook queue full: dropped %s to %s", body.get("id"), url)

    def _start(self) -> None:
        """Start the delivery thread unless it runs."""
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._stopped.clear()
                self._thread = threading.Thread(target=self._run, name="mock-webhooks", daemon=True)
                self._thread.start()

    def _run(self) -> None:
        """Deliver queued events until stopped."""
        with httpx.Client(timeout=TIMEOUT_SECONDS, follow_redirects=False) as client:
            while not self._stopped.is_set():
                try:
                    item = self._queue.get(timeout=0.2)
                except queue.Empty:
                    continue
                if item is None:
                    break
                self._deliver(client, *item)
                self._queue.task_done()

    def _deliver(self, client: httpx.Client, url: str, body: dict) -> None:
        """POST one event, retrying on network errors and 5xx answers."""
        for attempt in range(ATTEMPTS):
            try:
                reply = client.post(url, json=body, headers={"User-Agent": "installment-conformance-mock"})
                if reply.status_code < 500:
                    self.delivered += 1
                    return
            except (httpx.HTTPError, ValueError, OSError) as error:
                log.info("webhook to %s failed (attempt %d): %s", url, attempt + 1, error)
            if attempt < len(BACKOFF_SECONDS) and not self._stopped.is_set():
                time.sleep(BACKOFF_SECONDS[attempt])
        self.failed += 1

    def stop(self) -> None:
        """Stop the delivery thread (queued deliveries are abandoned)."""
        self._stopped.set()
        thread = self._thread
        if thread is not None:
            thread.join(timeout=1.0)
