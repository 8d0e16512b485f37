"""A retry budget for one department: a token bucket that caps retries as a share of normal traffic.

Every first attempt deposits `ratio` tokens (0.2: retries may add at most 20 % on top of normal traffic);
time adds `min_per_s` tokens a second so a quiet hub can still retry; each retry withdraws one token.
The bucket holds at most `capacity` tokens, so a long calm spell cannot be saved up for a retry storm.
When a department struggles, every caller's retries drain the same bucket and the hub stops hammering it.

Pure and synchronous, with an injectable clock. It counts tokens, nothing else.
"""

from __future__ import annotations

import time
from collections.abc import Callable


class RetryBudget:
    def __init__(
        self,
        *,
        ratio: float = 0.2,
        min_per_s: float = 1.0,
        capacity: float = 20.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if ratio < 0 or min_per_s < 0 or capacity < 0:
            raise ValueError("retry budget parameters must not be negative")
        self._ratio = ratio
        self._min_per_s = min_per_s
        self._capacity = capacity
        self._clock = clock
        self._tokens = capacity  # starts full: a fresh hub may retry its first hiccups
        self._refilled_at = clock()

    @property
    def tokens(self) -> float:
        self._refill()
        return self._tokens

    def record_request(self) -> None:
        """A first attempt was made: it earns the retries `ratio` of a token."""
        self._refill()
        self._tokens = min(self._capacity, self._tokens + self._ratio)

    def try_withdraw(self) -> bool:
        """Take one token for a retry; False (and nothing taken) when the budget is spent."""
        self._refill()
        if self._tokens >= 1.0 - 1e-9:  # tolerate float dust: five deposits of 0.2 make one token
            self._tokens = max(0.0, self._tokens - 1.0)
            return True
        return False

    def _refill(self) -> None:
        now = self._clock()
        elapsed = max(0.0, now - self._refilled_at)
        self._refilled_at = now
        self._tokens = min(self._capacity, self._tokens + elapsed * self._min_per_s)
