"""Follow-up meetings (familiehandleplansmøder): scheduling, and minutes that act as the steering plan.

Scheduling is an append. Recording minutes is a versioned plan edit, because a meeting may create and change
actions and because minutes, once written, must not be silently overwritten by a second writer. Recording a
next meeting date moves the family's next upcoming meeting there (or schedules one with the same participants
when none is planned), so a family never has two "next" meetings. A scheduled meeting can be moved or
cancelled, with a reason kept in the plan's history; closing the family cancels its upcoming meetings.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub.access.visibility import MEETING
from hub.errors import BadUserInput
from hub.persistence.models import Membership
from hub.plan import history, repository
from hub.plan.domain import ChangeKind, Entity, GoalStatus, MeetingStatus
from hub.plan.edits import Edit, open_edit, owner_of, require_expected, text
from hub.plan.goals import ActionPatch, ActionSpec, add_action, change_action, change_goal, require_worker
from hub.plan.history import Actor
from hub.plan.models import Meeting, MeetingParticipant
from hub.plan.views import MeetingView

LOCATION_MAX = 200
AGENDA_ITEMS_MAX = 50
ITEM_MAX = 1_000
MINUTES_MAX = 50_000
REASON_MAX = 1_000
CLOSED_REASON = "Familiens forløb er afsluttet"


@dataclass(frozen=True, slots=True)
class Participants:
    member_ids: Sequence[str] = ()
    worker_ids: Sequence[str] = ()


@dataclass(frozen=True, slots=True)
class MinutesInput:
    minutes: str
    decisions: Sequence[str] = ()
    held_at: datetime | None = None
    participants: Participants | None = None  # who attended; None keeps the invited participants
    next_meeting_at: datetime | None = None
    new_actions: Sequence[tuple[str, ActionSpec]] = field(default_factory=tuple)  # (goal id, action)
    action_updates: Sequence[tuple[str, ActionPatch]] = field(default_factory=tuple)  # (action id, change)
    goal_updates: Sequence[tuple[str, GoalStatus]] = field(default_factory=tuple)  # (goal id, new status)


def _aware(value: datetime, name: str) -> datetime:
    if value.tzinfo is None:
        raise BadUserInput(f"{name} must include a UTC offset", field=name)
    return value


def _items(values: Sequence[str], name: str) -> list[str]:
    if len(values) > AGENDA_ITEMS_MAX:
        raise BadUserInput(f"{name} has more than {AGENDA_ITEMS_MAX} items", field=name)
    return [text(v, name, max_len=ITEM_MAX) for v in values]


async def _check_participants(session: AsyncSession, family_id: str, parts: Participants) -> None:
    members = set(
        await session.scalars(
            select(Membership.person_id).where(
                Membership.family_id == family_id, Membership.left_on.is_(None)
            )
        )
    )
    if any(pid not in members for pid in parts.member_ids):
        raise BadUserInput(
            "a participant is not a current member of this family", field="participants.memberIds"
        )
    for user_id in parts.worker_ids:
        await require_worker(session, user_id, "participants.workerIds")


def _set_participants(session: AsyncSession, meeting_id: str, parts: Participants) -> None:
    for pid in dict.fromkeys(parts.member_ids):
        session.add(MeetingParticipant(meeting_id=meeting_id, person_id=pid))
    for uid in dict.fromkeys(parts.worker_ids):
        session.add(MeetingParticipant(meeting_id=meeting_id, user_id=uid))


async def _view(edit: Edit, meeting: Meeting) -> MeetingView:
    await edit.session.flush()
    view = (await repository.meeting_views(edit.session, [meeting]))[0]
    return view


async def _schedule(
    edit: Edit,
    scheduled_at: datetime,
    *,
    location: str,
    agenda: list[str],
    chair_user_id: str | None,
    parts: Participants,
) -> Meeting:
    meeting = Meeting(
        family_id=edit.family_id,
        scheduled_at=scheduled_at,
        location=location,
        status=MeetingStatus.SCHEDULED,
        agenda=agenda,
        chair_user_id=chair_user_id,
        decisions=[],
        created_by=edit.actor.principal.user_id,
        created_at=edit.actor.now,
    )
    edit.session.add(meeting)
    await edit.session.flush()
    _set_participants(edit.session, meeting.id, parts)
    await edit.log(
        entity=Entity.MEETING,
        entity_id=meeting.id,
        change=ChangeKind.SCHEDULED,
        summary=f"Follow-up meeting scheduled for {scheduled_at:%Y-%m-%d %H:%M} UTC",
        diff={
            "scheduled_at": scheduled_at.isoformat(),
            "participants": len(parts.member_ids) + len(parts.worker_ids),
        },
    )
    return meeting


async def schedule_meeting(
    sessions: async_sessionmaker[AsyncSession],
    actor: Actor,
    *,
    family_id: str,
    scheduled_at: datetime,
    location: str = "",
    agenda: Sequence[str] = (),
    chair_user_id: str | None = None,
    participants: Participants | None = None,
) -> MeetingView:
    when = _aware(scheduled_at, "scheduledAt")
    clean_location = text(location, "location", max_len=LOCATION_MAX, required=False)
    clean_agenda = _items(agenda, "agenda")
    async with open_edit(sessions, actor, family_id) as edit:
        parts = participants or Participants(worker_ids=[actor.principal.user_id])
        await _check_participants(edit.session, family_id, parts)
        chair = chair_user_id or actor.principal.user_id
        await require_worker(edit.session, chair, "chairUserId")
        meeting = await _schedule(
            edit, when, location=clean_location, agenda=clean_agenda, chair_user_id=chair, parts=parts
        )
        return await _view(edit, meeting)


async def record_minutes(
    sessions: async_sessionmaker[AsyncSession],
    actor: Actor,
    *,
    meeting_id: str,
    expected_version: int,
    data: MinutesInput,
) -> MeetingView:
    expected = require_expected(expected_version)
    clean = clean_minutes(data)
    family_id = (await owner_of(sessions, Meeting, meeting_id, MEETING)).family_id
    async with open_edit(sessions, actor, family_id, expected_version=expected, hidden_as=MEETING) as edit:
        meeting = await write_minutes(edit, meeting_id, clean)
        return await _view(edit, meeting)


def clean_minutes(data: MinutesInput) -> MinutesInput:
    """The input with its free text trimmed and bounded (BAD_USER_INPUT before anything is locked)."""
    return replace(
        data,
        minutes=text(data.minutes, "minutes", max_len=MINUTES_MAX),
        decisions=_items(data.decisions, "decisions"),
        held_at=_aware(data.held_at, "heldAt") if data.held_at else None,
        next_meeting_at=_aware(data.next_meeting_at, "nextMeetingAt") if data.next_meeting_at else None,
    )


async def write_minutes(edit: Edit, meeting_id: str, data: MinutesInput) -> Meeting:
    """Record cleaned minutes inside an open, version-checked edit: recordMeetingMinutes, and the close of a
    live meeting (hub/plan/live_meeting.py), which records its draft in the same one versioned step."""
    actor, family_id = edit.actor, edit.family_id
    minutes, decisions = data.minutes, list(data.decisions)
    held_at, next_at = data.held_at, data.next_meeting_at
    meeting = await edit.session.get(Meeting, meeting_id)
    if meeting is None or meeting.family_id != family_id:
        raise MEETING.error()
    if meeting.status is MeetingStatus.CANCELLED:
        raise BadUserInput("the meeting was cancelled: it has no minutes", field="meetingId")
    when = held_at or meeting.scheduled_at
    if when > actor.now:
        raise BadUserInput("minutes are recorded once the meeting has started", field="heldAt")
    if next_at is not None and next_at <= when:
        raise BadUserInput("the next meeting must be after this one", field="nextMeetingAt")
    if data.participants is not None:
        await _check_participants(edit.session, family_id, data.participants)
    # Actions are validated (and the version checked) by add_action/change_action before anything changes.
    created = [
        await add_action(edit, goal_id, spec, meeting_id=meeting.id) for goal_id, spec in data.new_actions
    ]
    changed = [
        await change_action(edit, aid, patch, meeting_id=meeting.id) for aid, patch in data.action_updates
    ]
    for goal_id, status in data.goal_updates:
        await change_goal(edit, goal_id, {"status": status})
    edit.require_current()
    first_time = meeting.status is MeetingStatus.SCHEDULED
    meeting.scheduled_at = when
    meeting.status = MeetingStatus.HELD
    meeting.minutes = minutes
    meeting.decisions = decisions
    meeting.next_meeting_at = next_at
    meeting.minutes_recorded_by = actor.principal.user_id
    meeting.minutes_recorded_at = actor.now
    if data.participants is not None:
        await edit.session.execute(
            delete(MeetingParticipant).where(MeetingParticipant.meeting_id == meeting.id)
        )
        _set_participants(edit.session, meeting.id, data.participants)
    await edit.log(
        entity=Entity.MEETING,
        entity_id=meeting.id,
        change=ChangeKind.MINUTES_RECORDED,
        summary=f"Minutes {'recorded' if first_time else 'corrected'} for the meeting of {when:%Y-%m-%d}",
        diff={
            "minutes": "set" if first_time else "changed",
            "decisions": len(decisions),
            "actions_created": len(created),
            "actions_changed": len(changed),
            "next_meeting_at": next_at.isoformat() if next_at else None,
        },
    )
    if next_at is not None:
        await _schedule_next(edit, meeting, next_at)
    return meeting


async def _schedule_next(edit: Edit, meeting: Meeting, next_at: datetime) -> None:
    upcoming = await edit.session.scalar(
        select(Meeting)
        .where(
            Meeting.family_id == edit.family_id,
            Meeting.id != meeting.id,
            Meeting.status == MeetingStatus.SCHEDULED,
            Meeting.scheduled_at > meeting.scheduled_at,
        )
        .order_by(Meeting.scheduled_at, Meeting.id)
        .limit(1)
    )
    if upcoming is not None:
        # The family's next meeting is already planned: the minutes' date moves it (one next meeting, not two).
        if upcoming.scheduled_at != next_at:
            await _move(edit, upcoming, next_at, reason="Ny dato aftalt på mødet")
        return
    await edit.session.flush()
    rows = list(
        await edit.session.scalars(
            select(MeetingParticipant).where(MeetingParticipant.meeting_id == meeting.id)
        )
    )
    parts = Participants(
        member_ids=[r.person_id for r in rows if r.person_id],
        worker_ids=[r.user_id for r in rows if r.user_id],
    )
    await _schedule(
        edit, next_at, location=meeting.location, agenda=[], chair_user_id=meeting.chair_user_id, parts=parts
    )


async def _move(edit: Edit, meeting: Meeting, when: datetime, *, reason: str) -> None:
    before = meeting.scheduled_at
    meeting.scheduled_at = when
    await edit.log(
        entity=Entity.MEETING,
        entity_id=meeting.id,
        change=ChangeKind.MOVED,
        summary=f"Follow-up meeting moved from {before:%Y-%m-%d %H:%M} to {when:%Y-%m-%d %H:%M} UTC: {reason}",
        diff={"scheduled_at": [before.isoformat(), when.isoformat()], "reason": "set"},
    )


async def _scheduled(edit: Edit, meeting_id: str, family_id: str) -> Meeting:
    meeting = await edit.session.get(Meeting, meeting_id)
    if meeting is None or meeting.family_id != family_id:
        raise MEETING.error()
    if meeting.status is not MeetingStatus.SCHEDULED:
        raise BadUserInput(
            f"only a scheduled meeting can be changed; this one is {meeting.status.value.lower()}",
            field="meetingId",
        )
    return meeting


async def move_meeting(
    sessions: async_sessionmaker[AsyncSession],
    actor: Actor,
    *,
    meeting_id: str,
    scheduled_at: datetime,
    reason: str,
) -> MeetingView:
    """Move a scheduled meeting to another time; the reason goes into the plan's history."""
    when = _aware(scheduled_at, "scheduledAt")
    why = text(reason, "reason", max_len=REASON_MAX)
    family_id = (await owner_of(sessions, Meeting, meeting_id, MEETING)).family_id
    async with open_edit(sessions, actor, family_id, hidden_as=MEETING) as edit:
        meeting = await _scheduled(edit, meeting_id, family_id)
        if when == meeting.scheduled_at:
            raise BadUserInput("the meeting is already at that time", field="scheduledAt")
        await _move(edit, meeting, when, reason=why)
        return await _view(edit, meeting)


