"""GraphQL type of a wellbeing measurement (trivselsmåling).

Moved from schema/plan/types.py as is (which re-exports them); thin converters from hub.plan's read models.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import cast

import strawberry
from strawberry.scalars import JSON

from hub.plan.domain import SdqRespondent
from hub.plan.views import (
    MeasurementView,
)
from schema.plan.enums import (
    InstrumentType,
    SdqRespondentType,
)
from schema.plan.people_types import PlanPerson, TeamWorker


@strawberry.type(description="A wellbeing measurement of one member (trivselsmåling).")
class WellbeingMeasurement:
    id: strawberry.ID = strawberry.field(description="The measurement's id.")
    member: PlanPerson = strawberry.field(description="The family member measured.")
    instrument: InstrumentType = strawberry.field(  # type: ignore[valid-type]
        description="The instrument used; it decides the score's scale."
    )
    score: float = strawberry.field(
        description="The score on the instrument's scale: WHO5 0-100 (higher is better), SDQ total "
        "difficulties 0-40 (lower is better), ORS/CORS 0-40 (higher is better)."
    )
    respondent: SdqRespondentType | None = strawberry.field(description="SDQ only: who answered.")  # type: ignore[valid-type]
    subscales: JSON | None = strawberry.field(description="SDQ only: subscale scores by name, if recorded.")
    measured_on: date = strawberry.field(description="The day the measurement was taken.")
    recorded_by: TeamWorker | None = strawberry.field(
        description="The worker who recorded it (null if that user was removed)."
    )
    recorded_at: datetime = strawberry.field(description="When it was recorded in the hub.")
    signals_risk: bool = strawberry.field(
        description="In the instrument's risk range (WHO5 ≤ 50; ORS < 25 adults, < 28 ages 13-17; CORS < 32; "
        "SDQ total in the 'high' band: parent 17+, teacher 16+, self 18+)."
    )
    note: str = strawberry.field(description="The worker's note on the measurement; empty if none.")
    self_reported: bool = strawberry.field(
        default=False,
        description="Answered and recorded by the family member themselves (recordSelfReport), not a worker.",
    )

    @classmethod
    def of(cls, m: MeasurementView) -> WellbeingMeasurement:
        return cls(
            id=strawberry.ID(m.id),
            member=PlanPerson.of(m.person),
            instrument=m.instrument,
            score=m.score,
            respondent=SdqRespondent(m.respondent) if m.respondent else None,
            subscales=cast(JSON, m.subscales),
            measured_on=m.measured_on,
            recorded_by=TeamWorker.of(m.recorded_by),
            recorded_at=m.recorded_at,
            signals_risk=m.signals_risk,
            note=m.note,
            self_reported=m.self_reported,
        )
