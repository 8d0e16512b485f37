"""Running one scenario so that its failure is reported, not fatal: the other figures still print."""

from __future__ import annotations

from collections.abc import Awaitable

import aiohttp

from bench.departments import BaselineError
from bench.procs import BenchError
from bench.queries import AnswerError
from bench.report import Report, Row, progress

FAILURES = (BenchError, AnswerError, BaselineError, aiohttp.ClientError, TimeoutError, KeyError, ValueError)


async def guarded(report: Report, name: str, scenario: Awaitable[list[Row]]) -> None:
    """Await `scenario` and add its rows; on a failure, record `name: FAILED (...)` (the smoke run fails)."""
    progress(f"{name} ...")
    try:
        rows = await scenario
    except FAILURES as exc:
        report.skipped.append(f"{name}: FAILED ({type(exc).__name__}: {exc})")
        return
    for row in rows:
        report.add(row)
