"""The steering report as CSV (one long table) and as an SVG chart (outcomes at enrolment vs now).

Both render an already-suppressed `SteeringReport`: a hidden cell is written as its display token ("<5" or
"suppressed"), never as a number, and the chart draws no bar for a hidden share. The chart is plain SVG written
here (deterministic: no ids, no date). No identifiers of persons or families exist in the input.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from xml.sax.saxutils import escape

from hub.enrolment.indicators import Indicator
from hub.enrolment.report import SteeringReport
from hub.enrolment.suppression import Cell, Scope

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
    yield from _contact_point_rows(report, scopes)


def _contact_point_rows(
    report: SteeringReport, scopes: tuple[Scope, ...]
) -> Iterator[tuple[str, str, str, str, str, str]]:
    for scope in scopes:
        c = report.contact_points[scope]
        for measure, cell in (
            ("families", c.families),
            ("at_enrolment_mean", c.first_mean),
            ("now_mean", c.latest_mean),
            ("change", c.change),
        ):
            yield ("contact_points", scope.value, "CONTACT_POINTS", "enrolment_vs_now", measure, cell.display)


def to_csv(report: SteeringReport, scopes: tuple[Scope, ...] = tuple(Scope)) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    writer.writerows(_rows(report, scopes))
    return buffer.getvalue()


def _bar_label(cell: Cell) -> str:
    return f"{cell.value:.1f} %" if cell.shown and cell.value is not None else cell.display


def to_svg(report: SteeringReport, scope: Scope = Scope.ALL) -> bytes:
    """A grouped bar chart of the three outcome shares, at enrolment and now, for one scope.

    Plain SVG written here (no plotting library: matplotlib and numpy were 169 MB of the runtime install for three
    pairs of bars). Text stays <text> (searchable, accessible); the same report gives the same bytes.
    """
    indicators = list(INDICATOR_LABELS)
    width, height = 800, 450
    left, right, top, bottom = 70, 20, 50, 360  # the plot area; y = 0 % at `bottom`, 110 % at `top`

    def y(pct: float) -> float:
        return bottom - (bottom - top) * min(max(pct, 0.0), 110.0) / 110.0

    where = "the programme" if scope is Scope.ALL else scope.value.title()
    title = f"Outcomes at enrolment and now, {where} ({report.capacity.on.isoformat()})"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="DejaVu Sans, Arial, sans-serif">',
        f"<title>{escape(title)}</title>",
        f'<rect width="{width}" height="{height}" fill="#ffffff"/>',
        f'<text x="{width / 2:.1f}" y="28" font-size="14" text-anchor="middle">{escape(title)}</text>',
        f'<line x1="{left}" y1="{bottom}" x2="{width - right}" y2="{bottom}" stroke="#000000"/>',
        f'<line x1="{left}" y1="{top}" x2="{left}" y2="{bottom}" stroke="#000000"/>',
        f'<text x="18" y="{(top + bottom) / 2:.1f}" font-size="11" text-anchor="middle" '
        f'transform="rotate(-90 18 {(top + bottom) / 2:.1f})">Share of persons (%)</text>',
    ]
    for tick in range(0, 101, 20):
        parts.append(
            f'<text x="{left - 6}" y="{y(tick) + 4:.1f}" font-size="10" text-anchor="end">{tick}</text>'
            f'<line x1="{left - 3}" y1="{y(tick):.1f}" x2="{left}" y2="{y(tick):.1f}" stroke="#000000"/>'
        )
    series = (
        ("At enrolment", "#9bb7d4", [report.outcomes[i][scope].at_enrolment_pct for i in indicators]),
        ("Now", "#1f5f99", [report.outcomes[i][scope].now_pct for i in indicators]),
    )
    group = (width - right - left) / len(indicators)
    bar = group * 0.3
    for index, indicator in enumerate(indicators):
        centre = left + group * (index + 0.5)
        for offset, (_label, colour, cells) in enumerate(series):
            cell = cells[index]
            x = centre + (offset - 1) * bar
            value = cell.value if cell.shown and cell.value is not None else 0.0
            parts.append(
                f'<rect x="{x:.1f}" y="{y(value):.1f}" width="{bar:.1f}" height="{bottom - y(value):.1f}" '
                f'fill="{colour}"/>'
                f'<text x="{x + bar / 2:.1f}" y="{y(value) - 4:.1f}" font-size="10" text-anchor="middle">'
                f"{escape(_bar_label(cell))}</text>"
            )
        persons = report.outcomes[indicator][scope].persons.display
        parts.append(
            f'<text x="{centre:.1f}" y="{bottom + 18}" font-size="10" text-anchor="middle">'
            f"{escape(INDICATOR_LABELS[indicator])}</text>"
            f'<text x="{centre:.1f}" y="{bottom + 32}" font-size="10" text-anchor="middle">'
            f"(n = {escape(persons)} persons)</text>"
        )
    for offset, (label, colour, _cells) in enumerate(series):
        lx, ly = width - right - 150, top + 8 + offset * 18
        parts.append(
            f'<rect x="{lx}" y="{ly - 9}" width="12" height="12" fill="{colour}"/>'
            f'<text x="{lx + 18}" y="{ly + 1}" font-size="11">{escape(label)}</text>'
        )
    parts.append(
        f'<text x="8" y="{height - 10}" font-size="9">'
        f"{escape('<5: fewer than 5 persons; suppressed: hidden to protect a small cell')}</text>"
    )
    parts.append("</svg>")
    return ("\n".join(parts) + "\n").encode()
