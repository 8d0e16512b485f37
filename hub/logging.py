"""Structured JSON logs with the request id on every line, and nothing sensitive on any line.

Never log personal data: no CPR numbers, names, health data, token contents, SQL parameters, pushed payloads or
GraphQL documents. Log ids and codes instead. Exceptions are logged *masked* (`masked_error`): their types and
where they were raised, never their messages, because a driver's or a parser's message can quote the values it
choked on (asyncpg's "invalid input for query argument $1: …", graphql-core's "Expected value of type …, found …").
The JSON formatter masks every exception that reaches it the same way, whichever library logged it.

A request cannot make the log much bigger than itself (issue 26: one 42 kB request once wrote 1.24 MB):
- every line is bounded: a string field keeps its first `MAX_FIELD_CHARS` characters, a list its first
  `MAX_LIST_ITEMS` items (each with a `…[truncated …]` marker), and a line still over `MAX_LINE_CHARS` is replaced by
  a short line saying so (`"truncated": true`), so every line stays one valid JSON object;
- repeated client errors are rate-limited: a record logged with `extra={"rate_key": ...}` (4xx request lines,
  GraphQL client errors, dead-lettered events) passes a token bucket per key (`ClientErrorSampler`: a burst of
  `SAMPLE_BURST`, then `SAMPLE_PER_S` lines a second); the next line that passes carries `suppressed`, the count
  dropped since. uvicorn's own client-side warnings (malformed HTTP) are limited the same way;
- no request text is logged: no documents, variables, aliases, operation names or bodies; GraphQL errors are
  logged by code and by the schema field they concern.
"""

from __future__ import annotations

import json
import logging
import sys
import threading
import time
import traceback
from collections import OrderedDict
from collections.abc import Callable, Hashable
from contextvars import ContextVar
from typing import Any

from pythonjsonlogger.json import JsonFormatter

from hub.tracing import current_trace_id

request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)
# Per request (set by the request middleware): what the request's own line should know, e.g. that it ended in a
# GraphQL client error (HTTP 200 with errors), so that line is rate-limited like a 4xx.
request_outcome_var: ContextVar[dict[str, Any] | None] = ContextVar("request_outcome", default=None)

# Loggers of the database layer that would print statements with their parameters at INFO/DEBUG.
DRIVER_LOGGERS = ("sqlalchemy", "sqlalchemy.engine", "sqlalchemy.pool", "asyncpg", "aiosqlite")
# HTTP clients log every request's URL at INFO (department calls, JWKS fetches): warnings and errors only.
HTTP_CLIENT_LOGGERS = ("httpx", "httpcore")
_MAX_FRAMES = 25

MAX_FIELD_CHARS = 1024  # a string field of a log line, beyond: truncated with a marker
MAX_TRACE_CHARS = 12_000  # the masked traceback and stack fields (types and frames only)
MAX_LIST_ITEMS = 20  # items of a list (or keys of a mapping) in a log line
MAX_LINE_CHARS = 16_384  # a whole line; beyond, the line is replaced by a short one saying so
SAMPLE_BURST = 20  # client-error lines per key at once ...
SAMPLE_PER_S = 1.0  # ... then this many a second
SAMPLE_MAX_KEYS = 1024  # keys the sampler remembers (least recently used forgotten first)
_LONG_FIELDS = frozenset({"exc_info", "stack", "stack_info"})


