"""`setExitCriterion(goalId, exitCriterion, expectedVersion)`: mark a goal of the plan as an exit criterion."""

from __future__ import annotations

from typing import Annotated

import strawberry

from hub.outcomes.exit import set_exit_criterion
from schema.context import Info
from schema.plan.errors import (
    PlanConflictError,
    PlanForbiddenError,
    PlanInputError,
    PlanNotFoundError,
    as_result,
)
from schema.plan.mutations import actor
from schema.plan.types import PlanGoal

ExitCriterionResult = Annotated[
    PlanGoal | PlanInputError | PlanNotFoundError | PlanForbiddenError | PlanConflictError,
    strawberry.union(
        "ExitCriterionResult",
        description="The goal as saved, or an expected error (PlanInputError, PlanNotFoundError, "
        "PlanForbiddenError, PlanConflictError).",
    ),
]


@strawberry.type
class OutcomeMutation:
    @strawberry.mutation(
        description="Mark a goal of the plan as an exit criterion (or not): what must be reached for the "
        "course to end well. Versioned like every plan edit; the family's core team only."
    )
    async def set_exit_criterion(
        self,
        info: Info,
        goal_id: Annotated[strawberry.ID, strawberry.argument(description="The goal (PlanGoal.id).")],
        exit_criterion: Annotated[bool, strawberry.argument(description="True: an exit criterion.")],
        expected_version: Annotated[int, strawberry.argument(description="The plan version you saw.")],
    ) -> ExitCriterionResult:
        who, sessions = actor(info), info.context.services.sessions

        async def call() -> PlanGoal:
            view = await set_exit_criterion(
                sessions,
                who,
                goal_id=str(goal_id),
                exit_criterion=exit_criterion,
                expected_version=expected_version,
            )
            return PlanGoal.of(view)

        return await as_result(call)
