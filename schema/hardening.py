"""The schema's own defences: directive limits, the `_entities` cap, production error messages, error logging.

- `directive_limits(per_location, total)`: a validation rule refusing directive overloading (many directives on
  one field, or in one document) with QUERY_TOO_COMPLEX, before anything executes.
- `HubSchema.entities_resolver`: at most `HUB_MAX_ENTITIES` representations per `_entities` call
  (QUERY_TOO_COMPLEX); a federation router sends small batches, an attacker 50,000.
- `HubSchema.stream`: a subscription's errors are coded, masked and (production) redacted like an HTTP answer's.
- `HubSchema.process_errors`: replaces strawberry's logger (which wrote every error's message, and so the values
  of a failing document, at ERROR) with `schema.errors.log_errors`: count, codes and paths at INFO.
- `redact(error)`: in production (introspection off), a request-level error says what kind of mistake it is and
  names no type, field or argument of the schema, so validation errors cannot be used to recover the schema.
"""

from __future__ import annotations

import re
from collections.abc import AsyncGenerator, Callable
from contextlib import aclosing
from typing import Any

from graphql import ASTValidationRule, DirectiveNode, GraphQLError, Node, ValidationContext
from strawberry.federation import Schema
from strawberry.federation.schema import FederationAny
from strawberry.schema.schema import StreamResult
from strawberry.types import ExecutionResult
from strawberry.types.info import Info

from hub.errors import ErrorCode, QueryTooComplex
from schema.errors import HubErrors, classify, log_errors

DOCUMENT_INVALID = "The document is not valid against the schema."
_VARIABLE = re.compile(r"^Variable '\$(\w{1,64})'")


def directive_limits(per_location: int, total: int) -> type[ASTValidationRule]:
    """A validation rule: at most `per_location` directives on one node and `total` in the document."""

    class DirectiveLimits(ASTValidationRule):
        def __init__(self, context: ValidationContext) -> None:
            super().__init__(context)
            self.count = 0

        def enter(self, node: Node, *_args: Any) -> None:
            directives = getattr(node, "directives", None)
            if directives and len(directives) > per_location:
                self.report_error(
                    GraphQLError(
                        f"Too many directives in one place: at most {per_location} are allowed.",
                        nodes=[node],
                        extensions={"code": ErrorCode.QUERY_TOO_COMPLEX.value},
                    )
                )

        def enter_directive(self, node: DirectiveNode, *_args: Any) -> None:
            self.count += 1
            if self.count == total + 1:
                self.report_error(
                    GraphQLError(
                        f"Too many directives in the document: at most {total} are allowed.",
                        nodes=[node],
                        extensions={"code": ErrorCode.QUERY_TOO_COMPLEX.value},
                    )
                )

    return DirectiveLimits


def redact(error: GraphQLError) -> GraphQLError:
    """The error as production shows it: a request-level error (no path) keeps its code and locations, but its
    message no longer names anything of the schema ("Did you mean …", type, field and argument names)."""
    if error.path is not None or error.message.startswith("Syntax Error"):
        return error  # resolver errors are the hub's own messages; syntax errors quote only the client's text
    code = (error.extensions or {}).get("code")
    if code not in (None, ErrorCode.BAD_USER_INPUT.value):
        return error  # the limits' and the hub's own coded errors name no schema element
    variable = _VARIABLE.match(error.message)
    message = f"Variable '${variable.group(1)}' has an invalid value." if variable else DOCUMENT_INVALID
    return GraphQLError(
        message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        extensions=error.extensions,
    )


class HubSchema(Schema):
    def __init__(
        self,
        *args: Any,
        max_entities: int,
        finish: Callable[[GraphQLError], GraphQLError] | None = None,
        **kwargs: Any,
    ) -> None:
        self.max_entities = max_entities
        self.finish = finish or (lambda error: error)
        super().__init__(*args, **kwargs)

    async def stream(self, *args: Any, **kwargs: Any) -> StreamResult:
        """Streams (subscriptions over WebSocket) get what HubErrors gives an HTTP answer: every error coded,
        unexpected ones masked, and in production redacted; extensions do not see a stream's results."""
        return self._classified(await super().stream(*args, **kwargs))

    async def _classified(self, source: StreamResult) -> AsyncGenerator[Any, None]:
        async with aclosing(source):
            async for result in source:
                if isinstance(result, ExecutionResult) and result.errors:
                    result.errors = [self.finish(classify(e)) for e in result.errors]
                yield result

    def entities_resolver(self, info: Info, representations: list[FederationAny]) -> list[FederationAny]:
        if len(representations) > self.max_entities:
            raise QueryTooComplex(
                f"Too many representations: at most {self.max_entities} per request.",
                maxEntities=self.max_entities,
            )
        return super().entities_resolver(info, representations)

    def process_errors(self, errors: list[GraphQLError], execution_context: Any = None) -> None:
        log_errors(errors)


class RedactedHubErrors(HubErrors):
    """HubErrors for production: classified, then redacted."""

    finish = staticmethod(redact)
