"""A circuit breaker for one department: closed, open, half-open.

    CLOSED ──(≥ threshold failures and ≥ ratio failing, within the rolling window)──> OPEN
    CLOSED ──(≥ threshold slow calls and ≥ slow ratio of the calls, within the window)─> OPEN
    OPEN ──(cool-down elapsed)──> HALF_OPEN ──(the one probe succeeds)──> CLOSED
                                            └─(the one probe fails)────> OPEN (a new cool-down)

While open, `try_acquire()` refuses in O(1) without touching the network, so a dead department costs the
hub microseconds instead of timeouts. In half-open exactly one caller gets the probe permit; everyone else is
refused until the probe reports.

A permit covers one logical call, retries included: a call counts as failed only when its retries failed too.
A call that took at least `slow_call_s` (from permit to report, whatever the outcome, also when it was cut off
by our deadline or cancelled) is slow, so a department that hangs opens the breaker even at low traffic.

Pure and synchronous (it is only ever used from one event loop) with an injectable clock. It knows nothing
about HTTP or people: it never sees a request, only outcomes.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from connectors.base import BreakerState

Clock = Callable[[], float]
StateListener = Callable[[BreakerState, BreakerState], None]

_BUCKETS = 10  # the rolling window is counted in ten buckets, so memory stays constant under any load


@dataclass(slots=True)
class Permit:
    """Leave to make one call. Report its outcome exactly once (success, failure or release)."""

    probe: bool
    started: float = 0.0
    done: bool = False


@dataclass(slots=True)
class _Bucket:
    index: int
    successes: int = 0
    failures: int = 0
    slow: int = 0
    calls: int = 0  # every reported call, including slow ones that told us nothing else


class CircuitBreaker:
    def __init__(
        self,
        *,
        failure_threshold: int = 5,
        failure_ratio: float = 0.5,
        window_s: float = 10.0,
        cooldown_s: float = 5.0,
        slow_call_s: float | None = None,
        slow_call_ratio: float = 0.5,
        clock: Clock = time.monotonic,
        on_state_change: StateListener | None = None,
    ) -> None:
        if failure_threshold < 1 or window_s <= 0 or cooldown_s <= 0 or not 0 < failure_ratio <= 1:
            raise ValueError("invalid circuit breaker parameters")
        if (slow_call_s is not None and slow_call_s <= 0) or not 0 < slow_call_ratio <= 1:
            raise ValueError("invalid circuit breaker parameters")
        self._slow_s = slow_call_s
        self._slow_ratio = slow_call_ratio
        self._threshold = failure_threshold
        self._ratio = failure_ratio
        self._bucket_s = window_s / _BUCKETS
        self._cooldown_s = cooldown_s
        self._clock = clock
        self._listener = on_state_change
        self._state = BreakerState.CLOSED
        self._opened_at = 0.0
        self._probe_in_flight = False
        self._buckets: deque[_Bucket] = deque()

    @property
    def state(self) -> BreakerState:
        if self._state is BreakerState.OPEN and self._clock() - self._opened_at >= self._cooldown_s:
            self._transition(BreakerState.HALF_OPEN)
        return self._state

    @property
    def retry_in(self) -> float:
        """Seconds until an open breaker lets a probe through (0 when not open)."""
        if self.state is not BreakerState.OPEN:
            return 0.0
        return max(0.0, self._opened_at + self._cooldown_s - self._clock())

    def try_acquire(self) -> Permit | None:
        """A permit to call the department, or None: refused without calling."""
        state = self.state
        if state is BreakerState.CLOSED:
            return Permit(probe=False, started=self._clock())
        if state is BreakerState.HALF_OPEN and not self._probe_in_flight:
            self._probe_in_flight = True
            return Permit(probe=True, started=self._clock())
        return None

    def record_success(self, permit: Permit) -> None:
        if self._finish(permit):
            return
        slow = self._is_slow(permit)
        if permit.probe:
            self._probe_in_flight = False
            if slow:  # it answered, but too slowly to be back
                self._open()
                return
            self._buckets.clear()
            self._transition(BreakerState.CLOSED)
        elif self._state is BreakerState.CLOSED:
            bucket = self._current_bucket()
            bucket.successes += 1
            self._count_call(bucket, slow)

    def record_failure(self, permit: Permit) -> None:
        if self._finish(permit):
            return
        slow = self._is_slow(permit)
        if permit.probe:
            self._probe_in_flight = False
            self._open()
        elif self._state is BreakerState.CLOSED:
            bucket = self._current_bucket()
            bucket.failures += 1
            successes, failures = self._counts()
            if failures >= self._threshold and failures >= self._ratio * (successes + failures):
                self._open()
                return
            self._count_call(bucket, slow)
        # A late failure from a call that started before the breaker opened changes nothing.

    def release(self, permit: Permit) -> None:
        """The call ended without telling us whether the department works (cancelled, or cut off by our own
        deadline). Only its duration counts: a call that was slow before it was cut off is a slow call."""
        if self._finish(permit):
            return
        slow = self._is_slow(permit)
        if permit.probe:
            self._probe_in_flight = False
            if slow:
                self._open()
        elif slow and self._state is BreakerState.CLOSED:
            self._count_call(self._current_bucket(), slow)

    # -- internals ---------------------------------------------------------------------------------------

    @staticmethod
    def _finish(permit: Permit) -> bool:
        """Mark the permit used; True if it had already been reported (then the report is ignored)."""
        already = permit.done
        permit.done = True
        return already

    def _is_slow(self, permit: Permit) -> bool:
        return self._slow_s is not None and self._clock() - permit.started >= self._slow_s

    def _count_call(self, bucket: _Bucket, slow: bool) -> None:
        bucket.calls += 1
        if not slow:
            return
        bucket.slow += 1
        index = int(self._clock() // self._bucket_s)
        live = [b for b in self._buckets if b.index > index - _BUCKETS]
        slow_calls, calls = sum(b.slow for b in live), sum(b.calls for b in live)
        if slow_calls >= self._threshold and slow_calls >= self._slow_ratio * calls:
            self._open()

    def _open(self) -> None:
        self._opened_at = self._clock()
        self._buckets.clear()
        self._transition(BreakerState.OPEN)

    def _transition(self, new: BreakerState) -> None:
        old, self._state = self._state, new
        if old is not new and self._listener is not None:
            self._listener(old, new)

    def _current_bucket(self) -> _Bucket:
        index = int(self._clock() // self._bucket_s)
        while self._buckets and self._buckets[0].index <= index - _BUCKETS:
            self._buckets.popleft()
        if not self._buckets or self._buckets[-1].index != index:
            self._buckets.append(_Bucket(index))
        return self._buckets[-1]

    def _counts(self) -> tuple[int, int]:
        index = int(self._clock() // self._bucket_s)
        live = [b for b in self._buckets if b.index > index - _BUCKETS]
        return sum(b.successes for b in live), sum(b.failures for b in live)
