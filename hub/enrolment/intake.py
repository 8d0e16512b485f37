"""Referral intake: a coordinator puts a newly referred family into the hub and becomes its coordinator.

`refer_family` (COORDINATOR only, else FORBIDDEN) checks the referral (hub/enrolment/referral.py: BAD_USER_INPUT
naming the field), then in ONE transaction writes the family (REFERRED), its persons, memberships (joined on
the referral date) and custody, and a team assignment making the caller the family's COORDINATOR, so that from
the commit on the caller sees the family under need-to-know and can build its team, assess and enrol it
(hub/enrolment/service.py, eligibility.py). Housing area is free text: whether it is one of the programme's
named areas is the eligibility check's question, not the intake's.

Persons are identified by CPR number through the keyed hash (`CprVault.lookup_hash`): a known person is reused
as stored (their names stand; the referral's spelling does not overwrite them), a new one is stored with the
CPR number only encrypted. A person who is a current member of another family is a CONFLICT (they must leave
it first); the message names the member's index, never the CPR number or the other family. Every created
membership writes an audit event (CHANGE, source HUB:family) and the family gets one timeline entry, in the
same transaction: any error leaves nothing behind.

Never logs, stores in clear or puts into a message a CPR number or a name.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub.audit.events import AuditAction, AuditDecision, AuditEvent, actor_fields
from hub.audit.log import record as audit_record
from hub.crypto import CprVault
from hub.domain import FamilyStatus
from hub.enrolment import store
from hub.enrolment.access import Actor, require_coordinator
from hub.enrolment.referral import CheckedMember, CheckedReferral, Referral, check_referral, needs_custody
from hub.errors import Conflict
from hub.persistence.engine import transaction
from hub.persistence.models import Custody, Family, Membership, Person, TeamAssignment, TeamRole

AUDIT_SOURCE = "HUB:family"
AUDIT_REASON = "referral_intake"
REFERRED = "REFERRED"  # the timeline's change kind for a referral


@dataclass(frozen=True, slots=True)
class ReferredFamily:
    """What the intake wrote: the family and, per input member (in input order), the person and whether
    that person was already known to the hub."""

    family_id: str
    person_ids: tuple[str, ...]
    reused: tuple[bool, ...]


def first_visible_day(actor: Actor) -> date:
    """Today, for rows need-to-know reads with a start date: never after the UTC date.

    The programme's day is Copenhagen's (`actor.today`), while need-to-know and consent read assignments and
    custody as of the request's UTC date; in the hour(s) after local midnight the two differ, and a row
    starting "tomorrow" in UTC would hide the new family from the coordinator who just referred it.
    """
    return min(actor.today, actor.now.astimezone(UTC).date())


async def refer_family(
    sessions: async_sessionmaker[AsyncSession], vault: CprVault, actor: Actor, referral: Referral
) -> ReferredFamily:
    require_coordinator(actor.principal, "refer a family")
    checked = check_referral(referral, actor.today)
    async with transaction(sessions) as session:
        # The family row is the transaction's first statement: a write, so SQLite takes its write lock
        # before the person look-ups below read anything (no stale snapshot under concurrent referrals).
        family = Family(
            district=checked.district,
            housing_area=checked.housing_area,
            status=FamilyStatus.REFERRED,
            referral_source=checked.referral_source,
            referred_on=checked.referred_on,
            display_name="Familien ",  # completed below, once reused persons' stored names are known
            version=1,
        )
        session.add(family)
        await session.flush()
        known = await _known_persons(session, vault, checked.members)
        await _refuse_current_members(session, checked.members, known)
        new = {m.cpr: _new_person(vault, m) for m in checked.members if m.cpr not in known}
        session.add_all(new.values())
        try:
            await session.flush()
        except IntegrityError as exc:
            # Another referral stored the same new person a moment ago (the unique keyed hash).
            raise Conflict(
                "a member was registered by another referral at the same moment; try again",
                reason="CONCURRENT_REFERRAL",
            ) from exc
        persons = [known.get(m.cpr) or new[m.cpr] for m in checked.members]
        # Named after the first parent as stored: a known person keeps their stored name.
        family.display_name = f"Familien {persons[checked.display_member.index].last_name}"
        session.add_all(
            Membership(
                family_id=family.id,
                person_id=person.id,
                member_role=member.member_role,
                joined_on=checked.referred_on,
            )
            for member, person in zip(checked.members, persons, strict=True)
        )
        await _add_custody(
            session, checked, persons, since=min(checked.referred_on, first_visible_day(actor))
        )
        session.add(
            TeamAssignment(
                family_id=family.id,
                user_id=actor.principal.user_id,
                team_role=TeamRole.COORDINATOR,
                since=first_visible_day(actor),
            )
        )
        await session.flush()
        await audit_record(session, [_member_event(actor, family.id, p.id) for p in persons])
        reused = tuple(m.cpr in known for m in checked.members)
        await store.log_change(
            session,
            actor.principal,
            now=actor.now,
            request_id=actor.request_id,
            family_id=family.id,
            entity_id=family.id,
            change=REFERRED,
            summary=f"Referred to the programme with {len(persons)} member{'' if len(persons) == 1 else 's'}",
            diff={
                "status": FamilyStatus.REFERRED.value,
                "referred_on": checked.referred_on.isoformat(),
                "district": checked.district.value,
                "members": len(persons),
                "known_persons": sum(reused),
                "coordinator_user_id": actor.principal.user_id,
            },
        )
        return ReferredFamily(family.id, tuple(p.id for p in persons), reused)


async def _known_persons(
    session: AsyncSession, vault: CprVault, members: tuple[CheckedMember, ...]
) -> dict[str, Person]:
    """The persons the hub already holds, by the referral's (normalised) CPR number."""
    by_hash = {vault.lookup_hash(m.cpr): m.cpr for m in members}
    stmt = select(Person).where(Person.cpr_hash.in_(list(by_hash)))
    if session.get_bind().dialect.name == "postgresql":
        # Two referrals reusing one person serialise here; the second then sees the first's membership.
        stmt = stmt.with_for_update()
    return {by_hash[p.cpr_hash]: p for p in await session.scalars(stmt)}


