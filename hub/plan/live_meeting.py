"""A follow-up meeting held live, on the big screen: a draft of the minutes saved as it is typed, one pen.

    open_live        the meeting gets a draft (empty, or the minutes already recorded) and the opener the pen
    update_draft     the pen holder saves the draft: minutes, decisions, agreed actions, goal changes
    take_pen / hand_over_pen / release_pen      who may write; a pen unused for `lease_s` lapses
    close_live       the draft becomes the meeting's minutes in ONE versioned step: the same
                     `meetings.write_minutes` recordMeetingMinutes runs, inside the same edit

Every step is a plan edit (hub/plan/edits.py `open_edit`): the same access (the family's live core team
writes; the family may watch, never write), the same closed-family refusal, the same answer for a hidden
meeting as for a missing one. The draft has its own `version`: a save with a stale one is a CONFLICT
(reason STALE_DRAFT) and overwrites nothing; a save without the pen is a CONFLICT (PEN_HELD: someone else
has it; NO_PEN: nobody has). Saves and pen changes are audited but kept out of the family's history (a
meeting typed live would otherwise bury the timeline); opening is a history entry, and closing writes the
minutes' entry exactly as recordMeetingMinutes does.

Every step announces a MEETING_LIVE message on the family's feed (stored, then published: hub/ingestion/feed.py)
carrying ids and the draft's version only, never the text: `meetingUpdated` (hub/plan/live_stream.py) re-reads
the draft for each viewer it may reach.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub.access.facts import current
from hub.access.visibility import MEETING, require_visible
from hub.auth.principal import Principal
from hub.domain import Department
from hub.errors import BadUserInput, Conflict
from hub.persistence.models import LIVE_TEAM_ROLES, TeamAssignment
from hub.plan import history, repository
from hub.plan.access import access_for
from hub.plan.domain import ChangeKind, Entity, GoalStatus, MeetingStatus
from hub.plan.edits import UNSET, Edit, Unset, open_edit, owner_of, require_expected, text
from hub.plan.goals import DESCRIPTION_MAX, KIND_MAX, ActionSpec, require_worker
from hub.plan.meetings import (
    AGENDA_ITEMS_MAX,
    ITEM_MAX,
    MINUTES_MAX,
    MinutesInput,
    Participants,
    clean_minutes,
    write_minutes,
)
from hub.plan.models import Meeting, MeetingDraft, MeetingPen
from hub.plan.views import MeetingView, WorkerView

MESSAGE_TYPE = "MEETING_LIVE"


class LiveState(StrEnum):
    NOT_OPENED = "NOT_OPENED"
    OPEN = "OPEN"
    CLOSED = "CLOSED"


class LiveEvent(StrEnum):
    OPENED = "OPENED"
    DRAFT = "DRAFT"
    PEN = "PEN"
    CLOSED = "CLOSED"


@dataclass(frozen=True, slots=True)
class DraftAction:
    """An action agreed at the meeting, created under its goal when the meeting is closed."""

    goal_id: str
    department: Department
    kind: str
    description: str = ""
    responsible_user_id: str | None = None


@dataclass(frozen=True, slots=True)
class GoalChange:
    """A goal's new status agreed at the meeting, applied when the meeting is closed."""

    goal_id: str
    status: GoalStatus


@dataclass(frozen=True, slots=True)
class DraftPatch:
    """What a save changes; fields left UNSET stay as they are."""

    minutes: str | Unset = UNSET
    decisions: Sequence[str] | Unset = UNSET
    actions: Sequence[DraftAction] | Unset = UNSET
    goal_changes: Sequence[GoalChange] | Unset = UNSET


@dataclass(frozen=True, slots=True)
class LiveMeetingView:
    meeting: MeetingView
    state: LiveState
    draft_version: int
    minutes: str
    decisions: tuple[str, ...]
    actions: tuple[DraftAction, ...]
    goal_changes: tuple[GoalChange, ...]
    pen_holder: WorkerView | None  # None when nobody holds it (or the lease lapsed)
    pen_expires_at: datetime | None
    opened_at: datetime | None
    closed_at: datetime | None


