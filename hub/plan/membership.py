"""Members joining and leaving a family, with history: leaving sets `left_on` and a reason.

A member who leaves keeps their goals, actions, measurements and meeting participation readable in the plan's
history (the goal shows that its member has left). A person belongs to at most one family at a time. A new
person is identified by CPR number, stored only encrypted with a keyed hash for look-up; the CPR never
reaches a log, an error message or the history. Nothing is deleted.

No CPR oracle: adding by CPR someone who is already a current member, of this family or of another one,
gets ONE neutral refusal (`NOT_ADDABLE`), never "a member of another family", and the attempt is audited
(DENIED, for the family asked and, when the person is elsewhere, for that family too) so the coordinators
can review it. By memberId, a person in another family is not the caller's to see: "no such person", as for
an id that names nobody (hub/access/visibility.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub import cpr as cprs
from hub.access.visibility import FAMILY_MEMBER, PERSON
from hub.audit.events import AuditAction, AuditDecision, AuditEvent, actor_fields
from hub.audit.log import record as audit_record
from hub.crypto import CprVault
from hub.domain import MemberRole
from hub.errors import BadUserInput
from hub.persistence.engine import transaction
from hub.persistence.models import Membership, Person
from hub.plan import repository
from hub.plan.domain import ChangeKind, Entity
from hub.plan.edits import Edit, open_edit, text
from hub.plan.history import AUDIT_SOURCE, PURPOSE, Actor
from hub.plan.views import MembershipView

# The one answer for a CPR that cannot be added (already a member here or elsewhere): it says nothing about where.
NOT_ADDABLE = "this person cannot be added to this family; the request has been logged for the coordinator"
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
    try:
        return await _add(sessions, vault, actor, family_id, member_role, person_id, new_person, joined)
    except _Refused as refused:
        await _audit_refusal(sessions, actor, family_id, refused)
        raise BadUserInput(NOT_ADDABLE, field="cpr") from None


class _Refused(Exception):
    """A CPR naming a current member (here or elsewhere): refused neutrally once the edit has rolled back."""

    def __init__(self, person_id: str, current_family_id: str) -> None:
        super().__init__("refused")
        self.person_id = person_id
        self.current_family_id = current_family_id


async def _audit_refusal(
    sessions: async_sessionmaker[AsyncSession], actor: Actor, family_id: str, refused: _Refused
) -> None:
    """Audit the refused attempt (in its own transaction: the edit's was rolled back)."""
    elsewhere = refused.current_family_id != family_id
    reason = "cpr_member_of_another_family" if elsewhere else "cpr_already_member"
    families = [family_id, refused.current_family_id] if elsewhere else [family_id]
    principal = actor.principal
    events = [
        AuditEvent(
            occurred_at=actor.now,
            action=AuditAction.CHANGE,
            decision=AuditDecision.DENIED,
            reason=reason,
            **actor_fields(principal),
            subject_person_id=refused.person_id,
            family_id=fid,
            source=AUDIT_SOURCE,
            categories=("CASE",),
            purpose=PURPOSE,
            basis=None,
            request_id=actor.request_id,
        )
        for fid in families
    ]
    async with transaction(sessions) as session:
        await audit_record(session, events)


async def _add(  # noqa: PLR0917 - the service's arguments, passed on once
    sessions: async_sessionmaker[AsyncSession],
    vault: CprVault,
    actor: Actor,
    family_id: str,
    member_role: MemberRole,
    person_id: str | None,
    new_person: NewPerson | None,
    joined: date,
) -> MembershipView:
    async with open_edit(sessions, actor, family_id) as edit:
        created = False
        if new_person is not None:
            person_id, created = await _person_for(edit.session, vault, new_person)
        elif await edit.session.get(Person, person_id) is None:
            raise PERSON.error()
        assert person_id is not None  # noqa: S101 - narrowed above for mypy
        current = await edit.session.scalar(
            select(Membership.family_id).where(
                Membership.person_id == person_id, Membership.left_on.is_(None)
            )
        )
        if current is not None and new_person is not None:
            raise _Refused(person_id, current)  # rolls the edit back; audited and answered by the caller
        if current == family_id:
            raise BadUserInput("already a member of this family", field="memberId")
        if current is not None:
            raise PERSON.error()
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
            raise FAMILY_MEMBER.error()
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
