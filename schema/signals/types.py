"""GraphQL types of early signals. Plain data from hub.signals: no logic, no I/O."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from hub.domain import Department
from hub.signals.rules import SignalKind, SourceKind
from hub.signals.service import Acknowledgement, SignalView
from schema.context import Info
from schema.core import DepartmentType
from schema.enum_values import described_enum

if TYPE_CHECKING:
    from schema.family.types import Family, FamilyMember

SignalKindType = described_enum(
    SignalKind,
    name="SignalKind",
    description="What an early signal (tidligt signal) is about.",
    values={
        SignalKind.INVESTIGATION_OVERDUE: "A child-welfare investigation (Barnets lov §20) is open past its "
        "four-month due date (SOF).",
        SignalKind.SCHOOL_ABSENCE: "Unlawful school absence of 15 % or more in the latest quarter (BUF).",
        SignalKind.LOW_WELLBEING: "The latest WHO-5 is 50 or below, or the latest ORS/CORS is under its "
        "cut-off (shown only with a health basis for the member).",
        SignalKind.CONSENT_EXPIRING: "An active consent ends within 30 days.",
        SignalKind.CONSENT_ENDS_AT_18: "A child turns 18 within 30 days: the parents' consents and their "
        "access by custody end that day (the young person consents themself).",
        SignalKind.MEETING_OVERDUE: "A follow-up meeting is past its day and still only scheduled.",
        SignalKind.NO_CONTACT: "No meeting held or measurement taken with the family for more than the "
        "configured number of weeks (HUB_SIGNAL_NO_CONTACT_WEEKS).",
    },
)
SignalSourceKindType = described_enum(
    SourceKind,
    name="SignalSourceKind",
    description="Where a signal comes from.",
    values={
        SourceKind.DEPARTMENT_RECORD: "A department's record: `department` and the department's record id.",
        SourceKind.MEASUREMENT: "A wellbeing measurement in the plan (WellbeingMeasurement.id).",
        SourceKind.MEETING: "A follow-up meeting in the plan (PlanMeeting.id).",
        SourceKind.CONSENT: "A consent in the hub's registry (Consent.id).",
        SourceKind.MEMBER: "A member of the family (FamilyMember.id).",
        SourceKind.FAMILY: "The family's course as a whole (Family.id).",
    },
)


@strawberry.type(description="Where a signal comes from: a department record, a plan entity or a consent.")
class SignalSource:
    kind: SignalSourceKindType = strawberry.field(description="What kind of source.")  # type: ignore[valid-type]
    department: DepartmentType | None = strawberry.field(  # type: ignore[valid-type]
        description="The department, for department records."
    )
    id: str = strawberry.field(description="The source's id: the department's record id, or the hub's id.")


@strawberry.type(description="Someone on the core team looked at the signal (kept in history, oldest first).")
class SignalAcknowledgement:
    acknowledged_at: datetime = strawberry.field(description="When.")
    note: str = strawberry.field(description="What they noted (may be empty).")
    by_me: bool = strawberry.field(description="Whether the viewer acknowledged it.")

    @classmethod
    def of(cls, ack: Acknowledgement, viewer_user_id: str | None) -> SignalAcknowledgement:
        return cls(acknowledged_at=ack.at, note=ack.note, by_me=ack.by_user_id == viewer_user_id)


@strawberry.type(
    name="Signal",
    description="An early signal about a family or one member: why (Danish, for people), its source, and "
    "whether the team has acknowledged it. Computed on reading from what the viewer may see.",
)
class SignalType:
    view: strawberry.Private[SignalView]
    viewer_user_id: strawberry.Private[str | None]
    show_acknowledgements: strawberry.Private[bool]

    @strawberry.field(description="Stable key of this occurrence: pass it to acknowledgeSignal.")
    def key(self) -> str:
        return self.view.signal.key

    @strawberry.field(description="What the signal is about.")
    def kind(self) -> SignalKindType:  # type: ignore[valid-type]
        return self.view.signal.kind

    @strawberry.field(description="The family.")
    def family_id(self) -> strawberry.ID:
        return strawberry.ID(self.view.signal.family_id)

    @strawberry.field(description="The member it concerns (FamilyMember.id); null for the whole family.")
    def member_id(self) -> strawberry.ID | None:
        pid = self.view.signal.person_id
        return None if pid is None else strawberry.ID(pid)

    @strawberry.field(description="Why, in Danish, for people (no CPR number, no names).")
    def reason(self) -> str:
        return self.view.signal.reason

    @strawberry.field(description="When the situation arose (a due date passed, a quarter ended, ...).")
    def since(self) -> date:
        return self.view.signal.since

    @strawberry.field(description="Where the signal comes from.")
    def source(self) -> SignalSource:
        s = self.view.signal
        department: Department | None = s.department
        return SignalSource(kind=s.source_kind, department=department, id=s.source_id)

    @strawberry.field(description="Whether someone on the core team has acknowledged this occurrence.")
    def acknowledged(self) -> bool:
        return self.view.acknowledged

    @strawberry.field(description="Acknowledgements with their notes, oldest first (the core team's only).")
    def acknowledgements(self) -> list[SignalAcknowledgement]:
        if not self.show_acknowledgements:
            return []
        return [SignalAcknowledgement.of(a, self.viewer_user_id) for a in self.view.acknowledgements]

    @strawberry.field(description="The family (for lists across families, e.g. mySignals).")
    async def family(self, info: Info) -> Annotated[Family, strawberry.lazy("schema.family.types")] | None:
        from schema.family.queries import load_family

        return await load_family(info, self.view.signal.family_id)

    @strawberry.field(description="The member it concerns, if the viewer may see them.")
    async def member(
        self, info: Info
    ) -> Annotated[FamilyMember, strawberry.lazy("schema.family.types")] | None:
        if self.view.signal.person_id is None:
            return None
        from schema.family.queries import load_member

        return await load_member(info, self.view.signal.person_id)
