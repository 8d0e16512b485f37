"""GraphQL types of the family action plan: thin converters from hub.plan's read models.

Member-level data in a `FamilyPlan` is filtered by the viewer's `PlanAccess` (a citizen sees family goals,
their own and their children's); nothing here decides access itself.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, cast

import strawberry
from strawberry.scalars import JSON

from hub.plan.access import PlanAccess
from hub.plan.domain import SdqRespondent
from hub.plan.views import (
    ActionView,
    CoreTeamView,
    GoalView,
    HistoryView,
    MeasurementView,
    MeetingView,
    MembershipView,
    PersonRef,
    TeamMemberView,
    WorkerView,
)
from schema.context import Info
from schema.core import DepartmentType, RoleType
from schema.family.types import MemberRoleType
from schema.plan import loaders

if TYPE_CHECKING:
    from schema.plan.voice import FamilyWords, LanguageNeed
    from schema.plan.withdrawn import WithdrawnConsentMark
from schema.plan.enums import (
    ActionStatusType,
    CoreTeamRole,
    CoreTeamRoleType,
    GoalScope,
    GoalStatusType,
    InstrumentType,
    MeetingStatusType,
    SdqRespondentType,
)


@strawberry.type(description="A worker on a family's core team (or who wrote or recorded something).")
class TeamWorker:
    id: strawberry.ID = strawberry.field(description="The worker's user id.")
    display_name: str = strawberry.field(description="The worker's name.")
    role: RoleType = strawberry.field(description="The worker's role in the hub.")  # type: ignore[valid-type]
    department: DepartmentType | None = strawberry.field(  # type: ignore[valid-type]
        description="The administration the worker belongs to."
    )
    unit: str = strawberry.field(description="The worker's unit.")

    @classmethod
    def of(cls, w: WorkerView | None) -> TeamWorker | None:
        if w is None:
            return None
        return cls(
            id=strawberry.ID(w.user_id),
            display_name=w.display_name,
            role=w.role,
            department=w.department,
            unit=w.unit,
        )


@strawberry.type(description="A family member as the plan names them.")
class PlanPerson:
    id: strawberry.ID = strawberry.field(description="The member's id (FamilyMember.id).")
    first_name: str = strawberry.field(description="First name.")
    last_name: str = strawberry.field(description="Last name.")

    @classmethod
    def of(cls, p: PersonRef) -> PlanPerson:
        return cls(id=strawberry.ID(p.person_id), first_name=p.first_name, last_name=p.last_name)


@strawberry.type(description="One assignment of a worker to a family's core team; history is kept.")
class CoreTeamMember:
    assignment_id: strawberry.ID = strawberry.field(description="Pass to unassignTeamMember.")
    worker: TeamWorker = strawberry.field(description="The worker.")
    team_role: CoreTeamRoleType = strawberry.field(description="Their role on this family's team.")  # type: ignore[valid-type]
    since: date = strawberry.field(description="First day on the team.")
    until: date | None = strawberry.field(description="Day they left the team (null: still on it).")

    @classmethod
    def of(cls, t: TeamMemberView) -> CoreTeamMember:
        worker = TeamWorker.of(t.worker)
        assert worker is not None  # noqa: S101 - a team member always has a worker
        return cls(
            assignment_id=strawberry.ID(t.assignment_id),
            worker=worker,
            team_role=CoreTeamRole(t.team_role),
            since=t.since,
            until=t.until,
        )


@strawberry.type(description="The family's core team (kerneteam): coordinator, makkerpar and other workers.")
class CoreTeam:
    view: strawberry.Private[CoreTeamView]
    today: strawberry.Private[date]

    @strawberry.field(description="The coordinator (tovholder), if assigned.")
    def coordinator(self) -> CoreTeamMember | None:
        found = [a for a in self.view.current(self.today) if a.team_role == CoreTeamRole.COORDINATOR]
        return CoreTeamMember.of(found[0]) if found else None

    @strawberry.field(description="The makkerpar: the family's fixed pair of contact persons.")
    def makkerpar(self) -> list[CoreTeamMember]:
        return [
            CoreTeamMember.of(a)
            for a in self.view.current(self.today)
            if a.team_role == CoreTeamRole.MAKKERPAR
        ]

    @strawberry.field(description="Whether the makkerpar is two workers from two different departments.")
    def makkerpar_spans_departments(self) -> bool:
        pair = [a for a in self.view.current(self.today) if a.team_role == CoreTeamRole.MAKKERPAR]
        return len(pair) == 2 and len({a.worker.department for a in pair}) == 2

    @strawberry.field(description="Everyone currently on the team, coordinator and makkerpar included.")
    def members(self) -> list[CoreTeamMember]:
        return [CoreTeamMember.of(a) for a in self.view.current(self.today)]

    @strawberry.field(description="Workers who were on the team before (the team's history).")
    def former(self) -> list[CoreTeamMember]:
        return [CoreTeamMember.of(a) for a in self.view.former(self.today)]


@strawberry.type(description="A progress note on a goal, with its author and time.")
class ProgressNote:
    id: strawberry.ID = strawberry.field(description="The note's id.")
    author: TeamWorker | None = strawberry.field(description="Who wrote it (null if the user was removed).")
    written_at: datetime = strawberry.field(description="When it was written.")
    text: str = strawberry.field(description="The note.")

    family_id_: strawberry.Private[str] = ""

    @strawberry.field(
        description="The withdrawn consents this note was obtained under (written while they were in force): "
        "it stays in the plan, marked so. Empty when none."
    )
    async def withdrawn_consents(
        self, info: Info
    ) -> list[Annotated[WithdrawnConsentMark, strawberry.lazy("schema.plan.withdrawn")]]:
        from schema.plan.withdrawn import withdrawn_consents

        return await withdrawn_consents(info, self.family_id_, str(self.id))


@strawberry.type(
    description="An action (indsats) under a goal: a department's service with a responsible worker."
)
class PlanAction:
    id: strawberry.ID = strawberry.field(description="The action's id.")
    goal_id: strawberry.ID = strawberry.field(description="The goal the action serves.")
    department: DepartmentType = strawberry.field(description="The administration delivering it.")  # type: ignore[valid-type]
    kind: str = strawberry.field(description="The kind of service, e.g. 'Familiebehandling (§32)', 'Mentor'.")
    description: str = strawberry.field(description="What the action is.")
    responsible: TeamWorker | None = strawberry.field(description="The responsible worker.")
    starts_on: date | None = strawberry.field(description="First day of the action; null until agreed.")
    ends_on: date | None = strawberry.field(
        description="Last day of the action; null while open-ended or not yet agreed."
    )
    status: ActionStatusType = strawberry.field(description="Where the action is.")  # type: ignore[valid-type]
    created_at: datetime = strawberry.field(description="When the action was added to the plan.")
    updated_at: datetime = strawberry.field(description="When the action last changed.")
    plan_version: int = strawberry.field(
        description="The plan's version: send it as `expectedVersion` to edit."
    )

    @classmethod
    def of(cls, a: ActionView) -> PlanAction:
        return cls(
            id=strawberry.ID(a.id),
            goal_id=strawberry.ID(a.goal_id),
            department=a.department,
            kind=a.kind,
            description=a.description,
            responsible=TeamWorker.of(a.responsible),
            starts_on=a.starts_on,
            ends_on=a.ends_on,
            status=a.status,
            created_at=a.created_at,
            updated_at=a.updated_at,
            plan_version=a.plan_version,
        )


@strawberry.type(
    description="A goal of the family action plan: for the whole family (member null) or one member."
)
class PlanGoal:
    id: strawberry.ID = strawberry.field(description="The goal's id.")
    member: PlanPerson | None = strawberry.field(
        description="The member the goal is for; null for the family."
    )
    member_has_left: bool = strawberry.field(
        description="The member has left the family; the goal stays readable as history."
    )
    title: str = strawberry.field(description="The goal in a few words, as the family and team agreed it.")
    description: str = strawberry.field(
        description="What the goal means in practice and how progress is judged; empty if not written."
    )
    departments: list[DepartmentType] = strawberry.field(description="Departments involved.")  # type: ignore[valid-type]
    target_date: date | None = strawberry.field(description="When the goal should be reached.")
    status: GoalStatusType = strawberry.field(description="Where the goal stands.")  # type: ignore[valid-type]
    progress_notes: list[ProgressNote] = strawberry.field(description="Progress notes, oldest first.")
    actions: list[PlanAction] = strawberry.field(description="Actions (indsatser) under the goal.")
    created_at: datetime = strawberry.field(description="When the goal was added to the plan.")
    updated_at: datetime = strawberry.field(description="When the goal last changed.")
    updated_by: TeamWorker | None = strawberry.field(
        description="Who last changed the goal (null if that user no longer exists in the hub)."
    )
    plan_version: int = strawberry.field(
        description="The plan's version: send it as `expectedVersion` to edit."
    )

    family_id_: strawberry.Private[str] = ""

    @strawberry.field(
        description="The goal in the family's own words, beside the team's (each member's latest wording the "
        "viewer may read; a 15-17-year-old's only with their consent). Write it with writeGoalWording."
    )
    async def family_wording(
        self, info: Info
    ) -> list[Annotated[FamilyWords, strawberry.lazy("schema.plan.voice")]]:
        from hub.plan.voice_policy import VoiceKind
        from schema.plan.voice import goal_voice

        return await goal_voice(info, self.family_id_, str(self.id), VoiceKind.GOAL_WORDING)

    @strawberry.field(
        description="The family's own progress notes on the goal (addFamilyNote), oldest first."
    )
    async def family_notes(
        self, info: Info
    ) -> list[Annotated[FamilyWords, strawberry.lazy("schema.plan.voice")]]:
        from hub.plan.voice_policy import VoiceKind
        from schema.plan.voice import goal_voice

        return await goal_voice(info, self.family_id_, str(self.id), VoiceKind.NOTE)

    @strawberry.field(
        description="The withdrawn consents this goal was obtained under (written while they were in force): "
        "it stays in the plan, marked so. Empty when none."
    )
    async def withdrawn_consents(
        self, info: Info
    ) -> list[Annotated[WithdrawnConsentMark, strawberry.lazy("schema.plan.withdrawn")]]:
        from schema.plan.withdrawn import withdrawn_consents

        return await withdrawn_consents(info, self.family_id_, str(self.id))

    @strawberry.field(
        description="Whether the goal is an exit criterion: reaching it is part of ending the course well "
        "(setExitCriterion)."
    )
    async def exit_criterion(self, info: Info) -> bool:
        from schema.outcomes.fields import exit_criterion

        return await exit_criterion(info, str(self.id))

    @classmethod
    def of(cls, g: GoalView) -> PlanGoal:
        return cls(
            id=strawberry.ID(g.id),
            member=PlanPerson.of(g.person) if g.person else None,
            member_has_left=not g.person_is_member,
            title=g.title,
            description=g.description,
            departments=list(g.departments),
            target_date=g.target_date,
            status=g.status,
            progress_notes=[
                ProgressNote(
                    id=strawberry.ID(n.id),
                    author=TeamWorker.of(n.author),
                    written_at=n.written_at,
                    text=n.text,
                    family_id_=g.family_id,
                )
                for n in g.notes
            ],
            actions=[PlanAction.of(a) for a in g.actions],
            created_at=g.created_at,
            updated_at=g.updated_at,
            updated_by=TeamWorker.of(g.updated_by),
            plan_version=g.plan_version,
            family_id_=g.family_id,
        )


@strawberry.type(description="A meeting participant: a family member or a worker.")
class MeetingParticipant:
    member: PlanPerson | None = strawberry.field(
        description="The family member taking part; null when the participant is a worker."
    )
    worker: TeamWorker | None = strawberry.field(
        description="The worker taking part; null when the participant is a family member (or the worker's "
        "user was removed)."
    )


@strawberry.type(description="An action created or changed at a meeting.")
class MeetingActionChange:
    action_id: strawberry.ID = strawberry.field(description="The action (PlanAction.id) created or changed.")
    change: str = strawberry.field(description="CREATED or UPDATED.")


@strawberry.type(
    description="A follow-up meeting (familiehandleplansmøde); its minutes act as the steering plan."
)
class PlanMeeting:
    id: strawberry.ID = strawberry.field(description="The meeting's id.")
    scheduled_at: datetime = strawberry.field(description="When it takes (or took) place.")
    location: str = strawberry.field(
        description="Where it takes place (free text, e.g. the family's home); empty if not given."
    )
    status: MeetingStatusType = strawberry.field(  # type: ignore[valid-type]
        description="SCHEDULED, HELD once its minutes are recorded, or CANCELLED (with a reason)."
    )
    agenda: list[str] = strawberry.field(description="The agenda items, in order.")
    chair: TeamWorker | None = strawberry.field(description="Who chairs the meeting.")
    participants: list[MeetingParticipant] = strawberry.field(
        description="Who is invited (SCHEDULED) or who attended (HELD): family members and workers."
    )
    minutes: str | None = strawberry.field(description="The minutes, once recorded.")
    decisions: list[str] = strawberry.field(
        description="Decisions recorded with the minutes, in order; empty until then."
    )
    next_meeting_at: datetime | None = strawberry.field(description="The next meeting agreed at this one.")
    action_changes: list[MeetingActionChange] = strawberry.field(
        description="Actions created or changed here."
    )
    minutes_recorded_by: TeamWorker | None = strawberry.field(
        description="Who recorded the minutes; null until recorded (or if that user was removed)."
    )
    minutes_recorded_at: datetime | None = strawberry.field(
        description="When the minutes were recorded; null until then."
    )
    plan_version: int = strawberry.field(description="The plan's version: send it as `expectedVersion`.")
    cancelled_at: datetime | None = strawberry.field(
        default=None, description="When the meeting was cancelled; null unless CANCELLED."
    )
    cancel_reason: str | None = strawberry.field(
        default=None, description="Why the meeting was cancelled; null unless CANCELLED."
    )
    family_id_: strawberry.Private[str] = ""
    participant_ids_: strawberry.Private[tuple[str, ...]] = ()

    @strawberry.field(
        description="Who needs an interpreter at this meeting: family participants (every current member if "
        "none are named) whose interpreter need covers plan meetings (setLanguageNeed)."
    )
    async def interpreter_needs(
        self, info: Info
    ) -> list[Annotated[LanguageNeed, strawberry.lazy("schema.plan.voice")]]:
        from schema.plan.voice import interpreter_needs

        return await interpreter_needs(info, self.family_id_, list(self.participant_ids_))

    @strawberry.field(
        description="The family's own words on this meeting's decisions (addFamilyNote with meetingId), beside "
        "the minutes, as the viewer may read them."
    )
    async def family_notes(
        self, info: Info
    ) -> list[Annotated[FamilyWords, strawberry.lazy("schema.plan.voice")]]:
        from schema.plan.voice import meeting_notes

        return await meeting_notes(info, self.family_id_, str(self.id))

    @strawberry.field(
        description="Children's views given at this meeting (recordChildView), as the viewer may read."
    )
    async def child_views(
        self, info: Info
    ) -> list[Annotated[FamilyWords, strawberry.lazy("schema.plan.voice")]]:
        from schema.plan.voice import child_views

        return await child_views(info, self.family_id_, str(self.id))

    @strawberry.field(
        description="The withdrawn consents the minutes were obtained under (recorded while they were in "
        "force): they stay, marked so. Empty when none."
    )
    async def withdrawn_consents(
        self, info: Info
    ) -> list[Annotated[WithdrawnConsentMark, strawberry.lazy("schema.plan.withdrawn")]]:
        from schema.plan.withdrawn import withdrawn_consents

        return await withdrawn_consents(info, self.family_id_, str(self.id))

    @classmethod
    def of(cls, m: MeetingView) -> PlanMeeting:
        return cls(
            cancelled_at=m.cancelled_at,
            cancel_reason=m.cancel_reason,
            id=strawberry.ID(m.id),
            scheduled_at=m.scheduled_at,
            location=m.location,
            status=m.status,
            agenda=list(m.agenda),
            chair=TeamWorker.of(m.chair),
            participants=[
                MeetingParticipant(
                    member=PlanPerson.of(p.person) if p.person else None, worker=TeamWorker.of(p.worker)
                )
                for p in m.participants
            ],
            minutes=m.minutes,
            decisions=list(m.decisions),
            next_meeting_at=m.next_meeting_at,
            action_changes=[
                MeetingActionChange(action_id=strawberry.ID(c.action_id), change=c.change)
                for c in m.action_changes
            ],
            minutes_recorded_by=TeamWorker.of(m.minutes_recorded_by),
            minutes_recorded_at=m.minutes_recorded_at,
            plan_version=m.plan_version,
            family_id_=m.family_id,
            participant_ids_=tuple(p.person.person_id for p in m.participants if p.person is not None),
        )


@strawberry.type(description="A wellbeing measurement of one member (trivselsmåling).")
class WellbeingMeasurement:
    id: strawberry.ID = strawberry.field(description="The measurement's id.")
    member: PlanPerson = strawberry.field(description="The family member measured.")
    instrument: InstrumentType = strawberry.field(  # type: ignore[valid-type]
        description="The instrument used; it decides the score's scale."
    )
    score: float = strawberry.field(
        description="The score on the instrument's scale: WHO5 0-100 (higher is better), SDQ total "
        "difficulties 0-40 (lower is better), ORS/CORS 0-40 (higher is better)."
    )
    respondent: SdqRespondentType | None = strawberry.field(description="SDQ only: who answered.")  # type: ignore[valid-type]
    subscales: JSON | None = strawberry.field(description="SDQ only: subscale scores by name, if recorded.")
    measured_on: date = strawberry.field(description="The day the measurement was taken.")
    recorded_by: TeamWorker | None = strawberry.field(
        description="The worker who recorded it (null if that user was removed)."
    )
    recorded_at: datetime = strawberry.field(description="When it was recorded in the hub.")
    signals_risk: bool = strawberry.field(
        description="In the instrument's risk range (WHO5 ≤ 50; ORS < 25 adults, < 28 ages 13-17; CORS < 32; "
        "SDQ total in the 'high' band: parent 17+, teacher 16+, self 18+)."
    )
    note: str = strawberry.field(description="The worker's note on the measurement; empty if none.")
    self_reported: bool = strawberry.field(
        default=False,
        description="Answered and recorded by the family member themselves (recordSelfReport), not a worker.",
    )

    @classmethod
    def of(cls, m: MeasurementView) -> WellbeingMeasurement:
        return cls(
            id=strawberry.ID(m.id),
            member=PlanPerson.of(m.person),
            instrument=m.instrument,
            score=m.score,
            respondent=SdqRespondent(m.respondent) if m.respondent else None,
            subscales=cast(JSON, m.subscales),
            measured_on=m.measured_on,
            recorded_by=TeamWorker.of(m.recorded_by),
            recorded_at=m.recorded_at,
            signals_risk=m.signals_risk,
            note=m.note,
            self_reported=m.self_reported,
        )


@strawberry.type(description="A person's membership of a family over time.")
class FamilyMembership:
    id: strawberry.ID = strawberry.field(description="The membership's id.")
    member: PlanPerson = strawberry.field(description="The person.")
    member_role: MemberRoleType = strawberry.field(description="Their place in the family.")  # type: ignore[valid-type]
    joined_on: date = strawberry.field(description="The day they joined the family.")
    left_on: date | None = strawberry.field(
        description="The day they left the family; null while a current member."
    )
    leave_reason: str | None = strawberry.field(
        description="Why they left (free text); null while a current member."
    )

    @classmethod
    def of(cls, m: MembershipView) -> FamilyMembership:
        return cls(
            id=strawberry.ID(m.membership_id),
            member=PlanPerson.of(m.person),
            member_role=m.member_role,
            joined_on=m.joined_on,
            left_on=m.left_on,
            leave_reason=m.leave_reason,
        )


@strawberry.type(description="One change in the family's history: who changed what, and when.")
class PlanHistoryEntry:
    id: strawberry.ID = strawberry.field(description="The entry's id.")
    occurred_at: datetime = strawberry.field(description="When the change was made.")
    actor: TeamWorker | None = strawberry.field(
        description="Who made the change (null if that user no longer exists in the hub)."
    )
    entity: str = strawberry.field(description="GOAL, ACTION, MEETING, MEASUREMENT, TEAM, MEMBERSHIP, ...")
    entity_id: strawberry.ID = strawberry.field(
        description="The id of the changed goal, action, meeting, measurement, assignment or membership."
    )
    change: str = strawberry.field(description="CREATED, UPDATED, SCHEDULED, MINUTES_RECORDED, ASSIGNED, ...")
    member_id: strawberry.ID | None = strawberry.field(
        description="The member concerned; null for the family."
    )
    plan_version: int | None = strawberry.field(
        description="The plan's version after a versioned edit (goals, actions, minutes); null for appends "
        "such as notes, measurements, team and membership changes."
    )
    summary: str = strawberry.field(
        description="A one-line human-readable summary of the change (at most 300 characters)."
    )
    diff: JSON = strawberry.field(
        description="The changed fields: {field: [old, new]} (free text only marked)."
    )

    @classmethod
    def of(cls, h: HistoryView) -> PlanHistoryEntry:
        return cls(
            id=strawberry.ID(h.id),
            occurred_at=h.occurred_at,
            actor=TeamWorker.of(h.actor),
            entity=h.entity,
            entity_id=strawberry.ID(h.entity_id),
            change=h.change,
            member_id=strawberry.ID(h.person_id) if h.person_id else None,
            plan_version=h.plan_version,
            summary=h.summary,
            diff=cast(JSON, h.diff),
        )


@strawberry.type(
    description="The family action plan (familiehandleplan): goals, actions, meetings, measurements."
)
class FamilyPlan:
    access: strawberry.Private[PlanAccess]
    family_id_: strawberry.Private[str]

    @strawberry.field(description="The family's id.")
    def family_id(self) -> strawberry.ID:
        return strawberry.ID(self.family_id_)

    @strawberry.field(
        description="The plan's version (0: nothing planned yet). Send it as `expectedVersion`."
    )
    async def version(self, info: Info) -> int:
        return (await loaders.plans(info).load(self.family_id_)).version

    @strawberry.field(description="When the plan last changed.")
    async def updated_at(self, info: Info) -> datetime | None:
        return (await loaders.plans(info).load(self.family_id_)).updated_at

    @strawberry.field(description="Goals the viewer may see: the family's first, then members'.")
    async def goals(
        self,
        info: Info,
        scope: Annotated[
            GoalScope, strawberry.argument(description="Family goals, member goals, or both.")
        ] = GoalScope.ALL,
        member_id: Annotated[
            strawberry.ID | None,
            strawberry.argument(
                description="Only this member's goals (FamilyMember.id); null for everyone's."
            ),
        ] = None,
    ) -> list[PlanGoal]:
        plan = await loaders.plans(info).load(self.family_id_)
        out = []
        for g in plan.goals:
            if not self.access.sees_person(g.person_id):
                continue
            if scope is GoalScope.FAMILY and g.person is not None:
                continue
            if scope is GoalScope.MEMBERS and g.person is None:
                continue
            if member_id is not None and g.person_id != str(member_id):
                continue
            out.append(PlanGoal.of(g))
        return out

    @strawberry.field(
        description="Children's views (10-17) the viewer may read: written by the young person or recorded by "
        "the team as the child's; a 15-17-year-old's reach a parent only with their consent."
    )
    async def child_views(
        self, info: Info
    ) -> list[Annotated[FamilyWords, strawberry.lazy("schema.plan.voice")]]:
        from schema.plan.voice import child_views

        return await child_views(info, self.family_id_)

    @strawberry.field(description="Current members' language and interpreter needs (setLanguageNeed).")
    async def language_needs(
        self, info: Info
    ) -> list[Annotated[LanguageNeed, strawberry.lazy("schema.plan.voice")]]:
        from schema.plan.voice import family_language_needs

        return await family_language_needs(info, self.family_id_)

    @strawberry.field(description="The family's core team.")
    async def core_team(self, info: Info) -> CoreTeam:
        return CoreTeam(view=await loaders.teams(info).load(self.family_id_), today=info.context.now.date())

    @strawberry.field(description="All follow-up meetings, oldest first.")
    async def meetings(self, info: Info) -> list[PlanMeeting]:
        return [PlanMeeting.of(m) for m in await loaders.meetings(info).load(self.family_id_)]

    @strawberry.field(
        description="The latest meeting with minutes: its minutes are the current steering plan."
    )
    async def latest_meeting(self, info: Info) -> PlanMeeting | None:
        found = await loaders.latest_meeting(info, self.family_id_)
        return PlanMeeting.of(found) if found else None

    @strawberry.field(description="The next scheduled meeting from now.")
    async def next_meeting(self, info: Info) -> PlanMeeting | None:
        found = await loaders.next_meeting(info, self.family_id_)
        return PlanMeeting.of(found) if found else None

    @strawberry.field(description="Wellbeing measurements the viewer may see, by member and date.")
    async def measurements(
        self,
        info: Info,
        member_id: Annotated[
            strawberry.ID | None,
            strawberry.argument(
                description="Only this member's measurements (FamilyMember.id); null for all."
            ),
        ] = None,
        instrument: Annotated[
            InstrumentType | None,  # type: ignore[valid-type]
            strawberry.argument(description="Only this instrument; null for all."),
        ] = None,
    ) -> list[WellbeingMeasurement]:
        rows = await loaders.measurements(info).load(self.family_id_)
        return [
            WellbeingMeasurement.of(m)
            for m in rows
            if self.access.sees_person(m.person.person_id)
            and (member_id is None or m.person.person_id == str(member_id))
            and (instrument is None or m.instrument is instrument)
        ]

    @strawberry.field(description="The plan's history, newest first (who changed what, and when).")
    async def history(
        self,
        info: Info,
        limit: Annotated[
            int,
            strawberry.argument(
                description="How many of the newest entries (values outside 1-200 are clamped)."
            ),
        ] = 50,
    ) -> list[PlanHistoryEntry]:
        return [PlanHistoryEntry.of(h) for h in await loaders.history(info, self.access, limit)]
