"""The steering report as CSV (one long table) and as an SVG chart (outcomes at enrolment vs now).

Both render an already-suppressed `SteeringReport`: a hidden cell is written as its display token ("<5" or
"suppressed"), never as a number, and the chart draws no bar for a hidden share. The chart uses matplotlib's
object API on the Agg backend (no pyplot global state, so concurrent renders never share a figure) and writes
deterministic SVG (fixed hash salt, no date). No identifiers of persons or families exist in the input.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import TYPE_CHECKING

from hub.enrolment.indicators import Indicator
from hub.enrolment.report import SteeringReport
from hub.enrolment.suppression import Cell, Scope

if TYPE_CHECKING:
    from matplotlib.figure import Figure

CSV_COLUMNS = ("section", "scope", "figure", "period", "measure", "value")
INDICATOR_LABELS = {
    Indicator.CASH_BENEFIT: "Adults on cash benefit",
    Indicator.HIGH_ABSENCE: "Children with 15 %+ unlawful absence",
    Indicator.LEISURE_ACTIVE: "Members with an active leisure activity",
}
WELLBEING_LABELS = {"WHO5": "WHO-5", "SDQ": "SDQ (total difficulties)", "ORS": "ORS/CORS"}


def _rows(report: SteeringReport, scopes: tuple[Scope, ...]) -> Iterator[tuple[str, str, str, str, str, str]]:
    cap = report.capacity
    yield ("capacity", "ALL", "places", cap.on.isoformat(), "capacity", str(cap.capacity))
    yield ("capacity", "ALL", "programme_year", cap.on.isoformat(), "year", str(cap.programme_year))
    for scope in scopes:
        yield (
            "capacity",
            scope.value,
            "active_families",
            cap.on.isoformat(),
            "families",
            cap.active[scope].display,
        )
    yield ("capacity", "ALL", "waitlisted_families", cap.on.isoformat(), "families", cap.waitlisted.display)
    yield ("capacity", "ALL", "free_places", cap.on.isoformat(), "places", str(cap.free_places))
    for flow in report.quarters:
        for scope in scopes:
            for measure, cells in (
                ("enrolled", flow.enrolled),
                ("closed", flow.closed),
                ("handed_over", flow.handed_over),
            ):
                yield ("flows", scope.value, "families", flow.quarter, measure, cells[scope].display)
        if Scope.ALL in scopes:
            for department, count in flow.handed_over_to.items():
                yield (
                    "flows",
                    "ALL",
                    f"handed_over_to_{department.value}",
                    flow.quarter,
                    "families",
                    str(count),
                )
    for indicator, by_scope in report.outcomes.items():
        for scope in scopes:
            f = by_scope[scope]
            for measure, cell in (
                ("persons", f.persons),
                ("families", f.families),
                ("at_enrolment", f.at_enrolment),
                ("at_enrolment_pct", f.at_enrolment_pct),
                ("now", f.now),
                ("now_pct", f.now_pct),
                ("change_pp", f.change_pp),
                ("not_measured_now", report.not_measured_now[indicator][scope]),
            ):
                yield ("outcome", scope.value, indicator.value, "enrolment_vs_now", measure, cell.display)
    for group, means in report.wellbeing.items():
        for scope in scopes:
            w = means[scope]
            for measure, cell in (
                ("persons", w.persons),
                ("families", w.families),
                ("first_mean", w.first_mean),
                ("latest_mean", w.latest_mean),
                ("change", w.change),
            ):
                yield ("wellbeing", scope.value, group, "first_vs_latest", measure, cell.display)


def to_csv(report: SteeringReport, scopes: tuple[Scope, ...] = tuple(Scope)) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    writer.writerows(_rows(report, scopes))
    return buffer.getvalue()


def _bar_label(cell: Cell) -> str:
    return f"{cell.value:.1f} %" if cell.shown and cell.value is not None else cell.display


def to_svg(report: SteeringReport, scope: Scope = Scope.ALL) -> bytes:
    """A grouped bar chart of the three outcome shares, at enrolment and now, for one scope."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    # Text as <text> (searchable, accessible), and stable element ids so the same report gives the same bytes.
    with matplotlib.rc_context({"svg.hashsalt": "familiehub-steering", "svg.fonttype": "none"}):
        return _render(report, scope, Figure(figsize=(8.0, 4.5)))


def _render(report: SteeringReport, scope: Scope, figure: Figure) -> bytes:
    axes = figure.subplots()
    indicators = list(INDICATOR_LABELS)
    width = 0.38
    series = (
        ("At enrolment", "#9bb7d4", [report.outcomes[i][scope].at_enrolment_pct for i in indicators]),
        ("Now", "#1f5f99", [report.outcomes[i][scope].now_pct for i in indicators]),
    )
    for offset, (label, colour, cells) in enumerate(series):
        xs = [index + (offset - 0.5) * width for index in range(len(indicators))]
        heights = [c.value if c.shown and c.value is not None else 0.0 for c in cells]
        bars = axes.bar(xs, heights, width, label=label, color=colour)
        for bar, cell in zip(bars, cells, strict=True):
            axes.annotate(
                _bar_label(cell),
                (bar.get_x() + bar.get_width() / 2, bar.get_height()),
                ha="center",
                va="bottom",
                fontsize=8,
                xytext=(0, 2),
                textcoords="offset points",
            )
    axes.set_xticks(
        range(len(indicators)),
        [
            f"{INDICATOR_LABELS[i]}\n(n = {report.outcomes[i][scope].persons.display} persons)"
            for i in indicators
        ],
        fontsize=8,
    )
    axes.set_ylim(0, 110)
    axes.set_ylabel("Share of persons (%)")
    where = "the programme" if scope is Scope.ALL else scope.value.title()
    axes.set_title(f"Outcomes at enrolment and now, {where} ({report.capacity.on.isoformat()})", fontsize=10)
    axes.legend(fontsize=8, loc="upper right")
    axes.spines[["top", "right"]].set_visible(False)
    figure.text(
        0.01, 0.01, "<5: fewer than 5 persons; suppressed: hidden to protect a small cell", fontsize=7
    )
    figure.tight_layout(rect=(0, 0.04, 1, 1))
    out = io.BytesIO()
    figure.savefig(out, format="svg", metadata={"Date": None})
    return out.getvalue()
