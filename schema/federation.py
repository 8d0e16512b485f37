"""The federation fields (`_service { sdl }`, `_entities`) answer only the router, in production.

`_service { sdl }` hands out the whole schema, introspection or not, and `_entities` is a second door to every
entity. In production (or wherever `HUB_FEDERATION_SECRET` is set) an operation selecting either at its root runs
only when the request carries the router's shared secret in `X-Hub-Federation-Secret` (compared in constant time);
anyone else, with an ordinary token or none, gets FORBIDDEN and no data. Without a secret configured, production
closes the fields to everyone.

The router may fetch the SDL with the secret alone (composition has no user); such a request may select
`_service` and nothing else. `_entities` resolves entities the way every other field does, so it also needs the
user's token, which the router forwards.

Development without a secret is unchanged: the fields answer any signed-in user.
"""

from __future__ import annotations

import hmac
from collections.abc import Iterator, Mapping
from typing import Any

from graphql import (
    DocumentNode,
    ExecutionResult,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
)
from starlette.types import Scope
from strawberry.extensions import SchemaExtension

from hub.errors import ErrorCode
from hub.settings import Settings

HEADER = "x-hub-federation-secret"
FEDERATION_FIELDS = frozenset({"_service", "_entities"})
STATE_KEY = "federation"
FORBIDDEN_MESSAGE = "The federation fields answer only the router's credential."
SDL_ONLY_MESSAGE = "Without a user's token only `_service` may be asked."


def gated(settings: Settings) -> bool:
    """Are the federation fields closed to all but the router?"""
    return settings.is_production or bool(settings.federation_secret.get_secret_value())


def carries_router_secret(scope: Scope, settings: Settings) -> bool:
    """Does this request carry the configured federation secret? (never true without one configured)"""
    secret = settings.federation_secret.get_secret_value()
    if not secret:
        return False
    for name, value in scope.get("headers", ()):
        if name == HEADER.encode():
            return hmac.compare_digest(value, secret.encode())
    return False


def _root_fields(
    selection_set: SelectionSetNode, fragments: Mapping[str, FragmentDefinitionNode], seen: set[str]
) -> Iterator[str]:
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            yield selection.name.value
        elif isinstance(selection, InlineFragmentNode):
            yield from _root_fields(selection.selection_set, fragments, seen)
        elif isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            if name not in seen and name in fragments:
                seen.add(name)
                yield from _root_fields(fragments[name].selection_set, fragments, seen)


def root_fields(document: DocumentNode) -> set[str]:
    """The root fields the document's operations select (through fragments too), mutations and subscriptions
    prefixed with their operation type (`mutation.x`), so they never pass for query fields."""
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    fields: set[str] = set()
    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode):
            prefix = "" if definition.operation is OperationType.QUERY else f"{definition.operation.value}."
            fields |= {prefix + f for f in _root_fields(definition.selection_set, fragments, set())}
    return fields


def _refusal(message: str, code: ErrorCode) -> ExecutionResult:
    return ExecutionResult(data=None, errors=[GraphQLError(message, extensions={"code": code.value})])


class FederationGate(SchemaExtension):
    """Installed only where the fields are gated (`gated(settings)`): checks each operation before it executes."""

    def on_execute(self) -> Iterator[None]:
        context: Any = self.execution_context.context
        document = self.execution_context.graphql_document
        if document is not None and context is not None:
            state: dict[str, Any] = context.request.scope.get("state", {})
            router = bool(state.get(STATE_KEY))
            fields = root_fields(document)
            if fields & FEDERATION_FIELDS and not router:
                self.execution_context.result = _refusal(FORBIDDEN_MESSAGE, ErrorCode.FORBIDDEN)
            elif context.principal is None and not fields <= {"_service", "__typename"}:
                # The router's secret without a user's token: the SDL and nothing else.
                self.execution_context.result = _refusal(SDL_ONLY_MESSAGE, ErrorCode.UNAUTHENTICATED)
        yield
