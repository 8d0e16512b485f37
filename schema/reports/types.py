"""GraphQL types of the steering report: suppressed cells and figures only, never a person or a family.

Every number is a `ReportCell`: `value` is null when suppressed and `display` then says "<5" (the cell counts
or rests on fewer than 5 people) or "suppressed" (hidden so that another hidden cell cannot be derived).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from hub.enrolment.indicators import Indicator
from hub.enrolment.report import CapacityFigures, QuarterFlow, SteeringReport
from hub.enrolment.suppression import Cell, MeanFigure, Scope, ShareFigure, Suppression
from schema.context import Info
from schema.core import DepartmentType
from schema.enum_values import described_enum

if TYPE_CHECKING:
    from schema.outcomes.report import CourseOutcomeFigure

SuppressionType = described_enum(
    Suppression,
    name="Suppression",
    description="NONE; SMALL: counts or rests on fewer than 5 people; COMPLEMENTARY: hidden so that another "
    "hidden cell cannot be recovered (e.g. total minus a district).",
    values={
        Suppression.NONE: "Shown as is.",
        Suppression.SMALL: 'Hidden: the cell counts or rests on fewer than 5 people (display "<5").',
        Suppression.COMPLEMENTARY: "Hidden so that another hidden cell cannot be recovered, e.g. as the "
        "total "
        'minus a district (display "suppressed", or "<5" where the cell itself is below 5).',
    },
)
OutcomeIndicatorType = described_enum(
    Indicator,
    name="OutcomeIndicator",
    description="CASH_BENEFIT: adults on kontanthjælp/uddannelseshjælp (BIF); HIGH_ABSENCE: children with "
    "15 %+ unlawful school absence in the latest quarter (BUF); LEISURE_ACTIVE: members with an active leisure "
    "membership (KFF).",
    values={
        Indicator.CASH_BENEFIT: "Adults on kontanthjælp or uddannelseshjælp (from BIF); lower is better.",
        Indicator.HIGH_ABSENCE: "Children with 15 % or more unlawful school absence (ulovligt skolefravær) "
        "in the "
        "latest quarter (from BUF); lower is better.",
        Indicator.LEISURE_ACTIVE: "Members with an active leisure membership (from KFF); higher is better.",
    },
)
ReportScopeType = described_enum(
    Scope,
    name="ReportScope",
    description="ALL (the whole programme) or one district.",
    values={
        Scope.ALL: "The whole programme.",
        Scope.NORREBRO: "Families in Nørrebro only.",
        Scope.BISPEBJERG: "Families in Bispebjerg only.",
    },
)


@strawberry.type(description="One figure of the report, after small-number suppression.")
class ReportCell:
    value: float | None = strawberry.field(description="The number; null when suppressed.")
    display: str = strawberry.field(description='As shown: the number, "<5" or "suppressed".')
    suppression: SuppressionType = strawberry.field(description="Whether, and why, the value is hidden.")  # type: ignore[valid-type]

    @classmethod
    def of(cls, cell: Cell) -> ReportCell:
        return cls(
            value=cell.value if cell.shown else None, display=cell.display, suppression=cell.suppression
        )


@strawberry.type(description="Active families against the programme year's cap, and the waitlist.")
class ReportCapacity:
    on: date = strawberry.field(description="The day the figures are for (today).")
    programme_year: int = strawberry.field(description="1 in the first year from the programme's start.")
    capacity: int = strawberry.field(
        description="The cap of active families this programme year (20 in the first, then 35)."
    )
    active_families: ReportCell = strawberry.field(
        description="Families enrolled now (status ACTIVE), in the report's scope."
    )
    waitlisted_families: ReportCell = strawberry.field(
        description="Families waiting for a place, programme-wide."
    )
    free_places: int = strawberry.field(
        description="Places free now, programme-wide: capacity minus active families (never below 0)."
    )

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
    department: DepartmentType = strawberry.field(  # type: ignore[valid-type]
        description="The administration that took over the families (ordinary services)."
    )
    families: int = strawberry.field(
        description="Families handed over to it in the quarter (exact: a programme-level flow)."
    )


@strawberry.type(description="Families enrolled, closed and handed over in one quarter.")
class ReportQuarter:
    quarter: str = strawberry.field(description='e.g. "2026Q3".')
    enrolled: ReportCell = strawberry.field(description="Families enrolled in the quarter.")
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
    indicator: OutcomeIndicatorType = strawberry.field(description="The outcome indicator.")  # type: ignore[valid-type]
    persons: ReportCell = strawberry.field(description="Persons the figure rests on (a value then and now).")
    families: ReportCell = strawberry.field(description="Families those persons belong to.")
    at_enrolment: ReportCell = strawberry.field(description="Persons with the indicator at enrolment.")
    at_enrolment_pct: ReportCell = strawberry.field(
        description="Share of the persons with the indicator at enrolment, in % (one decimal)."
    )
    now: ReportCell = strawberry.field(description="Persons with the indicator now.")
    now_pct: ReportCell = strawberry.field(
        description="Share of the persons with the indicator now, in % (one decimal)."
    )
    change_pct_points: ReportCell = strawberry.field(
        description="nowPct minus atEnrolmentPct, in percentage points (one decimal); hidden if either is."
    )
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
    persons: ReportCell = strawberry.field(
        description="Persons the means rest on: current members of active families measured on at least two "
        "days since enrolment."
    )
    families: ReportCell = strawberry.field(description="Families those persons belong to.")
    first_mean: ReportCell = strawberry.field(
        description="Mean of each person's first score since enrolment, on the instrument's scale (one "
        "decimal)."
    )
    latest_mean: ReportCell = strawberry.field(
        description="Mean of each person's latest score, on the instrument's scale (one decimal)."
    )
    mean_change: ReportCell = strawberry.field(
        description="latestMean minus firstMean (one decimal); for SDQ a fall is an improvement."
    )

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
    description="Distinct municipal contact points per family (core team and caseworkers holding a member's "
    "case, each worker once) at enrolment and now: the programme aims to bring them down."
)
class ContactPointsFigure:
    families: ReportCell = strawberry.field(
        description="Active families the means rest on: those with a count at their latest enrolment."
    )
    at_enrolment_mean: ReportCell = strawberry.field(
        description="Mean contact points per family at enrolment (one decimal)."
    )
    now_mean: ReportCell = strawberry.field(description="Mean contact points per family now (one decimal).")
    mean_change: ReportCell = strawberry.field(
        description="nowMean minus atEnrolmentMean (one decimal); a fall is the programme's aim."
    )

    @classmethod
    def of(cls, f: MeanFigure) -> ContactPointsFigure:
        return cls(
            families=ReportCell.of(f.families),
            at_enrolment_mean=ReportCell.of(f.first_mean),
            now_mean=ReportCell.of(f.latest_mean),
            mean_change=ReportCell.of(f.change),
        )


@strawberry.type(
    name="SteeringReport",
    description="The steering group's report: aggregates only, small numbers suppressed.",
)
class SteeringReportType:
    generated_at: datetime = strawberry.field(description="When the report was computed (once per request).")
    scope: ReportScopeType = strawberry.field(  # type: ignore[valid-type]
        description="Whose figures: the whole programme (ALL) or the district asked for."
    )
    capacity: ReportCapacity = strawberry.field(
        description="Places: active families against the programme year's cap, and the waitlist."
    )
    quarters: list[ReportQuarter] = strawberry.field(
        description="Enrolments, closures and hand-overs per quarter, oldest first."
    )
    outcomes: list[OutcomeFigure] = strawberry.field(
        description="Outcome indicators at enrolment and now, on the same persons."
    )
    wellbeing: list[WellbeingFigure] = strawberry.field(
        description="Wellbeing scores (WHO5, SDQ, ORS/CORS): first and latest since enrolment."
    )
    contact_points: ContactPointsFigure = strawberry.field(
        description="Distinct municipal contact points per family, at enrolment and now, suppressed like the "
        "rest."
    )
    suppression_rule: str = strawberry.field(
        description="The small-number suppression rule the figures follow, in plain text."
    )

    @strawberry.field(
        description="Start against end across closed courses: each outcome indicator at enrolment and at closure "
        "(from the outcome snapshots), on the same persons, under the same suppression rule."
    )
    async def start_to_end(
        self, info: Info
    ) -> list[Annotated[CourseOutcomeFigure, strawberry.lazy("schema.outcomes.report")]]:
        from schema.outcomes.report import course_figures

        return await course_figures(info, self.scope)

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
            contact_points=ContactPointsFigure.of(report.contact_points[scope]),
            suppression_rule=rule,
        )
