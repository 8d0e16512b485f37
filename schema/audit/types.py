"""GraphQL types of the citizen's access log: what was done with my data, by which administration and why.

Staff members are described by administration, unit and role only: never by name or user id.
"""

from __future__ import annotations

from datetime import datetime

import strawberry

from hub.audit.access_log import AccessEntry
from hub.audit.events import AuditAction
from schema.core import DepartmentType, RoleType
from schema.enum_values import described_enum

AccessActionType = described_enum(
    AuditAction,
    name="AccessAction",
    description="What was done with the data: read, search, change, export, consent change, or a push from "
    "a department system.",
    values={
        AuditAction.READ: "The data was looked up (e.g. shown in the family view).",
        AuditAction.SEARCH: "The person was found in a search.",
        AuditAction.CHANGE: "The data was changed (e.g. the family plan or a membership).",
        AuditAction.EXPORT: "The data was exported out of the hub.",
        AuditAction.CONSENT_CHANGE: "A consent (samtykke) covering the data was recorded, withdrawn or replaced.",
        AuditAction.PUSH: "A department system sent the hub an update about the data.",
    },
)


@strawberry.type(description="One use of the citizen's (or their child's) personal data.")
class AccessLogEntry:
    id: strawberry.ID = strawberry.field(description="Opaque, stable id of this log entry.")
    occurred_at: datetime = strawberry.field(description="When it happened.")
    action: AccessActionType = strawberry.field(description="What was done.")  # type: ignore[valid-type]
    subject_person_id: strawberry.ID = strawberry.field(
        description="Whose data: the citizen themself or one of their children (familyMember id)."
    )
    about_child: bool = strawberry.field(
        description="True when the data was a child's in the citizen's custody."
    )
    source: str = strawberry.field(
        description="Where the data came from: an administration (SOF, BIF, BUF, KFF, SUF) or the hub itself "
        "(HUB:plan, HUB:consent, ...)."
    )
    administration: DepartmentType | None = strawberry.field(  # type: ignore[valid-type]
        description="The administration of the person or system that used the data."
    )
    unit: str = strawberry.field(description="Their unit within the administration.")
    role: RoleType | None = strawberry.field(description="Their role, e.g. coordinator.")  # type: ignore[valid-type]
    purpose: str = strawberry.field(description="Why, e.g. HFI_COORDINATION.")
    categories: list[str] = strawberry.field(description="Which kinds of data, e.g. CASE, HEALTH.")
    basis: str | None = strawberry.field(description="The legal basis: a consent id or a statute.")
    emergency: bool = strawberry.field(
        default=False,
        description="True when a worker used the data under emergency access (nødadgang, break-the-glass): "
        "outside the family's team or caseload, for a limited time, with a recorded justification that an "
        "administrator reviews. The purpose is then EMERGENCY_ACCESS.",
    )

    @classmethod
    def from_entry(cls, entry: AccessEntry) -> AccessLogEntry:
        return cls(
            id=strawberry.ID(f"{entry.chain.value}:{entry.seq}"),
            occurred_at=entry.occurred_at,
            action=entry.action,
            subject_person_id=strawberry.ID(entry.subject_person_id),
            about_child=entry.about_child,
            source=entry.source,
            administration=entry.administration,
            unit=entry.unit,
            role=entry.role,
            purpose=entry.purpose,
            categories=list(entry.categories),
            basis=entry.basis,
            emergency=entry.emergency,
        )


@strawberry.type(description="Pagination state of the access log (Relay).")
class AccessLogPageInfo:
    has_next_page: bool = strawberry.field(description="Older entries follow.")
    has_previous_page: bool = strawberry.field(description="Newer entries precede this page.")
    start_cursor: str | None = strawberry.field(description="Cursor of the first edge.")
    end_cursor: str | None = strawberry.field(description="Cursor of the last edge; pass as `after`.")


@strawberry.type(description="An entry on a page of the access log.")
class AccessLogEdge:
    cursor: str = strawberry.field(description="Opaque cursor of this edge.")
    node: AccessLogEntry = strawberry.field(description="The entry.")


@strawberry.type(description="A page of the citizen's access log, newest first (Relay connection).")
class AccessLogConnection:
    edges: list[AccessLogEdge] = strawberry.field(description="The entries on this page.")
    page_info: AccessLogPageInfo = strawberry.field(description="Pagination state.")
    total_count: int = strawberry.field(description="All entries the citizen may see.")
