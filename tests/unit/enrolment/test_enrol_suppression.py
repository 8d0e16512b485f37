"""The small-number rule: primary suppression, complementary suppression across districts, and the
differencing attack checked by brute force (every table consistent with what is published)."""

from __future__ import annotations

import random

import pytest

from hub.enrolment.suppression import (
    DISTRICT_SCOPES,
    Cell,
    MeanCounts,
    Scope,
    ShareCounts,
    Suppression,
    suppress_counts,
    suppress_means,
    suppress_shares,
)


def shares(north: tuple[int, int, int, int], west: tuple[int, int, int, int]) -> dict[Scope, ShareCounts]:
    """(persons, families, with at enrolment, with now) per district; the total is their sum."""
    n, w = ShareCounts(*north), ShareCounts(*west)
    total = ShareCounts(*(a + b for a, b in zip(north, west, strict=True)))
    return {Scope.ALL: total, Scope.NORREBRO: n, Scope.BISPEBJERG: w}


@pytest.mark.parametrize(
    ("value", "display", "suppression"),
    [
        (0, "<5", Suppression.SMALL),
        (4, "<5", Suppression.SMALL),
        (5, "5", Suppression.NONE),
        (12, "12", Suppression.NONE),
    ],
)
def test_a_count_below_five_is_shown_as_less_than_five(
    value: int, display: str, suppression: Suppression
) -> None:
    cell = suppress_counts({Scope.ALL: value})[Scope.ALL]
    assert (cell.display, cell.suppression) == (display, suppression)
    assert cell.value == (None if suppression is not Suppression.NONE else value)


def test_a_share_is_hidden_when_few_have_it_or_few_lack_it() -> None:
    table = suppress_shares(shares((20, 8, 3, 17), (20, 8, 10, 10)))
    total = table[Scope.ALL]
    assert (total.at_enrolment.display, total.at_enrolment_pct.display) == ("13", "32.5")
    assert (total.now.display, total.now_pct.display, total.change_pp.display) == ("27", "67.5", "35.0")
    north = table[Scope.NORREBRO]
    assert north.at_enrolment.display == "<5"  # 3 have it
    assert north.now.display == "suppressed"  # 17 of 20: only 3 lack it
    assert north.now.value is None
    assert north.change_pp.value is None


def test_a_figure_resting_on_few_families_is_hidden() -> None:
    table = suppress_shares({Scope.ALL: ShareCounts(30, 4, 10, 12)})
    assert table[Scope.ALL].families.display == "<5"
    assert table[Scope.ALL].at_enrolment_pct.value is None
    assert table[Scope.ALL].persons.display == "30"


def test_total_minus_district_cannot_recover_a_small_district_cell() -> None:
    # Bispebjerg has 3 on benefit now; the total (13) and Nørrebro (10) would give it away.
    table = suppress_shares(shares((20, 8, 12, 10), (15, 6, 8, 3)))
    assert table[Scope.ALL].now.display == "13"
    assert table[Scope.BISPEBJERG].now.display == "<5"
    assert table[Scope.NORREBRO].now.display == "suppressed"
    assert table[Scope.NORREBRO].now.suppression is Suppression.COMPLEMENTARY
    # ... and the persons behind the districts' shares go too, so no share can be turned back into a count.
    assert table[Scope.NORREBRO].persons.value is None
    assert table[Scope.BISPEBJERG].persons.value is None


def test_district_cells_are_all_shown_when_every_cell_is_large_enough() -> None:
    table = suppress_shares(shares((20, 8, 7, 10), (18, 6, 9, 6)))
    for scope in DISTRICT_SCOPES:
        figure = table[scope]
        assert all(c.shown for c in (figure.persons, figure.families, figure.at_enrolment, figure.now))


def test_means_are_hidden_with_fewer_than_five_and_complemented_across_districts() -> None:
    table = suppress_means(
        {
            Scope.ALL: MeanCounts(9, 9, 9 * 50.0, 9 * 60.0),
            Scope.NORREBRO: MeanCounts(6, 6, 6 * 50.0, 6 * 62.0),
            Scope.BISPEBJERG: MeanCounts(3, 3, 3 * 50.0, 3 * 56.0),
        }
    )
    assert (table[Scope.ALL].first_mean.value, table[Scope.ALL].change.value) == (50.0, 10.0)
    assert table[Scope.BISPEBJERG].first_mean.display == "<5"
    # Nørrebro's mean with the total's would give Bispebjerg's: (9*60 - 6*62) / 3.
    assert table[Scope.NORREBRO].latest_mean.value is None
    assert table[Scope.NORREBRO].persons.value is None


