"""Structured JSON logs with the request id on every line, and nothing sensitive on any line.

Never log personal data: no CPR numbers, names, health data, token contents, SQL parameters, pushed payloads or
GraphQL documents. Log ids and codes instead. Exceptions are logged *masked* (`masked_error`): their types and
where they were raised, never their messages, because a driver's or a parser's message can quote the values it
choked on (asyncpg's "invalid input for query argument $1: …", graphql-core's "Expected value of type …, found …").
The JSON formatter masks every exception that reaches it the same way, whichever library logged it.
"""

from __future__ import annotations

import logging
import sys
import traceback
from contextvars import ContextVar
from typing import Any

from pythonjsonlogger.json import JsonFormatter

from hub.tracing import current_trace_id

request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)

# Loggers of the database layer that would print statements with their parameters at INFO/DEBUG.
DRIVER_LOGGERS = ("sqlalchemy", "sqlalchemy.engine", "sqlalchemy.pool", "asyncpg", "aiosqlite")
_MAX_FRAMES = 25


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


class MaskedJsonFormatter(JsonFormatter):
    """JSON lines whose exceptions carry types and frames only (see the module docstring)."""

    def formatException(self, ei: Any) -> str:
        exc = ei[1] if isinstance(ei, tuple) else None
        return masked_traceback(exc) if isinstance(exc, BaseException) else ""


class _RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        record.trace_id = current_trace_id()
        return True


def quiet_driver_loggers() -> None:
    """The database layer logs warnings and errors only (its INFO/DEBUG lines carry statements and parameters)."""
    for name in DRIVER_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)


def configure_logging(level: str = "INFO") -> None:
    handler = logging.StreamHandler(sys.stderr)
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
