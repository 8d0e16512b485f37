"""Per-request loaders and services, created lazily in the request's context (never shared between requests).

Loaders are named `<Thing>By<Key>`; each batches one kind of read into one query (or one connector call per
department, through `SectionService`).
"""

from __future__ import annotations

from collections.abc import Sequence

from starlette.requests import Request
from strawberry.dataloader import DataLoader

from hub.audit.buffer import audit_read
from hub.audit.events import AuditDecision
from hub.days import local_day
from hub.family import repository
from hub.family.gate import Gate
from hub.family.model import FamilyInfo, MemberInfo
from hub.family.sections import SectionService
from hub.readmodel.model import ReadModel
from hub.readmodel.wiring import readmodel_of
from hub.services import LATENCY_BUDGETS
from schema.audit.extension import commit_soon
from schema.audit.reads import section_audit
from schema.context import Context, Info


def readmodel(context: Context) -> ReadModel | None:
    """The process's read model, for HTTP requests: their authentication ran its epoch guard first.

    A WebSocket subscription lives on past its handshake, so its deliveries read facts from SQL afresh.
    """
    return readmodel_of(context.services) if isinstance(context.request, Request) else None


def gate(context: Context) -> Gate:
    existing = context.loaders.get("gate")
    if existing is None:
        # The gate loads the viewer's access facts lazily, once per request (hub/access/facts.py).
        existing = Gate(
            context.principal,
            sessions=context.services.sessions,
            today=local_day(context.now),
            now=context.now,
            readmodel=readmodel(context),
        )
        context.loaders["gate"] = existing
    assert isinstance(existing, Gate)  # noqa: S101 - the key is ours
    return existing


def section_service(info: Info) -> SectionService:
    ctx = info.context
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
            started=ctx.started,
            # A department call is a wait: the request's audit commit runs meanwhile (schema/audit/extension.py).
            on_call=lambda: commit_soon(ctx),
        )
        ctx.loaders["sections"] = existing
    assert isinstance(existing, SectionService)  # noqa: S101 - the key is ours
    return existing


def members_by_family(context: Context) -> DataLoader[str, list[MemberInfo]]:
    existing = context.loaders.get("members_by_family")
    if existing is None:
        services = context.services

        async def load(family_ids: list[str]) -> Sequence[list[MemberInfo]]:
            model = readmodel(context)
            if model is not None:
                found = await model.members_of(family_ids)
            else:
                async with services.sessions() as session:
                    found = await repository.members_of(session, services.vault, family_ids)
            await _facts_about_members(context, [m for group in found.values() for m in group])
            return [found.get(fid, []) for fid in family_ids]

        existing = DataLoader(load_fn=load)
        context.loaders["members_by_family"] = existing
    return existing


def members_by_id(context: Context) -> DataLoader[str, MemberInfo | None]:
    """Persons by id, with their current membership (None: no such current member). No access decision."""
    existing = context.loaders.get("members_by_id")
    if existing is None:
        services = context.services

        async def load(person_ids: list[str]) -> Sequence[MemberInfo | None]:
            model = readmodel(context)
            if model is not None:
                found = await model.members_by_person(person_ids)
            else:
                async with services.sessions() as session:
                    found = await repository.get_members(session, services.vault, person_ids)
            await _facts_about_members(context, list(found.values()))
            return [found.get(pid) for pid in person_ids]

        existing = DataLoader(load_fn=load)
        context.loaders["members_by_id"] = existing
    return existing


def family_visibility_by_id(context: Context) -> DataLoader[str, bool]:
    """Whether the viewer may see each family (need-to-know, by the gate): one facts query per batch."""
    existing = context.loaders.get("family_visibility_by_id")
    if existing is None:

        async def load(family_ids: list[str]) -> Sequence[bool]:
            visible = await gate(context).visible_families(family_ids)
            return [fid in visible for fid in family_ids]

        existing = DataLoader(load_fn=load)
        context.loaders["family_visibility_by_id"] = existing
    return existing


async def _facts_about_members(context: Context, members: Sequence[MemberInfo]) -> None:
    # The gate is asked about these members next (CPR masking, member visibility, sections), one at a time:
    # read the viewer's facts about all of them now, in one query, rather than one query per member.
    if members:
        await gate(context).facts_about({m.family_id for m in members}, {m.person_id for m in members})


async def family_infos(context: Context, family_ids: Sequence[str]) -> dict[str, FamilyInfo]:
    """The families' own rows (no access decision), from the read model when the request has one."""
    model = readmodel(context)
    if model is not None:
        return await model.family_infos(family_ids)
    async with context.services.sessions() as session:
        return await repository.get_families(session, family_ids)


async def family_members(info: Info, family_id: str) -> list[MemberInfo]:
    return await members_by_family(info.context).load(family_id)


async def show_full_cpr(info: Info, member: MemberInfo) -> bool:
    """Full CPR only where the viewer's work needs it (hub.access.policy.full_cpr_visible); else masked."""
    return await gate(info.context).full_cpr(member)


def log_identity_reads(info: Info, members: Sequence[MemberInfo]) -> None:
    """Names, birth dates and CPR numbers are personal data the hub holds itself: log each member shown."""
    for member in members:
        audit_read(
            info,
            subject_person_id=member.person_id,
            source="HUB:family",
            categories=("IDENTITY",),
            reason="family_view",
            family_id=member.family_id,
        )


def log_not_found(info: Info, family_id: str | None) -> None:
    """A denied look-up (not assigned, or no such family) goes to the security log, never to the viewer."""
    audit_read(
        info,
        subject_person_id=None,
        source="HUB:family",
        categories=("IDENTITY",),
        reason="not_visible",
        decision=AuditDecision.DENIED,
        family_id=family_id,
    )
