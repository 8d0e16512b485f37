"""Pure rules of the plan: score ranges and risk cut-offs, access decisions, history diffs."""

from __future__ import annotations

from datetime import date

import pytest

from hub.auth.principal import Principal
from hub.domain import Department, Role
from hub.errors import BadUserInput, Forbidden, NotFound
from hub.plan.access import FamilyFacts, Level, decide
from hub.plan.domain import Instrument, SdqRespondent, signals_risk, validate_score
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


def _p(role: Role, person_id: str | None = None) -> Principal:
    return Principal(user_id="u1", username="u", role=role, department=Department.SOF, person_id=person_id)


FACTS = FamilyFacts("F1", exists=True, member_person_ids=frozenset({"mor", "far", "barn"}))


@pytest.mark.parametrize(
    ("principal", "facts", "level", "manage"),
    [
        (_p(Role.CORE_TEAM), FACTS, Level.NONE, False),
        (_p(Role.CORE_TEAM), FamilyFacts("F1", True, team_roles=frozenset({"MAKKERPAR"})), Level.EDIT, False),
        (
            _p(Role.CORE_TEAM),
            FamilyFacts("F1", True, team_roles=frozenset({"COORDINATOR"})),
            Level.EDIT,
            True,
        ),
        (_p(Role.COORDINATOR), FACTS, Level.SEE, True),
        (_p(Role.CASEWORKER), FamilyFacts("F1", True, on_caseload=True), Level.SEE, False),
        (_p(Role.CITIZEN, "mor"), FACTS, Level.READ, False),
        (_p(Role.CITIZEN, "anden"), FACTS, Level.NONE, False),
        (_p(Role.ADMIN), FACTS, Level.NONE, False),
        (_p(Role.STEERING_GROUP), FACTS, Level.NONE, False),
        (
            _p(Role.CORE_TEAM),
            FamilyFacts("F1", exists=False, team_roles=frozenset({"MAKKERPAR"})),
            Level.NONE,
            False,
        ),
        (None, FACTS, Level.NONE, False),
    ],
)
def test_access_levels(principal: Principal | None, facts: FamilyFacts, level: Level, manage: bool) -> None:
    access = decide(principal, facts)
    assert access.level is level
    assert access.manage_team is manage


def test_citizen_sees_own_and_custody_children_only() -> None:
    facts = FamilyFacts(
        "F1", True, member_person_ids=frozenset({"mor", "far", "barn"}), custody_children=frozenset({"barn"})
    )
    access = decide(_p(Role.CITIZEN, "mor"), facts)
    assert access.sees_person(None)
    assert access.sees_person("mor")
    assert access.sees_person("barn")
    assert not access.sees_person("far")
    with pytest.raises(Forbidden):
        access.require_edit()
    access.require_read()


def test_no_access_is_not_found_never_forbidden() -> None:
    access = decide(_p(Role.CORE_TEAM), FACTS)
    for check in (access.require_edit, access.require_read, access.require_manage_team):
        with pytest.raises(NotFound):
            check()


def test_diff_marks_free_text_and_serialises_values() -> None:
    before = {"title": "A", "description": "long text", "target_date": date(2027, 1, 1), "status": "PLANNED"}
    after = {"title": "B", "description": "other text", "target_date": date(2027, 1, 1), "status": "PLANNED"}
    assert diff_of(before, after) == {"title": ["A", "B"], "description": "changed"}
    assert diff_of(None, {"description": "x", "departments": [Department.SOF]}) == {
        "description": "set",
        "departments": ["SOF"],
    }
