"""`steeringReport(district)`: the steering group's report (STEERING_GROUP and COORDINATOR; FORBIDDEN else).

The district argument picks rows of one suppressed table computed for the whole programme, so filtering can
never reveal what the table hides. Each use of personal data behind the figures is buffered as a READ audit
event (purpose HFI_EVALUATION) and flushed before the response leaves.
"""

from __future__ import annotations

from typing import Annotated

import strawberry

from hub.audit.buffer import audit_read
from hub.domain import District
from hub.enrolment import suppression
from hub.enrolment.reporting import PURPOSE, steering_report
from hub.enrolment.suppression import Scope
from schema.context import Info
from schema.enrolment.context import actor, service
from schema.family.types import DistrictType
from schema.reports.types import SteeringReportType

RULE = suppression.RULE_FOR_PEOPLE


@strawberry.type
class ReportsQuery:
    @strawberry.field(
        name="steeringReport",
        description="Capacity, quarterly flows, and outcomes at enrolment vs now, with small numbers "
        "suppressed "
        "(for the steering group and the coordinator).",
    )
    async def steering_report(
        self,
        info: Info,
        district: Annotated[
            DistrictType | None,  # type: ignore[valid-type]
            strawberry.argument(description="One district's figures; null for the whole programme."),
        ] = None,
    ) -> SteeringReportType:
        context = info.context

        def on_use(person_id: str, family_id: str, source: str, category: str, basis: str | None) -> None:
            audit_read(
                context,
                subject_person_id=person_id,
                family_id=family_id,
                source=source,
                categories=[category],
                reason="aggregate_report",
                basis=basis,
                purpose=PURPOSE,
            )

        report = await steering_report(service(info), actor(info), on_use=on_use)
        scope = Scope.ALL if district is None else Scope(District(district).value)
        return SteeringReportType.of(report, scope, RULE)