def test_family_flows_are_exact_at_programme_level_only() -> None:
    cells = suppress_counts({Scope.ALL: 3, Scope.NORREBRO: 2, Scope.BISPEBJERG: 1}, exact_total=True)
    assert [cells[s].display for s in Scope] == ["3", "<5", "<5"]
    cells = suppress_counts({Scope.ALL: 12, Scope.NORREBRO: 10, Scope.BISPEBJERG: 2}, exact_total=True)
    assert [cells[s].display for s in Scope] == ["12", "suppressed", "<5"]


def _published(cell: Cell) -> int | None:
    return int(cell.value) if cell.shown and cell.value is not None else None


def _small_ok(cell: Cell, value: int) -> bool:
    """Is `value` consistent with what the cell shows?"""
    if cell.shown:
        return cell.value == value
    if cell.suppression is Suppression.SMALL:
        return value < 5
    return True


def _consistent(table: dict[Scope, object], bound: int) -> set[tuple[int, int]]:
    """Every (Nørrebro, Bispebjerg) count of persons with the indicator now that fits all published cells.

    Unknowns: each district's count with the indicator (k) and persons (n), 0 <= k <= n < bound; the totals
    are their sums. `bound` is far above any value in the table, so the search is complete for it."""
    t, north, west = table[Scope.ALL], table[Scope.NORREBRO], table[Scope.BISPEBJERG]
    found: set[tuple[int, int]] = set()
    for kn in range(bound):
        if not _small_ok(north.now, kn):  # type: ignore[attr-defined]
            continue
        for nn in range(kn, bound):
            if not _small_ok(north.persons, nn):  # type: ignore[attr-defined]
                continue
            kws = [t.now.value - kn] if t.now.shown else range(bound)  # type: ignore[attr-defined]
            for kw in kws:
                if kw < 0 or not _small_ok(west.now, kw) or not _small_ok(t.now, kn + kw):  # type: ignore[attr-defined]
                    continue
                nws = [t.persons.value - nn] if t.persons.shown else range(kw, bound)  # type: ignore[attr-defined]
                for nw in nws:
                    if nw >= kw and _small_ok(west.persons, nw) and _small_ok(t.persons, nn + nw):  # type: ignore[attr-defined]
                        found.add((kn, kw))
    return found


def test_differencing_attack_by_brute_force() -> None:
    """For random tables, search every table consistent with the published cells: a hidden small district
    cell is never pinned to one value (so no combination of the total and a district recovers it)."""
    rng = random.Random(2026)
    checked = 0
    for _ in range(200):
        north = [rng.randint(0, 12) for _ in range(2)]  # persons with / without the indicator (now)
        west = [rng.randint(0, 12) for _ in range(2)]
        raw = {
            Scope.NORREBRO: ShareCounts(sum(north), 9, north[0], north[0]),
            Scope.BISPEBJERG: ShareCounts(sum(west), 9, west[0], west[0]),
            Scope.ALL: ShareCounts(sum(north) + sum(west), 18, north[0] + west[0], north[0] + west[0]),
        }
        table = suppress_shares(raw)
        hidden = [s for s in DISTRICT_SCOPES if table[s].now.suppression is Suppression.SMALL]
        if not hidden:
            continue
        candidates = _consistent(table, bound=60)  # type: ignore[arg-type]
        assert (north[0], west[0]) in candidates
        for scope in hidden:
            index = 0 if scope is Scope.NORREBRO else 1
            assert len({c[index] for c in candidates}) > 1, (north, west)
        checked += 1
    assert checked > 50


def test_the_rule_shown_to_people_is_a_plain_danish_text_not_a_docstring() -> None:
    from schema.reports.queries import RULE  # what SteeringReport.suppressionRule returns

    assert "\n" not in RULE
    assert "`" not in RULE
    assert "Primary suppression" not in RULE
    assert "rule 1" not in RULE.lower()
    assert "<5" in RULE
    assert "bydel" in RULE  # Danish, for the steering group
    assert len(RULE) < 500
