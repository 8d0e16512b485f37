"""BIF (Beskæftigelses- og Integrationsforvaltningen) records: the jobcentre's view of a citizen.

BIF's jobcentre system is a .NET-style API: PascalCase fields, PascalCase enum values, `CitizenId`,
`Benefit`, `TargetGroup` (målgruppe), `PlanActivities` (Min Plan) and interview dates. Youths 14–17 appear
only for a leisure job (fritidsjob/småjob). Pure: no I/O, randomness only from the context.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from hub.domain import Department, MemberRole
from hub.world.departments._context import DISTRICT_NAMES, BuildContext, Built, iso, iso_z
from hub.world.model import WorldFamily, WorldPerson

BENEFIT_TYPES = ("Kontanthjaelp", "Uddannelseshjaelp", "Sygedagpenge", "Ledighedsydelse")
RATE_LEVELS = ("Minimum", "Basic", "Raised")
TARGET_GROUPS = (
    "Jobparat",
    "Aktivitetsparat",
    "Uddannelsesparat",
    "Ressourceforloeb",
    "Jobafklaring",
    "Fleksjob",
)
ACTIVITY_TYPES = (
    "Virksomhedspraktik",
    "Loentilskud",
    "Mentor",
    "Uddannelse",
    "Danskuddannelse",
    "Fritidsjob",
    "Smaajob",
)
ACTIVITY_STATUSES = ("Active", "Planned", "Completed")

_PROVIDERS = {
    "Virksomhedspraktik": (
        "Netto Nørrebrogade",
        "Bispebjerg Hospital, Service",
        "ISS Facility Services",
        "Lidl NV",
    ),
    "Loentilskud": ("Københavns Kommune, Park og Vej", "Fakta Tagensvej", "Café Blågården"),
    "Mentor": ("Jobcenter København Mentorkorps", "Foreningen Nydansker"),
    "Uddannelse": ("KVUC", "TEC Frederiksberg", "NEXT Uddannelse København", "SOSU H"),
    "Danskuddannelse": ("Sprogcenter Nordvest", "Studieskolen", "KISS Sprogcenter"),
    "Fritidsjob": ("Netto", "Bispebjerg Boldklub", "Føtex Nørrebro", "Den lokale bager"),
    "Smaajob": ("Boligselskabet, viceværtfunktion", "Lokal købmand"),
}
_ADULT_ACTIVITIES = ACTIVITY_TYPES[:5]
_YOUTH_ACTIVITIES = ACTIVITY_TYPES[5:]
# Monthly amounts (DKK, before tax), roughly 2026 levels.
_AMOUNTS = {
    ("Kontanthjaelp", "Minimum"): (6_800, 8_600),
    ("Kontanthjaelp", "Basic"): (12_300, 13_600),
    ("Kontanthjaelp", "Raised"): (16_400, 18_100),
    ("Uddannelseshjaelp", None): (3_600, 8_400),
    ("Sygedagpenge", None): (17_500, 20_500),
    ("Ledighedsydelse", None): (17_000, 19_700),
}


def build_bif(family: WorldFamily, person: WorldPerson, ctx: BuildContext, force_open: bool) -> Built | None:
    age = ctx.age(person, ctx.today)
    if 14 <= age < 18:
        if not force_open and not ctx.chance(0.22):
            return None
        return _youth(family, person, ctx)
    if age < 18 or age >= 67:  # children, and pensioners who are no longer the jobcentre's
        return None
    share = {MemberRole.PARENT: 0.8, MemberRole.OTHER_ADULT: 0.5, MemberRole.CHILD: 0.6}[person.member_role]
    if not force_open and not ctx.chance(share):
        return None
    return _adult(family, person, ctx, age, force_open)


def _adult(family: WorldFamily, person: WorldPerson, ctx: BuildContext, age: int, force_open: bool) -> Built:
    if age < 30:
        target = ctx.weighted(("Uddannelsesparat", "Aktivitetsparat", "Jobparat"), (0.6, 0.25, 0.15))
    else:
        target = ctx.weighted((*TARGET_GROUPS, ""), (0.26, 0.38, 0.0, 0.08, 0.07, 0.06, 0.15))
    if force_open and not target:
        target = "Aktivitetsparat"
    benefit = _benefit(ctx, target, age, adult_since=_eighteenth(person.birth_date)) if target else None
    activities: list[dict[str, Any]] = []
    for _ in range(ctx.weighted((0, 1, 2, 3), (0.3, 0.4, 0.2, 0.1))):
        activities.append(_activity(ctx, ctx.pick(_ADULT_ACTIVITIES)))
    if not target and not activities:  # in work, still in the integration programme's Danish classes
        activities.append(_activity(ctx, "Danskuddannelse"))
    last_interview = ctx.days_ago(7, 120)
    next_interview = ctx.days_after(ctx.today, 3, 90) if target else None
    open_cases = 1 if (benefit or target or _any_open(activities)) else 0
    unit = f"Jobcenter København, {DISTRICT_NAMES[family.district]}"
    if target in ("Ressourceforloeb", "Jobafklaring", "Fleksjob"):
        unit = "Jobcenter København, Center for Fleksjob og Afklaring"
    record = _record(
        ctx, family, person, unit=unit, benefit=benefit, target=target or None, activities=activities
    )
    record["LastInterviewDate"] = iso(last_interview)
    record["NextInterviewDate"] = iso(next_interview)
    record["OpenCaseCount"] = open_cases
    changed = max([last_interview, *(date.fromisoformat(str(a["StartDate"])) for a in activities)])
    record["LastUpdated"] = iso_z(ctx.timestamp(ctx.days_after(changed, 0, 14)))
    return Built(record=record, open_cases=open_cases)


def _youth(family: WorldFamily, person: WorldPerson, ctx: BuildContext) -> Built:
    activities = [_activity(ctx, ctx.pick(_YOUTH_ACTIVITIES))]
    if activities[0]["Status"] == "Completed":
        activities.append(_activity(ctx, ctx.pick(_YOUTH_ACTIVITIES), status="Planned"))
    record = _record(
        ctx,
        family,
        person,
        unit="Ungeindsatsen, Fritidsjob",
        benefit=None,
        target=None,
        activities=activities,
    )
    last_interview = ctx.days_ago(10, 200)
    record["LastInterviewDate"] = iso(last_interview)
    record["NextInterviewDate"] = None
    record["OpenCaseCount"] = 1
    record["LastUpdated"] = iso_z(ctx.timestamp(ctx.days_after(last_interview, 0, 30)))
    return Built(record=record, open_cases=1)


def _record(
    ctx: BuildContext,
    family: WorldFamily,
    person: WorldPerson,
    *,
    unit: str,
    benefit: dict[str, Any] | None,
    target: str | None,
    activities: list[dict[str, Any]],
) -> dict[str, Any]:
    worker = ctx.staff(Department.BIF, family.district, unit)
    return {
        "CitizenId": f"JC-{ctx.next_serial('bif-citizen'):07d}",
        "Cpr": person.cpr,
        "CoordinatingCaseworker": {
            "Name": worker.name,
            "Unit": worker.unit,
            "Phone": worker.phone,
            "Email": worker.email,
        },
        "Benefit": benefit,
        "TargetGroup": target,
        "PlanActivities": activities,
        "Sensitivity": "Confidential",
    }


def _benefit(ctx: BuildContext, target: str, age: int, *, adult_since: date) -> dict[str, Any] | None:
    rate: str | None = None
    if target == "Uddannelsesparat":
        kind = "Uddannelseshjaelp"
    elif target == "Jobafklaring":
        kind = "Sygedagpenge"
    elif target == "Fleksjob":
        if ctx.chance(0.5):  # in a flexjob and paid by the employer: no benefit from the jobcentre
            return None
        kind = "Ledighedsydelse"
    else:
        kind = "Kontanthjaelp"
        rate = ctx.weighted(RATE_LEVELS, (0.15, 0.45, 0.40) if age >= 30 else (0.5, 0.4, 0.1))
    low, high = _AMOUNTS[(kind, rate)]
    return {
        "BenefitType": kind,
        "RateLevel": rate,
        "StartDate": iso(max(adult_since, ctx.days_ago(60, 2500))),
        "MonthlyAmountDkk": ctx.between(low, high) // 10 * 10,
    }


def _activity(ctx: BuildContext, kind: str, status: str | None = None) -> dict[str, Any]:
    if status is None:
        status = ctx.weighted(ACTIVITY_STATUSES, (0.5, 0.2, 0.3))
    if status == "Planned":
        start, end = ctx.days_after(ctx.today, 5, 60), None
    elif status == "Active":
        start, end = ctx.days_ago(5, 150), ctx.days_after(ctx.today, 14, 180)
    else:
        start = ctx.days_ago(120, 700)
        end = ctx.days_after(start, 28, 110)
    return {
        "ActivityId": f"AKT-{ctx.next_serial('bif-act'):08d}",
        "ActivityType": kind,
        "Provider": ctx.pick(_PROVIDERS[kind]),
        "StartDate": iso(start),
        "EndDate": iso(end),
        "Status": status,
    }


def _eighteenth(born: date) -> date:
    try:
        return born.replace(year=born.year + 18)
    except ValueError:  # born 29 February
        return born.replace(year=born.year + 18, day=28)


def _any_open(activities: list[dict[str, Any]]) -> bool:
    return any(a["Status"] != "Completed" for a in activities)
