"""Every GraphQL error leaves with a stable `extensions.code`; unexpected ones are masked.

- AppError (expected): message and extensions as raised.
- Limits (depth, tokens, aliases): QUERY_TOO_COMPLEX.
- Other parse and validation errors: BAD_USER_INPUT.
- Anything else: "Internal error" with code INTERNAL and the request id; its type and frames (never its message)
  go to the log only.

Logging (`log_errors`, called by the schema's `process_errors` instead of strawberry's logger, which wrote each
error's message, and so a failing document's inline values, at ERROR): client errors are one INFO line with the
count, codes and paths.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterator

from graphql import FieldNode, GraphQLError
from strawberry.extensions import SchemaExtension

from hub.errors import AppError, ErrorCode
from hub.logging import mark_client_error, masked_error, request_id_var

logger = logging.getLogger("hub.graphql")

# How strawberry's and graphql-core's limit errors read (depth limiter, alias limiter, parser max_tokens).
_LIMIT_MARKERS = ("exceeds maximum operation depth", "aliases found. allowed", "more than", "tokens")


def _is_limit(message: str) -> bool:
    lowered = message.lower()
    return any(m in lowered for m in _LIMIT_MARKERS) and (
        "depth" in lowered or "alias" in lowered or "token" in lowered
    )


def error_code(error: GraphQLError) -> str:
    """The code `classify` gives this error (pure: for log lines that must not carry the error's message)."""
    original = error.original_error
    if isinstance(original, AppError):
        return str(original.extensions.get("code", original.code.value))
    if original is None or error.path is None:
        if error.extensions and "code" in error.extensions:
            return str(error.extensions["code"])
        return (ErrorCode.QUERY_TOO_COMPLEX if _is_limit(error.message) else ErrorCode.BAD_USER_INPUT).value
    return ErrorCode.INTERNAL.value


def classify(error: GraphQLError) -> GraphQLError:
    original = error.original_error
    if isinstance(original, AppError):
        return GraphQLError(
            original.message,
            nodes=error.nodes,
            source=error.source,
            positions=error.positions,
            path=error.path,
            extensions=dict(original.extensions),
        )
    # No path: the error came before execution (parsing, validation, variable coercion), so it is about the
    # request itself, even where graphql-core attached the scalar's own exception as `original_error`.
    if original is None or error.path is None:
        if error.extensions and "code" in error.extensions:
            return error
        return GraphQLError(
            error.message,
            nodes=error.nodes,
            source=error.source,
            positions=error.positions,
            path=error.path,
            extensions={**(error.extensions or {}), "code": error_code(error)},
        )
    request_id = request_id_var.get()
    # Masked: the exception's type and frames, never its message (it may quote SQL parameters or input values).
    logger.error(
        "unexpected error in resolver",
        extra={
            "field": schema_field(error),
            "depth": len(error.path or []),
            "request_id": request_id,
            **masked_error(original),
        },
    )
    return GraphQLError(
        "Internal error",
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        extensions={"code": ErrorCode.INTERNAL.value, "requestId": request_id},
    )


def schema_field(error: GraphQLError) -> str | None:
    """The schema field an execution error is about (its name in the schema, never the client's alias: aliases,
    like every other part of the document, are request text and stay out of the log)."""
    if not error.path or not error.nodes:
        return None  # before execution: the node may be a field the client made up
    node = error.nodes[0]
    return node.name.value if isinstance(node, FieldNode) else None


def log_errors(errors: list[GraphQLError]) -> None:
    """One INFO line per operation with errors: how many, their codes and the schema fields they concern; never
    messages, documents, aliases, variables or values. Unexpected errors get their own (masked) ERROR line from
    `classify`. Client errors repeat (a script, a scan): their lines are rate-limited per set of codes."""
    codes = Counter(error_code(e) for e in errors)
    fields = sorted({f for f in (schema_field(e) for e in errors) if f})[:20]
    extra: dict[str, object] = {"count": len(errors), "codes": dict(codes), "fields": fields}
    if ErrorCode.INTERNAL.value not in codes:
        extra["rate_key"] = key = ("graphql errors", tuple(sorted(codes)))
        mark_client_error(key)
    logger.info("graphql errors", extra=extra)


class HubErrors(SchemaExtension):
    """Classifies every error of an operation; `finish` is applied after (production: `hardening.redact`)."""

    @staticmethod
    def finish(error: GraphQLError) -> GraphQLError:
        return error

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        if result is None:
            return
        state = getattr(self.execution_context.context, "state", None)
        extra: list[GraphQLError] = state.get("section_errors", []) if isinstance(state, dict) else []
        errors = list(getattr(result, "errors", None) or []) + extra
        if errors:
            result.errors = [self.finish(classify(e)) for e in errors]