async def _refuse_current_members(
    session: AsyncSession, members: tuple[CheckedMember, ...], known: dict[str, Person]
) -> None:
    if not known:
        return
    index_of = {known[m.cpr].id: m.index for m in members if m.cpr in known}
    rows = await session.scalars(
        select(Membership.person_id).where(
            Membership.person_id.in_(list(index_of)), Membership.left_on.is_(None)
        )
    )
    busy = sorted(index_of[pid] for pid in set(rows))
    if busy:
        first = busy[0]
        raise Conflict(
            f"member {first} is a current member of another family; they must leave it before they can "
            "be referred in a new one",
            field=f"members[{first}].cpr",
            reason="CURRENT_MEMBER_ELSEWHERE",
            members=busy,
        )


def _new_person(vault: CprVault, member: CheckedMember) -> Person:
    return Person(
        cpr_hash=vault.lookup_hash(member.cpr),
        cpr_encrypted=vault.encrypt(member.cpr),
        first_name=member.first_name,
        last_name=member.last_name,
        birth_date=member.birth_date,
    )


async def _add_custody(
    session: AsyncSession, checked: CheckedReferral, persons: list[Person], *, since: date
) -> None:
    """Custody rows for each child under 18 as known from the referral; a pair already on record is kept."""
    pairs = [
        (persons[m.index].id, persons[h].id)
        for m in checked.members
        if needs_custody(m, checked.referred_on)
        for h in m.custody_holders
    ]
    if not pairs:
        return
    existing = await session.execute(
        select(Custody.child_id, Custody.holder_id).where(
            Custody.child_id.in_([c for c, _h in pairs]), Custody.until.is_(None)
        )
    )
    on_record = {(str(c), str(h)) for c, h in existing.all()}
    session.add_all(
        Custody(child_id=child, holder_id=holder, since=since)
        for child, holder in pairs
        if (child, holder) not in on_record
    )


def _member_event(actor: Actor, family_id: str, person_id: str) -> AuditEvent:
    principal = actor.principal
    return AuditEvent(
        occurred_at=actor.now,
        action=AuditAction.CHANGE,
        decision=AuditDecision.GRANTED,
        reason=AUDIT_REASON,
        **actor_fields(principal),
        subject_person_id=person_id,
        family_id=family_id,
        source=AUDIT_SOURCE,
        categories=("CASE",),
        purpose=store.PURPOSE,
        basis=None,
        request_id=actor.request_id,
    )