def pen_holder(pen: MeetingPen | None, now: datetime, lease: timedelta) -> str | None:
    """Pure: who holds the pen now; a lease unused for longer than `lease` has lapsed."""
    if pen is None or pen.holder_user_id is None or now - pen.last_active_at > lease:
        return None
    return pen.holder_user_id


def _lease(lease_s: float) -> timedelta:
    return timedelta(seconds=lease_s)


def _action_json(a: DraftAction) -> dict[str, Any]:
    return {
        "goalId": a.goal_id,
        "department": a.department.value,
        "kind": a.kind,
        "description": a.description,
        "responsibleUserId": a.responsible_user_id,
    }


def _action_of(raw: dict[str, Any]) -> DraftAction:
    return DraftAction(
        goal_id=str(raw["goalId"]),
        department=Department(str(raw["department"])),
        kind=str(raw["kind"]),
        description=str(raw.get("description", "")),
        responsible_user_id=raw.get("responsibleUserId"),
    )


def _clean_patch(patch: DraftPatch) -> dict[str, Any]:
    """The draft columns a save sets, bounded (BAD_USER_INPUT); the full checks run when it is closed."""
    values: dict[str, Any] = {}
    if not isinstance(patch.minutes, Unset):
        values["minutes"] = text(patch.minutes, "minutes", max_len=MINUTES_MAX, required=False)
    if not isinstance(patch.decisions, Unset):
        if len(patch.decisions) > AGENDA_ITEMS_MAX:
            raise BadUserInput(f"decisions has more than {AGENDA_ITEMS_MAX} items", field="decisions")
        values["decisions"] = [text(d, "decisions", max_len=ITEM_MAX) for d in patch.decisions]
    if not isinstance(patch.actions, Unset):
        if len(patch.actions) > AGENDA_ITEMS_MAX:
            raise BadUserInput(f"actions has more than {AGENDA_ITEMS_MAX} items", field="actions")
        values["actions"] = [
            _action_json(
                DraftAction(
                    goal_id=a.goal_id,
                    department=a.department,
                    kind=text(a.kind, "actions.kind", max_len=KIND_MAX),
                    description=text(
                        a.description, "actions.description", max_len=DESCRIPTION_MAX, required=False
                    ),
                    responsible_user_id=a.responsible_user_id,
                )
            )
            for a in patch.actions
        ]
    if not isinstance(patch.goal_changes, Unset):
        if len({c.goal_id for c in patch.goal_changes}) != len(patch.goal_changes):
            raise BadUserInput("a goal is changed twice", field="goalChanges")
        values["goal_changes"] = [{"goalId": c.goal_id, "status": c.status.value} for c in patch.goal_changes]
    if not values:
        raise BadUserInput("nothing to change", field="input")
    return values


async def _view(session: AsyncSession, meeting_id: str, now: datetime, lease: timedelta) -> LiveMeetingView:
    meeting = await session.get(Meeting, meeting_id, populate_existing=True)
    assert meeting is not None  # noqa: S101 - callers found the meeting first
    draft = await session.get(MeetingDraft, meeting_id, populate_existing=True)
    pen = await session.get(MeetingPen, meeting_id, populate_existing=True)
    state = (
        LiveState.NOT_OPENED
        if draft is None
        else (LiveState.OPEN if draft.closed_at is None else LiveState.CLOSED)
    )
    holder = pen_holder(pen, now, lease) if state is LiveState.OPEN else None
    who = await repository.workers(session, [holder])
    return LiveMeetingView(
        meeting=(await repository.meeting_views(session, [meeting]))[0],
        state=state,
        draft_version=draft.version if draft else 0,
        minutes=draft.minutes if draft else "",
        decisions=tuple(draft.decisions) if draft else (),
        actions=tuple(_action_of(a) for a in draft.actions) if draft else (),
        goal_changes=tuple(
            GoalChange(str(c["goalId"]), GoalStatus(str(c["status"]))) for c in draft.goal_changes
        )
        if draft
        else (),
        pen_holder=who.get(holder) if holder else None,
        pen_expires_at=pen.last_active_at + lease if holder and pen else None,
        opened_at=draft.opened_at if draft else None,
        closed_at=draft.closed_at if draft else None,
    )


