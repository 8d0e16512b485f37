"""Hub CPU per family view with tracing off and on, in one run: `python -m bench.tracing_overhead`.

In-process (bench.micro's set-up: seeded SQLite, instant fake departments, the whole ASGI app through httpx),
rounds alternating off/on with the same families. "On" is production's path: a BatchSpanProcessor whose
exporter encodes every batch to OTLP protobuf (what the OTLP exporter sends) and drops it, so the figure is the
hub's own cost without a collector's network. "Off" is the default (no endpoint configured). Prints one JSON
line: CPU ms per view off and on (median of rounds) and the ratio. Bounded by --iterations and --rounds.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import httpx
from opentelemetry.exporter.otlp.proto.common.trace_encoder import encode_spans
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export import SpanExporter, SpanExportResult

from bench.micro import _setup
from bench.queries import FAMILY_QUERY, check_answer
from hub import tracing


class EncodingExporter(SpanExporter):
    """Encodes like the OTLP exporter, sends nowhere."""

    def __init__(self) -> None:
        self.spans = 0

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        encode_spans(spans).SerializeToString()
        self.spans += len(spans)
        return SpanExportResult.SUCCESS


async def run(iterations: int, rounds: int, *, batch: bool) -> dict[str, Any]:
    exporter = EncodingExporter()
    tracing.install(exporter, batch=batch)  # so the app is built with its tracing hooks
    with tempfile.TemporaryDirectory(prefix="familiehub-tracing-") as tmp:
        app, _principal, token, families = await _setup(Path(tmp))
        cpu: dict[str, list[float]] = {"off": [], "on": []}
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://hub.bench") as client,
        ):
            headers = {"Authorization": f"Bearer {token}"}

            async def views(n: int) -> float:
                started = time.process_time()
                for i in range(n):
                    body = {"query": FAMILY_QUERY, "variables": {"id": families[i % len(families)]}}
                    r = await client.post("/graphql", json=body, headers=headers)
                    check_answer(r.status_code, r.content, "family")
                return (time.process_time() - started) / n

            await views(max(10, iterations // 5))  # warm-up, tracing on
            for r in range(rounds):
                for mode in ("off", "on") if r % 2 == 0 else ("on", "off"):
                    if mode == "on":
                        tracing.install(exporter, batch=batch)
                    else:
                        tracing.shutdown()
                    cpu[mode].append(await views(iterations))
                tracing.flush()
        tracing.shutdown()
    off, on = statistics.median(cpu["off"]), statistics.median(cpu["on"])
    return {
        "cpu_ms_per_view_off": round(off * 1e3, 3),
        "cpu_ms_per_view_on": round(on * 1e3, 3),
        "ratio_on_off": round(on / off, 3),
        "rounds_off_ms": [round(x * 1e3, 3) for x in cpu["off"]],
        "rounds_on_ms": [round(x * 1e3, 3) for x in cpu["on"]],
        "spans_exported": exporter.spans,
        "spans_per_view": round(exporter.spans / (iterations * rounds + max(10, iterations // 5)), 1),
        "processor": "batch" if batch else "simple (every span encoded in the request: an upper bound)",
        "iterations": iterations,
    }


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.tracing_overhead", description=__doc__)
    p.add_argument("--iterations", type=int, default=300, help="views per round and mode (default 300)")
    p.add_argument("--rounds", type=int, default=4, help="paired rounds (default 4)")
    p.add_argument(
        "--simple", action="store_true", help="encode each span as it ends (no batching, no dropped spans)"
    )
    args = p.parse_args(argv)
    print(json.dumps(asyncio.run(run(args.iterations, args.rounds, batch=not args.simple))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
