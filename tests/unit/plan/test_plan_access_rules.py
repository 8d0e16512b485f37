"""The plan's access decision over the identity concern's need-to-know facts (hub.access), table-driven.

A family need-to-know denies is NOT_FOUND for every plan check (read, edit, manage the team): an unassigned
coordinator or core-team worker, a caseworker without a member on the caseload, steering group, admin,
department systems and a citizen under 15 must not be able to tell it from a family that does not exist.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import pytest

from hub.access.facts import AccessFacts
from hub.auth.principal import Principal
from hub.domain import Department, Role
from hub.errors import Conflict, Forbidden, NotFound
from hub.persistence.models import TeamRole
from hub.plan.access import FAMILY_CLOSED, Level, PlanAccess, decide

TODAY = date(2026, 11, 1)
FAMILY = "F1"


def _p(role: Role, person_id: str | None = None, department: Department | None = Department.SOF) -> Principal:
    return Principal(user_id="u1", username="u", role=role, department=department, person_id=person_id)


def _team(*roles: str, family: str = FAMILY) -> AccessFacts:
    return AccessFacts(today=TODAY, assignments={family: frozenset(roles)})


def _citizen(person_id: str, born: date, families: frozenset[str] = frozenset({FAMILY})) -> AccessFacts:
    return AccessFacts(today=TODAY, own_person_id=person_id, own_birth_date=born, own_family_ids=families)


NONE = AccessFacts.none(TODAY)
CASELOAD = AccessFacts(
    today=TODAY, caseload={"barn": frozenset({Department.SOF})}, caseload_family_ids=frozenset({FAMILY})
)
OTHER_CASELOAD = AccessFacts(
    today=TODAY, caseload={"anden": frozenset({Department.SOF})}, caseload_family_ids=frozenset({"F2"})
)


@dataclass(frozen=True)
class Case:
    principal: Principal | None
    facts: AccessFacts
    level: Level
    read: type[Exception] | None  # what require_read raises (None: passes)
    edit: type[Exception] | None
    manage: type[Exception] | None


DENIED = (Level.NONE, NotFound, NotFound, NotFound)
CASES: dict[str, Case] = {
    # The core team edits; only a coordinator manages the team.
    "coordinator on the team": Case(_p(Role.COORDINATOR), _team("COORDINATOR"), Level.EDIT, None, None, None),
    "coordinator-role worker as makkerpar": Case(
        _p(Role.COORDINATOR), _team("MAKKERPAR"), Level.EDIT, None, None, None
    ),
    "makkerpar": Case(_p(Role.CORE_TEAM), _team("MAKKERPAR"), Level.EDIT, None, None, Forbidden),
    "core team": Case(_p(Role.CORE_TEAM), _team("CORE_TEAM"), Level.EDIT, None, None, Forbidden),
    "core-team worker as the family's coordinator": Case(
        _p(Role.CORE_TEAM), _team("COORDINATOR"), Level.EDIT, None, None, None
    ),
    # Need-to-know: unassigned is NOT_FOUND, also for a programme coordinator (was FORBIDDEN before).
    "unassigned coordinator": Case(_p(Role.COORDINATOR), NONE, *DENIED),
    "coordinator of another family": Case(_p(Role.COORDINATOR), _team("COORDINATOR", family="F2"), *DENIED),
    "unassigned core-team worker": Case(_p(Role.CORE_TEAM), _team("MAKKERPAR", family="F2"), *DENIED),
    # A caseworker knows the families of their caseload exist, not their plan.
    "caseworker with a member on the caseload": Case(
        _p(Role.CASEWORKER), CASELOAD, Level.SEE, Forbidden, Forbidden, Forbidden
    ),
    "caseworker without the family on the caseload": Case(_p(Role.CASEWORKER), OTHER_CASELOAD, *DENIED),
    "caseworker without a department": Case(_p(Role.CASEWORKER, department=None), CASELOAD, *DENIED),
    "steering group": Case(_p(Role.STEERING_GROUP), NONE, *DENIED),
    "admin": Case(_p(Role.ADMIN), NONE, *DENIED),
    "department system": Case(_p(Role.DEPARTMENT_SYSTEM), NONE, *DENIED),
    "department system with stray facts": Case(_p(Role.DEPARTMENT_SYSTEM), _team("COORDINATOR"), *DENIED),
    "nobody": Case(None, _team("COORDINATOR"), *DENIED),
    # The family reads its plan (DOMAIN.md §3): an adult member, or a member from 15; never edits it.
    "adult citizen member": Case(
        _p(Role.CITIZEN, "mor"), _citizen("mor", date(1985, 1, 1)), Level.READ, None, Forbidden, Forbidden
    ),
    "member turning 15 today": Case(
        _p(Role.CITIZEN, "teen"), _citizen("teen", date(2011, 11, 1)), Level.READ, None, Forbidden, Forbidden
    ),
    "member of 14, 15 tomorrow": Case(_p(Role.CITIZEN, "teen"), _citizen("teen", date(2011, 11, 2)), *DENIED),
    "child of 10": Case(_p(Role.CITIZEN, "barn"), _citizen("barn", date(2016, 5, 20)), *DENIED),
    "citizen of another family": Case(
        _p(Role.CITIZEN, "anden"), _citizen("anden", date(1990, 4, 4), frozenset({"F2"})), *DENIED
    ),
    "former member": Case(_p(Role.CITIZEN, "mor"), _citizen("mor", date(1985, 1, 1), frozenset()), *DENIED),
    "citizen whose facts are someone else's": Case(
        _p(Role.CITIZEN, "mor"), _citizen("far", date(1983, 2, 2)), *DENIED
    ),
}


def _outcome(check: Callable[[], None]) -> type[Exception] | None:
    try:
        check()
    except (NotFound, Forbidden) as caught:
        return type(caught)
    return None


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_plan_access(case: Case) -> None:
    access = decide(case.principal, case.facts, FAMILY)
    assert access.family_id == FAMILY
    assert access.level is case.level
    assert _outcome(access.require_read) is case.read
    assert _outcome(access.require_edit) is case.edit
    assert _outcome(access.require_manage_team) is case.manage
    assert access.can_read is (case.read is None)
    assert access.manage_team is (case.manage is None)


def test_a_denial_gives_the_need_to_know_reason() -> None:
    assert decide(_p(Role.COORDINATOR), NONE, FAMILY).reason == "not_assigned"
    teen = decide(_p(Role.CITIZEN, "teen"), _citizen("teen", date(2012, 1, 1)), FAMILY)
    assert teen.reason == "citizen_under_15"


def _mother(custody: dict[str, date]) -> PlanAccess:
    facts = AccessFacts(
        today=TODAY,
        own_person_id="mor",
        own_birth_date=date(1985, 1, 1),
        own_family_ids=frozenset({FAMILY}),
        custody_children=custody,
    )
    return decide(_p(Role.CITIZEN, "mor"), facts, FAMILY)


@pytest.mark.parametrize(
    ("person_id", "seen"),
    [
        (None, True),  # family-level goals
        ("mor", True),  # her own
        ("barn", True),  # a child under 18 in her custody
        ("voksen", False),  # a child in her custody records who turned 18: their own adult now
        ("far", False),  # another adult
        ("teen", False),  # a child she holds no custody of
    ],
)
def test_a_citizen_sees_own_and_minor_custody_children_only(person_id: str | None, seen: bool) -> None:
    access = _mother({"barn": date(2016, 5, 20), "voksen": date(2008, 10, 31)})
    assert access.sees_person(person_id) is seen
    assert access.person_ids == frozenset({"mor", "barn"})


def test_a_young_person_from_15_sees_only_their_own_member_data() -> None:
    access = decide(_p(Role.CITIZEN, "teen"), _citizen("teen", date(2010, 3, 15)), FAMILY)
    assert access.person_ids == frozenset({"teen"})
    assert access.sees_person(None)
    assert not access.sees_person("mor")


def test_the_team_sees_every_member_and_the_caseworker_none() -> None:
    team = decide(_p(Role.CORE_TEAM), _team("CORE_TEAM"), FAMILY)
    assert team.person_ids is None
    assert team.sees_person("anyone")
    caseworker = decide(_p(Role.CASEWORKER), CASELOAD, FAMILY)
    assert not caseworker.sees_person(None)
    assert not caseworker.sees_person("barn")


def test_a_closed_familys_plan_is_read_only_for_the_record_holder() -> None:
    holder = Principal(user_id="U-rec", username="rec", role=Role.COORDINATOR, department=None)
    facts = AccessFacts(today=date(2026, 11, 1), assignments={"F1": frozenset({TeamRole.RECORD})})
    access = decide(holder, facts, "F1")
    assert (access.level, access.reason, access.manage_team) == (Level.READ, FAMILY_CLOSED, False)
    assert access.sees_person("P-ANY")
    for require in (access.require_edit, access.require_manage_team):
        with pytest.raises(Conflict) as caught:
            require()
        assert caught.value.extensions["reason"] == "FAMILY_CLOSED"
