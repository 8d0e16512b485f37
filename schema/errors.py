"""Every GraphQL error leaves with a stable `extensions.code`; unexpected ones are masked.

- AppError (expected): message and extensions as raised.
- Limits (depth, tokens, aliases): QUERY_TOO_COMPLEX.
- Other parse and validation errors: BAD_USER_INPUT.
- Anything else: "Internal error" with code INTERNAL and the request id; the trace goes to the log only.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from hub.errors import AppError, ErrorCode
from hub.logging import request_id_var

logger = logging.getLogger("hub.graphql")

# How strawberry's and graphql-core's limit errors read (depth limiter, alias limiter, parser max_tokens).
_LIMIT_MARKERS = ("exceeds maximum operation depth", "aliases found. allowed", "more than", "tokens")


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
        lowered = error.message.lower()
        is_limit = any(m in lowered for m in _LIMIT_MARKERS) and (
            "depth" in lowered or "alias" in lowered or "token" in lowered
        )
        code = ErrorCode.QUERY_TOO_COMPLEX if is_limit else ErrorCode.BAD_USER_INPUT
        return GraphQLError(
            error.message,
            nodes=error.nodes,
            source=error.source,
            positions=error.positions,
            path=error.path,
            extensions={**(error.extensions or {}), "code": code.value},
        )
    request_id = request_id_var.get()
    logger.error(
        "unexpected error in resolver",
        exc_info=(type(original), original, original.__traceback__),
        extra={"path": [str(p) for p in error.path or []]},
    )
    return GraphQLError(
        "Internal error",
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        extensions={"code": ErrorCode.INTERNAL.value, "requestId": request_id},
    )


class HubErrors(SchemaExtension):
    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        if result is None:
            return
        state = getattr(self.execution_context.context, "state", None)
        extra: list[GraphQLError] = state.get("section_errors", []) if isinstance(state, dict) else []
        errors = list(getattr(result, "errors", None) or []) + extra
        if errors:
            result.errors = [classify(e) for e in errors]
