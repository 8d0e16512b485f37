"""The load generator: open loop at a fixed arrival rate (for latency) and closed loop at a fixed number of
connections (for maximum throughput), both bounded in count and in time.

A request is an `Attempt`: an async function of the request's index that returns normally on success and
raises on failure. In the open loop a request's latency counts from the moment it was *scheduled* to start,
not from when it actually started, so a generator that falls behind shows up as latency (no coordinated
omission).
"""

from __future__ import annotations

import asyncio
import math
import random
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field

Attempt = Callable[[int], Awaitable[object]]

REQUEST_TIMEOUT_S = 10.0  # one request never takes longer than this; it counts as an error then


@dataclass
class RoundResult:
    """What one round measured. Latencies in seconds, of successful requests only."""

    latencies: list[float] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)
    elapsed_s: float = 0.0
    late_starts: int = 0  # open loop: requests that started more than 10 ms after their schedule

    @property
    def completed(self) -> int:
        return len(self.latencies)

    @property
    def error_count(self) -> int:
        return sum(self.errors.values())

    @property
    def throughput(self) -> float:
        return self.completed / self.elapsed_s if self.elapsed_s > 0 else 0.0

    def percentile(self, q: float) -> float:
        return percentile(sorted(self.latencies), q)


def percentile(ordered: Sequence[float], q: float) -> float:
    """The q-quantile (0..1) of sorted values, linearly interpolated; NaN for no values."""
    if not ordered:
        return math.nan
    position = q * (len(ordered) - 1)
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def _error_name(exc: BaseException) -> str:
    name = type(exc).__name__
    # The message of our own checks is a short code (never personal data); others: the type only.
    code = getattr(exc, "code", None)
    return f"{name}:{code}" if isinstance(code, str) else name


async def _timed(attempt: Attempt, index: int, started: float, result: RoundResult) -> None:
    try:
        await asyncio.wait_for(attempt(index), timeout=REQUEST_TIMEOUT_S)
    except TimeoutError:
        result.errors["timeout"] += 1
    except Exception as exc:
        result.errors[_error_name(exc)] += 1
    else:
        result.latencies.append(time.perf_counter() - started)


async def open_loop(attempt: Attempt, *, rate: float, duration_s: float, seed: int = 0) -> RoundResult:
    """Poisson arrivals at `rate` per second for `duration_s`; waits for the stragglers (bounded)."""
    rng = random.Random(seed)
    result = RoundResult()
    count = max(1, round(rate * duration_s))
    offsets: list[float] = []
    t = 0.0
    for _ in range(count):
        t += rng.expovariate(rate)
        offsets.append(t)
    tasks: list[asyncio.Task[None]] = []
    start = time.perf_counter()
    for index, offset in enumerate(offsets):
        scheduled = start + offset
        delay = scheduled - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        elif delay < -0.010:
            result.late_starts += 1
        tasks.append(asyncio.create_task(_timed(attempt, index, scheduled, result)))
    await asyncio.gather(*tasks)
    result.elapsed_s = time.perf_counter() - start
    return result


async def closed_loop(
    attempt: Attempt, *, concurrency: int, duration_s: float, max_requests: int = 1_000_000
) -> RoundResult:
    """`concurrency` workers, each sending its next request once the last is answered, for `duration_s`."""
    result = RoundResult()
    counter = iter(range(max_requests))
    start = time.perf_counter()
    stop_at = start + duration_s

    async def worker() -> None:
        for index in counter:
            if time.perf_counter() >= stop_at:
                return
            await _timed(attempt, index, time.perf_counter(), result)

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    result.elapsed_s = time.perf_counter() - start
    return result
