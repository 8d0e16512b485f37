"""One write to a family's plan: lock, authorise, check the version, then change and log.

Every plan change opens its transaction with `open_edit`, whose FIRST statement is an UPDATE of the family's
`plans` row. That makes the version check and the write one atomic statement
(`UPDATE plans SET version = version + 1 WHERE family_id = :f AND version = :expected`), and it takes the
write lock before anything is read: on PostgreSQL the row lock serialises writers of one family (the second
re-checks the version after the first commits), on SQLite the database write lock is taken before the
transaction's snapshot, so the loser waits and then sees the new version (instead of "database is locked").

Edits of goals, actions and minutes pass `expected_version` and bump the version; appends (progress notes,
scheduling, measurements, team and membership changes) only touch the row and leave the version alone.
A closed family's plan is frozen: every change is a CONFLICT with reason FAMILY_CLOSED (after access, so a
family the viewer may not see is still NOT_FOUND). Errors are raised in a fixed order: NOT_FOUND / FORBIDDEN (access), then BAD_USER_INPUT and NOT_FOUND for the
things the input names, then CONFLICT; raising rolls the whole transaction back.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, cast

from sqlalchemy import CursorResult, literal, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub.access.visibility import Missing, require_visible
from hub.domain import FamilyStatus
from hub.errors import BadUserInput, Conflict
from hub.persistence.base import Base
from hub.persistence.engine import transaction
from hub.persistence.models import Family
from hub.plan import history
from hub.plan.access import FAMILY_CLOSED, Level, PlanAccess, access_for, family_closed
from hub.plan.domain import ChangeKind, Entity
from hub.plan.history import Actor
from hub.plan.models import Goal, Plan


@dataclass
class Edit:
    session: AsyncSession
    actor: Actor
    family_id: str
    access: PlanAccess
    version: int  # the plan's version after this edit (or the current one, on a conflict)
    conflict: bool
    # PLAN_EDIT messages for the live channel, sent by `open_edit` once the transaction has committed.
    messages: list[dict[str, Any]] = field(default_factory=list)

    def require_current(self) -> None:
        """Raise CONFLICT (with the current version) if `expected_version` was stale."""
        if self.conflict:
            raise Conflict(
                "the plan was changed by someone else; reload it and try again", currentVersion=self.version
            )

    async def unchanged(self) -> None:
        """A versioned edit that changed nothing (every field already had its value): give back the version the
        lock took, so the plan's version (and every other client's `expectedVersion`) stays valid."""
        self.require_current()
        await self.session.execute(
            update(Plan)
            .where(Plan.family_id == self.family_id, Plan.version == self.version)
            .values(version=Plan.version - 1)
            .execution_options(synchronize_session=False)
        )
        self.version -= 1

    async def log(
        self,
        *,
        entity: Entity,
        entity_id: str,
        change: ChangeKind,
        summary: str,
        diff: Mapping[str, Any],
        person_id: str | None = None,
        categories: tuple[str, ...] = ("CASE",),
    ) -> None:
        self.messages.append(
            {
                "type": "PLAN_EDIT",
                "familyId": self.family_id,
                "personId": person_id,
                "summary": summary,
                "occurredAt": self.actor.now.isoformat(),
            }
        )
        await history.record(
            self.session,
            self.actor,
            family_id=self.family_id,
            entity=entity,
            entity_id=entity_id,
            change=change,
            summary=summary,
            diff=diff,
            person_id=person_id,
            plan_version=self.version,
            categories=categories,
        )


async def _lock(
    session: AsyncSession, family_id: str, actor: Actor, expected: int | None, *, touch: bool = True
) -> bool:
    stmt = update(Plan).where(Plan.family_id == family_id).execution_options(synchronize_session=False)
    # Without `touch` the statement still takes the lock, but leaves "last changed" alone (a live meeting's
    # draft saved as it is typed is not a change of the plan).
    stmt = (
        stmt.values(updated_at=actor.now, updated_by=actor.principal.user_id)
        if touch
        else stmt.values(version=Plan.version)
    )
    if expected is not None:
        stmt = stmt.where(Plan.version == expected).values(version=Plan.version + 1)
    result = cast(CursorResult[Any], await session.execute(stmt))
    return result.rowcount == 1


async def _settle(
    session: AsyncSession, family_id: str, actor: Actor, expected: int | None, locked: bool
) -> tuple[int, bool]:
    """(version after this edit, conflict?) once the lock statement has run."""
    if locked:
        current = await session.scalar(select(Plan.version).where(Plan.family_id == family_id))
        return int(current or 0), False
    current = await session.scalar(select(Plan.version).where(Plan.family_id == family_id))
    if current is not None:
        return current, True  # the row exists, so only a stale expected version can have missed it
    if expected not in (None, 0):
        return 0, True
    version = 0 if expected is None else 1
    try:
        async with session.begin_nested():
            session.add(
                Plan(
                    family_id=family_id,
                    version=version,
                    updated_at=actor.now,
                    updated_by=actor.principal.user_id,
                    created_at=actor.now,
                )
            )
    except IntegrityError:
        # Someone created the plan at the same moment (PostgreSQL): theirs wins.
        current = await session.scalar(select(Plan.version).where(Plan.family_id == family_id))
        return int(current or 0), expected is not None
    return version, False


@asynccontextmanager
async def open_edit(
    sessions: async_sessionmaker[AsyncSession],
    actor: Actor,
    family_id: str,
    *,
    expected_version: int | None = None,
    manage_team: bool = False,
    closed_ok: bool = False,
    hidden_as: Missing | None = None,
    person_id: str | None = None,
    family_voice: bool = False,
    touch: bool = True,
) -> AsyncIterator[Edit]:
    """A transaction that may change `family_id`'s plan: the caller still calls `require_current()`.

    `closed_ok`: the change keeps a closed family's record true (a member moved out), so the coordinator who
    keeps the record may make it; every other change to a closed family is refused.
    `hidden_as` names the object the input pointed at (a goal, a meeting ...; `person_id` its member): a caller
    who may not see it gets exactly the answer a missing one gets, never "no such family" or FORBIDDEN.
    `family_voice`: the family's own words (hub/plan/voice.py): a family member who reads the plan may write
    them too (the caller decides whose voice it is).
    `touch=False`: lock and authorise as any edit, but leave the plan's "last changed" as it is (a live
    meeting's draft and pen, hub/plan/live_meeting.py).
    """
    async with transaction(sessions) as session:
        locked = await _lock(session, family_id, actor, expected_version, touch=touch)
        access = (await access_for(session, actor.principal, [family_id], actor.today))[family_id]
        if hidden_as is not None:
            require_visible(access.sees_person(person_id), hidden_as)
        record = access.reason == FAMILY_CLOSED
        if not closed_ok and (
            record
            or (
                (access.level is Level.EDIT or (family_voice and access.can_read))
                and await session.scalar(select(Family.status).where(Family.id == family_id))
                is FamilyStatus.CLOSED
            )
        ):
            current = await session.scalar(select(Plan.version).where(Plan.family_id == family_id))
            raise family_closed(int(current or 0))
        if manage_team:
            access.require_manage_team()
        elif family_voice and access.can_read:
            pass
        elif not (closed_ok and record):
            access.require_edit()
        version, conflict = await _settle(session, family_id, actor, expected_version, locked)
        edit = Edit(session, actor, family_id, access, version, conflict)
        yield edit
    if actor.notify is not None and edit.messages:
        await actor.notify(edit.messages)


class Unset(Enum):
    """Marks an update field the client did not send (None means "clear it")."""

    UNSET = "UNSET"


UNSET = Unset.UNSET


def require_expected(value: int) -> int:
    """The client's expected version: a plan version is never negative."""
    if value < 0:
        raise BadUserInput("expectedVersion is never negative", field="expectedVersion")
    return value


