"""`RateLimit`: every GraphQL operation spends from its principal's and its client address's budget
(hub/ratelimit.py) once it is known to be valid, before anything executes.

Queries, mutations and subscription starts (over HTTP or WebSocket) have separate budgets. A refused operation
answers RATE_LIMITED with `extensions.retryAfter` (seconds) and nothing else; over HTTP the answer is a 429 with
`Retry-After`, over WebSocket the subscription's `error` message carries the same error.

It must come after `ValidationCache` in the schema's extensions: that one sets the validation errors at the start
of validation, and an invalid document is answered with its errors without spending from a budget.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType

from hub.edge import RATE_LIMITED_MESSAGE
from hub.errors import ErrorCode
from hub.ratelimit import ALLOWED, RATE_LIMITS, Kind, RateLimits, address_of
from schema.context import Context

KINDS = {
    OperationType.QUERY: Kind.QUERY,
    OperationType.MUTATION: Kind.MUTATION,
    OperationType.SUBSCRIPTION: Kind.SUBSCRIPTION,
}


def rate_limited_error(retry_after_s: int) -> GraphQLError:
    return GraphQLError(
        RATE_LIMITED_MESSAGE,
        extensions={"code": ErrorCode.RATE_LIMITED.value, "retryAfter": retry_after_s},
    )


class RateLimit(SchemaExtension):
    async def on_validate(self) -> AsyncIterator[None]:
        execution = self.execution_context
        context = execution.context
        if isinstance(context, Context) and not execution.pre_execution_errors:
            limits: RateLimits | None = context.services.extras.get(RATE_LIMITS)
            principal = context.principal
            verdict = (
                await limits.hit(
                    KINDS[execution.operation_type],
                    (principal.user_id or principal.username) if principal else None,
                    address_of(context.request.scope),
                )
                if limits is not None
                else ALLOWED
            )
            if not verdict.allowed:
                execution.pre_execution_errors = [rate_limited_error(verdict.retry_after_s)]
                if context.response is not None:
                    context.response.status_code = 429
                    context.response.headers["Retry-After"] = str(verdict.retry_after_s)
        yield