def _announce(edit: Edit, meeting_id: str, event: LiveEvent, draft_version: int) -> None:
    edit.messages.append(
        {
            "type": MESSAGE_TYPE,
            "familyId": edit.family_id,
            "personId": None,
            "meetingId": meeting_id,
            "event": event.value,
            "draftVersion": draft_version,
            "occurredAt": edit.actor.now.isoformat(),
        }
    )


async def _draft(edit: Edit, meeting_id: str) -> MeetingDraft:
    """The meeting's live draft, still open (BAD_USER_INPUT if never opened, CONFLICT once closed)."""
    draft = await edit.session.get(MeetingDraft, meeting_id, populate_existing=True)
    if draft is None or draft.family_id != edit.family_id:
        meeting = await edit.session.get(Meeting, meeting_id)
        if meeting is None or meeting.family_id != edit.family_id:
            raise MEETING.error()
        raise BadUserInput("the meeting is not open live: open it first", field="meetingId")
    if draft.closed_at is not None:
        raise Conflict(
            "the live meeting is closed: its minutes are recorded",
            currentVersion=draft.version,
            reason="MEETING_CLOSED",
        )
    return draft


def _require_pen(draft: MeetingDraft, pen: MeetingPen | None, edit: Edit, lease: timedelta) -> None:
    holder = pen_holder(pen, edit.actor.now, lease)
    if holder == edit.actor.principal.user_id:
        return
    if holder is None:
        raise Conflict(
            "nobody holds the pen: take it before writing the minutes",
            currentVersion=draft.version,
            reason="NO_PEN",
        )
    raise Conflict(
        "another participant holds the pen: ask them to hand it over",
        currentVersion=draft.version,
        reason="PEN_HELD",
    )


async def _audit(edit: Edit) -> None:
    await history.audit_change(edit.session, edit.actor, family_id=edit.family_id)


def _give_pen(edit: Edit, pen: MeetingPen | None, meeting_id: str, user_id: str | None) -> MeetingPen:
    now = edit.actor.now
    if pen is None:
        pen = MeetingPen(meeting_id=meeting_id, holder_user_id=user_id, taken_at=now, last_active_at=now)
        edit.session.add(pen)
    else:
        pen.holder_user_id, pen.taken_at, pen.last_active_at = user_id, now, now
    return pen


async def open_live(
    sessions: async_sessionmaker[AsyncSession], actor: history.Actor, *, meeting_id: str, lease_s: float
) -> LiveMeetingView:
    """Open a scheduled meeting live (idempotent while it is open: the opener then takes a free pen)."""
    family_id = (await owner_of(sessions, Meeting, meeting_id, MEETING)).family_id
    lease = _lease(lease_s)
    async with open_edit(sessions, actor, family_id, hidden_as=MEETING) as edit:
        meeting = await edit.session.get(Meeting, meeting_id)
        if meeting is None or meeting.family_id != family_id:
            raise MEETING.error()
        draft = await edit.session.get(MeetingDraft, meeting_id)
        if draft is not None and draft.closed_at is None:
            return await _view(edit.session, meeting_id, actor.now, lease)
        if meeting.status is not MeetingStatus.SCHEDULED:
            raise BadUserInput(
                f"only a scheduled meeting can be opened live; this one is {meeting.status.value.lower()}",
                field="meetingId",
            )
        draft = MeetingDraft(
            meeting_id=meeting_id,
            family_id=family_id,
            version=1,
            minutes="",
            decisions=[],
            actions=[],
            goal_changes=[],
            opened_by=actor.principal.user_id,
            opened_at=actor.now,
            updated_by=actor.principal.user_id,
            updated_at=actor.now,
        )
        edit.session.add(draft)
        await edit.session.flush()
        _give_pen(edit, await edit.session.get(MeetingPen, meeting_id), meeting_id, actor.principal.user_id)
        await edit.log(
            entity=Entity.MEETING,
            entity_id=meeting_id,
            change=ChangeKind.LIVE_OPENED,
            summary=f"Follow-up meeting of {meeting.scheduled_at:%Y-%m-%d} opened live",
            diff={"status": "LIVE"},
        )
        _announce(edit, meeting_id, LiveEvent.OPENED, draft.version)
        await edit.session.flush()
        return await _view(edit.session, meeting_id, actor.now, lease)


