"""In-memory state: one account per key suffix, each with its own objects, clock and lock."""

from __future__ import annotations

import heapq
import random
import threading
from datetime import datetime

from installment_conformance.mock.clock import Clock
from installment_conformance.mock.models import PENDING, Charge, Document, Event, Refund, Source

ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz"
ID_LENGTH = 19
# Ids name objects, they guard nothing, and making them was a large part of a request: a charge needs four.
# So they come from a generator seeded once from os.urandom, each byte mapped to a digit (a byte modulo 36
# favours 0-3 a little, which nothing relies on), made a few hundred at a time.
_ID_RANDOM = random.Random()
_BYTE_TO_DIGIT = bytes(ord(ALPHABET[byte % len(ALPHABET)]) for byte in range(256))
_BATCH = 256
_SUFFIXES: list[str] = []


def _suffix_batch() -> list[str]:
    """_BATCH random id suffixes of ID_LENGTH digits."""
    digits = _ID_RANDOM.randbytes(ID_LENGTH * _BATCH).translate(_BYTE_TO_DIGIT).decode("ascii")
    return [digits[start : start + ID_LENGTH] for start in range(0, len(digits), ID_LENGTH)]


def new_id(prefix: str) -> str:
    """A test-mode id such as chrg_test_5jk1yqj1h3xql48pg0m: the prefix and 19 random lowercase base-36 digits."""
    while True:
        try:
            return f"{prefix}_test_{_SUFFIXES.pop()}"  # pop is atomic: threads never share a suffix
        except IndexError:
            _SUFFIXES.extend(_suffix_batch())


class Account:
    """Everything one key suffix owns. Hold `lock` while reading-then-changing anything here."""

    def __init__(self, name: str):
        """Empty state."""
        self.name = name
        self.lock = threading.RLock()
        self.clock = Clock()
        self.sources: dict[str, Source] = {}
        self.charges: dict[str, Charge] = {}
        self.refunds: dict[str, Refund] = {}
        self.events: dict[str, Event] = {}
        self.webhook_url: str | None = None
        self._expiries: list[tuple[datetime, str]] = []

    def add_source(self, source: Source) -> None:
        """Keep a new source."""
        self.sources[source.id] = source

    def add_charge(self, charge: Charge) -> None:
        """Keep a new charge and remember when it expires."""
        self.charges[charge.id] = charge
        heapq.heappush(self._expiries, (charge.expires_at, charge.id))

    def add_refund(self, refund: Refund) -> None:
        """Keep a new refund (the caller has appended it to its charge)."""
        self.refunds[refund.id] = refund

    def add_event(self, event: Event) -> None:
        """Keep a new event."""
        self.events[event.id] = event

    def due_for_expiry(self, now: datetime) -> list[Charge]:
        """Pending charges whose expires_at is at or before `now`, each answered once."""
        due = []
        while self._expiries and self._expiries[0][0] <= now:
            _, charge_id = heapq.heappop(self._expiries)
            charge = self.charges.get(charge_id)
            if charge is not None and charge.status == PENDING:
                due.append(charge)
        return due

    def fresh_id(self, prefix: str, taken: dict) -> str:
        """A new id not already in `taken`."""
        while True:
            candidate = new_id(prefix)
            if candidate not in taken:
                return candidate


class Store:
    """All accounts, plus the QR documents (downloads carry no key, so they are found by their URL alone)."""

    def __init__(self) -> None:
        """Empty state."""
        self._lock = threading.Lock()
        self._accounts: dict[str, Account] = {}
        self._documents: dict[tuple[str, str, str], Document] = {}

    def account(self, name: str) -> Account:
        """The account for a key suffix, created on first use."""
        with self._lock:
            account = self._accounts.get(name)
            if account is None:
                account = self._accounts[name] = Account(name)
            return account

    def reset(self, name: str) -> Account:
        """Forget an account's objects, events, webhook endpoint and clock; answer the fresh account."""
        with self._lock:
            old = self._accounts.get(name)
            if old is not None:
                for charge in old.charges.values():
                    if charge.document is not None:
                        self._documents.pop(document_key(charge.document), None)
            account = self._accounts[name] = Account(name)
            return account

    def add_document(self, document: Document) -> None:
        """Make a QR document downloadable."""
        with self._lock:
            self._documents[document_key(document)] = document

    def document(self, charge_id: str, document_id: str, key: str) -> Document | None:
        """The document at /charges/{charge_id}/documents/{document_id}/downloads/{key}, if there is one."""
        with self._lock:
            return self._documents.get((charge_id, document_id, key))


def document_key(document: Document) -> tuple[str, str, str]:
    """How a document is found from its download URL."""
    return (document.charge_id, document.id, document.key)
