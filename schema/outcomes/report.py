"""`SteeringReport.startToEnd`: start against end across closed courses, from the outcome snapshots."""

from __future__ import annotations

import strawberry

from hub.enrolment.suppression import Scope, ShareFigure
from hub.outcomes.course_report import closed_courses, indicators_for, start_to_end
from schema.context import Info
from schema.outcomes.fields import indicators
from schema.reports.types import ReportCell

LABELS = {
    "CASH_BENEFIT": "På kontanthjælp eller uddannelseshjælp",
    "IN_ACTIVATION": "I aktivering (praktik, løntilskud, uddannelse)",
    "HIGH_ABSENCE": "Ulovligt skolefravær på 15 % eller mere",
    "REPORT_OF_CONCERN": "Underretning det seneste halve år",
    "OPEN_INVESTIGATION": "Igangværende børnefaglig undersøgelse",
    "FUNCTIONING_DIFFICULTY": "Moderate eller større vanskeligheder i funktionsniveau (ICS/VUM)",
    "WHO5_LOW": "WHO-5 på 50 eller derunder",
}


@strawberry.type(description="One indicator at the start (enrolment) and end (closure) of closed courses.")
class CourseOutcomeFigure:
    indicator: str = strawberry.field(description="The indicator's key (or a department's configured key).")
    label: str = strawberry.field(description="What it counts, in Danish.")
    persons: ReportCell = strawberry.field(description="Persons with a value at both start and end.")
    families: ReportCell = strawberry.field(description="Families those persons belong to.")
    at_start: ReportCell = strawberry.field(description="Persons with the indicator at enrolment.")
    at_start_pct: ReportCell = strawberry.field(description="Their share in % (one decimal).")
    at_end: ReportCell = strawberry.field(description="Persons with the indicator at closure.")
    at_end_pct: ReportCell = strawberry.field(description="Their share in % (one decimal).")
    change_pct_points: ReportCell = strawberry.field(
        description="atEndPct minus atStartPct (percentage points)."
    )

    @classmethod
    def of(cls, key: str, label: str, f: ShareFigure) -> CourseOutcomeFigure:
        return cls(
            indicator=key,
            label=label,
            persons=ReportCell.of(f.persons),
            families=ReportCell.of(f.families),
            at_start=ReportCell.of(f.at_enrolment),
            at_start_pct=ReportCell.of(f.at_enrolment_pct),
            at_end=ReportCell.of(f.now),
            at_end_pct=ReportCell.of(f.now_pct),
            change_pct_points=ReportCell.of(f.change_pp),
        )


async def course_figures(info: Info, scope: Scope) -> list[CourseOutcomeFigure]:
    configured = indicators(info.context.services.settings.outcome_indicators)
    labels = LABELS | {c.key: c.label for c in configured}
    async with info.context.services.sessions() as session:
        courses = await closed_courses(session)
    figures = start_to_end(courses, indicators_for(configured))
    return [CourseOutcomeFigure.of(k, labels.get(k, k), by_scope[scope]) for k, by_scope in figures.items()]
