"""Measurements, the core team and membership changes: happy paths, errors and history."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from hub.audit.events import AuditDecision
from hub.audit.models import AuditEntry
from hub.domain import MemberRole
from hub.errors import BadUserInput, Forbidden, NotFound
from hub.plan import goals, history, measurements, membership, repository, team
from hub.plan.domain import Instrument, SdqRespondent, SdqSubscale
from tests.integration.plan.plan_world import PlanWorld, actor


async def test_record_measurements_per_instrument(plan_world: PlanWorld) -> None:
    s = plan_world.sessions
    who5 = await measurements.record_measurement(
        s,
        actor("sof"),
        person_id="P-MOR",
        instrument=Instrument.WHO5,
        score=48,
        measured_on=date(2026, 10, 1),
    )
    assert who5.score == 48
    assert who5.signals_risk
    assert who5.recorded_by
    assert who5.recorded_by.user_id == "U-sof"
    cors = await measurements.record_measurement(
        s,
        actor("sof"),
        person_id="P-BARN",
        instrument=Instrument.CORS,
        score=33.5,
        measured_on=date(2026, 10, 1),
    )
    assert not cors.signals_risk
    sdq = await measurements.record_measurement(
        s,
        actor("sof"),
        person_id="P-TEEN",
        instrument=Instrument.SDQ,
        score=18,
        measured_on=date(2026, 10, 1),
        respondent=SdqRespondent.SELF,
        subscales={
            SdqSubscale.EMOTIONAL: 5,
            SdqSubscale.CONDUCT: 4,
            SdqSubscale.HYPERACTIVITY: 6,
            SdqSubscale.PEER: 3,
        },
    )
    assert sdq.signals_risk
    assert sdq.subscales == {"EMOTIONAL": 5, "CONDUCT": 4, "HYPERACTIVITY": 6, "PEER": 3}
    async with s() as session:
        rows = (await repository.measurements(session, ["F1"]))["F1"]
        entries = await history.recent(session, "F1", 10)
    assert len(rows) == 3
    assert all(
        e.entity == "MEASUREMENT" and "score" not in e.diff for e in entries
    )  # no health data in the timeline


@pytest.mark.parametrize(
    ("person", "instrument", "score", "kwargs", "field"),
    [
        ("P-MOR", Instrument.WHO5, 101, {}, "score"),
        ("P-MOR", Instrument.WHO5, 50, {}, "score"),  # not a multiple of 4
        ("P-MOR", Instrument.ORS, 40.5, {}, "score"),
        ("P-MOR", Instrument.ORS, 20.25, {}, "score"),
        ("P-MOR", Instrument.SDQ, 41, {"respondent": SdqRespondent.PARENT}, "score"),
        ("P-TEEN", Instrument.SDQ, 10, {}, "respondent"),
        (
            "P-BARN",
            Instrument.SDQ,
            10,
            {"respondent": SdqRespondent.SELF},
            "respondent",
        ),  # self-report from 11
        (
            "P-TEEN",
            Instrument.SDQ,
            10,
            {"respondent": SdqRespondent.PARENT, "subscales": {SdqSubscale.PEER: 11}},
            "subscales",
        ),
        (
            "P-TEEN",
            Instrument.SDQ,
            10,
            {
                "respondent": SdqRespondent.PARENT,
                "subscales": dict.fromkeys(
                    (SdqSubscale.EMOTIONAL, SdqSubscale.CONDUCT, SdqSubscale.HYPERACTIVITY, SdqSubscale.PEER),
                    1,
                ),
            },
            "score",
        ),
        ("P-MOR", Instrument.WHO5, 40, {"respondent": SdqRespondent.PARENT}, "respondent"),
        ("P-BARN", Instrument.ORS, 20, {}, "instrument"),
        ("P-MOR", Instrument.CORS, 20, {}, "instrument"),
        ("P-MOR", Instrument.WHO5, 40, {"measured_on": date(2027, 1, 1)}, "measuredOn"),
        ("P-BARN", Instrument.CORS, 20, {"measured_on": date(2015, 1, 1)}, "measuredOn"),
    ],
)
async def test_measurement_bad_input(  # noqa: PLR0917 - one parameter per table column
    plan_world: PlanWorld, person: str, instrument: Instrument, score: float, kwargs: dict, field: str
) -> None:
    args = {"measured_on": date(2026, 10, 1)} | kwargs
    with pytest.raises(BadUserInput) as caught:
        await measurements.record_measurement(
            plan_world.sessions, actor("sof"), person_id=person, instrument=instrument, score=score, **args
        )
    assert caught.value.extensions["field"] == field


async def test_measurement_access(plan_world: PlanWorld) -> None:
    args = {"instrument": Instrument.WHO5, "score": 60, "measured_on": date(2026, 10, 1)}
    with pytest.raises(NotFound):
        await measurements.record_measurement(plan_world.sessions, actor("sof"), person_id="P-ANDEN", **args)
    with pytest.raises(NotFound):
        await measurements.record_measurement(plan_world.sessions, actor("sof"), person_id="P-NOBODY", **args)
    with pytest.raises(Forbidden):
        await measurements.record_measurement(plan_world.sessions, actor("mor"), person_id="P-MOR", **args)


async def test_core_team_assign_and_unassign_keep_history(plan_world: PlanWorld) -> None:
    s = plan_world.sessions
    added = await team.assign_team_member(
        s, actor("coord"), family_id="F1", user_id="U-kff", team_role="CORE_TEAM"
    )
    assert added.worker.user_id == "U-kff"
    assert added.since == date(2026, 11, 1)
    assert added.until is None
    ended = await team.unassign_team_member(
        s, actor("coord"), assignment_id="TA-bif", until=date(2026, 11, 1)
    )
    assert ended.until == date(2026, 11, 1)
    async with s() as session:
        view = (await repository.teams(session, ["F1"]))["F1"]
        entries = await history.recent(session, "F1", 10)
    today = date(2026, 11, 1)
    assert sorted(a.worker.user_id for a in view.current(today)) == ["U-coord", "U-kff", "U-sof"]
    assert [a.worker.user_id for a in view.former(today)] == ["U-bif"]
    assert [e.change for e in entries] == ["UNASSIGNED", "ASSIGNED"]
    # Need-to-know: a coordinator not on the team cannot tell the family exists, so cannot build its team.
    with pytest.raises(NotFound):
        await team.assign_team_member(
            s, actor("tovholder2"), family_id="F1", user_id="U-bif", team_role="MAKKERPAR"
        )
    again = await team.assign_team_member(
        s, actor("coord"), family_id="F1", user_id="U-bif", team_role="MAKKERPAR"
    )
    assert again.team_role == "MAKKERPAR"


@pytest.mark.parametrize(
    ("user_id", "team_role", "field"),
    [
        ("U-sof", "CORE_TEAM", "userId"),  # already on the team
        ("U-mor", "CORE_TEAM", "userId"),  # not a worker
        ("U-buf-cw", "CORE_TEAM", "userId"),  # a caseworker outside the team
        ("U-tovholder2", "COORDINATOR", "teamRole"),  # one coordinator at a time
        ("U-kff", "MAKKERPAR", "teamRole"),  # the makkerpar is two
        ("U-tovholder2", "MAKKERPAR", "userId"),  # a makkerpar worker belongs to a department
        ("U-kff", "BOSS", "teamRole"),
    ],
)
async def test_assign_bad_input(plan_world: PlanWorld, user_id: str, team_role: str, field: str) -> None:
    with pytest.raises(BadUserInput) as caught:
        await team.assign_team_member(
            plan_world.sessions, actor("coord"), family_id="F1", user_id=user_id, team_role=team_role
        )
    assert caught.value.extensions["field"] == field


async def test_team_changes_are_for_coordinators(plan_world: PlanWorld) -> None:
    s = plan_world.sessions
    with pytest.raises(Forbidden):  # a makkerpar worker sees the family but does not build its team
        await team.assign_team_member(s, actor("sof"), family_id="F1", user_id="U-kff", team_role="CORE_TEAM")
    with pytest.raises(NotFound):
        await team.assign_team_member(s, actor("kff"), family_id="F1", user_id="U-kff", team_role="CORE_TEAM")
    with pytest.raises(NotFound):
        await team.unassign_team_member(s, actor("coord"), assignment_id="nope")
    await team.unassign_team_member(s, actor("coord"), assignment_id="TA-bif")
    with pytest.raises(BadUserInput):
        await team.unassign_team_member(s, actor("coord"), assignment_id="TA-bif")
    with pytest.raises(BadUserInput) as caught:
        await team.unassign_team_member(s, actor("coord"), assignment_id="TA-sof", until=date(2025, 1, 1))
    assert caught.value.extensions["field"] == "until"


async def test_member_leaves_and_their_goals_stay_readable(plan_world: PlanWorld) -> None:
    s = plan_world.sessions
    goal = await goals.create_goal(
        s, actor("coord"), family_id="F1", expected_version=0, title="Job", person_id="P-FAR"
    )
    left = await membership.remove_family_member(
        s, actor("sof"), family_id="F1", person_id="P-FAR", reason="Flyttet", left_on=date(2026, 10, 31)
    )
    assert left.left_on == date(2026, 10, 31)
    assert left.leave_reason == "Flyttet"
    async with s() as session:
        plan = (await repository.plans(session, ["F1"]))["F1"]
        rows = (await repository.memberships(session, ["F1"]))["F1"]
        entries = await history.recent(session, "F1", 10)
    kept = next(g for g in plan.goals if g.id == goal.id)
    assert kept.person is not None
    assert kept.person.person_id == "P-FAR"
    assert not kept.person_is_member
    assert {m.person.person_id: m.left_on for m in rows}["P-FAR"] == date(2026, 10, 31)
    assert entries[0].change == "LEFT"
    assert entries[0].diff == {"left_on": "2026-10-31", "leave_reason": "set"}
    # He moves to another family; history stays with the first.
    joined = await membership.add_family_member(
        s,
        plan_world.vault,
        actor("coord"),
        family_id="F1",
        member_role=MemberRole.OTHER_ADULT,
        person_id="P-FAR",
    )
    assert joined.left_on is None
    assert joined.member_role is MemberRole.OTHER_ADULT


async def test_a_new_person_joins_by_cpr(plan_world: PlanWorld) -> None:
    new = membership.NewPerson(cpr="010195-1234", first_name="Yasmin", last_name="Testesen")
    joined = await membership.add_family_member(
        plan_world.sessions,
        plan_world.vault,
        actor("coord"),
        family_id="F1",
        member_role=MemberRole.OTHER_ADULT,
        new_person=new,
    )
    assert joined.person.first_name == "Yasmin"
    assert joined.person.birth_date == date(1995, 1, 1)
    async with plan_world.sessions() as session:
        entries = await history.recent(session, "F1", 1)
    assert "0101951234" not in str(entries[0].diff)
    assert "010195" not in entries[0].summary


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"person_id": "P-MOR"}, "memberId"),  # already a member
        ({"new_person": membership.NewPerson("0101851111", "A", "B")}, "cpr"),  # known CPR, already a member
        ({"new_person": membership.NewPerson("3102951234", "A", "B")}, "cpr"),  # no such date
        ({"new_person": membership.NewPerson("0101951234", "", "B")}, "firstName"),
        ({}, "cpr"),
        ({"person_id": "P-MOR", "joined_on": date(2027, 1, 1)}, "joinedOn"),
    ],
)
async def test_add_member_bad_input(plan_world: PlanWorld, kwargs: dict, field: str) -> None:
    with pytest.raises(BadUserInput) as caught:
        await membership.add_family_member(
            plan_world.sessions,
            plan_world.vault,
            actor("coord"),
            family_id="F1",
            member_role=MemberRole.CHILD,
            **kwargs,
        )
    assert caught.value.extensions["field"] == field


async def test_remove_member_errors(plan_world: PlanWorld) -> None:
    s = plan_world.sessions
    with pytest.raises(NotFound):
        await membership.remove_family_member(
            s, actor("coord"), family_id="F1", person_id="P-ANDEN", reason="x"
        )
    with pytest.raises(BadUserInput):
        await membership.remove_family_member(
            s, actor("coord"), family_id="F1", person_id="P-MOR", reason=" "
        )
    with pytest.raises(BadUserInput):
        await membership.remove_family_member(
            s, actor("coord"), family_id="F1", person_id="P-MOR", reason="x", left_on=date(2025, 1, 1)
        )
    with pytest.raises(Forbidden):
        await membership.remove_family_member(s, actor("mor"), family_id="F1", person_id="P-FAR", reason="x")


async def _refusal(plan_world: PlanWorld, **kwargs: object) -> dict[str, object]:
    with pytest.raises((BadUserInput, NotFound)) as caught:
        await membership.add_family_member(
            plan_world.sessions,
            plan_world.vault,
            actor("coord"),
            family_id="F1",
            member_role=MemberRole.OTHER_ADULT,
            **kwargs,  # type: ignore[arg-type]
        )
    return {"code": caught.value.code, "message": caught.value.message, **caught.value.extensions}


async def test_adding_by_cpr_never_tells_that_the_person_is_in_another_family(plan_world: PlanWorld) -> None:
    """#25.3: the CPR of a member of another family (ANDEN, F2) gets the answer a member of this family gets."""
    elsewhere = await _refusal(plan_world, new_person=membership.NewPerson("0404901117", "A", "B"))
    here = await _refusal(plan_world, new_person=membership.NewPerson("0101851111", "A", "B"))
    assert elsewhere == here
    assert elsewhere["code"] == "BAD_USER_INPUT"
    assert "another family" not in str(elsewhere)
    # By id, a person of another family is nobody the coordinator may see: as an id naming nobody.
    assert await _refusal(plan_world, person_id="P-ANDEN") == await _refusal(plan_world, person_id="P-NOBODY")
    # Each CPR attempt is audited as DENIED, for both families when the person is elsewhere.
    async with plan_world.sessions() as session:
        denied = (
            await session.execute(
                select(AuditEntry.family_id, AuditEntry.subject_person_id, AuditEntry.reason).where(
                    AuditEntry.decision == AuditDecision.DENIED
                )
            )
        ).all()
    assert sorted(tuple(row) for row in denied) == [
        ("F1", "P-ANDEN", "cpr_member_of_another_family"),
        ("F1", "P-MOR", "cpr_already_member"),
        ("F2", "P-ANDEN", "cpr_member_of_another_family"),
    ]
