"""Plan access against the database: hub.access's need-to-know facts and policy decide who may know a
family exists; the plan narrows that to read/edit. Every denial is NOT_FOUND, through the service too."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from hub.errors import Forbidden, NotFound
from hub.persistence.engine import transaction
from hub.persistence.models import TeamAssignment, TeamRole
from hub.plan import goals
from hub.plan.access import Level, access_for
from tests.integration.plan.plan_world import TODAY, PlanWorld, actor, principal

# username -> (level on F1, the need-to-know reason, who sees member-level data (None: everyone))
EXPECTED: dict[str, tuple[Level, str, frozenset[str] | None]] = {
    "coord": (Level.EDIT, "assigned_coordinator", None),
    "sof": (Level.EDIT, "assigned_makkerpar", None),
    "bif": (Level.EDIT, "assigned_makkerpar", None),
    "tovholder2": (Level.NONE, "not_assigned", None),  # COORDINATOR role, on no team: was FORBIDDEN
    "kff": (Level.NONE, "not_assigned", None),
    "buf-cw": (Level.SEE, "caseload_family", frozenset()),
    "bif-cw": (Level.NONE, "not_caseload_family", None),
    "mor": (Level.READ, "own_family", frozenset({"P-MOR", "P-BARN", "P-TEEN"})),
    "far": (Level.READ, "own_family", frozenset({"P-FAR", "P-BARN", "P-TEEN"})),
    "teen": (Level.READ, "own_family", frozenset({"P-TEEN"})),  # 16: a young person from 15 sees their own
    "barn": (Level.NONE, "citizen_under_15", None),  # 10: was READ
    "anden": (Level.NONE, "not_own_family", None),
    "admin": (Level.NONE, "role_has_no_person_data", None),
    "sof-system": (Level.NONE, "role_has_no_person_data", None),
    "styregruppe": (Level.NONE, "role_has_no_person_data", None),
}


@pytest.mark.parametrize("username", EXPECTED)
async def test_access_for_each_viewer(plan_world: PlanWorld, username: str) -> None:
    level, reason, persons = EXPECTED[username]
    async with plan_world.sessions() as session:
        access = (await access_for(session, principal(username), ["F1"], TODAY))["F1"]
    assert (access.level, access.reason, access.person_ids) == (level, reason, persons)


@pytest.mark.parametrize(
    "username", [u for u, (level, _r, _p) in EXPECTED.items() if level is not Level.EDIT]
)
async def test_plan_changes_are_not_found_unless_the_family_is_visible(
    plan_world: PlanWorld, username: str
) -> None:
    # A viewer who may know the family exists (caseworker, its own citizens) is FORBIDDEN; everyone else
    # cannot tell it from a family that does not exist.
    error = NotFound if EXPECTED[username][0] is Level.NONE else Forbidden
    with pytest.raises(error):
        await goals.create_goal(
            plan_world.sessions, actor(username), family_id="F1", expected_version=0, title="X"
        )


async def test_unknown_families_and_batches(plan_world: PlanWorld, migrated_engine: AsyncEngine) -> None:
    statements: list[str] = []

    def count(*args: object) -> None:
        statement = str(args[2])
        if statement.lstrip().upper().startswith("SELECT"):  # not SQLite's explicit BEGIN
            statements.append(statement)

    event.listen(migrated_engine.sync_engine, "before_cursor_execute", count)
    try:
        async with plan_world.sessions() as session:
            found = await access_for(session, principal("coord"), ["F1", "F2", "F404", "F1"], TODAY)
    finally:
        event.remove(migrated_engine.sync_engine, "before_cursor_execute", count)
    assert list(found) == ["F1", "F2", "F404"]
    assert [found[f].level for f in found] == [Level.EDIT, Level.NONE, Level.NONE]
    assert len(statements) == 1  # the viewer's facts, once, whatever the number of families
    async with plan_world.sessions() as session:
        assert await access_for(session, principal("coord"), [], TODAY) == {}
        unauthenticated = await access_for(session, None, ["F1"], TODAY)
    assert unauthenticated["F1"].level is Level.NONE


@pytest.mark.parametrize(
    ("since", "until", "level"),
    [
        (date(2026, 1, 5), date(2026, 11, 1), Level.NONE),  # ended today
        (date(2026, 11, 2), None, Level.NONE),  # starts tomorrow
        (date(2026, 1, 5), date(2026, 11, 2), Level.EDIT),  # ends tomorrow
        (date(2026, 11, 1), None, Level.EDIT),  # starts today
    ],
)
async def test_only_a_current_assignment_counts(
    plan_world: PlanWorld, since: date, until: date | None, level: Level
) -> None:
    async with transaction(plan_world.sessions) as s:
        s.add(
            TeamAssignment(
                family_id="F1", user_id="U-kff", team_role=TeamRole.CORE_TEAM, since=since, until=until
            )
        )
    async with plan_world.sessions() as session:
        access = (await access_for(session, principal("kff"), ["F1"], TODAY))["F1"]
    assert access.level is level
    assert not access.manage_team
