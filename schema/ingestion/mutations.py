"""`pushDepartmentUpdates`: the GraphQL door into the ingestion service, for department systems."""

from __future__ import annotations

from typing import Annotated

import strawberry

from hub.ingestion.events import EventStatus
from hub.ingestion.service import IngestionService
from schema.context import Info
from schema.ingestion.types import DepartmentEventInput, PushDepartmentUpdatesPayload, PushEventResult


@strawberry.type
class IngestionMutation:
    @strawberry.mutation(
        description="Push a batch of change events (department systems only, for their own department). "
        "Committed before the answer; idempotent per eventId; one result per event, in order. FORBIDDEN for "
        "any other caller."
    )
    async def push_department_updates(
        self,
        info: Info,
        events: Annotated[
            list[DepartmentEventInput],
            strawberry.argument(description="The change events, in the order they should be applied."),
        ],
    ) -> PushDepartmentUpdatesPayload:
        ctx = info.context
        service: IngestionService = ctx.services.extras["ingestion"]
        results = await service.push(
            ctx.principal, [e.as_raw() for e in events], request_id=ctx.request_id or None
        )
        counts = {status: sum(1 for r in results if r.status is status) for status in EventStatus}
        return PushDepartmentUpdatesPayload(
            results=[PushEventResult.of(r) for r in results],
            applied=counts[EventStatus.APPLIED],
            superseded=counts[EventStatus.SUPERSEDED],
            rejected=counts[EventStatus.REJECTED],
        )
