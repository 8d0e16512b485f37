"""GraphQL types of the family's overview."""

from __future__ import annotations

from datetime import date, datetime

import strawberry

from hub.agenda.model import AgendaItem, Conflict, ConflictRule, ContactPerson
from schema.core import DepartmentType
from schema.enum_values import described_enum

ConflictRuleType = described_enum(
    ConflictRule,
    description="Why two or more agenda items clash.",
    values={
        ConflictRule.OVERLAP: "One person booked twice at once, or without the travel gap between two places.",
        ConflictRule.SCHOOL_HOURS: "A school child's appointment in school hours.",
        ConflictRule.ACTIVATION_HOURS: "An adult's appointment during their work or activation.",
        ConflictRule.DUPLICATE_SERVICE: "The same kind of service (two mentors, two parenting courses) from two "
        "departments.",
        ConflictRule.WEEKLY_LOAD: "More municipal appointments in one week than the programme's setting allows.",
    },
)


@strawberry.type(
    name="AgendaItem",
    description="One dated item: an appointment (start/end) or a day (deadline, start, visit).",
)
class AgendaItemType:
    key: str = strawberry.field(description="Stable id of the item (for conflicts' itemKeys).")
    member_id: strawberry.ID | None = strawberry.field(description="The member; null for the whole family.")
    department: DepartmentType | None = strawberry.field(  # type: ignore[valid-type]
        description="The department whose record it comes from; null for the family's plan."
    )
    from_plan: bool = strawberry.field(description="True for the plan's actions and meetings.")
    kind: str = strawberry.field(
        description="INTERVIEW, MEETING, HOME_VISIT, HEALTH_CONVERSATION, ACTIVITY, ACTIVATION, COURSE, DEADLINE, "
        "SERVICE_START, PPV, REFERRAL, CHILD_PLAN, PLAN_MEETING, ACTION_START, ACTION_END."
    )
    title: str = strawberry.field(description="What it is (Danish, as the department names it).")
    start: datetime | None = strawberry.field(description="Start of an appointment; null for a day item.")
    end: datetime | None = strawberry.field(description="End of an appointment.")
    day: date = strawberry.field(description="The (local) day it falls on.")
    place: str | None = strawberry.field(description="Where.")
    contact: str | None = strawberry.field(description="Who the family meets or who is responsible.")
    contact_role: str | None = strawberry.field(description="The contact's role.")
    source_record: str = strawberry.field(description="The department's (or the plan's) id for the source.")
    recurring: bool = strawberry.field(description="One session of a weekly activity.")

    @classmethod
    def of(cls, i: AgendaItem) -> AgendaItemType:
        return cls(
            key=i.key,
            member_id=strawberry.ID(i.person_id) if i.person_id else None,
            department=i.department,
            from_plan=i.department is None,
            kind=i.kind,
            title=i.title,
            start=i.start,
            end=i.end,
            day=i.on,
            place=i.place,
            contact=i.contact,
            contact_role=i.contact_role,
            source_record=i.source_record,
            recurring=i.recurring,
        )


@strawberry.type(description="An acknowledgement of a conflict: who settled it, when, with what note.")
class ConflictAcknowledgement:
    acknowledged_at: datetime = strawberry.field(description="When.")
    acknowledged_by: str | None = strawberry.field(description="The worker's name.")
    note: str = strawberry.field(description="What the team agreed.")


@strawberry.type(
    name="Conflict", description="A clash in the family's agenda, with a reason the family team can act on."
)
class ConflictType:
    key: str = strawberry.field(description="Stable key: pass to acknowledgeConflict.")
    rule: ConflictRuleType = strawberry.field(description="Which rule found it.")  # type: ignore[valid-type]
    reason: str = strawberry.field(description="What clashes and what to do (Danish).")
    member_ids: list[strawberry.ID] = strawberry.field(description="The members concerned.")
    item_keys: list[str] = strawberry.field(description="The agenda items involved (AgendaItem.key).")
    day: date | None = strawberry.field(description="The day (or the week's Monday) it concerns.")
    acknowledgements: list[ConflictAcknowledgement] = strawberry.field(
        description="The team's acknowledgements, oldest first (empty: not yet settled)."
    )

    @strawberry.field(description="True once the team has acknowledged it.")
    def acknowledged(self) -> bool:
        return bool(self.acknowledgements)

    @classmethod
    def of(cls, c: Conflict, acks: list[ConflictAcknowledgement]) -> ConflictType:
        return cls(
            key=c.key,
            rule=c.rule,
            reason=c.reason,
            member_ids=[strawberry.ID(p) for p in c.person_ids],
            item_keys=list(c.item_keys),
            day=c.day,
            acknowledgements=acks,
        )


@strawberry.type(description="A municipal person the family deals with.")
class FamilyContact:
    name: str = strawberry.field(description="The person's name.")
    department: DepartmentType | None = strawberry.field(  # type: ignore[valid-type]
        description="Their administration; null if unknown."
    )
    role: str = strawberry.field(description="Their role towards the family (Danish).")
    unit: str | None = strawberry.field(description="Their unit.")
    phone: str | None = strawberry.field(description="Work phone.")
    email: str | None = strawberry.field(description="Work e-mail.")
    makkerpar: bool = strawberry.field(description="One of the family's makkerpar (listed first).")
    core_team: bool = strawberry.field(description="On the family's core team.")
    member_ids: list[strawberry.ID] = strawberry.field(description="The members this contact concerns.")

    @classmethod
    def of(cls, c: ContactPerson) -> FamilyContact:
        return cls(
            name=c.name,
            department=c.department,
            role=c.role,
            unit=c.unit,
            phone=c.phone,
            email=c.email,
            makkerpar=c.makkerpar,
            core_team=c.core_team,
            member_ids=[strawberry.ID(p) for p in c.person_ids],
        )
