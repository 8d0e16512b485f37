"""Enrolment queries: the waitlist and a family's enrolment history (coordinator), the capacity figures.

`programmeCapacity` is an aggregate (coordinator and steering group); the waitlist and history name families
and are for the coordinator on their own families only (FORBIDDEN for other roles, NOT_FOUND for a family
the coordinator is not assigned to).
"""

from __future__ import annotations

from typing import Annotated

import strawberry

from hub.enrolment.access import require_aggregate_reader
from schema.context import Info
from schema.enrolment.context import actor, service
from schema.enrolment.types import EnrolmentEvent, ProgrammeCapacity, WaitlistEntry
from schema.loaders import gate


@strawberry.type
class EnrolmentQuery:
    @strawberry.field(description="Families waiting for a place, in referral order (coordinator only).")
    async def enrolment_waitlist(self, info: Info) -> list[WaitlistEntry]:
        entries = await service(info).waitlist(actor(info), gate(info.context))
        return [WaitlistEntry.of(e) for e in entries]

    @strawberry.field(
        description="Places today: the cap of the programme year (20 in the first, then 35), active and "
        "waiting "
        "families (coordinator and steering group)."
    )
    async def programme_capacity(self, info: Info) -> ProgrammeCapacity:
        who = actor(info)
        require_aggregate_reader(who.principal)
        return ProgrammeCapacity.of(await service(info).capacity(who.today))

    @strawberry.field(
        description="A family's enrolment history: waitlisted, enrolled, closed (coordinator only)."
    )
    async def enrolment_history(
        self,
        info: Info,
        family_id: Annotated[strawberry.ID, strawberry.argument(description="The family (Family.id).")],
    ) -> list[EnrolmentEvent]:
        events = await service(info).history(actor(info), gate(info.context), str(family_id))
        return [EnrolmentEvent.of(e) for e in events]
