"""`familyUpdated(familyId)`: live updates over graphql-transport-ws, re-decided per delivery."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncGenerator
from typing import Annotated

import strawberry

from hub.family.gate import Gate
from hub.ingestion.live import family_updates
from schema.context import Info
from schema.ingestion.types import FamilyUpdateType
from schema.loaders import gate


@strawberry.type
class IngestionSubscription:
    @strawberry.subscription(
        description="Changes to a family the viewer may see, as they happen: department updates (only "
        "for members and departments the viewer may see at the moment of delivery) and plan edits. Ids only; "
        "query the family for the data. NOT_FOUND for a family the viewer may not see."
    )
    async def family_updated(
        self,
        info: Info,
        family_id: Annotated[
            strawberry.ID, strawberry.argument(description="The family to follow (Family.id).")
        ],
    ) -> AsyncGenerator[FamilyUpdateType, None]:
        ctx = info.context
        ctx.require_principal()

        def new_gate() -> Gate:
            # A fresh gate per delivery, built as a request builds its own (fresh facts, fresh consent).
            return gate(dataclasses.replace(ctx, loaders={}, now=ctx.services.clock()))

        async for update in family_updates(ctx.services, str(family_id), new_gate):
            yield FamilyUpdateType.of(update)