async def update_draft(
    sessions: async_sessionmaker[AsyncSession],
    actor: history.Actor,
    *,
    meeting_id: str,
    expected_draft_version: int,
    patch: DraftPatch,
    lease_s: float,
) -> LiveMeetingView:
    """Save the draft (the pen holder only, with the draft version they saw); renews the pen's lease."""
    expected = require_expected(expected_draft_version)
    values = _clean_patch(patch)
    family_id = (await owner_of(sessions, Meeting, meeting_id, MEETING)).family_id
    lease = _lease(lease_s)
    async with open_edit(sessions, actor, family_id, hidden_as=MEETING, touch=False) as edit:
        draft = await _draft(edit, meeting_id)
        pen = await edit.session.get(MeetingPen, meeting_id, populate_existing=True)
        _require_pen(draft, pen, edit, lease)
        if draft.version != expected:
            raise Conflict(
                "the draft was saved by someone else since you read it; reload it and try again",
                currentVersion=draft.version,
                reason="STALE_DRAFT",
            )
        for key, value in values.items():
            setattr(draft, key, value)
        draft.version += 1
        draft.updated_by, draft.updated_at = actor.principal.user_id, actor.now
        assert pen is not None  # noqa: S101 - _require_pen found the caller holding it
        pen.last_active_at = actor.now
        await _audit(edit)
        _announce(edit, meeting_id, LiveEvent.DRAFT, draft.version)
        await edit.session.flush()
        return await _view(edit.session, meeting_id, actor.now, lease)


async def _on_team(edit: Edit, user_id: str) -> bool:
    found = await edit.session.scalar(
        select(TeamAssignment.id)
        .where(
            TeamAssignment.family_id == edit.family_id,
            TeamAssignment.user_id == user_id,
            TeamAssignment.team_role.in_(sorted(LIVE_TEAM_ROLES)),
            current(TeamAssignment.since, TeamAssignment.until, edit.actor.today),
        )
        .limit(1)
    )
    return found is not None


async def _pen_change(
    sessions: async_sessionmaker[AsyncSession],
    actor: history.Actor,
    meeting_id: str,
    lease_s: float,
    *,
    to_user_id: str | None,
    from_holder: bool,
) -> LiveMeetingView:
    family_id = (await owner_of(sessions, Meeting, meeting_id, MEETING)).family_id
    lease = _lease(lease_s)
    async with open_edit(sessions, actor, family_id, hidden_as=MEETING, touch=False) as edit:
        draft = await _draft(edit, meeting_id)
        pen = await edit.session.get(MeetingPen, meeting_id, populate_existing=True)
        if from_holder:
            _require_pen(draft, pen, edit, lease)
        else:
            holder = pen_holder(pen, actor.now, lease)
            if holder is not None and holder != actor.principal.user_id:
                raise Conflict(
                    "another participant holds the pen: ask them to hand it over",
                    currentVersion=draft.version,
                    reason="PEN_HELD",
                )
        if to_user_id is not None and to_user_id != actor.principal.user_id:
            await require_worker(edit.session, to_user_id, "toUserId")
            if not await _on_team(edit, to_user_id):
                raise BadUserInput("the pen goes to a member of the family's core team", field="toUserId")
        _give_pen(edit, pen, meeting_id, to_user_id)
        await _audit(edit)
        _announce(edit, meeting_id, LiveEvent.PEN, draft.version)
        await edit.session.flush()
        return await _view(edit.session, meeting_id, actor.now, lease)


