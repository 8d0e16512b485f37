"""The GraphQL schema: one Apollo Federation v2 subgraph composed from each domain's Query/Mutation/Subscription.

A domain adds its root types to the tuples below; the SDL is checked in at `schema/schema.graphql`
(`make schema` regenerates it, a test fails when it drifts).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

import strawberry
from graphql import ASTValidationRule
from strawberry.extensions import (
    AddValidationRules,
    MaxTokensLimiter,
    ParserCache,
    SchemaExtension,
    ValidationCache,
)
from strawberry.extensions.disable_introspection import DisableIntrospection
from strawberry.extensions.max_aliases import create_validator as alias_validator
from strawberry.extensions.query_depth_limiter import create_validator as depth_validator
from strawberry.federation import Schema
from strawberry.schema.config import StrawberryConfig
from strawberry.tools import merge_types

from hub.settings import Settings
from schema import federation, hardening
from schema.admin.mutations import AdminMutation
from schema.agenda.mutations import AgendaMutation
from schema.audit.extension import AuditFlush
from schema.audit.queries import AuditQuery
from schema.breakglass import BreakGlassMutation, BreakGlassQuery
from schema.consent.mutations import ConsentMutation
from schema.consent.queries import ConsentQuery
from schema.core import CoreQuery
from schema.cost import query_cost
from schema.enrolment.mutations import EnrolmentMutation
from schema.enrolment.queries import EnrolmentQuery
from schema.errors import HubErrors
from schema.family.queries import FamilyQuery
from schema.hardening import HubSchema, RedactedHubErrors, directive_limits
from schema.ingestion.mutations import IngestionMutation
from schema.ingestion.subscriptions import IngestionSubscription
from schema.ingestion.types import LONG_SCALAR, Long
from schema.outcomes.mutations import OutcomeMutation
from schema.plan.live_meeting import LiveMeetingMutation, LiveMeetingQuery, LiveMeetingSubscription
from schema.plan.meeting_mutations import MeetingMutation
from schema.plan.mutations import PlanMutation
from schema.plan.queries import PlanQuery
from schema.plan.voice import VoiceMutation
from schema.ratelimit import RateLimit
from schema.refusals import install_refusal_audit
from schema.reports.queries import ReportsQuery
from schema.signals.mutations import SignalMutation
from schema.signals.queries import SignalQuery
from schema.text_inputs import RefuseNul

QUERIES: tuple[type, ...] = (
    CoreQuery,
    FamilyQuery,
    AuditQuery,
    ConsentQuery,
    PlanQuery,
    LiveMeetingQuery,
    EnrolmentQuery,
    ReportsQuery,
    BreakGlassQuery,
    SignalQuery,
)
MUTATIONS: tuple[type, ...] = (
    ConsentMutation,
    IngestionMutation,
    PlanMutation,
    MeetingMutation,
    LiveMeetingMutation,
    VoiceMutation,
    EnrolmentMutation,
    BreakGlassMutation,
    SignalMutation,
    OutcomeMutation,
    AdminMutation,
    AgendaMutation,
)
# Every refused change (NOT_FOUND, FORBIDDEN, CONSENT_REQUIRED) goes to the security chain (schema/refusals.py).
install_refusal_audit(MUTATIONS)
SUBSCRIPTIONS: tuple[type, ...] = (IngestionSubscription, LiveMeetingSubscription)
EXTRA_TYPES: tuple[type, ...] = ()
# Custom scalars: Python type -> strawberry.scalar(name=...) (StrawberryConfig.scalar_map).
SCALARS: dict[object, Any] = {Long: LONG_SCALAR}
# Per-request extensions other concerns add (e.g. the audit flush), as classes or factories.
EXTRA_EXTENSIONS: tuple[Any, ...] = (AuditFlush,)


def _merged(name: str, types: tuple[type, ...]) -> type | None:
    return merge_types(name, types) if types else None


def build_schema(settings: Settings | None = None) -> Schema:
    settings = settings or Settings()
    # Factories, not instances: strawberry builds fresh extensions per operation. The limits' validation rules
    # are built once here, so the validation cache (keyed on the rules) hits across requests; the parser and
    # validation caches live at module level and are shared too.
    limits: list[type[ASTValidationRule]] = [
        depth_validator(settings.max_query_depth, None),
        alias_validator(settings.max_aliases),
        directive_limits(settings.max_directives_per_location, settings.max_directives),
        query_cost(settings.max_query_cost, settings.query_cost_list_size),
    ]
    # With introspection off (production) no error may describe the schema: no suggestions, no names.
    hidden = not settings.introspection_enabled
    install_refusal_audit(MUTATIONS)  # a no-op once done; covers root types a domain added since import
    extensions: list[type[SchemaExtension] | Callable[[], SchemaExtension]] = [
        RedactedHubErrors if hidden else HubErrors,
        partial(AddValidationRules, limits),
        partial(MaxTokensLimiter, max_token_count=settings.max_query_tokens),
        partial(ParserCache, maxsize=512),
        partial(ValidationCache, maxsize=512),
        RefuseNul,  # NUL in any string or id: BAD_USER_INPUT (after the validation cache, which it amends)
        RateLimit,  # after ValidationCache: an invalid document spends nothing (schema/ratelimit.py)
        *EXTRA_EXTENSIONS,
    ]
    if hidden:
        extensions.append(DisableIntrospection)
    if federation.gated(settings):
        extensions.append(federation.FederationGate)  # `_service`/`_entities` for the router only
    return HubSchema(
        query=_merged("Query", QUERIES),
        mutation=_merged("Mutation", MUTATIONS),
        subscription=_merged("Subscription", SUBSCRIPTIONS),
        types=EXTRA_TYPES,
        extensions=extensions,
        federation_version="2.7",
        config=StrawberryConfig(scalar_map=SCALARS, disable_field_suggestions=hidden),
        max_entities=settings.max_entities,
        finish=hardening.redact if hidden else None,
    )


def sdl() -> str:
    """The schema's SDL as checked in at schema/schema.graphql."""
    return build_schema(Settings()).as_str() + "\n"


__all__ = ["build_schema", "sdl", "strawberry"]