def text(value: str, field: str, *, max_len: int, required: bool = True) -> str:
    """Trimmed free text within bounds, else BAD_USER_INPUT on `field`."""
    cleaned = value.strip()
    if required and not cleaned:
        raise BadUserInput(f"{field} must not be empty", field=field)
    if len(cleaned) > max_len:
        raise BadUserInput(f"{field} is longer than {max_len} characters", field=field)
    return cleaned


@dataclass(frozen=True, slots=True)
class Owner:
    """Whose an entity is: its family and, for member-level plan data, its member (None: the whole family)."""

    family_id: str
    person_id: str | None = None


async def owner_of(
    sessions: async_sessionmaker[AsyncSession], model: type[Base], entity_id: str, missing: Missing
) -> Owner:
    """The family (and member) an entity belongs to, read BEFORE the edit transaction (it never moves).

    Pass the result with `missing` to `open_edit(hidden_as=..., person_id=...)`, so a hidden entity and an
    absent one get the same answer.
    """
    column = model.__table__.c
    person = column.person_id if "person_id" in column else None
    if person is None and "goal_id" in column:  # an action is its goal's: the goal names the member
        person = Goal.__table__.c.person_id
        stmt = select(column.family_id, person).join(Goal, Goal.id == column.goal_id)
    else:
        stmt = select(column.family_id, person if person is not None else literal(None))
    async with sessions() as session:
        row = (await session.execute(stmt.where(column.id == entity_id))).first()
    if row is None:
        raise missing.error()
    return Owner(str(row[0]), None if row[1] is None else str(row[1]))