async def cancel_meeting(
    sessions: async_sessionmaker[AsyncSession], actor: Actor, *, meeting_id: str, reason: str
) -> MeetingView:
    """Cancel a scheduled meeting, with a reason (kept on the meeting and in the plan's history)."""
    why = text(reason, "reason", max_len=REASON_MAX)
    family_id = (await owner_of(sessions, Meeting, meeting_id, MEETING)).family_id
    async with open_edit(sessions, actor, family_id, hidden_as=MEETING) as edit:
        meeting = await _scheduled(edit, meeting_id, family_id)
        _cancel(meeting, actor, why)
        await edit.log(
            entity=Entity.MEETING,
            entity_id=meeting.id,
            change=ChangeKind.CANCELLED,
            summary=f"Follow-up meeting of {meeting.scheduled_at:%Y-%m-%d %H:%M} UTC cancelled: {why}",
            diff={"status": ["SCHEDULED", "CANCELLED"], "reason": "set"},
        )
        return await _view(edit, meeting)


def _cancel(meeting: Meeting, actor: Actor, reason: str) -> None:
    meeting.status = MeetingStatus.CANCELLED
    meeting.cancelled_at = actor.now
    meeting.cancelled_by = actor.principal.user_id
    meeting.cancel_reason = reason


async def cancel_upcoming(session: AsyncSession, actor: Actor, family_id: str) -> int:
    """Closing the family: cancel every scheduled meeting still ahead (inside the closure's transaction)."""
    rows = list(
        await session.scalars(
            select(Meeting).where(
                Meeting.family_id == family_id,
                Meeting.status == MeetingStatus.SCHEDULED,
                Meeting.scheduled_at > actor.now,
            )
        )
    )
    for meeting in rows:
        _cancel(meeting, actor, CLOSED_REASON)
        await history.record(
            session,
            actor,
            family_id=family_id,
            entity=Entity.MEETING,
            entity_id=meeting.id,
            change=ChangeKind.CANCELLED,
            summary=f"Follow-up meeting of {meeting.scheduled_at:%Y-%m-%d %H:%M} UTC cancelled: the family "
            "was closed",
            diff={"status": ["SCHEDULED", "CANCELLED"], "reason": "family_closed"},
        )
    return len(rows)
