"""The family's own voice beside the plan: goals in their own words, their notes, a child's view (10+).

Writes go through `open_edit(family_voice=True)`: a family member who reads the plan writes in their own voice
(hub/plan/voice_policy.py), a worker of the team records a child's view marked as the child's. A goal's wording
is an edit of the goal (versioned: `expectedVersion`, CONFLICT on a stale one); notes and views are appends,
like progress notes. Every write is in the family's history and the audit trail; the history never copies the
text. Reads are filtered per entry by `voice_policy.may_read` (a 15-17-year-old's words reach a parent only
while the young person shares them).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub.access.visibility import FAMILY_MEMBER, GOAL, MEETING, Missing
from hub.cpr import age_on
from hub.errors import BadUserInput, Forbidden
from hub.plan import repository
from hub.plan.access import Level, PlanAccess
from hub.plan.domain import ChangeKind, Entity
from hub.plan.edits import Edit, open_edit, owner_of, require_expected, text
from hub.plan.history import Actor
from hub.plan.models import FamilyVoice, Goal, Meeting
from hub.plan.views import PersonRef, WorkerView
from hub.plan.voice_policy import VoiceKind, VoiceViewer, may_read, may_record_child_view, may_write_own

TEXT_MAX = 2_000
VOICE = Missing("no such entry", "entryId")


@dataclass(frozen=True, slots=True)
class VoiceView:
    id: str
    family_id: str
    kind: VoiceKind
    person: PersonRef  # whose voice it is
    goal_id: str | None
    meeting_id: str | None
    text: str
    written_by_family: bool  # written by the member themselves (else recorded by a worker, as theirs)
    recorded_by: WorkerView | None
    written_at: datetime
    shared_with_parents: bool


def viewer_of(access: PlanAccess, own_person_id: str | None) -> VoiceViewer:
    """The reader as the voice policy knows them, from their plan access."""
    if access.level is Level.EDIT or (access.can_read and access.person_ids is None):
        return VoiceViewer(team=True)
    children = (access.person_ids or frozenset()) - {own_person_id}
    return VoiceViewer(
        team=False, person_id=own_person_id, custody_children=frozenset(c for c in children if c)
    )


async def _born(session: AsyncSession, person_id: str) -> date:
    people = await repository.persons(session, [person_id])
    if person_id not in people:
        raise FAMILY_MEMBER.error()
    return people[person_id].birth_date


async def _view(session: AsyncSession, row: FamilyVoice) -> VoiceView:
    people = await repository.persons(session, [row.person_id])
    who = await repository.workers(session, [row.recorded_by])
    return _as_view(row, people[row.person_id], who)


def _as_view(row: FamilyVoice, person: PersonRef, who: dict[str, WorkerView]) -> VoiceView:
    return VoiceView(
        id=row.id,
        family_id=row.family_id,
        kind=VoiceKind(row.kind),
        person=person,
        goal_id=row.goal_id,
        meeting_id=row.meeting_id,
        text=row.text,
        written_by_family=row.written_by_person is not None,
        recorded_by=who.get(row.recorded_by or ""),
        written_at=row.written_at,
        shared_with_parents=row.shared_with_parents,
    )


async def _add(
    edit: Edit,
    *,
    kind: VoiceKind,
    owner_id: str,
    clean: str,
    goal_id: str | None,
    meeting_id: str | None,
    by_family: bool,
    shared: bool,
) -> VoiceView:
    actor = edit.actor
    row = FamilyVoice(
        family_id=edit.family_id,
        person_id=owner_id,
        goal_id=goal_id,
        meeting_id=meeting_id,
        kind=kind.value,
        text=clean,
        written_by_person=owner_id if by_family else None,
        recorded_by=actor.principal.user_id,
        written_at=actor.now,
        shared_with_parents=shared,
    )
    edit.session.add(row)
    await edit.session.flush()
    labels = {
        VoiceKind.GOAL_WORDING: "The goal in the family's own words",
        VoiceKind.NOTE: "The family's own note",
        VoiceKind.CHILD_VIEW: "A child's view",
    }
    await edit.log(
        entity=Entity.FAMILY_VOICE,
        entity_id=row.id,
        change=ChangeKind.UPDATED if kind is VoiceKind.GOAL_WORDING else ChangeKind.CREATED,
        summary=labels[kind] + (" (written by the member)" if by_family else " (recorded by the team)"),
        diff={"kind": kind.value, "goal_id": goal_id, "meeting_id": meeting_id, "text": "set"},
        person_id=owner_id,
    )
    return await _view(edit.session, row)


async def _goal_in(edit: Edit, goal_id: str) -> Goal:
    goal = await edit.session.get(Goal, goal_id)
    if goal is None or goal.family_id != edit.family_id:
        raise GOAL.error()
    return goal


async def write_goal_wording(
    sessions: async_sessionmaker[AsyncSession],
    actor: Actor,
    *,
    goal_id: str,
    wording: str,
    expected_version: int,
    shared_with_parents: bool = False,
) -> VoiceView:
    """The writer's own wording of a goal they see, beside the professionals' (versioned, like a goal edit)."""
    expected = require_expected(expected_version)
    clean = text(wording, "wording", max_len=TEXT_MAX)
    owner = await owner_of(sessions, Goal, goal_id, GOAL)
    writer = actor.principal.person_id
    async with open_edit(
        sessions,
        actor,
        owner.family_id,
        expected_version=expected,
        hidden_as=GOAL,
        person_id=owner.person_id,
        family_voice=True,
    ) as edit:
        if writer is None or not may_write_own(writer, writer).allowed:
            raise Forbidden("a goal's wording in the family's own words is written by a family member")
        await _goal_in(edit, goal_id)
        edit.require_current()
        return await _add(
            edit,
            kind=VoiceKind.GOAL_WORDING,
            owner_id=writer,
            clean=clean,
            goal_id=goal_id,
            meeting_id=None,
            by_family=True,
            shared=shared_with_parents,
        )


async def add_family_note(
    sessions: async_sessionmaker[AsyncSession],
    actor: Actor,
    *,
    goal_id: str | None = None,
    meeting_id: str | None = None,
    note: str,
    shared_with_parents: bool = False,
) -> VoiceView:
    """A family member's own note on a goal, or on a meeting's decisions, they see (an append, the family's)."""
    if (goal_id is None) == (meeting_id is None):
        raise BadUserInput("name either a goal or a meeting", field="goalId")
    clean = text(note, "text", max_len=TEXT_MAX)
    if goal_id is not None:
        owner, hidden = await owner_of(sessions, Goal, goal_id, GOAL), GOAL
    else:
        owner, hidden = await owner_of(sessions, Meeting, str(meeting_id), MEETING), MEETING
    writer = actor.principal.person_id
    async with open_edit(
        sessions, actor, owner.family_id, hidden_as=hidden, person_id=owner.person_id, family_voice=True
    ) as edit:
        if writer is None:
            raise Forbidden("the family's own notes are written by a family member")
        if goal_id is not None:
            await _goal_in(edit, goal_id)
        return await _add(
            edit,
            kind=VoiceKind.NOTE,
            owner_id=writer,
            clean=clean,
            goal_id=goal_id,
            meeting_id=meeting_id,
            by_family=True,
            shared=shared_with_parents,
        )


async def _family_of_member(sessions: async_sessionmaker[AsyncSession], person_id: str) -> str:
    from hub.plan.measurements import _current_family

    return await _current_family(sessions, person_id)


async def record_child_view(
    sessions: async_sessionmaker[AsyncSession],
    actor: Actor,
    *,
    person_id: str,
    view: str,
    goal_id: str | None = None,
    meeting_id: str | None = None,
    shared_with_parents: bool = False,
) -> VoiceView:
    """A child's view (10-17): written by the young person themselves, or recorded by the team as the child's."""
    clean = text(view, "view", max_len=TEXT_MAX)
    family_id = await _family_of_member(sessions, person_id)
    by_family = actor.principal.person_id is not None
    async with open_edit(
        sessions, actor, family_id, hidden_as=FAMILY_MEMBER, person_id=person_id, family_voice=by_family
    ) as edit:
        age = age_on(await _born(edit.session, person_id), actor.today)
        if by_family:
            if not may_write_own(actor.principal.person_id, person_id).allowed:
                raise Forbidden("a family member writes only their own view; the team records a child's view")
            if age >= 18:
                raise BadUserInput("a child's view is for members under 18", field="memberId")
        else:
            decision = may_record_child_view(edit.access.level is Level.EDIT, age)
            if not decision.allowed:
                raise BadUserInput("a child's view is recorded for children from 10 to 17", field="memberId")
        if goal_id is not None:
            goal = await _goal_in(edit, goal_id)
            if goal.person_id not in (None, person_id):
                raise BadUserInput("the goal is another member's", field="goalId")
        if meeting_id is not None:
            meeting = await edit.session.get(Meeting, meeting_id)
            if meeting is None or meeting.family_id != family_id:
                raise MEETING.error()
        return await _add(
            edit,
            kind=VoiceKind.CHILD_VIEW,
            owner_id=person_id,
            clean=clean,
            goal_id=goal_id,
            meeting_id=meeting_id,
            by_family=by_family,
            shared=shared_with_parents,
        )


async def share_with_parents(
    sessions: async_sessionmaker[AsyncSession], actor: Actor, *, entry_id: str, shared: bool
) -> VoiceView:
    """The young person's own say (from 15): let their parents read an entry in their voice, or stop it."""
    owner = await owner_of(sessions, FamilyVoice, entry_id, VOICE)
    async with open_edit(
        sessions, actor, owner.family_id, hidden_as=VOICE, person_id=owner.person_id, family_voice=True
    ) as edit:
        row = await edit.session.get(FamilyVoice, entry_id)
        if row is None:  # pragma: no cover - owner_of found it
            raise VOICE.error()
        if not may_write_own(actor.principal.person_id, row.person_id).allowed:
            raise Forbidden("only the young person decides whether their parents read their words")
        row.shared_with_parents = shared
        await edit.log(
            entity=Entity.FAMILY_VOICE,
            entity_id=row.id,
            change=ChangeKind.UPDATED,
            summary="Shared with parents" if shared else "No longer shared with parents",
            diff={"shared_with_parents": shared},
            person_id=row.person_id,
        )
        return await _view(edit.session, row)


async def voices(
    session: AsyncSession,
    family_ids: Collection[str],
    access: dict[str, PlanAccess],
    own: str | None,
    on: date,
) -> dict[str, list[VoiceView]]:
    """Each family's entries the viewer may read (oldest first); families the viewer cannot read get none."""
    ids = [f for f in dict.fromkeys(family_ids) if f in access and access[f].can_read]
    out: dict[str, list[VoiceView]] = {f: [] for f in family_ids}
    if not ids:
        return out
    rows = list(
        await session.scalars(
            select(FamilyVoice)
            .where(FamilyVoice.family_id.in_(ids))
            .order_by(FamilyVoice.written_at, FamilyVoice.id)
        )
    )
    people = await repository.persons(session, (r.person_id for r in rows))
    goal_rows = await session.execute(select(Goal.id, Goal.person_id).where(Goal.family_id.in_(ids)))
    goal_owner: dict[str, str | None] = {str(row[0]): row[1] for row in goal_rows.all()}
    who = await repository.workers(session, (r.recorded_by for r in rows))
    for r in rows:
        plan = access[r.family_id]
        if r.goal_id is not None and not plan.sees_person(goal_owner.get(r.goal_id)):
            continue
        person = people[r.person_id]
        decision = may_read(
            viewer_of(plan, own),
            r.person_id,
            age_on(person.birth_date, on),
            shared_with_parents=r.shared_with_parents,
        )
        if decision.allowed:
            out[r.family_id].append(_as_view(r, person, who))
    return out
