"""Plan queries: `familyPlan(familyId)`, the family action plan with its team, meetings and measurements.

The same `FamilyPlan` is reachable as `Family.plan` in the family view. NOT_FOUND for a family the viewer
cannot see, FORBIDDEN for one they see but whose plan is not theirs to read (a caseworker outside the team).
"""

from __future__ import annotations

from typing import Annotated

import strawberry

from schema.context import Info
from schema.plan.fields import readable_plan
from schema.plan.types import FamilyPlan


@strawberry.type
class PlanQuery:
    @strawberry.field(
        description="A family's action plan (familiehandleplan), for its core team and the family."
    )
    async def family_plan(
        self,
        info: Info,
        family_id: Annotated[strawberry.ID, strawberry.argument(description="The family (Family.id).")],
    ) -> FamilyPlan:
        info.context.require_principal()
        plan = await readable_plan(info, str(family_id), strict=True)
        assert plan is not None  # noqa: S101 - strict raises instead of returning None
        return plan