def _chain(exc: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in seen:
        seen.append(current)
        current = current.__cause__ or current.__context__
    return seen


def _type_name(exc: BaseException) -> str:
    module = type(exc).__module__
    return type(exc).__qualname__ if module == "builtins" else f"{module}.{type(exc).__qualname__}"


def masked_error(exc: BaseException) -> dict[str, Any]:
    """Log fields for an exception without its message: the type chain (outermost first) and the frames."""
    frames = traceback.extract_tb(exc.__traceback__)[-_MAX_FRAMES:]
    return {
        "error_type": " <- ".join(_type_name(e) for e in _chain(exc)),
        "stack": [f"{f.filename}:{f.lineno} in {f.name}" for f in frames],
    }


def masked_traceback(exc: BaseException) -> str:
    """A traceback with every message of the chain left out (types and frames only)."""
    lines: list[str] = []
    for link in reversed(_chain(exc)):
        lines.append("Traceback (most recent call last):")
        lines.extend(
            f'  File "{f.filename}", line {f.lineno}, in {f.name}'
            for f in traceback.extract_tb(link.__traceback__)
        )
        lines.append(f"{_type_name(link)}: <message withheld>")
    return "\n".join(lines)


def bounded(
    value: Any, max_chars: int = MAX_FIELD_CHARS, depth: int = 0, max_items: int = MAX_LIST_ITEMS
) -> Any:
    """`value` cut to size for a log line: long strings and lists truncated with a marker, nesting limited."""
    if isinstance(value, str):
        if len(value) <= max_chars:
            return value
        return f"{value[:max_chars]}…[truncated {len(value) - max_chars} chars]"
    if depth >= 3 and isinstance(value, list | tuple | dict):
        return f"…[truncated {type(value).__name__}]"
    if isinstance(value, list | tuple):
        items = [bounded(v, max_chars, depth + 1) for v in value[:max_items]]
        if len(value) > max_items:
            items.append(f"…[truncated {len(value) - max_items} items]")
        return items
    if isinstance(value, dict):
        out = {
            bounded(str(k), 64): bounded(v, max_chars, depth + 1)
            for k, v in list(value.items())[:MAX_LIST_ITEMS]
        }
        if len(value) > MAX_LIST_ITEMS:
            out["…"] = f"[truncated {len(value) - MAX_LIST_ITEMS} keys]"
        return out
    return value


class MaskedJsonFormatter(JsonFormatter):
    """JSON lines whose exceptions carry types and frames only, and whose size is bounded (module docstring)."""

    def formatException(self, ei: Any) -> str:
        exc = ei[1] if isinstance(ei, tuple) else None
        return masked_traceback(exc) if isinstance(exc, BaseException) else ""

    def process_log_record(self, log_data: dict[str, Any]) -> dict[str, Any]:
        return {
            key: bounded(value, MAX_TRACE_CHARS, max_items=_MAX_FRAMES)
            if key in _LONG_FIELDS
            else bounded(value)
            for key, value in log_data.items()
            if key != "rate_key"  # the sampler's, not the reader's
        }

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        if len(line) <= MAX_LINE_CHARS:
            return line
        return json.dumps(
            {
                "time": self.formatTime(record, self.datefmt),
                "level": record.levelname,
                "logger": record.name,
                "message": bounded(str(record.msg), 200),
                "truncated": True,
                "chars": len(line),
                "request_id": getattr(record, "request_id", None),
            }
        )


class ClientErrorSampler(logging.Filter):
    """A token bucket per `rate_key`: a burst of `burst` lines, then `per_second`; the rest are dropped and
    counted, and the next line that passes says how many (`suppressed`). Records without a key pass, except
    uvicorn's warnings about malformed requests, which are keyed by their message template."""

    def __init__(
        self,
        burst: int = SAMPLE_BURST,
        per_second: float = SAMPLE_PER_S,
        max_keys: int = SAMPLE_MAX_KEYS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__()
        self.burst, self.per_second, self.max_keys, self.clock = burst, per_second, max_keys, clock
        self._buckets: OrderedDict[Hashable, list[float]] = OrderedDict()  # key -> [tokens, last, suppressed]
        self._lock = threading.Lock()

    @staticmethod
    def key(record: logging.LogRecord) -> Hashable | None:
        key = getattr(record, "rate_key", None)
        if key is not None:
            return key if isinstance(key, Hashable) else str(key)
        if record.name.startswith("uvicorn") and record.levelno <= logging.WARNING:
            return (record.name, str(record.msg))
        return None

    def filter(self, record: logging.LogRecord) -> bool:
        key = self.key(record)
        if key is None:
            return True
        now = self.clock()
        with self._lock:
            bucket = self._buckets.pop(key, None) or [float(self.burst), now, 0.0]
            self._buckets[key] = bucket  # most recently used last
            if len(self._buckets) > self.max_keys:
                self._buckets.popitem(last=False)
            tokens = min(float(self.burst), bucket[0] + (now - bucket[1]) * self.per_second)
            bucket[1] = now
            if tokens < 1:
                bucket[0] = tokens
                bucket[2] += 1
                return False
            bucket[0] = tokens - 1
            if bucket[2]:
                record.suppressed = int(bucket[2])
                bucket[2] = 0
            return True


class _RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        record.trace_id = current_trace_id()
        return True


def quiet_driver_loggers() -> None:
    """The database layer logs warnings and errors only (its INFO/DEBUG lines carry statements and parameters);
    so do the HTTP clients (their INFO lines carry URLs)."""
    for name in (*DRIVER_LOGGERS, *HTTP_CLIENT_LOGGERS):
        logging.getLogger(name).setLevel(logging.WARNING)


def mark_client_error(key: Hashable) -> None:
    """The current request ended in a client error (e.g. GraphQL errors in a 200): its request line is
    rate-limited under `key` too."""
    outcome = request_outcome_var.get()
    if outcome is not None:
        outcome["client_error"] = key


def configure_logging(level: str = "INFO") -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(ClientErrorSampler())
    handler.addFilter(_RequestIdFilter())
    handler.setFormatter(
        MaskedJsonFormatter(
            "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s %(trace_id)s",
            rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    quiet_driver_loggers()
    # uvicorn's access log prints query strings; ours (middleware) logs method, path template and status only.
    logging.getLogger("uvicorn.access").disabled = True
