"""Live family updates for `subscription familyUpdated(familyId)`: pub/sub messages, filtered per delivery.

Every message is re-decided when it is delivered, with a fresh gate (need-to-know access, then consent)
and the member's current membership: a consent withdrawn stops the very next delivery of what it covered,
and before any delivery the stream itself is re-decided (hub/ingestion/stream_guard.py): an expired token, a
deactivated user or a family no longer the viewer's (an assignment ended, ...) ends it with `StreamEnded`. Messages carry ids only; the front-end fetches the data through the (audited)
family view.

Resume (`after`: the cursor of the last update the client saw; hub/ingestion/feed.py): the stream subscribes to
the live channel first, then replays the stored updates after the cursor (at most `subscription_replay_max`,
else RELOAD_REQUIRED), then goes on live, skipping live messages at or below the last replayed cursor: no gap
and no duplicate at the seam. Replayed messages pass exactly the checks a live one does (stream guard before
each delivery, then the per-message decision below). Deliveries are not audit events, live or replayed: they
carry ids only, and the data is read (and audited) through the family view.

Concerns announce on a family's channel through `hub.ingestion.feed.announce` (stored, then published):

    {"type": "DEPARTMENT_RECORD", "familyId", "personId", "department", "recordKind", "recordId",
     "version", "deleted", "occurredAt", "eventId"}                       (hub/ingestion/service.py)
    {"type": "PLAN_EDIT", "familyId", "personId" | null, "summary", "occurredAt"}   (plan changes)
    {"type": "CONSENT_CHANGE", "familyId", "personId", "summary", "occurredAt"}     (consent changes)
    {"type": "EMERGENCY_ACCESS", "familyId", "grantId", "summary", "occurredAt"}      (hub/access/breakglass;
                                                            delivered to the family's current coordinator only)
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from hub.days import local_day
from hub.domain import Department
from hub.errors import NotFound
from hub.family import repository
from hub.family.gate import Gate
from hub.ingestion.feed import cursor_of, family_channel, stored_after
from hub.ingestion.stream_guard import StreamEnded, stream_end
from hub.ingestion.timeline import TimelineKind, department_summary
from hub.metrics import HubMetrics, hub_metrics
from hub.persistence.models import TeamRole
from hub.plan.access import access_for
from hub.pubsub import PubSub
from hub.services import Services

logger = logging.getLogger("hub.ingestion.live")

GateFactory = Callable[[], Gate]


@dataclass(frozen=True, slots=True)
class FamilyUpdate:
    family_id: str
    kind: TimelineKind
    occurred_at: datetime
    person_id: str | None = None
    department: Department | None = None
    record_kind: str | None = None
    record_id: str | None = None
    version: int | None = None
    deleted: bool = False
    summary: str | None = None
    cursor: str | None = None  # resume from here (None if the update could not be stored)


async def family_updates(
    services: Services,
    family_id: str,
    new_gate: GateFactory,
    *,
    today: Callable[[], date] | None = None,
    after: int | None = None,
) -> AsyncIterator[FamilyUpdate]:
    """Updates to `family_id` the viewer may see, as they happen (first those stored after cursor `after`).
    NotFound when the family is not theirs; RELOAD_REQUIRED when too much happened since `after`;
    StreamEnded (raised before the next delivery) once the stream may not go on."""
    gate = new_gate()
    async with services.sessions() as session:
        exists = await repository.get_families(session, [family_id])
    if family_id not in exists or family_id not in await gate.visible_families([family_id]):
        raise NotFound("no such family")
    pubsub: PubSub = services.extras["pubsub"]
    metrics = hub_metrics(services)
    async with pubsub.subscribe(family_channel(family_id)) as subscription, _counted(metrics):
        replayed_up_to = after
        if after is not None:
            limit = services.settings.subscription_replay_max
            for message in await stored_after(services.sessions, family_id, after, limit):
                replayed_up_to = cursor_of(message)
                if (update := await _next(services, family_id, message, new_gate, today)) is not None:
                    yield update
        async for message in subscription:
            cursor = cursor_of(message)
            if replayed_up_to is not None and cursor is not None and cursor <= replayed_up_to:
                continue  # replayed already (or older than the client's cursor)
            if (update := await _next(services, family_id, message, new_gate, today)) is not None:
                yield update


@contextlib.asynccontextmanager
async def _counted(metrics: HubMetrics | None) -> AsyncIterator[None]:
    """familiehub_subscriptions_active counts this stream while it is open."""
    if metrics is None:
        yield
        return
    metrics.subscriptions.inc()
    try:
        yield
    finally:
        metrics.subscriptions.dec()


async def _next(
    services: Services,
    family_id: str,
    message: dict[str, Any],
    new_gate: GateFactory,
    today: Callable[[], date] | None,
) -> FamilyUpdate | None:
    """The stream guard, then the per-message decision (a malformed message is skipped with a warning)."""
    if (end := await stream_end(services, family_id, new_gate)) is not None:
        raise StreamEnded(end)
    try:
        return await deliverable(services, family_id, message, new_gate, today=today)
    except (KeyError, TypeError, ValueError):
        logger.warning("ignored a malformed family update message")
        return None


async def deliverable(  # noqa: PLR0911 - one early "not for this viewer" per rule
    services: Services,
    family_id: str,
    message: dict[str, Any],
    new_gate: GateFactory,
    *,
    today: Callable[[], date] | None = None,
) -> FamilyUpdate | None:
    """The update to deliver, or None when this viewer may not see it now (decided afresh every time)."""
    if message.get("familyId") != family_id:
        return None
    kind = message.get("type")
    occurred_at = datetime.fromisoformat(str(message["occurredAt"]))
    person_id = message.get("personId")
    if kind == "DEPARTMENT_RECORD":
        department = Department(str(message["department"]))
        async with services.sessions() as session:
            members = await repository.get_members(session, services.vault, [str(person_id)])
        member = members.get(str(person_id))
        if member is None or member.family_id != family_id:
            return None
        gate = new_gate()
        decisions = await gate.decide_many([member], [department])
        if not decisions[(member.person_id, department)].allowed:
            return None
        return FamilyUpdate(
            family_id=family_id,
            kind=TimelineKind.DEPARTMENT_UPDATE,
            occurred_at=occurred_at,
            person_id=member.person_id,
            department=department,
            record_kind=str(message["recordKind"]),
            record_id=str(message["recordId"]),
            version=int(message["version"]),
            deleted=bool(message.get("deleted", False)),
            summary=department_summary(
                department,
                str(message["recordKind"]),
                str(message["recordId"]),
                int(message["version"]),
                deleted=bool(message.get("deleted", False)),
            ),
            cursor=_cursor(message),
        )
    if kind == "EMERGENCY_ACCESS":
        facts = await new_gate().facts_about([family_id])
        if TeamRole.COORDINATOR not in facts.assignments.get(family_id, frozenset()):
            return None
        return FamilyUpdate(
            family_id=family_id,
            kind=TimelineKind.EMERGENCY_ACCESS,
            occurred_at=occurred_at,
            summary=str(message.get("summary", "")),
            cursor=_cursor(message),
        )
    if kind in ("PLAN_EDIT", "CONSENT_CHANGE"):
        principal = new_gate().principal
        day = today() if today is not None else local_day(services.clock())
        async with services.sessions() as session:
            access = (await access_for(session, principal, [family_id], day))[family_id]
        if not access.sees_person(None if person_id is None else str(person_id)):
            return None
        return FamilyUpdate(
            family_id=family_id,
            kind=TimelineKind(kind),
            occurred_at=occurred_at,
            person_id=None if person_id is None else str(person_id),
            summary=str(message.get("summary", "")),
            cursor=_cursor(message),
        )
    return None


def _cursor(message: dict[str, Any]) -> str | None:
    cursor = cursor_of(message)
    return None if cursor is None else str(cursor)
