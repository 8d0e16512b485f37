"""GraphQL types of the steering report: suppressed cells and figures only, never a person or a family.

Every number is a `ReportCell`: `value` is null when suppressed and `display` then says "<5" (the cell counts
or rests on fewer than 5 people) or "suppressed" (hidden so that another hidden cell cannot be derived).
"""

from __future__ import annotations

from datetime import date, datetime

import strawberry

from hub.enrolment.indicators import Indicator
from hub.enrolment.report import CapacityFigures, QuarterFlow, SteeringReport
from hub.enrolment.suppression import Cell, MeanFigure, Scope, ShareFigure, Suppression
from schema.core import DepartmentType

SuppressionType = strawberry.enum(
    Suppression,
    name="Suppression",
    description="NONE; SMALL: counts or rests on fewer than 5 people; COMPLEMENTARY: hidden so that another "
    "hidden cell cannot be recovered (e.g. total minus a district).",
)
OutcomeIndicatorType = strawberry.enum(
    Indicator,
    name="OutcomeIndicator",
    description="CASH_BENEFIT: adults on kontanthjælp/uddannelseshjælp (BIF); HIGH_ABSENCE: children with "
    "15 %+ unlawful school absence in the latest quarter (BUF); LEISURE_ACTIVE: members with an active leisure "
    "membership (KFF).",
)
ReportScopeType = strawberry.enum(
    Scope, name="ReportScope", description="ALL (the whole programme) or one district."
)


@strawberry.type(description="One figure of the report, after small-number suppression.")
class ReportCell:
    value: float | None = strawberry.field(description="The number; null when suppressed.")
    display: str = strawberry.field(description='As shown: the number, "<5" or "suppressed".')
    suppression: SuppressionType  # type: ignore[valid-type]

    @classmethod
    def of(cls, cell: Cell) -> ReportCell:
        return cls(
            value=cell.value if cell.shown else None, display=cell.display, suppression=cell.suppression
        )


@strawberry.type(description="Active families against the programme year's cap, and the waitlist.")
class ReportCapacity:
    on: date
    programme_year: int
    capacity: int
    active_families: ReportCell
    waitlisted_families: ReportCell
    free_places: int

    @classmethod
    def of(cls, c: CapacityFigures, scope: Scope) -> ReportCapacity:
        return cls(
            on=c.on,
            programme_year=c.programme_year,
            capacity=c.capacity,
            active_families=ReportCell.of(c.active[scope]),
            waitlisted_families=ReportCell.of(c.waitlisted),
            free_places=c.free_places,
        )


@strawberry.type(description="Families handed over to one department in a quarter (programme level).")
class HandOverCount:
    department: DepartmentType  # type: ignore[valid-type]
    families: int


@strawberry.type(description="Families enrolled, closed and handed over in one quarter.")
class ReportQuarter:
    quarter: str = strawberry.field(description='e.g. "2026Q3".')
    enrolled: ReportCell
    closed: ReportCell = strawberry.field(description="Closures of enrolled families.")
    handed_over: ReportCell = strawberry.field(description="Closures with a hand-over to a department.")
    handed_over_to: list[HandOverCount] = strawberry.field(
        description="By receiving department; at programme level only (empty for a district)."
    )

    @classmethod
    def of(cls, q: QuarterFlow, scope: Scope) -> ReportQuarter:
        return cls(
            quarter=q.quarter,
            enrolled=ReportCell.of(q.enrolled[scope]),
            closed=ReportCell.of(q.closed[scope]),
            handed_over=ReportCell.of(q.handed_over[scope]),
            handed_over_to=[HandOverCount(department=d, families=n) for d, n in q.handed_over_to.items()]
            if scope is Scope.ALL
            else [],
        )


@strawberry.type(description="An outcome share at enrolment and now, on the same persons (like with like).")
class OutcomeFigure:
    indicator: OutcomeIndicatorType  # type: ignore[valid-type]
    persons: ReportCell = strawberry.field(description="Persons the figure rests on (a value then and now).")
    families: ReportCell = strawberry.field(description="Families those persons belong to.")
    at_enrolment: ReportCell = strawberry.field(description="Persons with the indicator at enrolment.")
    at_enrolment_pct: ReportCell
    now: ReportCell = strawberry.field(description="Persons with the indicator now.")
    now_pct: ReportCell
    change_pct_points: ReportCell
    not_measured_now: ReportCell = strawberry.field(
        description="Persons with a value at enrolment but none now (no consent now, department unavailable)."
    )

    @classmethod
    def of(cls, indicator: Indicator, f: ShareFigure, missing: Cell) -> OutcomeFigure:
        return cls(
            indicator=indicator,
            persons=ReportCell.of(f.persons),
            families=ReportCell.of(f.families),
            at_enrolment=ReportCell.of(f.at_enrolment),
            at_enrolment_pct=ReportCell.of(f.at_enrolment_pct),
            now=ReportCell.of(f.now),
            now_pct=ReportCell.of(f.now_pct),
            change_pct_points=ReportCell.of(f.change_pp),
            not_measured_now=ReportCell.of(missing),
        )


@strawberry.type(description="Wellbeing: mean first and latest score since enrolment, and the mean change.")
class WellbeingFigure:
    instrument: str = strawberry.field(
        description="WHO5, SDQ (total difficulties: lower is better) or ORS (ORS/CORS)."
    )
    persons: ReportCell
    families: ReportCell
    first_mean: ReportCell
    latest_mean: ReportCell
    mean_change: ReportCell

    @classmethod
    def of(cls, instrument: str, f: MeanFigure) -> WellbeingFigure:
        return cls(
            instrument=instrument,
            persons=ReportCell.of(f.persons),
            families=ReportCell.of(f.families),
            first_mean=ReportCell.of(f.first_mean),
            latest_mean=ReportCell.of(f.latest_mean),
            mean_change=ReportCell.of(f.change),
        )


@strawberry.type(
    name="SteeringReport",
    description="The steering group's report: aggregates only, small numbers suppressed.",
)
class SteeringReportType:
    generated_at: datetime
    scope: ReportScopeType  # type: ignore[valid-type]
    capacity: ReportCapacity
    quarters: list[ReportQuarter]
    outcomes: list[OutcomeFigure]
    wellbeing: list[WellbeingFigure]
    suppression_rule: str

    @classmethod
    def of(cls, report: SteeringReport, scope: Scope, rule: str) -> SteeringReportType:
        return cls(
            generated_at=report.generated_at,
            scope=scope,
            capacity=ReportCapacity.of(report.capacity, scope),
            quarters=[ReportQuarter.of(q, scope) for q in report.quarters],
            outcomes=[
                OutcomeFigure.of(i, by_scope[scope], report.not_measured_now[i][scope])
                for i, by_scope in report.outcomes.items()
            ],
            wellbeing=[WellbeingFigure.of(g, by_scope[scope]) for g, by_scope in report.wellbeing.items()],
            suppression_rule=rule,
        )
