"""The GraphQL schema: one Apollo Federation v2 subgraph composed from each domain's Query/Mutation/Subscription.

A domain adds its root types to the tuples below; the SDL is checked in at `schema/schema.graphql`
(`make schema` regenerates it, a test fails when it drifts).
"""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.extensions import (
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    SchemaExtension,
    ValidationCache,
)
from strawberry.extensions.disable_introspection import DisableIntrospection
from strawberry.federation import Schema
from strawberry.tools import merge_types

from hub.settings import Settings
from schema.core import CoreQuery
from schema.errors import HubErrors
from schema.family.queries import FamilyQuery

QUERIES: tuple[type, ...] = (CoreQuery, FamilyQuery)
MUTATIONS: tuple[type, ...] = ()
SUBSCRIPTIONS: tuple[type, ...] = ()
EXTRA_TYPES: tuple[type, ...] = ()
# Per-request extensions other concerns add (e.g. the audit flush), as classes or factories.
EXTRA_EXTENSIONS: tuple[Any, ...] = ()


def _merged(name: str, types: tuple[type, ...]) -> type | None:
    return merge_types(name, types) if types else None


def build_schema(settings: Settings | None = None) -> Schema:
    settings = settings or Settings()
    extensions: list[type[SchemaExtension] | SchemaExtension] = [
        HubErrors,
        QueryDepthLimiter(max_depth=settings.max_query_depth),
        MaxTokensLimiter(max_token_count=settings.max_query_tokens),
        MaxAliasesLimiter(max_alias_count=settings.max_aliases),
        ParserCache(maxsize=512),
        ValidationCache(maxsize=512),
        *EXTRA_EXTENSIONS,
    ]
    if not settings.introspection_enabled:
        extensions.append(DisableIntrospection)
    return Schema(
        query=_merged("Query", QUERIES),  # type: ignore[arg-type]
        mutation=_merged("Mutation", MUTATIONS),
        subscription=_merged("Subscription", SUBSCRIPTIONS),
        types=EXTRA_TYPES,
        extensions=extensions,
        enable_federation_2=True,
    )


def sdl() -> str:
    """The schema's SDL as checked in at schema/schema.graphql."""
    return build_schema(Settings()).as_str() + "\n"


__all__ = ["build_schema", "sdl", "strawberry"]
