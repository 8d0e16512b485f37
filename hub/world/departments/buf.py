"""BUF (Børne- og Ungdomsforvaltningen) records: school or daycare, absence, PPR and health visitors.

BUF's child administration system is a modern camelCase API (`childId`, `institution`, `absence`, `ppv`,
`psychologistContacts`, `healthVisits`, `screenings`, `openCases`, `updateTime`). Psychologist contacts,
health-visitor visits and screenings are health data. Pure: no I/O, randomness only from the context.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from hub.domain import Department, District
from hub.world.departments._context import (
    DISTRICT_NAMES,
    BuildContext,
    Built,
    iso,
    iso_z,
    last_quarters,
)
from hub.world.model import WorldFamily, WorldPerson

SCHOOLS = {
    District.NORREBRO: (
        "Rådmandsgades Skole",
        "Hillerødgades Skole",
        "Nørrebro Park Skole",
        "Guldberg Skole",
        "Blågård Skole",
    ),
    District.BISPEBJERG: ("Tagensbo Skole", "Lundehusskolen", "Bellahøj Skole", "Utterslev Skole"),
}
TENTH_GRADE = "10. klasse Center Nord"
DAYCARES = {
    "Mjølnerparken": "Børnehuset Mjølner",
    "Aldersrogade": "Daginstitutionen Aldersro",
    "Lundtoftegade": "Vuggestuen Lundtoften",
    "Blågården": "Børnehuset Blågården",
    "Stærevej": "Børnehuset Stæren",
    "Bispeparken": "Bispeparkens Børnehus",
    "Bispevænget": "Daginstitutionen Bispevænget",
    "Degnegården": "Degnegårdens Vuggestue og Børnehave",
}
INSTITUTION_TYPES = ("SCHOOL", "DAYCARE")
PPV_STATUSES = ("REQUESTED", "IN_PROGRESS", "COMPLETED")
HEALTH_VISIT_TYPES = ("NEWBORN", "TWO_MONTHS", "EIGHT_TO_ELEVEN_MONTHS", "SCHOOL_START")
SENSITIVITIES = ("CONFIDENTIAL", "SENSITIVE")
_RECOMMENDATIONS = (
    "Støtte i klassen ved AKT-vejleder",
    "Specialpædagogisk bistand i almenklassen",
    "Visitation til specialklasse",
    "Henvisning til børne- og ungdomspsykiatrisk udredning",
    "Forældrevejledning og opfølgning efter 3 måneder",
    "Ingen særlige tiltag; fortsat opmærksomhed",
)
_PSYCHOLOGIST_PURPOSES = (
    "Samtale om trivsel",
    "Observation i klassen",
    "Forældresamtale",
    "Kognitiv testning",
    "Netværksmøde med skole og familie",
)
_HEALTH_VISIT_OFFSETS = {
    "NEWBORN": (4, 10),
    "TWO_MONTHS": (55, 70),
    "EIGHT_TO_ELEVEN_MONTHS": (245, 330),
}


def build_buf(family: WorldFamily, person: WorldPerson, ctx: BuildContext, force_open: bool) -> Built | None:
    age = ctx.age(person, ctx.today)
    if age >= 18:
        return None
    grade = _grade(person.birth_date, ctx.today)
    if grade > 10:
        return None
    # 10th grade is optional (the rest are in youth education); some attend a private school (friskole)
    # outside BUF's system.
    registered = ctx.chance(0.35) if grade == 10 else ctx.chance(0.9)
    if not registered and not force_open:
        return None
    institution, contact_role, unit = _institution(family, ctx, age, grade)
    contact = ctx.staff(Department.BUF, family.district, unit)
    absence = _absence(ctx) if grade >= 0 else []
    ppv: dict[str, Any] | None = None
    if force_open or (age >= 3 and ctx.chance(0.18 if grade >= 0 else 0.07)):
        ppv = _ppv(ctx, force_open)
    psychologist = _psychologist(ctx, age, referred=ppv is not None)
    visits = _health_visits(ctx, person.birth_date, age, grade)
    screenings: list[dict[str, Any]] = []
    if 4 <= age <= 16 and ctx.chance(0.2):
        screenings.append(
            {
                "instrument": "SDQ",
                "score": ctx.between(4, 32),
                "date": iso(ctx.days_ago(20, 500)),
                "respondent": ctx.pick(("PARENT", "TEACHER", "SELF") if age >= 11 else ("PARENT", "TEACHER")),
            }
        )

    open_cases = 0
    if ppv is not None and ppv["status"] != "COMPLETED":
        open_cases += 1
    if absence and absence[-1]["reportRequired"]:
        open_cases += 1  # a school-absence case (fraværssag) follows the 15 % report
    if psychologist and date.fromisoformat(str(psychologist[-1]["date"])) >= ctx.today - timedelta(days=90):
        open_cases += 1
    health = bool(psychologist or visits or screenings)
    touched = [ctx.days_ago(5, 120)]
    touched += [date.fromisoformat(str(x["date"])) for x in (*psychologist, *visits, *screenings)]
    if ppv is not None:
        touched.append(date.fromisoformat(str(ppv["date"])))
    record = {
        "childId": f"barn-{ctx.next_serial('buf-child'):08d}",
        "cpr": person.cpr,
        "institution": institution,
        "contactPerson": {
            "name": contact.name,
            "role": contact_role,
            "unit": contact.unit,
            "phone": contact.phone,
            "email": contact.email,
        },
        "absence": absence,
        "ppv": ppv,
        "psychologistContacts": psychologist,
        "healthVisits": visits,
        "screenings": screenings,
        "openCases": open_cases,
        "updateTime": iso_z(ctx.timestamp(max(touched))),
        "sensitivity": "SENSITIVE" if health else "CONFIDENTIAL",
    }
    return Built(record=record, open_cases=open_cases)


def _psychologist(ctx: BuildContext, age: int, *, referred: bool) -> list[dict[str, Any]]:
    """PPR psychologist contacts: mostly for children with a PPV, some on their own."""
    if age < 4 or not (referred or ctx.chance(0.06)) or not ctx.chance(0.6):
        return []
    first = ctx.days_ago(10, 400)
    contacts = []
    for _ in range(ctx.between(1, 4)):
        when = ctx.days_after(first, 0, 200)
        if when <= ctx.today:
            contacts.append({"date": iso(when), "purpose": ctx.pick(_PSYCHOLOGIST_PURPOSES)})
    contacts.sort(key=lambda p: str(p["date"]))
    return contacts


def _grade(born: date, today: date) -> int:
    """The school grade (0 = børnehaveklasse) for the school year running on `today`; negative = preschool."""
    school_year = today.year if today.month >= 8 else today.year - 1
    return school_year - born.year - 6


def _institution(
    family: WorldFamily, ctx: BuildContext, age: int, grade: int
) -> tuple[dict[str, Any] | None, str, str]:
    district = DISTRICT_NAMES[family.district]
    if grade >= 0:
        name = TENTH_GRADE if grade == 10 else ctx.pick(SCHOOLS[family.district])
        institution: dict[str, Any] = {
            "institutionId": f"skole-{abs(hash_name(name)) % 100_000:05d}",
            "name": name,
            "type": "SCHOOL",
            "grade": str(grade),
            "className": f"{grade}.{ctx.pick('ABC')}",
        }
        role = "Klasselærer" if grade < 7 else ctx.pick(("Klasselærer", "AKT-vejleder", "UU-vejleder"))
        return institution, role, name
    if age >= 1 and ctx.chance(0.9):
        name = DAYCARES[family.housing_area]
        institution = {
            "institutionId": f"dagtilbud-{abs(hash_name(name)) % 100_000:05d}",
            "name": name,
            "type": "DAYCARE",
            "grade": None,
            "className": "Vuggestue" if age < 3 else "Børnehave",
        }
        return institution, "Pædagogisk leder", name
    return None, "Sundhedsplejerske", f"Sundhedsplejen {district}"


def hash_name(name: str) -> int:
    """A stable (not per-process salted) small hash, so institution ids are the same for every seed."""
    value = 0
    for char in name:
        value = (value * 131 + ord(char)) % 1_000_003
    return value


def _absence(ctx: BuildContext) -> list[dict[str, Any]]:
    # Each child has a tendency; the programme's children skew towards high unlawful absence.
    tendency = ctx.weighted((1.0, 5.0, 11.0, 19.0), (0.5, 0.22, 0.14, 0.14))
    quarters = []
    for year, quarter, _first, _last in last_quarters(ctx.today, 4):
        school_days = 38 if quarter == 3 else ctx.between(56, 62)
        unlawful = max(0.0, round(ctx.rng.gauss(tendency, tendency / 3 + 0.5), 1))
        quarters.append(
            {
                "period": f"{year}Q{quarter}",
                "schoolDays": school_days,
                "sickPercent": round(ctx.rng.uniform(0.5, 9.0), 1),
                "permittedPercent": round(ctx.rng.uniform(0.0, 4.0), 1),
                "unlawfulPercent": min(unlawful, 80.0),
                "reportRequired": unlawful >= 15.0,
            }
        )
    return quarters


def _ppv(ctx: BuildContext, force_open: bool) -> dict[str, Any]:
    status = "IN_PROGRESS" if force_open else ctx.weighted(PPV_STATUSES, (0.25, 0.3, 0.45))
    when = ctx.days_ago(5, 120) if status != "COMPLETED" else ctx.days_ago(30, 600)
    return {
        "status": status,
        "date": iso(when),
        "recommendation": ctx.pick(_RECOMMENDATIONS) if status == "COMPLETED" else None,
    }


def _health_visits(ctx: BuildContext, born: date, age: int, grade: int) -> list[dict[str, Any]]:
    """Sundhedspleje for 0–6 year-olds: the standard visits that have happened by today."""
    if age > 6:
        return []
    visits: list[dict[str, Any]] = []
    for kind, (low, high) in _HEALTH_VISIT_OFFSETS.items():
        when = born + timedelta(days=ctx.between(low, high))
        if when <= ctx.today and ctx.chance(0.95):
            visits.append({"type": kind, "date": iso(when)})
    if grade == 0:
        when = date(ctx.today.year if ctx.today.month >= 8 else ctx.today.year - 1, 9, ctx.between(1, 30))
        if when <= ctx.today:
            visits.append({"type": "SCHOOL_START", "date": iso(when)})
    return visits
