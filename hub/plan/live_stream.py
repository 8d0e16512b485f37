"""`meetingUpdated(meetingId, after)`: a live meeting's draft, pen and close, as they happen, to every screen.

It rides the family's update feed (hub/ingestion/feed.py) rather than a channel of its own: live-meeting
steps announce MEETING_LIVE messages there (hub/plan/live_meeting.py), so they are numbered, stored and
resumable exactly like familyUpdated's (`after` replays the stored ones first, at most
`subscription_replay_max`, then goes on live, skipping what was replayed), and cross processes through the
same pub/sub (in-process, or Redis with HUB_REDIS_URL). familyUpdated ignores them.

Messages carry ids and the draft's version only; before each delivery the stream is re-decided (token, user,
family: hub/ingestion/stream_guard.py) and the viewer's plan access too (the team, the family), and the
draft is read afresh for the viewer. A screen that falls behind sees each event with the draft as it is now
(`draftVersion` says which save the event was): the draft's content is never older than an event.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

from hub.access.visibility import MEETING
from hub.days import local_day
from hub.errors import NotFound
from hub.family.gate import Gate
from hub.ingestion.feed import cursor_of, family_channel, stored_after
from hub.ingestion.stream_guard import StreamEnd, StreamEnded, stream_end
from hub.plan.edits import owner_of
from hub.plan.live_meeting import MESSAGE_TYPE, LiveEvent, LiveMeetingView, live_meeting
from hub.plan.models import Meeting
from hub.pubsub import PubSub
from hub.services import Services


@dataclass(frozen=True, slots=True)
class MeetingUpdate:
    event: LiveEvent
    draft_version: int
    cursor: str | None
    meeting: LiveMeetingView


def _for(message: dict[str, Any], meeting_id: str) -> bool:
    return message.get("type") == MESSAGE_TYPE and message.get("meetingId") == meeting_id


async def meeting_updates(
    services: Services,
    meeting_id: str,
    new_gate: Callable[[], Gate],
    *,
    after: int | None = None,
) -> AsyncIterator[MeetingUpdate]:
    """NOT_FOUND unless the viewer may read the meeting's plan; StreamEnded once the stream may not go on."""
    family_id = (await owner_of(services.sessions, Meeting, meeting_id, MEETING)).family_id
    await _current(services, meeting_id, new_gate)  # NOT_FOUND before subscribing
    pubsub: PubSub = services.extras["pubsub"]
    async with pubsub.subscribe(family_channel(family_id)) as subscription:
        replayed_up_to = after
        if after is not None:
            limit = services.settings.subscription_replay_max
            for message in await stored_after(services.sessions, family_id, after, limit):
                replayed_up_to = cursor_of(message)
                if _for(message, meeting_id):
                    yield await _update(services, family_id, meeting_id, message, new_gate)
        async for message in subscription:
            cursor = cursor_of(message)
            if replayed_up_to is not None and cursor is not None and cursor <= replayed_up_to:
                continue
            if _for(message, meeting_id):
                yield await _update(services, family_id, meeting_id, message, new_gate)


async def _current(services: Services, meeting_id: str, new_gate: Callable[[], Gate]) -> LiveMeetingView:
    now = services.clock()
    return await live_meeting(
        services.sessions,
        new_gate().principal,
        meeting_id=meeting_id,
        now=now,
        today=local_day(now),
        lease_s=services.settings.meeting_pen_lease_s,
    )


async def _update(
    services: Services, family_id: str, meeting_id: str, message: dict[str, Any], new_gate: Callable[[], Gate]
) -> MeetingUpdate:
    if (end := await stream_end(services, family_id, new_gate)) is not None:
        raise StreamEnded(end)
    try:
        view = await _current(services, meeting_id, new_gate)
    except NotFound:  # the plan is no longer the viewer's: the stream ends as for a lost family
        raise StreamEnded(StreamEnd.ACCESS_LOST) from None
    cursor = cursor_of(message)
    return MeetingUpdate(
        event=LiveEvent(str(message["event"])),
        draft_version=int(message.get("draftVersion", view.draft_version)),
        cursor=None if cursor is None else str(cursor),
        meeting=view,
    )
