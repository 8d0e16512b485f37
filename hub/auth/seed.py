"""Demo users, team assignments and caseloads for `hub seed` (registered first: later seeders use ctx.users).

Deterministic for a given world. Usernames double as the development token subject (`hub token --user NAME`):
- `tovholder` (COORDINATOR) on every family;
- core-team workers per department as the proposal sizes the team (`sof-kerne` … `suf-kerne`, plus
  `sof-kerne-2`, `sof-kerne-3`, `bif-kerne-2`, `buf-kerne-2`: with the coordinator, 10 posts; the makkerpar is
  shared out between the first two of SOF and BIF): each family gets one SOF and one BIF MAKKERPAR, and BUF/KFF/SUF core-team members
  on a subset; some families carry an ended assignment, to show that access ends with the assignment;
- caseworkers (`sof-sagsbehandler` …) with a caseload of persons registered in their department;
- `styregruppe` (STEERING_GROUP), `admin` (ADMIN), department systems (`sof-system` …);
- citizen logins (`borger-F00001-1`, …) for the adults of the first few families, and one for a young person
  of 15-17 (`ung-F000NN-1`).

Never seeds a real person: every person comes from the generated, fictitious world.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from hub.cpr import age_on
from hub.domain import Department, Role
from hub.persistence.models import CaseloadEntry, TeamAssignment, TeamRole, User
from hub.seed_context import SeedContext
from hub.world import WorldFamily, WorldPerson

CITIZEN_FAMILIES = 3  # the first families whose adults get a citizen login
CASELOAD_SIZE = 30  # at most this many persons per caseworker
ENDED_ASSIGNMENT_DAYS = 14  # how long ago the demo's ended assignments ended


@dataclass(frozen=True, slots=True)
class DemoUser:
    username: str
    role: Role
    display_name: str
    department: Department | None = None
    unit: str = ""
    person_id: str | None = None


def core_team_username(department: Department, pool: int = 1) -> str:
    base = f"{department.value.lower()}-kerne"
    return base if pool == 1 else f"{base}-{pool}"


def caseworker_username(department: Department) -> str:
    return f"{department.value.lower()}-sagsbehandler"


def system_username(department: Department) -> str:
    return f"{department.value.lower()}-system"


# The core team as the proposal sizes it (hfi-proposal-norrebro-bispebjerg.md: one worker from SUF and KFF, two
# from BIF and BUF, three from SOF, and a coordinator: 10 full-time posts).
CORE_TEAM_SIZE: dict[Department, int] = {
    Department.SOF: 3,
    Department.BIF: 2,
    Department.BUF: 2,
    Department.KFF: 1,
    Department.SUF: 1,
}
# Fictitious staff names (Danish and international, as in the administrations), one per demo worker.
STAFF_NAMES: dict[str, str] = {
    "tovholder": "Lene Bach Sørensen",
    "sof-kerne": "Camilla Friis",
    "sof-kerne-2": "Yasmin El-Sayed",
    "sof-kerne-3": "Peter Kjær Mortensen",
    "bif-kerne": "Kasper Lund",
    "bif-kerne-2": "Amina Warsame",
    "buf-kerne": "Sofie Dalgaard",
    "buf-kerne-2": "Tariq Hussain",
    "kff-kerne": "Ida Thygesen",
    "suf-kerne": "Helle Bang",
    "sof-sagsbehandler": "Jonas Vestergaard",
    "bif-sagsbehandler": "Nadia Özdemir",
    "buf-sagsbehandler": "Marie Skov",
    "kff-sagsbehandler": "Rasmus Holt",
    "suf-sagsbehandler": "Fatima Jama",
}


def staff_users() -> list[DemoUser]:
    users = [
        DemoUser("tovholder", Role.COORDINATOR, f"{STAFF_NAMES['tovholder']} (tovholder)", unit="HFI-teamet")
    ]
    for d in Department:
        for pool in range(1, CORE_TEAM_SIZE[d] + 1):
            name = core_team_username(d, pool)
            users.append(
                DemoUser(name, Role.CORE_TEAM, f"{STAFF_NAMES[name]} ({d.value})", d, "HFI-kerneteam")
            )
    for d in Department:
        users.append(
            DemoUser(
                caseworker_username(d),
                Role.CASEWORKER,
                f"{STAFF_NAMES[caseworker_username(d)]} (sagsbehandler, {d.value})",
                d,
                d.value,
            )
        )
    users.append(DemoUser("styregruppe", Role.STEERING_GROUP, "Styregruppen"))
    users.append(DemoUser("admin", Role.ADMIN, "Driftsadministrator"))
    for d in Department:
        users.append(DemoUser(system_username(d), Role.DEPARTMENT_SYSTEM, f"{d.value}-fagsystem", d))
    return users


def _adults(family: WorldFamily, today: date) -> list[WorldPerson]:
    return [m for m in family.members if age_on(m.birth_date, today) >= 18]


def citizen_users(ctx: SeedContext) -> list[DemoUser]:
    users: list[DemoUser] = []
    for family in ctx.world.families[:CITIZEN_FAMILIES]:
        for index, adult in enumerate(_adults(family, ctx.today), start=1):
            name = f"borger-{family.key}-{index}"
            users.append(
                DemoUser(name, Role.CITIZEN, f"Borger {family.key}-{index}", person_id=_pid(ctx, adult))
            )
    young = next(
        ((f, m) for f in ctx.world.families for m in f.members if 15 <= age_on(m.birth_date, ctx.today) < 18),
        None,
    )
    if young is not None:
        family, person = young
        name = f"ung-{family.key}-1"
        users.append(DemoUser(name, Role.CITIZEN, f"Ung {family.key}", person_id=_pid(ctx, person)))
    return users


def _pid(ctx: SeedContext, person: WorldPerson) -> str:
    return ctx.person_ids[person.cpr]


def _team(index: int, family: WorldFamily, today: date) -> list[tuple[str, str]]:
    """(username, team role) currently on the family at `index` (0-based, world order)."""
    team = [
        ("tovholder", TeamRole.COORDINATOR),
        (core_team_username(Department.SOF, 1 if index % 2 == 0 else 2), TeamRole.MAKKERPAR),
        (core_team_username(Department.BIF, 2 if index % 3 == 2 else 1), TeamRole.MAKKERPAR),
    ]
    if any(age_on(m.birth_date, today) < 18 for m in family.members):
        team.append((core_team_username(Department.BUF), TeamRole.CORE_TEAM))
    if index % 3 == 0:
        team.append((core_team_username(Department.KFF), TeamRole.CORE_TEAM))
    if index % 4 in (0, 1):
        team.append((core_team_username(Department.SUF), TeamRole.CORE_TEAM))
    return team


def assignments(ctx: SeedContext) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for index, family in enumerate(ctx.world.families):
        since = family.enrolled_on or family.referred_on
        family_id = ctx.family_ids[family.key]
        current = _team(index, family, ctx.today)
        for username, team_role in current:
            rows.append(_assignment(ctx, family_id, username, team_role, since, until=None))
        # An ended assignment: the worker was on the family and no longer is, so sees it no more.
        ended_user = core_team_username(Department.SOF)
        until = ctx.today - timedelta(days=ENDED_ASSIGNMENT_DAYS)
        if index % 5 == 1 and all(u != ended_user for u, _r in current) and since < until:
            rows.append(_assignment(ctx, family_id, ended_user, TeamRole.MAKKERPAR, since, until=until))
    return rows


def _assignment(
    ctx: SeedContext, family_id: str, username: str, team_role: str, since: date, *, until: date | None
) -> dict[str, object]:
    return {
        "id": f"TA-{family_id}-{username}-{since.isoformat()}",
        "family_id": family_id,
        "user_id": ctx.users[username],
        "team_role": team_role,
        "since": since,
        "until": until,
    }


def caseloads(ctx: SeedContext) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for department in Department:
        registered = sorted(
            ctx.person_ids[cpr]
            for cpr in ctx.world.department_records.get(department, {})
            if cpr in ctx.person_ids
        )
        # Every second registered person: a caseworker outside the team holds some of the cases, not all.
        for person_id in registered[::2][:CASELOAD_SIZE]:
            rows.append(
                {
                    "id": f"CL-{department.value}-{person_id}",
                    "user_id": ctx.users[caseworker_username(department)],
                    "person_id": person_id,
                    "department": department,
                }
            )
    return rows


def user_id_for(username: str) -> str:
    return f"U-{username}"


async def seed_users(session: AsyncSession, ctx: SeedContext) -> None:
    users = staff_users() + citizen_users(ctx)
    rows = [
        {
            "id": user_id_for(u.username),
            "username": u.username,
            "subject": u.username,  # development tokens carry the username as `sub`
            "display_name": u.display_name,
            "role": u.role,
            "department": u.department,
            "unit": u.unit,
            "person_id": u.person_id,
            "active": True,
        }
        for u in users
    ]
    await session.execute(insert(User), rows)
    ctx.users.update({u.username: user_id_for(u.username) for u in users})
    team = assignments(ctx)
    if team:
        await session.execute(insert(TeamAssignment), team)
    cases = caseloads(ctx)
    if cases:
        await session.execute(insert(CaseloadEntry), cases)
