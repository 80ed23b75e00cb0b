"""The per-account test clock: real time when the account starts, then moved only by advances."""

from __future__ import annotations

import functools
from datetime import UTC, datetime, timedelta


def real_now() -> datetime:
    """The wall clock in UTC, to the whole second (the API's timestamps have no fractions)."""
    return datetime.now(UTC).replace(microsecond=0)


@functools.lru_cache(maxsize=4096)
def iso(moment: datetime) -> str:
    """ISO 8601 in UTC with a Z suffix: 2020-04-15T08:01:26Z."""
    utc = moment.astimezone(UTC)
    return f"{utc.year:04d}-{utc:%m-%dT%H:%M:%S}Z"


EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class Clock:
    """A frozen test clock (like Stripe's test clocks): it stands still so rule boundaries are exact.

    It reads the real time when the account is first used or reset; after that only
    `advance` moves it, so "exactly 30 x 24 hours after paid_at" is a time a test can hit.
    """

    def __init__(self) -> None:
        """Start at the real time, to the whole second."""
        self._now = real_now()

    def now(self) -> datetime:
        """The account's current time."""
        return self._now

    def advance(self, seconds: int) -> datetime:
        """Move forward by `seconds` (never backwards) and answer the new time."""
        if seconds < 0:
            raise ValueError("the clock only moves forward")
        self._now += timedelta(seconds=seconds)
        return self._now
