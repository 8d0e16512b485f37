"""Pure rules of the plan: score ranges and risk cut-offs, history diffs (access: test_plan_access_rules.py)."""

from __future__ import annotations

from datetime import date

import pytest

from hub.domain import Department, Role
from hub.errors import BadUserInput
from hub.plan.domain import Instrument, SdqRespondent, may_be_responsible, signals_risk, validate_score
from hub.plan.history import diff_of


@pytest.mark.parametrize(
    ("instrument", "score", "ok"),
    [
        (Instrument.WHO5, 0, True),
        (Instrument.WHO5, 100, True),
        (Instrument.WHO5, 52, True),
        (Instrument.WHO5, 50, False),
        (Instrument.WHO5, 104, False),
        (Instrument.WHO5, -4, False),
        (Instrument.SDQ, 40, True),
        (Instrument.SDQ, 12.5, False),
        (Instrument.ORS, 39.9, True),
        (Instrument.ORS, 40.01, False),
        (Instrument.CORS, 0.0, True),
        (Instrument.CORS, float("nan"), False),
    ],
)
def test_score_ranges(instrument: Instrument, score: float, ok: bool) -> None:
    if ok:
        assert validate_score(instrument, score) == score
    else:
        with pytest.raises(BadUserInput):
            validate_score(instrument, score)


@pytest.mark.parametrize(
    ("instrument", "score", "age", "respondent", "risk"),
    [
        (Instrument.WHO5, 52, 40, None, False),
        (Instrument.WHO5, 48, 40, None, True),
        (Instrument.ORS, 24.9, 30, None, True),
        (Instrument.ORS, 26, 30, None, False),
        (Instrument.ORS, 26, 15, None, True),  # cut-off 28 for ages 13-17
        (Instrument.CORS, 31, 9, None, True),
        (Instrument.SDQ, 17, 9, SdqRespondent.PARENT, True),
        (Instrument.SDQ, 16, 9, SdqRespondent.PARENT, False),
        (Instrument.SDQ, 16, 9, SdqRespondent.TEACHER, True),
        (Instrument.SDQ, 17, 14, SdqRespondent.SELF, False),
    ],
)
def test_risk_cutoffs(
    instrument: Instrument, score: float, age: int, respondent: SdqRespondent | None, risk: bool
) -> None:
    assert signals_risk(instrument, score, age, respondent) is risk


def test_diff_marks_free_text_and_serialises_values() -> None:
    before = {"title": "A", "description": "long text", "target_date": date(2027, 1, 1), "status": "PLANNED"}
    after = {"title": "B", "description": "other text", "target_date": date(2027, 1, 1), "status": "PLANNED"}
    assert diff_of(before, after) == {"title": ["A", "B"], "description": "changed"}
    assert diff_of(None, {"description": "x", "departments": [Department.SOF]}) == {
        "description": "set",
        "departments": ["SOF"],
    }


SOF, BUF = Department.SOF, Department.BUF


RESPONSIBLE_CASES = [
    (Role.COORDINATOR, None, True, frozenset(), SOF, True),  # the family's coordinator
    (Role.CORE_TEAM, BUF, True, frozenset(), SOF, True),  # a team member, any department's action
    (Role.CORE_TEAM, SOF, False, frozenset(), SOF, False),  # not on this family's team
    (Role.COORDINATOR, None, False, frozenset(), SOF, False),  # another family's coordinator
    (Role.CASEWORKER, BUF, False, frozenset({BUF}), BUF, True),  # the member's own BUF caseworker
    (Role.CASEWORKER, BUF, False, frozenset({BUF}), SOF, False),  # ... not for another department
    (Role.CASEWORKER, BUF, False, frozenset(), BUF, False),  # a BUF caseworker, not the member's
    (Role.CASEWORKER, BUF, True, frozenset(), BUF, False),  # a caseworker is never "the team"
    (Role.CITIZEN, None, True, frozenset({BUF}), BUF, False),
]


@pytest.mark.parametrize("case", RESPONSIBLE_CASES)
def test_who_may_be_responsible_for_an_action(
    case: tuple[Role, Department | None, bool, frozenset[Department], Department, bool],
) -> None:
    role, user_department, on_team, caseload, action_department, allowed = case
    assert (
        may_be_responsible(
            role=role,
            user_department=user_department,
            on_team=on_team,
            caseload_departments=caseload,
            action_department=action_department,
        )
        is allowed
    )
