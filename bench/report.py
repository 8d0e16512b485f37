"""What a benchmark run reports: one row per (scenario, load, path), a target verdict per claim, one table.

Figures across rounds are a `Spread` (median with min and max), so a reader sees how stable a figure is; the
hub's figures are paired with the floor's round by round (overhead = hub − floor, ratio = hub / floor).
`to_json` writes exactly what the table shows, plus the machine and the options.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import platform
import statistics
import sys
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import orjson

_STARTED = time.monotonic()


def progress(message: str) -> None:
    """A progress line on stderr (the table goes to stdout), with the seconds since the run started."""
    print(f"[{time.monotonic() - _STARTED:6.1f}s] {message}", file=sys.stderr, flush=True)


@dataclass(frozen=True)
class Spread:
    median: float
    low: float
    high: float

    @classmethod
    def of(cls, values: Iterable[float]) -> Spread | None:
        finite = [v for v in values if not math.isnan(v)]
        if not finite:
            return None
        return cls(statistics.median(finite), min(finite), max(finite))

    def text(self, digits: int = 1, *, spread: bool = True) -> str:
        if not spread or self.low == self.high:
            return f"{self.median:.{digits}f}"
        return f"{self.median:.{digits}f} [{self.low:.{digits}f},{self.high:.{digits}f}]"


@dataclass
class Row:
    scenario: str
    load: str  # "50 req/s" (open loop) | "c=8" (closed loop) | "-"
    path: str  # hub | floor | naive | mutation | webhook | subscription | in-process
    rounds: int = 0
    requests: int = 0
    errors: int = 0
    error_kinds: dict[str, int] = field(default_factory=dict)
    throughput: Spread | None = None  # per second (requests, or events for push_ingest)
    p50_ms: Spread | None = None
    p95_ms: Spread | None = None
    p99_ms: Spread | None = None
    overhead_p50_ms: Spread | None = None  # hub − floor, paired per round
    overhead_p99_ms: Spread | None = None
    ratio_p50: Spread | None = None  # hub / floor (or naive / hub for the naive row)
    over_injected_p50_ms: float | None = None  # p50 − the slowest department's injected latency
    calls_per_request: float | None = None
    persons_per_request: float | None = None
    per_core_second: float | None = None  # hub requests per second of hub CPU time
    cpu_ms_per_request: float | None = None  # hub CPU (all its processes) per request served, ms
    rss_mb: float | None = None  # hub peak RSS during this row
    note: str = ""


@dataclass
class Target:
    claim: str
    measured: str
    met: bool | None  # None: not measured in this run


@dataclass
class Report:
    name: str
    options: Mapping[str, Any]
    pinning: str
    rows: list[Row] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    started: str = field(default_factory=lambda: dt.datetime.now(dt.UTC).isoformat(timespec="seconds"))
    # `cpu_reference_ms()` read at the start and at the end of the run (bench/main.py:run).
    cpu_reference: list[float] = field(default_factory=list)

    def add(self, row: Row) -> Row:
        self.rows.append(row)
        return row


REFERENCE_ROUNDS = 5


def _reference_work() -> int:
    """A fixed, interpreter-bound workload: a loop of dict updates, builtin calls and small string conversions."""
    counts: dict[int, int] = {}
    total = 0
    for i in range(100_000):
        key = i & 1023
        counts[key] = counts.get(key, 0) + 1
        total += len(str(key))
    return total + len(counts)


def cpu_reference_ms() -> float:
    """This machine's CPU speed for Python now: the process CPU time of `_reference_work`, least of
    REFERENCE_ROUNDS. CPU per request holds against other load but not across machines, nor when the machine
    itself gets slower (measured: bench/README.md, "Comparing machines")."""
    best = math.inf
    for _ in range(REFERENCE_ROUNDS):
        started = time.process_time()
        _reference_work()
        best = min(best, time.process_time() - started)
    return round(best * 1000, 2)


def machine() -> dict[str, Any]:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "nproc": os.cpu_count(),
        "cpu": model or platform.processor(),
        "python": platform.python_version(),
        "kernel": platform.release(),
    }


def _opt(value: Spread | float | int | None, digits: int = 1, *, spread: bool = False) -> str:
    if value is None:
        return "-"
    if isinstance(value, Spread):
        return value.text(digits, spread=spread)
    if isinstance(value, float) and math.isnan(value):
        return "-"
    return f"{value:.{digits}f}" if isinstance(value, float) else str(value)


COLUMNS: Sequence[tuple[str, str]] = (
    ("scenario", "<"),
    ("load", "<"),
    ("path", "<"),
    ("n", ">"),
    ("err", ">"),
    ("req/s", ">"),
    ("p50 ms", ">"),
    ("p95 ms", ">"),
    ("p99 ms", ">"),
    ("hub-floor p50 [min,max]", ">"),
    ("hub-floor p99 [min,max]", ">"),
    ("x floor p50 [min,max]", ">"),
    ("calls/req", ">"),
    ("req/core-s", ">"),
    ("CPU ms/req", ">"),
    ("RSS MB", ">"),
)


def _cells(row: Row) -> list[str]:
    return [
        row.scenario,
        row.load,
        row.path,
        str(row.requests),
        str(row.errors),
        _opt(row.throughput, 1),
        _opt(row.p50_ms, 1),
        _opt(row.p95_ms, 1),
        _opt(row.p99_ms, 1),
        _opt(row.overhead_p50_ms, 1, spread=True),
        _opt(row.overhead_p99_ms, 1, spread=True),
        _opt(row.ratio_p50, 2, spread=True),
        _opt(row.calls_per_request, 2),
        _opt(row.per_core_second, 0),
        _opt(row.cpu_ms_per_request, 1),
        _opt(row.rss_mb, 0),
    ]


def table(report: Report) -> str:
    rows = [[name for name, _ in COLUMNS], *(_cells(r) for r in report.rows)]
    widths = [max(len(r[i]) for r in rows) for i in range(len(COLUMNS))]

    def line(cells: list[str]) -> str:
        return "  ".join(
            c.ljust(w) if align == "<" else c.rjust(w)
            for c, w, (_, align) in zip(cells, widths, COLUMNS, strict=True)
        )

    out = [line(rows[0]), "  ".join("-" * w for w in widths), *(line(r) for r in rows[1:])]
    notes = [f"  {r.scenario}/{r.load}/{r.path}: {r.note}" for r in report.rows if r.note]
    errors = [
        f"  {r.scenario}/{r.load}/{r.path}: "
        + ", ".join(f"{k} x{v}" for k, v in sorted(r.error_kinds.items()))
        for r in report.rows
        if r.error_kinds
    ]
    notes = [f"  {n}" for n in report.notes] + notes
    if notes:
        out += ["", "notes:", *notes]
    if errors:
        out += ["", "errors:", *errors]
    if report.skipped:
        out += ["", "skipped:", *(f"  {s}" for s in report.skipped)]
    if report.targets:
        out += ["", "targets:"]
        for t in report.targets:
            verdict = "not measured" if t.met is None else ("met" if t.met else "MISSED")
            out.append(f"  [{verdict:>12}] {t.claim}: {t.measured}")
    return "\n".join(out)


def header(report: Report) -> str:
    m = machine()
    opts = " ".join(f"{k}={v}" for k, v in report.options.items())
    return (
        f"Familiehub benchmark {report.name!r} at {report.started} on {m['nproc']} x {m['cpu']} "
        f"(Python {m['python']})\n{reference_line(report)}\n{report.pinning}\noptions: {opts}"
    )


def reference_line(report: Report) -> str:
    readings = " then ".join(f"{r} ms" for r in report.cpu_reference) or "not read"
    return f'CPU reference (bench/README.md, "Comparing machines"), start then end: {readings}'


def to_json(report: Report) -> bytes:
    body = {
        "name": report.name,
        "started": report.started,
        "machine": machine(),
        "cpu_reference_ms": report.cpu_reference,
        "pinning": report.pinning,
        "options": dict(report.options),
        "rows": [asdict(r) for r in report.rows],
        "targets": [asdict(t) for t in report.targets],
        "skipped": report.skipped,
        "notes": report.notes,
    }
    return orjson.dumps(body, option=orjson.OPT_INDENT_2)
