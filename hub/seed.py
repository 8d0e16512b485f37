"""`hub seed`: load one deterministic world into the hub's own tables.

The core seeder writes families, persons (CPR encrypted, keyed hash), memberships and custody. Each concern adds
its demo data (users, consents, plans, ...) through a seeder in `SEEDERS`, which runs in the same transaction.
Seeding an already-seeded database with the same world is refused unless `reset=True`.
"""

from __future__ import annotations

from sqlalchemy import delete, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub.auth import seed as auth_seed
from hub.consent import seed as consent_seed
from hub.crypto import CprVault
from hub.domain import MemberRole
from hub.enrolment import seed as enrolment_seed
from hub.enrolment.closure_seed import seed_closures
from hub.outcomes.seed import seed_outcomes
from hub.persistence.all_models import metadata
from hub.persistence.engine import transaction
from hub.persistence.models import Custody, Family, Membership, Person
from hub.plan import seed as plan_seed
from hub.seed_context import SeedContext, Seeder
from hub.world import World

__all__ = ["SEEDERS", "AlreadySeeded", "SeedContext", "Seeder", "person_id_for", "seed_world"]


# Concern seeders, run in this order after the core seeder, in the same transaction.
SEEDERS: tuple[tuple[str, Seeder], ...] = (
    ("users", auth_seed.seed_users),  # first: users, assignments, caseloads (ctx.users)
    ("consent", consent_seed.seed_consents),  # consents and statutory bases (needs users)
    ("enrolment", enrolment_seed.seed_enrolment),  # enrolment history, snapshots (needs users)
    ("plan", plan_seed.seed_plans),  # plans, meetings, measurements (needs users, teams)
    ("language", plan_seed.seed_language_needs),
    # Then outcome snapshots (need the enrolment's closing dates and the plan's measurements, and the consents
    # as they stood before closing ended them).
    ("outcomes", seed_outcomes),
    # Last: closed families as closing leaves them (needs the enrolment's closed_on and the plan's meetings).
    ("closures", seed_closures),
)


class AlreadySeeded(RuntimeError):
    pass


def person_id_for(world_key: str) -> str:
    # Stable ids make the README's example queries work on every fresh `make run`.
    return f"P-{world_key}"


async def seed_world(
    sessions: async_sessionmaker[AsyncSession], world: World, vault: CprVault, *, reset: bool = False
) -> SeedContext:
    ctx = SeedContext(world=world, vault=vault, today=world.today)
    async with transaction(sessions) as session:
        existing = await session.scalar(select(func.count()).select_from(Family))
        if existing:
            if not reset:
                raise AlreadySeeded(
                    f"the database already holds {existing} families; use --reset to replace them"
                )
            for table in reversed(metadata.sorted_tables):
                if table.name != "alembic_version":
                    await session.execute(delete(table))
        await _seed_core(session, ctx)
        for _name, seeder in SEEDERS:
            await seeder(session, ctx)
    return ctx


async def _seed_core(session: AsyncSession, ctx: SeedContext) -> None:
    families: list[dict[str, object]] = []
    persons: list[dict[str, object]] = []
    memberships: list[dict[str, object]] = []
    custody: list[dict[str, object]] = []
    for fam in ctx.world.families:
        ctx.family_ids[fam.key] = fam.key
        parents = [m for m in fam.members if m.member_role is MemberRole.PARENT]
        display = parents[0].last_name if parents else fam.members[0].last_name
        families.append(
            {
                "id": fam.key,
                "district": fam.district,
                "housing_area": fam.housing_area,
                "status": fam.status,
                "referral_source": fam.referral_source,
                "referred_on": fam.referred_on,
                "enrolled_on": fam.enrolled_on,
                "display_name": f"Familien {display}",
            }
        )
        joined = fam.enrolled_on or fam.referred_on
        for member in fam.members:
            pid = person_id_for(member.key)
            ctx.person_ids[member.cpr] = pid
            persons.append(
                {
                    "id": pid,
                    "cpr_hash": ctx.vault.lookup_hash(member.cpr),
                    "cpr_encrypted": ctx.vault.encrypt(member.cpr),
                    "first_name": member.first_name,
                    "last_name": member.last_name,
                    "birth_date": member.birth_date,
                }
            )
            memberships.append(
                {
                    "id": f"MS-{member.key}",
                    "family_id": fam.key,
                    "person_id": pid,
                    "member_role": member.member_role,
                    "joined_on": joined,
                }
            )
    for fam in ctx.world.families:
        for member in fam.members:
            for holder_cpr in member.custody_holders:
                holder = ctx.person_ids.get(holder_cpr)
                if holder is None:
                    continue  # a custody holder outside the programme's families is not a hub person
                custody.append(
                    {
                        "id": f"CU-{member.key}-{holder}",
                        "child_id": ctx.person_ids[member.cpr],
                        "holder_id": holder,
                        "since": member.birth_date,
                    }
                )
    for model, rows in ((Family, families), (Person, persons), (Membership, memberships), (Custody, custody)):
        for start in range(0, len(rows), 2000):
            await session.execute(insert(model), rows[start : start + 2000])
