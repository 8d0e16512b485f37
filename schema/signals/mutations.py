"""`acknowledgeSignal(familyId, signalKey, note)`: the core team records that it has seen a signal."""

from __future__ import annotations

from typing import Annotated

import strawberry

from hub.ingestion.feed import announce
from hub.pubsub import PubSub
from schema.context import Info
from schema.plan.errors import PlanForbiddenError, PlanInputError, PlanNotFoundError, as_append_result
from schema.signals.fields import as_types, signal_service
from schema.signals.types import SignalType

AcknowledgeSignalResult = Annotated[
    SignalType | PlanInputError | PlanNotFoundError | PlanForbiddenError,
    strawberry.union(
        "AcknowledgeSignalResult",
        description="The signal with its new acknowledgement, or an expected error (PlanInputError, "
        "PlanNotFoundError, PlanForbiddenError).",
    ),
]


@strawberry.type
class SignalMutation:
    @strawberry.mutation(
        description="Acknowledge a current signal with a note (kept in history; a signal may be acknowledged "
        "again). Only the family's core team; NOT_FOUND for a family or signal the viewer cannot see."
    )
    async def acknowledge_signal(
        self,
        info: Info,
        family_id: Annotated[strawberry.ID, strawberry.argument(description="The family (Family.id).")],
        signal_key: Annotated[str, strawberry.argument(description="Signal.key of the signal.")],
        note: Annotated[
            str, strawberry.argument(description="What the team noted or did (may be empty).")
        ] = "",
    ) -> AcknowledgeSignalResult:
        ctx = info.context
        principal = ctx.require_principal()

        async def call() -> SignalType:
            view = await signal_service(ctx).acknowledge(
                principal, str(family_id), signal_key, note, now=ctx.now, request_id=ctx.request_id
            )
            pubsub: PubSub | None = ctx.services.extras.get("pubsub")
            if pubsub is not None:
                # familyUpdated subscribers hear of it (re-decided per delivery, like any plan edit).
                # Stored and numbered, so a reconnecting subscriber resumes past it (hub/ingestion/feed.py).
                message = {
                    "type": "PLAN_EDIT",
                    "familyId": str(family_id),
                    "personId": view.signal.person_id,
                    "summary": f"Signal kvitteret: {view.signal.kind.value}",
                    "occurredAt": ctx.now.isoformat(),
                }
                await announce(ctx.services.sessions, pubsub, [message])
            return as_types([view], principal)[0]

        return await as_append_result(call)
