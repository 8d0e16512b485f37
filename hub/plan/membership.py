"""Members joining and leaving a family, with history: leaving sets `left_on` and a reason.

A member who leaves keeps their goals, actions, measurements and meeting participation readable in the plan's
history (the goal shows that its member has left). A person belongs to at most one family at a time. A new
person is identified by CPR number, stored only encrypted with a keyed hash for look-up; the CPR never
reaches a log, an error message or the history. Nothing is deleted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub import cpr as cprs
from hub.crypto import CprVault
from hub.domain import MemberRole
from hub.errors import BadUserInput, NotFound
from hub.persistence.models import Membership, Person
from hub.plan import repository
from hub.plan.domain import ChangeKind, Entity
from hub.plan.edits import Edit, open_edit, text
from hub.plan.history import Actor
from hub.plan.views import MembershipView

NAME_MAX = 80
REASON_MAX = 500


@dataclass(frozen=True, slots=True)
class NewPerson:
    cpr: str
    first_name: str
    last_name: str


async def _view(edit: Edit, membership_id: str) -> MembershipView:
    await edit.session.flush()
    rows = (await repository.memberships(edit.session, [edit.family_id]))[edit.family_id]
    return next(m for m in rows if m.membership_id == membership_id)


async def _person_for(session: AsyncSession, vault: CprVault, new: NewPerson) -> tuple[str, bool]:
    """(person id, created?) for a CPR number: the existing person, or a new one."""
    try:
        number = cprs.normalize(new.cpr)
    except cprs.InvalidCPR as exc:
        raise BadUserInput("not a CPR number (expected DDMMYY-SSSS)", field="cpr") from exc
    existing = await session.scalar(select(Person.id).where(Person.cpr_hash == vault.lookup_hash(number)))
    if existing is not None:
        return existing, False
    person = Person(
        cpr_hash=vault.lookup_hash(number),
        cpr_encrypted=vault.encrypt(number),
        first_name=text(new.first_name, "firstName", max_len=NAME_MAX),
        last_name=text(new.last_name, "lastName", max_len=NAME_MAX),
        birth_date=cprs.birth_date(number),
    )
    session.add(person)
    await session.flush()
    return person.id, True


async def add_family_member(
    sessions: async_sessionmaker[AsyncSession],
    vault: CprVault,
    actor: Actor,
    *,
    family_id: str,
    member_role: MemberRole,
    person_id: str | None = None,
    new_person: NewPerson | None = None,
    joined_on: date | None = None,
) -> MembershipView:
    if (person_id is None) == (new_person is None):
        raise BadUserInput(
            "give either memberId (a known person) or cpr with names (a new person)", field="cpr"
        )
    joined = joined_on or actor.today
    if joined > actor.today:
        raise BadUserInput("a member cannot join in the future", field="joinedOn")
    async with open_edit(sessions, actor, family_id) as edit:
        created = False
        if new_person is not None:
            person_id, created = await _person_for(edit.session, vault, new_person)
        elif await edit.session.get(Person, person_id) is None:
            raise NotFound("no such person", field="memberId")
        assert person_id is not None  # noqa: S101 - narrowed above for mypy
        current = await edit.session.scalar(
            select(Membership.family_id).where(
                Membership.person_id == person_id, Membership.left_on.is_(None)
            )
        )
        if current == family_id:
            raise BadUserInput(
                "already a member of this family", field="memberId" if new_person is None else "cpr"
            )
        if current is not None:
            raise BadUserInput(
                "a current member of another family; they must leave it first",
                field="memberId" if new_person is None else "cpr",
            )
        row = Membership(family_id=family_id, person_id=person_id, member_role=member_role, joined_on=joined)
        edit.session.add(row)
        await edit.session.flush()
        await edit.log(
            entity=Entity.MEMBERSHIP,
            entity_id=row.id,
            change=ChangeKind.JOINED,
            summary=f"A {member_role.value.lower().replace('_', ' ')} joined the family",
            diff={"member_role": member_role.value, "joined_on": joined.isoformat(), "new_person": created},
            person_id=person_id,
        )
        return await _view(edit, row.id)


async def remove_family_member(
    sessions: async_sessionmaker[AsyncSession],
    actor: Actor,
    *,
    family_id: str,
    person_id: str,
    reason: str,
    left_on: date | None = None,
) -> MembershipView:
    clean_reason = text(reason, "reason", max_len=REASON_MAX)
    left = left_on or actor.today
    if left > actor.today:
        raise BadUserInput("a member cannot leave in the future", field="leftOn")
    async with open_edit(sessions, actor, family_id, closed_ok=True) as edit:
        row = await edit.session.scalar(
            select(Membership).where(
                Membership.family_id == family_id,
                Membership.person_id == person_id,
                Membership.left_on.is_(None),
            )
        )
        if row is None:
            raise NotFound("no such family member", field="memberId")
        if left < row.joined_on:
            raise BadUserInput("a member cannot leave before they joined", field="leftOn")
        row.left_on = left
        row.leave_reason = clean_reason
        await edit.log(
            entity=Entity.MEMBERSHIP,
            entity_id=row.id,
            change=ChangeKind.LEFT,
            summary=f"A {row.member_role.value.lower().replace('_', ' ')} left the family",
            diff={"left_on": left.isoformat(), "leave_reason": "set"},
            person_id=person_id,
        )
        return await _view(edit, row.id)
