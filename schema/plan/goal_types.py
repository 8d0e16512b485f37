"""GraphQL types of the plan's goals, their actions (indsatser) and progress notes.

Moved from schema/plan/types.py as is (which re-exports them); thin converters from hub.plan's read models.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from hub.plan.views import (
    ActionView,
    GoalView,
)
from schema.context import Info
from schema.core import DepartmentType

if TYPE_CHECKING:
    from schema.plan.voice import FamilyWords
    from schema.plan.withdrawn import WithdrawnConsentMark
from schema.plan.enums import (
    ActionStatusType,
    GoalStatusType,
)
from schema.plan.people_types import PlanPerson, TeamWorker


@strawberry.type(description="A progress note on a goal, with its author and time.")
class ProgressNote:
    id: strawberry.ID = strawberry.field(description="The note's id.")
    author: TeamWorker | None = strawberry.field(description="Who wrote it (null if the user was removed).")
    written_at: datetime = strawberry.field(description="When it was written.")
    text: str = strawberry.field(description="The note.")

    family_id_: strawberry.Private[str] = ""

    @strawberry.field(
        description="The withdrawn consents this note was obtained under (written while they were in force): "
        "it stays in the plan, marked so. Empty when none."
    )
    async def withdrawn_consents(
        self, info: Info
    ) -> list[Annotated[WithdrawnConsentMark, strawberry.lazy("schema.plan.withdrawn")]]:
        from schema.plan.withdrawn import withdrawn_consents

        return await withdrawn_consents(info, self.family_id_, str(self.id))


@strawberry.type(
    description="An action (indsats) under a goal: a department's service with a responsible worker."
)
class PlanAction:
    id: strawberry.ID = strawberry.field(description="The action's id.")
    goal_id: strawberry.ID = strawberry.field(description="The goal the action serves.")
    department: DepartmentType = strawberry.field(description="The administration delivering it.")  # type: ignore[valid-type]
    kind: str = strawberry.field(description="The kind of service, e.g. 'Familiebehandling (§32)', 'Mentor'.")
    description: str = strawberry.field(description="What the action is.")
    responsible: TeamWorker | None = strawberry.field(description="The responsible worker.")
    starts_on: date | None = strawberry.field(description="First day of the action; null until agreed.")
    ends_on: date | None = strawberry.field(
        description="Last day of the action; null while open-ended or not yet agreed."
    )
    status: ActionStatusType = strawberry.field(description="Where the action is.")  # type: ignore[valid-type]
    created_at: datetime = strawberry.field(description="When the action was added to the plan.")
    updated_at: datetime = strawberry.field(description="When the action last changed.")
    plan_version: int = strawberry.field(
        description="The plan's version: send it as `expectedVersion` to edit."
    )

    @classmethod
    def of(cls, a: ActionView) -> PlanAction:
        return cls(
            id=strawberry.ID(a.id),
            goal_id=strawberry.ID(a.goal_id),
            department=a.department,
            kind=a.kind,
            description=a.description,
            responsible=TeamWorker.of(a.responsible),
            starts_on=a.starts_on,
            ends_on=a.ends_on,
            status=a.status,
            created_at=a.created_at,
            updated_at=a.updated_at,
            plan_version=a.plan_version,
        )


@strawberry.type(
    description="A goal of the family action plan: for the whole family (member null) or one member."
)
class PlanGoal:
    id: strawberry.ID = strawberry.field(description="The goal's id.")
    member: PlanPerson | None = strawberry.field(
        description="The member the goal is for; null for the family."
    )
    member_has_left: bool = strawberry.field(
        description="The member has left the family; the goal stays readable as history."
    )
    title: str = strawberry.field(description="The goal in a few words, as the family and team agreed it.")
    description: str = strawberry.field(
        description="What the goal means in practice and how progress is judged; empty if not written."
    )
    departments: list[DepartmentType] = strawberry.field(description="Departments involved.")  # type: ignore[valid-type]
    target_date: date | None = strawberry.field(description="When the goal should be reached.")
    status: GoalStatusType = strawberry.field(description="Where the goal stands.")  # type: ignore[valid-type]
    progress_notes: list[ProgressNote] = strawberry.field(description="Progress notes, oldest first.")
    actions: list[PlanAction] = strawberry.field(description="Actions (indsatser) under the goal.")
    created_at: datetime = strawberry.field(description="When the goal was added to the plan.")
    updated_at: datetime = strawberry.field(description="When the goal last changed.")
    updated_by: TeamWorker | None = strawberry.field(
        description="Who last changed the goal (null if that user no longer exists in the hub)."
    )
    plan_version: int = strawberry.field(
        description="The plan's version: send it as `expectedVersion` to edit."
    )

    family_id_: strawberry.Private[str] = ""

    @strawberry.field(
        description="The goal in the family's own words, beside the team's (each member's latest wording the "
        "viewer may read; a 15-17-year-old's only with their consent). Write it with writeGoalWording."
    )
    async def family_wording(
        self, info: Info
    ) -> list[Annotated[FamilyWords, strawberry.lazy("schema.plan.voice")]]:
        from hub.plan.voice_policy import VoiceKind
        from schema.plan.voice import goal_voice

        return await goal_voice(info, self.family_id_, str(self.id), VoiceKind.GOAL_WORDING)

    @strawberry.field(
        description="The family's own progress notes on the goal (addFamilyNote), oldest first."
    )
    async def family_notes(
        self, info: Info
    ) -> list[Annotated[FamilyWords, strawberry.lazy("schema.plan.voice")]]:
        from hub.plan.voice_policy import VoiceKind
        from schema.plan.voice import goal_voice

        return await goal_voice(info, self.family_id_, str(self.id), VoiceKind.NOTE)

    @strawberry.field(
        description="The withdrawn consents this goal was obtained under (written while they were in force): "
        "it stays in the plan, marked so. Empty when none."
    )
    async def withdrawn_consents(
        self, info: Info
    ) -> list[Annotated[WithdrawnConsentMark, strawberry.lazy("schema.plan.withdrawn")]]:
        from schema.plan.withdrawn import withdrawn_consents

        return await withdrawn_consents(info, self.family_id_, str(self.id))

    @strawberry.field(
        description="Whether the goal is an exit criterion: reaching it is part of ending the course well "
        "(setExitCriterion)."
    )
    async def exit_criterion(self, info: Info) -> bool:
        from schema.outcomes.fields import exit_criterion

        return await exit_criterion(info, str(self.id))

    @classmethod
    def of(cls, g: GoalView) -> PlanGoal:
        return cls(
            id=strawberry.ID(g.id),
            member=PlanPerson.of(g.person) if g.person else None,
            member_has_left=not g.person_is_member,
            title=g.title,
            description=g.description,
            departments=list(g.departments),
            target_date=g.target_date,
            status=g.status,
            progress_notes=[
                ProgressNote(
                    id=strawberry.ID(n.id),
                    author=TeamWorker.of(n.author),
                    written_at=n.written_at,
                    text=n.text,
                    family_id_=g.family_id,
                )
                for n in g.notes
            ],
            actions=[PlanAction.of(a) for a in g.actions],
            created_at=g.created_at,
            updated_at=g.updated_at,
            updated_by=TeamWorker.of(g.updated_by),
            plan_version=g.plan_version,
            family_id_=g.family_id,
        )
