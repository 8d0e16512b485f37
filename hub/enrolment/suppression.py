"""Small-number suppression for the steering report: the one documented rule, as pure functions.

The report is computed once as a fixed table: every figure at programme level (scope ALL) and for each
district. Filters only pick rows of this already-suppressed table, so no combination of queries sees a
value the table hides. The rule:

1. Primary suppression. A cell that counts people (persons a figure rests on, persons with an indicator) is
   shown as "<5" when it counts 0-4 people. A share (and the count behind it) is also hidden when fewer than 5
   people LACK the indicator (else "all but 3" would disclose those 3), and every value of a figure that
   rests on fewer than 5 persons or fewer than 5 families is hidden. A mean (wellbeing) is hidden when it
   rests on fewer than 5 persons or families.
2. Complementary suppression across districts. The districts partition the programme, so an exact total
   minus one district gives the other (the differencing attack). If ANY cell of a figure is suppressed in
   ANY district, EVERY district cell of that figure is suppressed (shown "<5" where the cell itself is
   below 5, else "suppressed"), including the persons and families it rests on; the programme-level cells
   stay as rule 1 decides. Whatever rule 1 hides at programme level is then also hidden in some district
   (a part is never larger than its total), so the hidden district cells are hidden together.
3. Counts of families entering, waiting in or leaving the programme are the programme's activity, not an
   attribute of a person: they are exact at programme level. Per district they follow rules 1-2 with
   families as the unit, so a district's small flows cannot be read off, nor recovered from the total.

A suppressed cell has `value` None; its `display` says "<5" or "suppressed". Never returns a raw value of a
suppressed cell.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from hub.domain import District

THRESHOLD = 5


class Scope(StrEnum):
    ALL = "ALL"
    NORREBRO = District.NORREBRO.value
    BISPEBJERG = District.BISPEBJERG.value

    @property
    def district(self) -> District | None:
        return None if self is Scope.ALL else District(self.value)


DISTRICT_SCOPES = (Scope.NORREBRO, Scope.BISPEBJERG)


class Suppression(StrEnum):
    NONE = "NONE"
    SMALL = "SMALL"  # the cell counts (or rests on) fewer than 5 people
    COMPLEMENTARY = "COMPLEMENTARY"  # hidden so that another hidden cell cannot be derived


# The rule as the steering group reads it (GraphQL `SteeringReport.suppressionRule`, the exports): plain Danish,
# no developer notation. Keep it in step with the rule above.
RULE_FOR_PEOPLE = (
    "Tal, der bygger på færre end 5 personer eller familier, vises som «<5», og en andel skjules også, "
    "når færre end 5 personer ikke har det, der tælles. Er et tal skjult i én bydel, skjules det i alle "
    "bydele, så det ikke kan regnes ud fra totalen for hele programmet. Antallet af familier, der starter, "
    "venter eller afslutter, vises præcist for hele programmet."
)


@dataclass(frozen=True, slots=True)
class Cell:
    value: int | float | None
    suppression: Suppression = Suppression.NONE

    @property
    def display(self) -> str:
        if self.suppression is Suppression.SMALL:
            return "<5"
        if self.suppression is Suppression.COMPLEMENTARY or self.value is None:
            return "suppressed"
        # Counts are ints and print as such; shares and means always with one decimal.
        return str(self.value) if isinstance(self.value, int) else f"{self.value:.1f}"

    @property
    def shown(self) -> bool:
        return self.suppression is Suppression.NONE and self.value is not None


def _cell(value: int | float, mark: Suppression) -> Cell:
    return Cell(None, mark) if mark is not Suppression.NONE else Cell(value)


# --- raw counts (before suppression) --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ShareCounts:
    """One indicator in one scope, on the persons with a value both at enrolment and now."""

    persons: int
    families: int
    at_enrolment: int  # persons with the indicator at enrolment
    now: int  # persons with the indicator now
    not_measured_now: int = 0  # persons with a value at enrolment but none now (no basis, unavailable)


@dataclass(frozen=True, slots=True)
class MeanCounts:
    """One wellbeing instrument in one scope: the first and latest score of each person since enrolment."""

    persons: int
    families: int
    first_sum: float
    latest_sum: float


# --- suppressed figures ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ShareFigure:
    persons: Cell
    families: Cell
    at_enrolment: Cell
    at_enrolment_pct: Cell
    now: Cell
    now_pct: Cell
    change_pp: Cell  # percentage points, now minus at enrolment


@dataclass(frozen=True, slots=True)
class MeanFigure:
    persons: Cell
    families: Cell
    first_mean: Cell
    latest_mean: Cell
    change: Cell


def _small(value: float) -> Suppression:
    return Suppression.SMALL if value < THRESHOLD else Suppression.NONE


def _escalate(marks: dict[str, Suppression], values: Mapping[str, float]) -> dict[str, Suppression]:
    """Rule 2: every cell hidden; "<5" where the cell itself is small."""
    return {
        name: Suppression.SMALL if values[name] < THRESHOLD else Suppression.COMPLEMENTARY for name in marks
    }


def _group(
    raw: Mapping[Scope, Mapping[str, float]], primary: Mapping[Scope, dict[str, Suppression]]
) -> dict[Scope, dict[str, Suppression]]:
    marks = {scope: dict(primary[scope]) for scope in raw}
    districts = [s for s in DISTRICT_SCOPES if s in raw]
    if any(m is not Suppression.NONE for s in districts for m in marks[s].values()):
        for scope in districts:
            marks[scope] = _escalate(marks[scope], raw[scope])
    return marks


def _share_marks(c: ShareCounts) -> dict[str, Suppression]:
    thin = c.persons < THRESHOLD or c.families < THRESHOLD
    marks = {"persons": _small(c.persons), "families": _small(c.families)}
    for name, k in (("at_enrolment", c.at_enrolment), ("now", c.now)):
        if k < THRESHOLD:
            marks[name] = Suppression.SMALL
        elif thin or c.persons - k < THRESHOLD:
            marks[name] = Suppression.COMPLEMENTARY
        else:
            marks[name] = Suppression.NONE
    return marks


def _pct(k: int, n: int, mark: Suppression) -> Cell:
    if mark is not Suppression.NONE or n == 0:
        return Cell(None, mark if mark is not Suppression.NONE else Suppression.COMPLEMENTARY)
    return Cell(round(100.0 * k / n, 1))


def suppress_shares(raw: Mapping[Scope, ShareCounts]) -> dict[Scope, ShareFigure]:
    values = {
        s: {"persons": c.persons, "families": c.families, "at_enrolment": c.at_enrolment, "now": c.now}
        for s, c in raw.items()
    }
    marks = _group(values, {s: _share_marks(c) for s, c in raw.items()})
    out: dict[Scope, ShareFigure] = {}
    for scope, c in raw.items():
        m = marks[scope]
        enrol_pct = _pct(c.at_enrolment, c.persons, m["at_enrolment"])
        now_pct = _pct(c.now, c.persons, m["now"])
        if enrol_pct.shown and now_pct.shown:
            change = Cell(round((now_pct.value or 0.0) - (enrol_pct.value or 0.0), 1))
        else:
            change = Cell(None, Suppression.COMPLEMENTARY)
        out[scope] = ShareFigure(
            persons=_cell(c.persons, m["persons"]),
            families=_cell(c.families, m["families"]),
            at_enrolment=_cell(c.at_enrolment, m["at_enrolment"]),
            at_enrolment_pct=enrol_pct,
            now=_cell(c.now, m["now"]),
            now_pct=now_pct,
            change_pp=change,
        )
    return out


def suppress_means(raw: Mapping[Scope, MeanCounts]) -> dict[Scope, MeanFigure]:
    values = {s: {"persons": c.persons, "families": c.families} for s, c in raw.items()}
    primary = {s: {"persons": _small(c.persons), "families": _small(c.families)} for s, c in raw.items()}
    marks = _group(values, primary)
    out: dict[Scope, MeanFigure] = {}
    for scope, c in raw.items():
        m = marks[scope]
        hidden = m["persons"] is not Suppression.NONE or m["families"] is not Suppression.NONE
        if hidden or c.persons == 0:
            mark = (
                Suppression.SMALL
                if c.persons < THRESHOLD or c.families < THRESHOLD
                else Suppression.COMPLEMENTARY
            )
            means = (Cell(None, mark), Cell(None, mark), Cell(None, mark))
        else:
            first, latest = c.first_sum / c.persons, c.latest_sum / c.persons
            means = (Cell(round(first, 1)), Cell(round(latest, 1)), Cell(round(latest - first, 1)))
        out[scope] = MeanFigure(
            _cell(c.persons, m["persons"]), _cell(c.families, m["families"]), means[0], means[1], means[2]
        )
    return out


def suppress_counts(raw: Mapping[Scope, int], *, exact_total: bool = False) -> dict[Scope, Cell]:
    """Counts (of people, or of families with rule 3's `exact_total`): rule 1 per cell, rule 2 across districts."""
    values = {s: {"count": float(v)} for s, v in raw.items()}
    primary = {
        s: {"count": Suppression.NONE if (exact_total and s is Scope.ALL) else _small(v)}
        for s, v in raw.items()
    }
    marks = _group(values, primary)
    return {s: _cell(v, marks[s]["count"]) for s, v in raw.items()}
