"""KFF (Kultur- og Fritidsforvaltningen) records: leisure memberships, FritidsGuide, subsidy, FerieCamp.

KFF's leisure registry is a snake_case API (`member_id`, `memberships`, `fritidsguide`, `subsidies`
(kontingentstøtte), `feriecamp`, `open_cases`, `updated_at`, lower-case enums). Leisure data is ordinary
personal data. Pure: no I/O, randomness only from the context.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from hub.domain import Department
from hub.world.departments._context import DISTRICT_NAMES, BuildContext, Built, iso, iso_z
from hub.world.model import WorldFamily, WorldPerson
from hub.world.names import STAFF_FIRST, STAFF_LAST

FRITIDSGUIDE_STATUSES = ("referred", "matched", "ended")
# (association, activity, minimum age)
_CLUBS = (
    ("Nørrebro United", "fodbold", 5),
    ("BK Union Nord", "fodbold", 5),
    ("Bispebjerg Basket", "basketball", 8),
    ("Nørrebro Svømmeklub", "svømning", 4),
    ("Bokseklubben Nordvest", "boksning", 10),
    ("Taekwondo Klub Nørrebro", "taekwondo", 6),
    ("Mjølnerparkens Kampsport", "kickboxing", 10),
    ("Dansehuset Blågården", "dans", 4),
    ("Pigeklubben Bispebjerg", "pigeklub", 8),
    ("Skakklubben Løberen", "skak", 7),
    ("Parkour Nordvest", "parkour", 9),
    ("Nørrebro Gymnastikforening", "gymnastik", 3),
    ("Billedskolen Nord", "billedkunst", 6),
    ("Københavns Drengekor, afd. Nord", "kor", 7),
    ("Ungdomsklubben Stærevej", "klub og e-sport", 10),
)
_ADULT_CLUBS = (
    ("Kvindeklubben Blågården", "motion for kvinder"),
    ("Nørrebro Løbeklub", "løb"),
    ("Bispebjerg Bowlingklub", "bowling"),
    ("Bydelsmødrene Nørrebro", "frivilligt arbejde"),
)
_CAMPS = (
    "FerieCamp Nørrebroparken",
    "FerieCamp Naturlegepladsen Utterslev Mose",
    "FerieCamp Idræt på Bispebjerg",
    "FerieCamp Kultur og Kreativitet, Nørrebro Bibliotek",
    "FerieCamp Strand og Vand, Amager",
)
SUBSIDY_MAX_DKK = 1000
EQUIPMENT_MAX_DKK = 500


def build_kff(family: WorldFamily, person: WorldPerson, ctx: BuildContext, force_open: bool) -> Built | None:
    age = ctx.age(person, ctx.today)
    if age < 3:
        return None
    if age >= 18:
        if force_open or not ctx.chance(0.08):
            return None  # KFF has no open cases for adults: only a membership now and then
        return _adult(family, person, ctx)
    if not force_open and not ctx.chance(0.55):
        return None
    memberships = _memberships(ctx, person.birth_date, age)
    guide: dict[str, Any] | None = None
    if age >= 6 and (force_open or ctx.chance(0.18)):
        guide = _fritidsguide(ctx, force_open)
    subsidies: list[dict[str, Any]] = []
    if memberships and age <= 17 and ctx.chance(0.7):
        for year in (ctx.today.year - 1, ctx.today.year):
            if year == ctx.today.year or ctx.chance(0.5):
                subsidies.append(
                    {
                        "year": year,
                        "amount_dkk": ctx.between(2, SUBSIDY_MAX_DKK // 50) * 50,
                        "equipment_dkk": ctx.pick((0, 0, 250, 300, EQUIPMENT_MAX_DKK)),
                    }
                )
    camps: list[dict[str, Any]] = []
    if 6 <= age <= 14 and ctx.chance(0.25):
        for year in (ctx.today.year - 1, ctx.today.year):
            if ctx.chance(0.6):
                camps.append({"year": year, "camp": ctx.pick(_CAMPS), "week": ctx.between(27, 32)})
    if not (memberships or guide or subsidies or camps):
        memberships = _memberships(ctx, person.birth_date, age, at_least_one=True)
    open_cases = 1 if guide is not None and guide["status"] != "ended" else 0
    unit = "FritidsGuiden København" if guide else f"Fritidsteam {DISTRICT_NAMES[family.district]}"
    record = _record(
        ctx,
        family,
        person,
        unit=unit,
        memberships=memberships,
        guide=guide,
        subsidies=subsidies,
        camps=camps,
        open_cases=open_cases,
    )
    return Built(record=record, open_cases=open_cases)


def _adult(family: WorldFamily, person: WorldPerson, ctx: BuildContext) -> Built:
    association, activity = ctx.pick(_ADULT_CLUBS)
    since = ctx.days_ago(30, 1500)
    memberships = [_membership(ctx, association, activity, since, active=ctx.chance(0.8))]
    unit = f"Fritidsteam {DISTRICT_NAMES[family.district]}"
    record = _record(
        ctx,
        family,
        person,
        unit=unit,
        memberships=memberships,
        guide=None,
        subsidies=[],
        camps=[],
        open_cases=0,
    )
    return Built(record=record, open_cases=0)


def _record(
    ctx: BuildContext,
    family: WorldFamily,
    person: WorldPerson,
    *,
    unit: str,
    memberships: list[dict[str, Any]],
    guide: dict[str, Any] | None,
    subsidies: list[dict[str, Any]],
    camps: list[dict[str, Any]],
    open_cases: int,
) -> dict[str, Any]:
    contact = ctx.staff(Department.KFF, family.district, unit)
    touched = [date.fromisoformat(str(m["since"])) for m in memberships]
    if guide is not None:
        touched.append(date.fromisoformat(str(guide["referred_on"])))
    touched += [date(s["year"], 2, 1) for s in subsidies] + [date(c["year"], 6, 15) for c in camps]
    updated = ctx.days_after(max(touched), 0, 45) if touched else ctx.days_ago(1, 300)
    return {
        "member_id": f"kff-{ctx.next_serial('kff-member'):07d}",
        "cpr": person.cpr,
        "contact": {
            "name": contact.name,
            "unit": contact.unit,
            "phone": contact.phone,
            "email": contact.email,
        },
        "memberships": memberships,
        "fritidsguide": guide,
        "subsidies": subsidies,
        "feriecamp": camps,
        "open_cases": open_cases,
        "updated_at": iso_z(ctx.timestamp(updated)),
        "sensitivity": "normal",
    }


def _memberships(
    ctx: BuildContext, born: date, age: int, *, at_least_one: bool = False
) -> list[dict[str, Any]]:
    eligible = [c for c in _CLUBS if c[2] <= age]
    count = ctx.weighted((0, 1, 2, 3), (0.25, 0.45, 0.22, 0.08))
    if at_least_one:
        count = max(1, count)
    result = []
    for association, activity, min_age in ctx.rng.sample(eligible, k=min(count, len(eligible))):
        earliest = max(born + timedelta(days=365 * min_age), ctx.today - timedelta(days=1800))
        since = ctx.days_after(earliest, 0, max(0, (ctx.today - earliest).days))
        result.append(_membership(ctx, association, activity, since, active=ctx.chance(0.8)))
    return result


def _membership(
    ctx: BuildContext, association: str, activity: str, since: date, *, active: bool
) -> dict[str, Any]:
    return {
        "membership_id": f"ms-{ctx.next_serial('kff-ms'):08d}",
        "association": association,
        "activity": activity,
        "since": iso(min(since, ctx.today)),
        "active": active,
    }


def _fritidsguide(ctx: BuildContext, force_open: bool) -> dict[str, Any]:
    status = (
        ctx.pick(FRITIDSGUIDE_STATUSES[:2])
        if force_open
        else ctx.weighted(FRITIDSGUIDE_STATUSES, (0.3, 0.5, 0.2))
    )
    guide_name = None
    if status != "referred":  # volunteer guides are fictitious like everyone else
        guide_name = f"{ctx.pick(STAFF_FIRST)} {ctx.pick(STAFF_LAST)}"
    return {"referred_on": iso(ctx.days_ago(10, 500)), "status": status, "guide_name": guide_name}
