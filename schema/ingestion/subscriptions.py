"""`familyUpdated(familyId, after)`: live updates over graphql-transport-ws, re-decided per delivery; with
`after` (a cursor from an earlier update) the updates stored since are replayed first (hub/ingestion/live.py).

The stream ends when it may not go on (hub/ingestion/stream_guard.py): an expired token or a deactivated user
ends the whole connection with 4401 (the client re-authenticates), a family no longer the viewer's ends this
stream with NOT_FOUND, exactly as subscribing to it afresh would.
"""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncGenerator
from typing import Annotated

import strawberry

from hub.errors import NotFound
from hub.family.gate import Gate
from hub.ingestion.feed import parse_cursor
from hub.ingestion.live import family_updates
from hub.ingestion.stream_guard import StreamEnded
from schema.context import Info
from schema.ingestion.types import FamilyUpdateType
from schema.loaders import gate
from schema.session import end_session


@strawberry.type
class IngestionSubscription:
    @strawberry.subscription(
        description="Changes to a family the viewer may see, as they happen: department updates (only "
        "for members and departments the viewer may see at the moment of delivery) and plan edits. Ids only; "
        "query the family for the data. NOT_FOUND for a family the viewer may not see. With `after`, first the updates since that cursor (each "
        "re-decided as a live one), then live ones: no gap, no repeat; RELOAD_REQUIRED when more happened "
        "since than the hub replays (reload the family and subscribe without `after`)."
    )
    async def family_updated(
        self,
        info: Info,
        family_id: Annotated[
            strawberry.ID, strawberry.argument(description="The family to follow (Family.id).")
        ],
        after: Annotated[
            str | None,
            strawberry.argument(
                description="Resume after this update: the `cursor` of the last update received."
            ),
        ] = None,
    ) -> AsyncGenerator[FamilyUpdateType, None]:
        ctx = info.context
        ctx.require_principal()
        resume_after = None if after is None else parse_cursor(after)

        def new_gate() -> Gate:
            # A fresh gate per delivery, built as a request builds its own (fresh facts, fresh consent).
            return gate(dataclasses.replace(ctx, loaders={}, now=ctx.services.clock()))

        try:
            async for update in family_updates(ctx.services, str(family_id), new_gate, after=resume_after):
                yield FamilyUpdateType.of(update)
        except StreamEnded as ended:
            if ended.end.reauthenticate:
                await end_session(ctx)
            raise NotFound("no such family") from None
