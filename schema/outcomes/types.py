"""GraphQL types of the hand-over record and exit criteria. Plain data from hub.outcomes: no logic, no I/O."""

from __future__ import annotations

from datetime import date

import strawberry

from hub.outcomes.handover import HandOverView
from hub.outcomes.snapshots import Occasion, SnapshotView
from schema.enum_values import described_enum


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


OccasionType = described_enum(
    Occasion,
    name="OutcomeOccasion",
    description="When in the course an outcome snapshot was taken.",
    values={
        Occasion.ENROLMENT: "At enrolment (the start).",
        Occasion.HALF_YEAR: "At a half-yearly follow-up.",
        Occasion.CLOSURE: "At closure (the end), before the sharing ended.",
    },
)


@strawberry.type(description="One measure of a member's snapshot.")
class OutcomeMeasure:
    key: str = strawberry.field(
        description="BENEFIT_TYPE, TARGET_GROUP, ACTIVATION, UNLAWFUL_ABSENCE_PCT, REPORTS_OF_CONCERN_6M, "
        "OPEN_INVESTIGATIONS, FUNCTIONING (0-4), WHO5, ORS, CORS, SDQ, or a department's configured indicator."
    )
    label: str = strawberry.field(description="What it measures, in Danish.")
    value: str = strawberry.field(description="The value as text (a number, a code, or NONE).")


@strawberry.type(
    name="OutcomeSnapshot",
    description="A member's outcome measures at one moment of the course, as the gate let the taker see them "
    "(a measure left out was not seen).",
)
class OutcomeSnapshotType:
    occasion: OccasionType = strawberry.field(description="When in the course.")  # type: ignore[valid-type]
    taken_on: date = strawberry.field(description="The day it was taken.")
    member_id: strawberry.ID = strawberry.field(description="The member (FamilyMember.id).")
    measures: list[OutcomeMeasure] = strawberry.field(description="The measures seen.")

    @classmethod
    def of(cls, view: SnapshotView, labels: dict[str, str]) -> OutcomeSnapshotType:
        return cls(
            occasion=view.occasion,
            taken_on=view.taken_on,
            member_id=strawberry.ID(view.person_id),
            measures=[
                OutcomeMeasure(key=k, label=labels.get(k, k), value=_text(v))
                for k, v in sorted(view.values.items())
                if v is not None
            ],
        )


def _text(value: object) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)
