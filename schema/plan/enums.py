"""The plan's GraphQL enums: goal, action and meeting statuses, instruments, team roles, goal scopes.

Descriptions of every value live here, so GraphiQL explains each one (schema/enum_values.py).
"""

from __future__ import annotations

from enum import StrEnum

from hub.plan.domain import ActionStatus, GoalStatus, Instrument, MeetingStatus, SdqRespondent
from schema.enum_values import described_enum


class CoreTeamRole(StrEnum):
    COORDINATOR = "COORDINATOR"
    MAKKERPAR = "MAKKERPAR"
    CORE_TEAM = "CORE_TEAM"


CoreTeamRoleType = described_enum(
    CoreTeamRole,
    description="COORDINATOR (tovholder), MAKKERPAR (one of the family's fixed pair of contact persons), "
    "CORE_TEAM (another core-team worker).",
    values={
        CoreTeamRole.COORDINATOR: "The family's coordinator (tovholder): drives progress and chairs the "
        "plan; "
        "one per family.",
        CoreTeamRole.MAKKERPAR: "One of the makkerpar, the family's fixed pair of contact persons (usually "
        "one "
        "from BIF and one from SOF); at most two.",
        CoreTeamRole.CORE_TEAM: "Another worker of the core team (kerneteam) who works with the family.",
    },
)
GoalStatusType = described_enum(
    GoalStatus,
    description="Where a goal of the family action plan stands: PLANNED, IN_PROGRESS, ACHIEVED or DROPPED.",
    values={
        GoalStatus.PLANNED: "Agreed, work not yet started.",
        GoalStatus.IN_PROGRESS: "Being worked on.",
        GoalStatus.ACHIEVED: "Reached.",
        GoalStatus.DROPPED: "Given up or no longer relevant.",
    },
)
ActionStatusType = described_enum(
    ActionStatus,
    description="Where an action (indsats) stands: PLANNED, ACTIVE, COMPLETED or CANCELLED.",
    values={
        ActionStatus.PLANNED: "Agreed, not yet started.",
        ActionStatus.ACTIVE: "Under way.",
        ActionStatus.COMPLETED: "Delivered as agreed.",
        ActionStatus.CANCELLED: "Stopped or not delivered.",
    },
)
MeetingStatusType = described_enum(
    MeetingStatus,
    description="SCHEDULED, HELD once its minutes are recorded, or CANCELLED.",
    values={
        MeetingStatus.SCHEDULED: "Planned; minutes not yet recorded.",
        MeetingStatus.HELD: "Minutes recorded: they act as the steering plan until the next meeting.",
        MeetingStatus.CANCELLED: "Called off, with a reason (also when the family is closed).",
    },
)
InstrumentType = described_enum(
    Instrument,
    name="WellbeingInstrument",
    description="WHO5 (0-100, multiples of 4), SDQ (total difficulties 0-40), ORS (0-40, ages 13+), "
    "CORS (0-40, children under 13).",
    values={
        Instrument.WHO5: "WHO-5 wellbeing index: 0-100 (the raw 0-25 sum times 4); higher is better, 50 or "
        "below signals risk.",
        Instrument.SDQ: "Strengths and Difficulties Questionnaire: total difficulties 0-40; lower is better. "
        "Answered by a parent, a teacher, or the young person from 11.",
        Instrument.ORS: "Outcome Rating Scale: 0-40, one decimal, for adults and young people from 13; "
        "higher "
        "is better (cut-off 25 adults, 28 ages 13-17).",
        Instrument.CORS: "Child Outcome Rating Scale: 0-40, one decimal, for children under 13; higher is "
        "better (cut-off 32).",
    },
)
SdqRespondentType = described_enum(
    SdqRespondent,
    description="Who answered the SDQ (self-report from 11).",
    values={
        SdqRespondent.PARENT: "A parent (parent form).",
        SdqRespondent.TEACHER: "A teacher (teacher form).",
        SdqRespondent.SELF: "The young person themself (self-report, from age 11).",
    },
)


class GoalScope(StrEnum):
    ALL = "ALL"
    FAMILY = "FAMILY"
    MEMBERS = "MEMBERS"


described_enum(
    GoalScope,
    description="Which goals to list.",
    values={
        GoalScope.ALL: "The family's goals and every member's (those the viewer may see).",
        GoalScope.FAMILY: "Only goals for the whole family.",
        GoalScope.MEMBERS: "Only goals for individual members.",
    },
)
