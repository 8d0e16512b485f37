"""`myAccessLog(first, after)`: a citizen's log of who used their data and their young children's data.

Citizens only (FORBIDDEN for everyone else). Reading the log is itself logged, once per subject shown, as a
READ of the hub-owned source HUB:audit; such reads (by citizens) are not listed back, so reading the log never
grows it visibly.
"""

from __future__ import annotations

from typing import Annotated

import strawberry

from hub.audit.access_log import access_log_page, citizen_subjects
from hub.audit.buffer import audit_read
from hub.days import local_day
from hub.domain import Role
from hub.errors import BadUserInput, Forbidden
from schema.audit.types import AccessLogConnection, AccessLogEdge, AccessLogEntry, AccessLogPageInfo
from schema.context import Info

MAX_PAGE = 100
AUDIT_SOURCE = "HUB:audit"
ACCESS_LOG_CATEGORY = "ACCESS_LOG"
ACCESS_LOG_BASIS = "GDPR art. 15"


@strawberry.type
class AuditQuery:
    @strawberry.field(
        description="For a citizen: who used your data and your children's (under 15, in your custody), "
        "newest first. Shows administration, unit, role, purpose and categories, not staff names. "
        "FORBIDDEN for non-citizens."
    )
    async def my_access_log(
        self,
        info: Info,
        first: Annotated[int, strawberry.argument(description="Entries per page, 1-100.")] = 20,
        after: Annotated[
            str | None,
            strawberry.argument(description="Start after this cursor (pageInfo.endCursor); null for page 1."),
        ] = None,
    ) -> AccessLogConnection:
        principal = info.context.require_principal()
        if principal.role is not Role.CITIZEN or not principal.person_id:
            raise Forbidden("only citizens have an access log of their own")
        if not 1 <= first <= MAX_PAGE:
            raise BadUserInput(f"first must be between 1 and {MAX_PAGE}", field="first")
        async with info.context.services.sessions() as session:
            subjects = await citizen_subjects(session, principal.person_id, local_day(info.context.now))
            page = await access_log_page(session, subjects, first=first, after=after)
        for subject in subjects:
            audit_read(
                info,
                subject_person_id=subject.person_id,
                source=AUDIT_SOURCE,
                categories=[ACCESS_LOG_CATEGORY],
                reason="custody_holder" if subject.is_child else "own_data",
                basis=ACCESS_LOG_BASIS,
                purpose="ACCESS_LOG",
            )
        edges = [AccessLogEdge(cursor=e.cursor, node=AccessLogEntry.from_entry(e)) for e in page.entries]
        return AccessLogConnection(
            edges=edges,
            page_info=AccessLogPageInfo(
                has_next_page=page.has_next,
                has_previous_page=after is not None,
                start_cursor=edges[0].cursor if edges else None,
                end_cursor=edges[-1].cursor if edges else None,
            ),
            total_count=page.total,
        )
