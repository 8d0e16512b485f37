"""`acknowledgeConflict(familyId, conflictKey, note)`: the core team records that a clash is settled."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import strawberry

from hub.agenda.acknowledge import acknowledge
from hub.days import local_day
from hub.errors import NotFound
from hub.plan.access import access_for
from schema.agenda.fields import DEFAULT_DAYS, Window, current_conflicts, family_conflicts
from schema.agenda.types import ConflictType
from schema.context import Info
from schema.plan.errors import PlanForbiddenError, PlanInputError, PlanNotFoundError, as_append_result

AcknowledgeConflictResult = Annotated[
    ConflictType | PlanInputError | PlanNotFoundError | PlanForbiddenError,
    strawberry.union(
        "AcknowledgeConflictResult",
        description="The conflict with its new acknowledgement, or an expected error (PlanInputError, "
        "PlanNotFoundError, PlanForbiddenError).",
    ),
]


@strawberry.type
class AgendaMutation:
    @strawberry.mutation(
        description="Acknowledge a current conflict of the family's agenda with a note (kept in the plan's "
        "history; may be acknowledged again). Only the family's core team; NOT_FOUND for a family or conflict the "
        "viewer cannot see. `from`/`days` as in Family.conflicts."
    )
    async def acknowledge_conflict(  # noqa: PLR0917 - GraphQL arguments
        self,
        info: Info,
        family_id: Annotated[strawberry.ID, strawberry.argument(description="The family (Family.id).")],
        conflict_key: Annotated[str, strawberry.argument(description="Conflict.key of the conflict.")],
        note: Annotated[str, strawberry.argument(description="What the team agreed (may be empty).")] = "",
        start: Annotated[
            date | None, strawberry.argument(name="from", description="First day (default: today).")
        ] = None,
        days: Annotated[int, strawberry.argument(description="Days from `from`, 1-92.")] = DEFAULT_DAYS,
    ) -> AcknowledgeConflictResult:
        ctx = info.context
        principal = ctx.require_principal()
        family = str(family_id)

        async def call() -> ConflictType:
            from schema.family.queries import load_family

            if await load_family(info, family) is None:
                raise NotFound("no such family")
            window = Window.of(info, start, days)
            found = next(
                (c for c in await current_conflicts(info, family, window) if c.key == conflict_key), None
            )
            if found is None:
                raise NotFound("no such conflict", reason="NO_SUCH_CONFLICT")
            async with ctx.services.sessions.begin() as session:
                access = (await access_for(session, principal, [family], local_day(ctx.now)))[family]
                access.require_edit()
                await acknowledge(
                    session, principal, family, found, note, now=ctx.now, request_id=ctx.request_id or None
                )
            current = await family_conflicts(info, family, window, include_acknowledged=True)
            return next(c for c in current if c.key == conflict_key)

        return await as_append_result(call)