async def take_pen(
    sessions: async_sessionmaker[AsyncSession], actor: history.Actor, *, meeting_id: str, lease_s: float
) -> LiveMeetingView:
    """Take the pen if nobody holds it (or its lease lapsed); CONFLICT PEN_HELD while someone else does."""
    return await _pen_change(
        sessions, actor, meeting_id, lease_s, to_user_id=actor.principal.user_id, from_holder=False
    )


async def hand_over_pen(
    sessions: async_sessionmaker[AsyncSession],
    actor: history.Actor,
    *,
    meeting_id: str,
    to_user_id: str,
    lease_s: float,
) -> LiveMeetingView:
    """The holder hands the pen to another member of the family's core team."""
    return await _pen_change(sessions, actor, meeting_id, lease_s, to_user_id=to_user_id, from_holder=True)


async def release_pen(
    sessions: async_sessionmaker[AsyncSession], actor: history.Actor, *, meeting_id: str, lease_s: float
) -> LiveMeetingView:
    """The holder puts the pen down: anyone on the team may take it."""
    return await _pen_change(sessions, actor, meeting_id, lease_s, to_user_id=None, from_holder=True)


@dataclass(frozen=True, slots=True)
class Closing:
    """What the close adds to the draft (as recordMeetingMinutes takes it)."""

    held_at: datetime | None = None
    next_meeting_at: datetime | None = None
    participants: Participants | None = None


async def close_live(
    sessions: async_sessionmaker[AsyncSession],
    actor: history.Actor,
    *,
    meeting_id: str,
    expected_version: int,
    closing: Closing,
    lease_s: float,
) -> LiveMeetingView:
    """The pen holder closes the meeting: its draft is recorded as the minutes, one versioned plan edit."""
    expected = require_expected(expected_version)
    family_id = (await owner_of(sessions, Meeting, meeting_id, MEETING)).family_id
    lease = _lease(lease_s)
    async with open_edit(sessions, actor, family_id, expected_version=expected, hidden_as=MEETING) as edit:
        draft = await _draft(edit, meeting_id)
        pen = await edit.session.get(MeetingPen, meeting_id, populate_existing=True)
        _require_pen(draft, pen, edit, lease)
        data = clean_minutes(
            MinutesInput(
                minutes=draft.minutes,
                decisions=list(draft.decisions),
                held_at=closing.held_at,
                participants=closing.participants,
                next_meeting_at=closing.next_meeting_at,
                new_actions=[
                    (
                        a.goal_id,
                        ActionSpec(
                            department=a.department,
                            kind=a.kind,
                            description=a.description,
                            responsible_user_id=a.responsible_user_id,
                        ),
                    )
                    for a in map(_action_of, draft.actions)
                ],
                goal_updates=[(str(c["goalId"]), GoalStatus(str(c["status"]))) for c in draft.goal_changes],
            )
        )
        await write_minutes(edit, meeting_id, data)
        draft.closed_at, draft.closed_by = actor.now, actor.principal.user_id
        _give_pen(edit, pen, meeting_id, None)
        _announce(edit, meeting_id, LiveEvent.CLOSED, draft.version)
        await edit.session.flush()
        return await _view(edit.session, meeting_id, actor.now, lease)


async def live_meeting(
    sessions: async_sessionmaker[AsyncSession],
    principal: Principal | None,
    *,
    meeting_id: str,
    now: datetime,
    today: date,
    lease_s: float,
) -> LiveMeetingView:
    """The live meeting (NOT_OPENED until someone opens it) for a viewer who may read the family's plan (its
    team, the family); NOT_FOUND for everyone else, exactly as for a meeting that does not exist."""
    family_id = (await owner_of(sessions, Meeting, meeting_id, MEETING)).family_id
    async with sessions() as session:
        access = (await access_for(session, principal, [family_id], today))[family_id]
        require_visible(access.sees_person(None), MEETING)
        return await _view(session, meeting_id, now, _lease(lease_s))
