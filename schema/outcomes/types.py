"""GraphQL types of the hand-over record and exit criteria. Plain data from hub.outcomes: no logic, no I/O."""

from __future__ import annotations

from datetime import date

import strawberry

from hub.outcomes.handover import HandOverView


@strawberry.input(
    description="The hand-over at closure: who takes over, a summary for them, which goals continue there, and "
    "when the family was told."
)
class HandOverInput:
    receiving_unit: str = strawberry.field(
        description="The unit that takes over, e.g. 'Jobcenter Nørrebro, team 3' or 'Bispebjerg Skole, AKT' "
        "(not only a department)."
    )
    summary: str = strawberry.field(description="What the receiving unit needs to know (journalised text).")
    continuing_goal_ids: list[strawberry.ID] = strawberry.field(
        default_factory=list, description="Goals of the plan (PlanGoal.id) the receiving unit carries on."
    )
    family_told_on: date = strawberry.field(description="The day the family was told of the hand-over.")


@strawberry.type(name="HandOver", description="The hand-over record written when the family's course closed.")
class HandOverType:
    closed_on: date = strawberry.field(description="The day the course closed.")
    receiving_unit: str = strawberry.field(description="The unit that took over.")
    summary: str = strawberry.field(description="The summary for the receiving unit.")
    continuing_goal_ids: list[strawberry.ID] = strawberry.field(
        description="Goals of the plan the receiving unit carries on (PlanGoal.id)."
    )
    family_told_on: date = strawberry.field(description="The day the family was told.")

    @classmethod
    def of(cls, view: HandOverView) -> HandOverType:
        return cls(
            closed_on=view.closed_on,
            receiving_unit=view.receiving_unit,
            summary=view.summary,
            continuing_goal_ids=[strawberry.ID(g) for g in view.continuing_goal_ids],
            family_told_on=view.family_told_on,
        )
