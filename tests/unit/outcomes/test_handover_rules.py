"""The hand-over record's rules as a table: each field refused with its own name."""

from __future__ import annotations

from datetime import date

import pytest

from hub.errors import BadUserInput
from hub.outcomes.handover import HandOver, validate

TODAY = date(2026, 11, 1)
GOALS = {"G1", "G2"}


def _request(**changes: object) -> HandOver:
    base: dict[str, object] = {
        "receiving_unit": "  Jobcenter   Nørrebro ",
        "summary": " Resumé ",
        "continuing_goal_ids": ("G1", "G1"),
        "family_told_on": TODAY,
    }
    base.update(changes)
    return HandOver(**base)  # type: ignore[arg-type]


def test_a_valid_hand_over_is_cleaned() -> None:
    clean = validate(_request(), GOALS, today=TODAY)
    assert clean == HandOver("Jobcenter Nørrebro", "Resumé", ("G1",), TODAY)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"receiving_unit": "  "}, "handOver.receivingUnit"),
        ({"receiving_unit": "x" * 201}, "handOver.receivingUnit"),
        ({"summary": ""}, "handOver.summary"),
        ({"summary": "x" * 4001}, "handOver.summary"),
        ({"continuing_goal_ids": ("G9",)}, "handOver.continuingGoalIds"),
        ({"family_told_on": date(2026, 11, 2)}, "handOver.familyToldOn"),
    ],
)
def test_each_invalid_field_is_named(changes: dict[str, object], field: str) -> None:
    with pytest.raises(BadUserInput) as caught:
        validate(_request(**changes), GOALS, today=TODAY)
    assert caught.value.extensions["field"] == field
