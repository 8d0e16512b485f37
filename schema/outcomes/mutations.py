"""`setExitCriterion(goalId, exitCriterion, expectedVersion)`: mark a goal of the plan as an exit criterion."""

from __future__ import annotations

from typing import Annotated

import strawberry

from hub.errors import BadUserInput
from hub.outcomes.exit import set_exit_criterion
from hub.outcomes.snapshots import Occasion
from schema.context import Info
from schema.outcomes.fields import take_snapshot
from schema.outcomes.types import OccasionType, OutcomeSnapshotType
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

    @strawberry.mutation(
        description="Take an outcome snapshot of every member now (ENROLMENT or HALF_YEAR; closeFamily takes the "
        "CLOSURE one), through the same gate as the family view: a measure the team may not see is left out. "
        "The family's core team only (NOT_FOUND, FORBIDDEN)."
    )
    async def take_outcome_snapshot(
        self,
        info: Info,
        family_id: Annotated[strawberry.ID, strawberry.argument(description="The family (Family.id).")],
        occasion: Annotated[OccasionType, strawberry.argument(description="ENROLMENT or HALF_YEAR.")],  # type: ignore[valid-type]
    ) -> list[OutcomeSnapshotType]:
        if occasion is Occasion.CLOSURE:
            raise BadUserInput("closeFamily takes the closure snapshot", field="occasion")
        return await take_snapshot(info, str(family_id), occasion)
