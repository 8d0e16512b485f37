"""Signals for resolvers: one `SignalService` per request context, and a loader batching families.

`Family.signals` on a page of families is one batch: one call per department it reads (SOF, BUF) for every
family's members at once. Nothing here runs unless a `signals` field is selected.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from strawberry.dataloader import DataLoader

from hub.audit.buffer import audit_read
from hub.auth.principal import Principal
from hub.days import local_day
from hub.domain import Role
from hub.family.sections import SectionService
from hub.services import LATENCY_BUDGETS
from hub.signals.service import SignalService, SignalView
from schema.audit.reads import section_audit
from schema.context import Context, Info
from schema.loaders import gate
from schema.signals.types import SignalType


def _sections(ctx: Context) -> SectionService:
    # The request's one section service (the family view's, schema.loaders.section_service), so a view that
    # selects sections and signals still calls each department once.
    existing = ctx.loaders.get("sections")
    if existing is None:
        existing = SectionService(
            gate(ctx),
            ctx.services.connectors,
            deadline=ctx.deadline,
            now=ctx.now,
            audit=section_audit(ctx),
            cache=ctx.services.extras.get("section_cache"),
            budgets=ctx.services.extras.get(LATENCY_BUDGETS),
        )
        ctx.loaders["sections"] = existing
    assert isinstance(existing, SectionService)  # noqa: S101 - the key is ours
    return existing


def signal_service(ctx: Context) -> SignalService:
    existing = ctx.loaders.get("signals.service")
    if existing is None:

        def audit_health(family_id: str, person_id: str) -> None:
            audit_read(
                ctx,
                subject_person_id=person_id,
                source="HUB:plan",
                categories=("HEALTH",),
                reason="signals",
                family_id=family_id,
            )

        existing = SignalService(
            gate=gate(ctx),
            sections=_sections(ctx),
            sessions=ctx.services.sessions,
            vault=ctx.services.vault,
            today=local_day(ctx.now),
            no_contact_weeks=ctx.services.settings.signal_no_contact_weeks,
            audit_health_read=audit_health,
        )
        ctx.loaders["signals.service"] = existing
    assert isinstance(existing, SignalService)  # noqa: S101 - the key is ours
    return existing


def signals_by_family(ctx: Context) -> DataLoader[str, list[SignalView]]:
    existing = ctx.loaders.get("SignalsByFamily")
    if existing is None:
        service = signal_service(ctx)

        async def load(family_ids: list[str]) -> Sequence[list[SignalView]]:
            found = await service.for_families(family_ids)
            return [found.get(fid, []) for fid in family_ids]

        existing = DataLoader(load_fn=load)
        ctx.loaders["SignalsByFamily"] = existing
    return existing


def as_types(views: Sequence[SignalView], principal: Principal | None) -> list[SignalType]:
    # Acknowledgement notes are the team's working notes: shown to workers, not to the family.
    workers = principal is not None and principal.role is not Role.CITIZEN
    user_id = principal.user_id if principal is not None else None
    return [SignalType(view=v, viewer_user_id=user_id, show_acknowledgements=workers) for v in views]


async def family_signals(
    info: Info, family_id: str, *, include_acknowledged: bool = True
) -> list[SignalType]:
    views = await signals_by_family(info.context).load(family_id)
    if not include_acknowledged:
        views = [v for v in views if not v.acknowledged]
    return as_types(views, info.context.principal)


async def family_signals_now(info: Info, family_id: str) -> list[SignalType]:
    """For a live update: decided afresh at delivery (a fresh gate and facts, the clock's today)."""
    ctx = info.context
    fresh = dataclasses.replace(ctx, loaders={}, now=ctx.services.clock())
    views = (await signal_service(fresh).for_families([family_id])).get(family_id, [])
    return as_types(views, ctx.principal)
