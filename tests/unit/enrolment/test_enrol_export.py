"""The exports render the suppressed report only: CSV tokens for hidden cells, a deterministic SVG chart."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime
from xml.etree import ElementTree

from hub.domain import Department
from hub.enrolment.export import to_csv, to_svg
from hub.enrolment.indicators import Indicator
from hub.enrolment.report import CapacityFigures, QuarterFlow, SteeringReport
from hub.enrolment.suppression import (
    Cell,
    MeanCounts,
    Scope,
    ShareCounts,
    suppress_counts,
    suppress_means,
    suppress_shares,
)


def report() -> SteeringReport:
    share = {
        Scope.ALL: ShareCounts(40, 12, 20, 11, 2),
        Scope.NORREBRO: ShareCounts(37, 10, 19, 10, 2),
        Scope.BISPEBJERG: ShareCounts(3, 2, 1, 1, 0),  # small: hidden, and Nørrebro with it
    }
    means = {s: MeanCounts(6, 6, 300.0, 360.0) for s in Scope}
    counts = suppress_counts({Scope.ALL: 3, Scope.NORREBRO: 3, Scope.BISPEBJERG: 0}, exact_total=True)
    return SteeringReport(
        generated_at=datetime(2026, 11, 20, tzinfo=UTC),
        capacity=CapacityFigures(date(2026, 11, 20), 4, 35, counts, Cell(2), 32),
        quarters=(QuarterFlow("2026Q3", counts, counts, counts, {Department.SOF: 1}),),
        outcomes={i: suppress_shares(share) for i in Indicator},
        not_measured_now={
            i: suppress_counts({s: c.not_measured_now for s, c in share.items()}) for i in Indicator
        },
        wellbeing={"WHO5": suppress_means(means)},
        contact_points=suppress_means(
            {
                Scope.ALL: MeanCounts(8, 8, 72.0, 56.0),
                Scope.NORREBRO: MeanCounts(6, 6, 54.0, 42.0),
                Scope.BISPEBJERG: MeanCounts(2, 2, 18.0, 14.0),  # small: hidden, and Nørrebro with it
            }
        ),
    )


def test_contact_points_at_enrolment_and_now_are_suppressed_like_the_rest() -> None:
    rows = list(csv.DictReader(io.StringIO(to_csv(report()))))
    cells = {(r["scope"], r["measure"]): r["value"] for r in rows if r["section"] == "contact_points"}
    assert (cells[("ALL", "families")], cells[("ALL", "at_enrolment_mean")], cells[("ALL", "now_mean")]) == (
        "8",
        "9.0",
        "7.0",
    )
    assert cells[("ALL", "change")] == "-2.0"
    assert cells[("BISPEBJERG", "families")] == "<5"
    assert cells[("NORREBRO", "now_mean")] == "suppressed"


def test_csv_is_one_long_table_with_tokens_for_hidden_cells() -> None:
    rows = list(csv.DictReader(io.StringIO(to_csv(report()))))
    cash = {(r["scope"], r["measure"]): r["value"] for r in rows if r["figure"] == "CASH_BENEFIT"}
    assert (cash[("ALL", "persons")], cash[("ALL", "at_enrolment_pct")], cash[("ALL", "now")]) == (
        "40",
        "50.0",
        "11",
    )
    assert cash[("BISPEBJERG", "persons")] == "<5"
    assert cash[("NORREBRO", "persons")] == "suppressed"
    assert cash[("NORREBRO", "at_enrolment")] == "suppressed"  # 20 - 19 would give Bispebjerg's 1
    assert "19" not in {r["value"] for r in rows if r["scope"] == "NORREBRO"}
    assert {r["value"] for r in rows if r["figure"] == "handed_over_to_SOF"} == {"1"}
    only_north = list(csv.DictReader(io.StringIO(to_csv(report(), (Scope.NORREBRO,)))))
    assert {r["scope"] for r in only_north} <= {"NORREBRO", "ALL"}
    assert all(r["scope"] == "NORREBRO" for r in only_north if r["section"] == "outcome")


def test_svg_is_a_deterministic_chart_without_hidden_values() -> None:
    first, second = to_svg(report()), to_svg(report())
    assert first == second
    root = ElementTree.fromstring(first)  # noqa: S314 - our own renderer's output, not untrusted input
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    north = to_svg(report(), Scope.NORREBRO)
    assert b"suppressed" in north
    assert b"51.4" not in north  # Nørrebro's hidden 19 of 37
