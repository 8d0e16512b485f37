"""Family, FamilyMember and their department sections. Thin: every value comes from a hub service.

Every department section goes through `SectionService` (hub/family/sections.py), which asks the gate first.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date
from typing import TYPE_CHECKING, Annotated, TypeVar

import strawberry

from connectors import records as r
from hub.cpr import mask
from hub.days import local_day
from hub.domain import Department, District, FamilyStatus
from hub.family.model import FamilyInfo, MemberInfo
from hub.family.sections import Section, SectionStatus
from schema.context import Info
from schema.core import DepartmentType, MemberRoleType
from schema.enum_values import described_enum
from schema.family.sections import (
    ChildAndYouthSection,
    EmploymentSection,
    HealthSection,
    LeisureSection,
    SocialSection,
    load_section,
    section_error,
    selected_departments,
    source_of,
)
from schema.ingestion.timeline import family_timeline
from schema.ingestion.types import TimelineEntryType
from schema.loaders import family_members, gate, log_identity_reads, section_service, show_full_cpr

if TYPE_CHECKING:
    from schema.agenda.types import AgendaItemType, ConflictType, FamilyContact
    from schema.outcomes.types import HandOverType, OutcomeSnapshotType
    from schema.plan.types import (
        CoreTeam,
        CoreTeamMember,
        FamilyPlan,
        PlanAction,
        PlanGoal,
        PlanMeeting,
        WellbeingMeasurement,
    )
    from schema.signals.types import SignalType

_T = TypeVar("_T")

# The plan's types live in schema/plan (which never imports schema/family): referenced lazily, so that loading the
# family view does not load the plan's modules.
_PLAN = "schema.plan.types"
_SIGNALS = "schema.signals.types"
_OUTCOMES = "schema.outcomes.types"
_AGENDA = "schema.agenda.types"

DistrictType = described_enum(
    District,
    description="The programme's city districts.",
    values={
        District.NORREBRO: "Nørrebro (Mjølnerparken, Aldersrogade, Lundtoftegade, Blågården).",
        District.BISPEBJERG: "Bispebjerg (Stærevej, Bispeparken, Bispevænget, Degnegården).",
    },
)
FamilyStatusType = described_enum(
    FamilyStatus,
    description="Where a family stands in the programme: REFERRED, WAITLISTED, ACTIVE (enrolled and "
    "followed), "
    "CLOSED (closed or handed over).",
    values={
        FamilyStatus.REFERRED: "Referred to the programme, eligibility not yet settled.",
        FamilyStatus.WAITLISTED: "Eligible, waiting for a place.",
        FamilyStatus.ACTIVE: "Enrolled and followed by its core team.",
        FamilyStatus.CLOSED: "Closed, or handed over to ordinary services.",
    },
)


def _social(s: Section) -> SocialSection:
    rec = s.record if isinstance(s.record, r.SocialRecord) else None
    return SocialSection(status=s.status, source=source_of(s), record=rec, health_withheld=bool(s.withheld))


def _employment(s: Section) -> EmploymentSection:
    rec = s.record if isinstance(s.record, r.EmploymentRecord) else None
    return EmploymentSection(status=s.status, source=source_of(s), record=rec)


def _child_and_youth(s: Section) -> ChildAndYouthSection:
    rec = s.record if isinstance(s.record, r.ChildYouthRecord) else None
    return ChildAndYouthSection(
        status=s.status, source=source_of(s), record=rec, health_withheld=bool(s.withheld)
    )


def _leisure(s: Section) -> LeisureSection:
    rec = s.record if isinstance(s.record, r.LeisureRecord) else None
    return LeisureSection(status=s.status, source=source_of(s), record=rec)


def _health(s: Section) -> HealthSection:
    rec = s.record if isinstance(s.record, r.HealthRecord) else None
    return HealthSection(status=s.status, source=source_of(s), record=rec, health_withheld=bool(s.withheld))


@strawberry.federation.type(keys=["id"], description="A member of an HFI family (familiemedlem).")
class FamilyMember:
    member: strawberry.Private[MemberInfo]

    @strawberry.field(description="The member's id in the hub (stable across families).")
    def id(self) -> strawberry.ID:
        return strawberry.ID(self.member.person_id)

    @strawberry.field(description="The id of the family the member currently belongs to.")
    def family_id(self) -> strawberry.ID:
        return strawberry.ID(self.member.family_id)

    @strawberry.field(description="PARENT, CHILD or OTHER_ADULT.")
    def role(self) -> MemberRoleType:  # type: ignore[valid-type]
        return self.member.member_role

    @strawberry.field(description="First name.")
    def first_name(self) -> str:
        return self.member.first_name

    @strawberry.field(description="Last name.")
    def last_name(self) -> str:
        return self.member.last_name

    @strawberry.field(description="Full name.")
    def name(self) -> str:
        return f"{self.member.first_name} {self.member.last_name}"

    @strawberry.field(description="Date of birth.")
    def birth_date(self) -> date:
        return self.member.birth_date

    @strawberry.field(description="Age in whole years today.")
    def age(self, info: Info) -> int:
        return self.member.age(local_day(info.context.now))

    @strawberry.field(
        description="CPR number: in full (DDMMYY-SSSS) only for roles that need it, otherwise masked "
        "(DDMMYY-XXXX).",
        graphql_type=str,
    )
    def cpr(self, info: Info) -> str | Awaitable[str]:
        # Synchronous when the viewer's facts about the member are loaded (they are, on the family view):
        # no coroutine, no task per member.
        full = gate(info.context).full_cpr_known(self.member)
        if full is None:
            return self._cpr_later(info)
        return self._cpr(full)

    def _cpr(self, full: bool) -> str:
        digits = self.member.cpr
        return f"{digits[:6]}-{digits[6:]}" if full else mask(digits)

    async def _cpr_later(self, info: Info) -> str:
        return self._cpr(await show_full_cpr(info, self.member))

    def _section(
        self, info: Info, department: Department, build: Callable[[Section], _T]
    ) -> _T | Awaitable[_T]:
        """The section built now when this request already answered it (`Family.members` waits for all of
        them at once), else a coroutine that waits for it."""
        done = section_service(info).ready(self.member, department)
        if done is None:
            return self._section_later(info, department, build)
        section_error(info, self.member, done)
        return build(done)

    async def _section_later(self, info: Info, department: Department, build: Callable[[Section], _T]) -> _T:
        return build(await load_section(info, self.member, department))

    @strawberry.field(description="Social services (SOF) section.", graphql_type=SocialSection)
    def social(self, info: Info) -> SocialSection | Awaitable[SocialSection]:
        return self._section(info, Department.SOF, _social)

    @strawberry.field(description="Employment and benefits (BIF) section.", graphql_type=EmploymentSection)
    def employment(self, info: Info) -> EmploymentSection | Awaitable[EmploymentSection]:
        return self._section(info, Department.BIF, _employment)

    @strawberry.field(description="Children and youth (BUF) section.", graphql_type=ChildAndYouthSection)
    def child_and_youth(self, info: Info) -> ChildAndYouthSection | Awaitable[ChildAndYouthSection]:
        return self._section(info, Department.BUF, _child_and_youth)

    @strawberry.field(description="Culture and leisure (KFF) section.", graphql_type=LeisureSection)
    def leisure(self, info: Info) -> LeisureSection | Awaitable[LeisureSection]:
        return self._section(info, Department.KFF, _leisure)

    @strawberry.field(description="Health and care (SUF) section.", graphql_type=HealthSection)
    def health(self, info: Info) -> HealthSection | Awaitable[HealthSection]:
        return self._section(info, Department.SUF, _health)

    @strawberry.field(
        description="The member's agenda: their dated items from the departments the viewer may see and the "
        "plan, with the family's own (plan meetings); `days` 1-92 from `from` (default today). Computed only when "
        "selected."
    )
    async def agenda(
        self,
        info: Info,
        start: Annotated[
            date | None, strawberry.argument(name="from", description="First day (default: today).")
        ] = None,
        days: Annotated[int, strawberry.argument(description="Days from `from`, 1-92.")] = 28,
    ) -> list[Annotated[AgendaItemType, strawberry.lazy(_AGENDA)]]:
        from schema.agenda import fields

        window = fields.Window.of(info, start, days)
        return await fields.member_agenda(info, self.member.family_id, self.member.person_id, window)

    @strawberry.field(description="The member's goals in the family action plan (empty if not visible).")
    async def goals(self, info: Info) -> list[Annotated[PlanGoal, strawberry.lazy(_PLAN)]]:
        from schema.plan import fields

        return await fields.member_goals(info, self.member.family_id, self.member.person_id)

    @strawberry.field(description="Actions (indsatser) under the member's goals.")
    async def actions(self, info: Info) -> list[Annotated[PlanAction, strawberry.lazy(_PLAN)]]:
        from schema.plan import fields

        return await fields.member_actions(info, self.member.family_id, self.member.person_id)

    @strawberry.field(description="The member's wellbeing measurements over time (WHO-5, SDQ, ORS, CORS).")
    async def measurements(self, info: Info) -> list[Annotated[WellbeingMeasurement, strawberry.lazy(_PLAN)]]:
        from schema.plan import fields

        return await fields.member_measurements(info, self.member.family_id, self.member.person_id)

    @classmethod
    async def resolve_reference(cls, info: Info, id: strawberry.ID) -> FamilyMember | None:
        from schema.family.queries import load_member

        return await load_member(info, str(id))


@strawberry.type(description="Open cases the family has in one department, from live data.")
class DepartmentCases:
    department: DepartmentType = strawberry.field(description="The department.")  # type: ignore[valid-type]
    open_cases: int = strawberry.field(description="Open cases across the family's members.")
    members_registered: int = strawberry.field(description="Members the department has a record of.")


@strawberry.type(description="A short overview a front-end can show at the top of the family page.")
class FamilySummary:
    headline: str = strawberry.field(description="One line: the family, size, district and status.")
    members: int = strawberry.field(description="Current members.")
    children: int = strawberry.field(description="Current members under 18.")
    departments_involved: list[DepartmentType] = strawberry.field(  # type: ignore[valid-type]
        description="Departments with a record of at least one visible member."
    )
    open_cases: int = strawberry.field(description="Open cases across all visible departments.")
    unavailable_departments: list[DepartmentType] = strawberry.field(  # type: ignore[valid-type]
        description="Departments that could not answer just now."
    )
    unlawful_absence_children: int = strawberry.field(
        description="Children with 15 %+ unlawful school absence."
    )


@strawberry.federation.type(keys=["id"], description="A family in the HFI programme (one family, one plan).")
class Family:
    info_: strawberry.Private[FamilyInfo]

    @strawberry.field(description="The family's id in the hub.")
    def id(self) -> strawberry.ID:
        return strawberry.ID(self.info_.id)

    @strawberry.field(description="The family's name as used on lists (e.g. 'Familien Hansen').")
    def name(self) -> str:
        return self.info_.display_name

    @strawberry.field(description="The city district (bydel): Nørrebro or Bispebjerg.")
    def district(self) -> DistrictType:  # type: ignore[valid-type]
        return self.info_.district

    @strawberry.field(description="The housing area (boligområde), e.g. Mjølnerparken.")
    def housing_area(self) -> str:
        return self.info_.housing_area

    @strawberry.field(description="Where the family is in the programme.")
    def status(self) -> FamilyStatusType:  # type: ignore[valid-type]
        return self.info_.status

    @strawberry.field(description="Who referred the family (e.g. a housing-social plan, the school).")
    def referral_source(self) -> str:
        return self.info_.referral_source

    @strawberry.field(description="When the family was referred.")
    def referred_on(self) -> date:
        return self.info_.referred_on

    @strawberry.field(description="When the family was enrolled, if it is.")
    def enrolled_on(self) -> date | None:
        return self.info_.enrolled_on

    @strawberry.field(description="When the family's course was closed, if it is.")
    def closed_on(self) -> date | None:
        return self.info_.closed_on

    @strawberry.field(
        description="The family record's version (optimistic concurrency): send it as `expectedVersion` when "
        "enrolling or closing the family; a stale value is answered with CONFLICT."
    )
    def version(self) -> int:
        return self.info_.version

    @strawberry.field(
        description="The family's current members the viewer may see: a caseworker sees only the persons on "
        "their caseload (the summary still counts every member)."
    )
    async def members(self, info: Info) -> list[FamilyMember]:
        members = await section_service(info).gate.visible_members(await family_members(info, self.info_.id))
        log_identity_reads(info, members)
        departments = selected_departments(info)
        if departments:
            # Wait here for every section the members' fields select (their department calls run already, all
            # at once): the member fields then resolve synchronously, without a coroutine and a task each.
            await section_service(info).resolve(members, departments)
        return [FamilyMember(member=m) for m in members]

    @strawberry.field(
        description="Departments with a record of at least one member the viewer may see (live data)."
    )
    async def departments_involved(self, info: Info) -> list[DepartmentType]:  # type: ignore[valid-type]
        return [c.department for c in await self._cases(info) if c.members_registered > 0]

    @strawberry.field(description="Open cases per department across the family's members (live data).")
    async def open_cases(self, info: Info) -> list[DepartmentCases]:
        return await self._cases(info)

    @strawberry.field(
        description="Recent changes, newest first: department updates the viewer may see (consent-filtered) "
        "and plan edits. `last` is 1-100."
    )
    async def timeline(
        self,
        info: Info,
        last: Annotated[int, strawberry.argument(description="How many of the newest entries, 1-100.")] = 20,
    ) -> list[TimelineEntryType]:
        return await family_timeline(info, self.info_.id, last)

    @strawberry.field(
        description="The family action plan (familiehandleplan); null if not the viewer's to read."
    )
    async def plan(self, info: Info) -> Annotated[FamilyPlan, strawberry.lazy(_PLAN)] | None:
        from schema.plan import fields

        return await fields.readable_plan(info, self.info_.id)

    @strawberry.field(description="The family's core team (kerneteam); null if the plan is not the viewer's.")
    async def core_team(self, info: Info) -> Annotated[CoreTeam, strawberry.lazy(_PLAN)] | None:
        from schema.plan import fields

        return await fields.core_team(info, self.info_.id)

    @strawberry.field(description="The coordinator (tovholder) who drives the family's course.")
    async def coordinator(self, info: Info) -> Annotated[CoreTeamMember, strawberry.lazy(_PLAN)] | None:
        from schema.plan import fields

        return await fields.coordinator(info, self.info_.id)

    @strawberry.field(description="The makkerpar: the family's fixed pair of contact persons.")
    async def makkerpar(self, info: Info) -> list[Annotated[CoreTeamMember, strawberry.lazy(_PLAN)]]:
        from schema.plan import fields

        return await fields.makkerpar(info, self.info_.id)

    @strawberry.field(description="The latest follow-up meeting with minutes (the current steering plan).")
    async def latest_meeting(self, info: Info) -> Annotated[PlanMeeting, strawberry.lazy(_PLAN)] | None:
        from schema.plan import fields

        return await fields.latest(info, self.info_.id)

    @strawberry.field(description="The next scheduled follow-up meeting.")
    async def next_meeting(self, info: Info) -> Annotated[PlanMeeting, strawberry.lazy(_PLAN)] | None:
        from schema.plan import fields

        return await fields.next_meeting(info, self.info_.id)

    @strawberry.field(description="All follow-up meetings (familiehandleplansmøder), oldest first.")
    async def meetings(self, info: Info) -> list[Annotated[PlanMeeting, strawberry.lazy(_PLAN)]]:
        from schema.plan import fields

        return await fields.family_meetings(info, self.info_.id)

    @strawberry.field(
        description="Early signals about the family and its members (schema/signals), decided for the viewer; "
        "computed only when selected."
    )
    async def signals(
        self,
        info: Info,
        include_acknowledged: Annotated[
            bool, strawberry.argument(description="Also signals the team has acknowledged.")
        ] = True,
    ) -> list[Annotated[SignalType, strawberry.lazy(_SIGNALS)]]:
        from schema.signals import fields

        return await fields.family_signals(info, self.info_.id, include_acknowledged=include_acknowledged)

    @strawberry.field(
        description="The hand-over record of the family's closed course (receiving unit, summary, continuing "
        "goals, when the family was told); null if none, or if the plan is not the viewer's to read."
    )
    async def hand_over(self, info: Info) -> Annotated[HandOverType, strawberry.lazy(_OUTCOMES)] | None:
        from schema.outcomes.fields import family_handover

        return await family_handover(info, self.info_.id)

    @strawberry.field(
        description="Outcome snapshots per member at enrolment, each half year and closure (employment, "
        "activation, school absence, concern reports, investigations, wellbeing), oldest first; as the plan's "
        "access shows members."
    )
    async def outcomes(self, info: Info) -> list[Annotated[OutcomeSnapshotType, strawberry.lazy(_OUTCOMES)]]:
        from schema.outcomes.fields import family_outcomes

        return await family_outcomes(info, self.info_.id)

    @strawberry.field(
        description="The family's agenda: every dated item (appointments, deadlines, visits, starts) from the "
        "departments the viewer may see (health items only with a health basis) and the plan's actions and "
        "meetings, in time order; `days` 1-92 from `from` (default today). Computed only when selected."
    )
    async def agenda(
        self,
        info: Info,
        start: Annotated[
            date | None, strawberry.argument(name="from", description="First day (default: today).")
        ] = None,
        days: Annotated[int, strawberry.argument(description="Days from `from`, 1-92.")] = 28,
    ) -> list[Annotated[AgendaItemType, strawberry.lazy(_AGENDA)]]:
        from schema.agenda import fields

        return await fields.family_agenda(info, self.info_.id, fields.Window.of(info, start, days))

    @strawberry.field(
        description="Clashes in the family's agenda (same window as `agenda`), each with a reason the team can "
        "act on and the team's acknowledgements. Computed only when selected."
    )
    async def conflicts(
        self,
        info: Info,
        start: Annotated[
            date | None, strawberry.argument(name="from", description="First day (default: today).")
        ] = None,
        days: Annotated[int, strawberry.argument(description="Days from `from`, 1-92.")] = 28,
        include_acknowledged: Annotated[
            bool, strawberry.argument(description="Also conflicts the team has acknowledged.")
        ] = True,
    ) -> list[Annotated[ConflictType, strawberry.lazy(_AGENDA)]]:
        from schema.agenda import fields

        window = fields.Window.of(info, start, days)
        return await fields.family_conflicts(
            info, self.info_.id, window, include_acknowledged=include_acknowledged
        )

    @strawberry.field(
        description="Every municipal person the family deals with (core team, and the contacts in the "
        "departments' records the viewer may see), de-duplicated, makkerpar first."
    )
    async def contacts(self, info: Info) -> list[Annotated[FamilyContact, strawberry.lazy(_AGENDA)]]:
        from schema.agenda import fields

        return await fields.contacts(info, self.info_.id)

    @strawberry.field(description="A short overview for the top of the family page.")
    async def summary(self, info: Info) -> FamilySummary:
        members = await family_members(info, self.info_.id)
        today = local_day(info.context.now)
        cases = await self._cases(info)
        sections = await _all_sections(info, members)
        unavailable = sorted(
            {
                s.department
                for s in sections
                if s.status in (SectionStatus.UNAVAILABLE, SectionStatus.BAD_RESPONSE)
            }
        )
        absent = sum(
            1
            for s in sections
            if isinstance(s.record, r.ChildYouthRecord) and any(a.unlawful_flag for a in s.record.absence)
        )
        children = sum(1 for m in members if m.age(today) < 18)
        involved = [c.department for c in cases if c.members_registered > 0]
        return FamilySummary(
            headline=f"{self.info_.display_name}: {len(members)} members, {self.info_.housing_area} "
            f"({self.info_.district.value.title()}), {self.info_.status.value.lower()}",
            members=len(members),
            children=children,
            departments_involved=involved,
            open_cases=sum(c.open_cases for c in cases),
            unavailable_departments=unavailable,
            unlawful_absence_children=absent,
        )

    async def _cases(self, info: Info) -> list[DepartmentCases]:
        members = await family_members(info, self.info_.id)
        sections = await _all_sections(info, members)
        out = []
        for department in Department:
            mine = [s for s in sections if s.department is department and s.record is not None]
            out.append(
                DepartmentCases(
                    department=department,
                    open_cases=sum(s.record.open_cases for s in mine if s.record is not None),
                    members_registered=len(mine),
                )
            )
        return out

    @classmethod
    async def resolve_reference(cls, info: Info, id: strawberry.ID) -> Family | None:
        from schema.family.queries import load_family

        return await load_family(info, str(id))


async def _all_sections(info: Info, members: list[MemberInfo]) -> list[Section]:
    service = section_service(info)
    await service.prepare(members, list(Department))
    out: list[Section] = []
    for m in members:
        out.extend(await service.sections(m, list(Department)))
    return out


__all__ = ["Family", "FamilyMember"]
