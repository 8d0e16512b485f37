"""SOF (Socialforvaltningen) records: child-welfare cases and adult social support, in SOF's wire format.

SOF's case system speaks Danish: `borger` records with `sagsnummer`, `underretninger` (reports of concern),
`boernefagligeUndersoegelser` (Barnets lov §20), `stoetteindsatser` (§32), `anbringelser` (§46/§47),
`barnetsPlanDato`, `voksenstoette` (Serviceloven) and `funktionsvurderinger` (the person's functioning: ICS in a
child-welfare investigation and its follow-ups, VUM for an adult; health data). Pure: no I/O, randomness only
from the context; the functioning assessments draw from a hash of the person, not the world's random stream, so
adding them left every other record as it was.
"""

from __future__ import annotations

import hashlib
from datetime import date, timedelta
from typing import Any

from hub.domain import Department, MemberRole
from hub.world.departments._context import DISTRICT_NAMES, BuildContext, Built, StaffMember, iso, iso_z
from hub.world.model import WorldFamily, WorldPerson

REPORTER_TYPES = ("SKOLE", "DAGTILBUD", "POLITI", "SUNDHEDSPERSON", "BORGER", "ANONYM", "SSP", "FAMILIE")
_REPORTER_WEIGHTS = (0.30, 0.10, 0.14, 0.12, 0.08, 0.08, 0.08, 0.10)
INVESTIGATION_STATUSES = ("IGANGVAERENDE", "AFSLUTTET", "HENLAGT")
MEASURE_TYPES = (
    "FAMILIEBEHANDLING",
    "KONTAKTPERSON",
    "KRIMINALPRAEVENTIVT_FORLOEB",
    "IDRAETSPROJEKTET",
    "AFLASTNING",
    "PRAKTISK_PAEDAGOGISK_STOETTE",
)
MEASURE_STATUSES = ("AKTIV", "PLANLAGT", "AFSLUTTET")
PLACEMENT_PLACES = ("PLEJEFAMILIE", "NETVAERKSPLEJEFAMILIE", "DOEGNINSTITUTION", "EGET_VAERELSE")
SENSITIVITIES = ("ALMINDELIG", "FORTROLIG", "FOELSOM")

_PROVIDERS = {
    "FAMILIEBEHANDLING": (
        "Familiehuset Nørrebro",
        "Familiecenter Bispebjerg",
        "Center for Familiebehandling",
    ),
    "KONTAKTPERSON": ("Kontaktpersonkorpset København", "Ungdomskontakten Nord"),
    "KRIMINALPRAEVENTIVT_FORLOEB": ("SSP København", "Ungdomskriminalitetsnævnet – forløb Nord"),
    "IDRAETSPROJEKTET": ("Idrætsprojektet",),
    "AFLASTNING": ("Aflastningsfamilie (godkendt)", "Børnehuset Aflastning Nord"),
    "PRAKTISK_PAEDAGOGISK_STOETTE": ("Hjemme-hos-konsulenterne", "Familiehuset Nørrebro"),
}
_ADULT_SUPPORT = (
    ("Serviceloven §85", "SOCIALPAEDAGOGISK_STOETTE"),
    ("Serviceloven §99", "STOETTE_OG_KONTAKTPERSON"),
    ("Serviceloven §82 b", "GRUPPEFORLOEB"),
)
INVESTIGATION_MONTHS = 4
FUNCTIONING_METHODS = ("ICS", "VUM")
ICS_FOLLOW_UP_DAYS = 182  # a child's plan is followed up at least every six months (Barnets lov §101)
VUM_FOLLOW_UP_DAYS = 365


def build_sof(family: WorldFamily, person: WorldPerson, ctx: BuildContext, force_open: bool) -> Built | None:
    age = ctx.age(person, ctx.today)
    district = DISTRICT_NAMES[family.district]
    if age < 18:
        if not force_open and not ctx.chance(0.45 if family.status.value == "ACTIVE" else 0.3):
            return None
        return _child(family, person, ctx, age=age, district=district, force_open=force_open)
    young_adult = person.member_role is MemberRole.CHILD
    if not force_open and not ctx.chance(0.12 if young_adult else 0.15):
        return None
    return _adult(family, person, ctx, young_adult, force_open)


def _child(
    family: WorldFamily, person: WorldPerson, ctx: BuildContext, *, age: int, district: str, force_open: bool
) -> Built:
    born = person.birth_date
    opened = ctx.not_before(ctx.days_ago(20, 1400), born + timedelta(days=30))
    worker = ctx.staff(Department.SOF, family.district, f"Børnefamiliecenter {district}")
    reports: list[dict[str, Any]] = []
    for _ in range(ctx.between(1, 4)):
        received = ctx.not_before(ctx.days_ago(0, 1100), opened)
        reports.append(
            {
                "id": f"UND-{received.year}-{ctx.next_serial('sof-und'):06d}",
                "modtaget": iso(received),
                "anmeldertype": ctx.weighted(REPORTER_TYPES, _REPORTER_WEIGHTS),
                "akut": ctx.chance(0.1),
            }
        )
    reports.sort(key=lambda r: str(r["modtaget"]))

    investigations: list[dict[str, Any]] = []
    open_count = 0
    if force_open or ctx.chance(0.6):
        started = ctx.not_before(ctx.days_ago(5, 500), opened)
        due = _add_months(started, INVESTIGATION_MONTHS)
        if force_open or (ctx.today - started).days <= 125 or ctx.chance(0.12):
            status = "IGANGVAERENDE"  # some run past their four-month deadline, as in real life
            open_count += 1
        else:
            status = ctx.weighted(("AFSLUTTET", "HENLAGT"), (0.85, 0.15))
        investigations.append(
            {
                "id": f"BFU-{started.year}-{ctx.next_serial('sof-bfu'):06d}",
                "hjemmel": "Barnets lov §20",
                "startdato": iso(started),
                "frist": iso(due),
                "status": status,
            }
        )

    measures: list[dict[str, Any]] = []
    if ctx.chance(0.5):
        for _ in range(ctx.between(1, 2)):
            kind = ctx.pick(_measure_kinds(age))
            start = ctx.not_before(ctx.days_ago(-30, 700), opened)
            status = "PLANLAGT" if start > ctx.today else ctx.weighted(("AKTIV", "AFSLUTTET"), (0.7, 0.3))
            end = ctx.days_after(start, 90, 365) if status == "AFSLUTTET" else None
            if end is not None and end > ctx.today:
                status, end = "AKTIV", None
            if status != "AFSLUTTET":
                open_count += 1
            measures.append(
                {
                    "id": f"IND-{start.year}-{ctx.next_serial('sof-ind'):06d}",
                    "hjemmel": "Barnets lov §32",
                    "indsatstype": kind,
                    "leverandoer": ctx.pick(_PROVIDERS[kind]),
                    "startdato": iso(start),
                    "slutdato": iso(end),
                    "status": status,
                }
            )

    placements: list[dict[str, Any]] = []
    if ctx.chance(0.04):
        with_consent = ctx.chance(0.8)
        start = ctx.not_before(ctx.days_ago(30, 900), opened)
        placements.append(
            {
                "id": f"ANB-{start.year}-{ctx.next_serial('sof-anb'):05d}",
                "hjemmel": "Barnets lov §46" if with_consent else "Barnets lov §47",
                "samtykke": with_consent,
                "anbringelsessted": ctx.pick(PLACEMENT_PLACES if age >= 15 else PLACEMENT_PLACES[:3]),
                "startdato": iso(start),
                "slutdato": None,
            }
        )
        open_count += 1

    plan_date = None
    if measures or placements:
        plan_date = ctx.not_before(ctx.days_ago(0, 400), opened)
    touched = [opened, *(_dates(reports, "modtaget")), *(_dates(investigations, "startdato"))]
    touched += _dates(measures, "startdato")
    record = {
        "cpr": person.cpr,
        "sagsnummer": f"SOF-B-{opened:%y}-{ctx.next_serial('sof-sag'):06d}",
        "sagstype": "BOERNESAG",
        "sagsbehandler": _worker(worker),
        "underretninger": reports,
        "boernefagligeUndersoegelser": investigations,
        "stoetteindsatser": measures,
        "anbringelser": placements,
        "barnetsPlanDato": iso(plan_date),
        "voksenstoette": [],
        "funktionsvurderinger": [],
        "antalAabneSager": open_count,
        "senestOpdateret": iso_z(ctx.timestamp(ctx.days_after(max(touched), 0, 30))),
        "foelsomhed": "FOELSOM",  # child protection: GDPR art. 9-level care
    }
    if investigations:  # the investigation assesses the child's development; each follow-up again
        first = min(date.fromisoformat(str(i["startdato"])) for i in investigations)
        record["funktionsvurderinger"] = functioning(
            person, ctx, method="ICS", first=first + timedelta(days=45), every_days=ICS_FOLLOW_UP_DAYS
        )
    return Built(record=record, open_cases=open_count)


def _adult(
    family: WorldFamily, person: WorldPerson, ctx: BuildContext, young_adult: bool, force_open: bool
) -> Built:
    district = DISTRICT_NAMES[family.district]
    opened = ctx.days_ago(30, 1500)
    if young_adult:
        legal_basis, kind = "Barnets lov §114", "EFTERVAERN"
        unit = f"Børnefamiliecenter {district}"
    else:
        legal_basis, kind = ctx.pick(_ADULT_SUPPORT)
        unit = f"Borgercenter Voksne, {district}"
    start = ctx.days_after(opened, 0, 120)
    start = min(start, ctx.today)
    ended = not force_open and ctx.chance(0.3)
    end = ctx.days_after(start, 60, 365) if ended else None
    if end is not None and end > ctx.today:
        end = None
    open_count = 1 if end is None else 0
    worker = ctx.staff(Department.SOF, family.district, unit)
    record = {
        "cpr": person.cpr,
        "sagsnummer": f"SOF-V-{opened:%y}-{ctx.next_serial('sof-sag'):06d}",
        "sagstype": "VOKSENSAG",
        "sagsbehandler": _worker(worker),
        "underretninger": [],
        "boernefagligeUndersoegelser": [],
        "stoetteindsatser": [],
        "anbringelser": [],
        "barnetsPlanDato": None,
        "voksenstoette": [
            {
                "id": f"VST-{start.year}-{ctx.next_serial('sof-vst'):06d}",
                "hjemmel": legal_basis,
                "ydelse": kind,
                "startdato": iso(start),
                "slutdato": iso(end),
            }
        ],
        "funktionsvurderinger": [],
        "antalAabneSager": open_count,
        "senestOpdateret": iso_z(ctx.timestamp(ctx.days_after(end or start, 0, 60))),
        "foelsomhed": "FORTROLIG",
    }
    if not young_adult:  # VUM before adult support is granted, reassessed yearly while it runs
        record["funktionsvurderinger"] = functioning(
            person,
            ctx,
            method="VUM",
            first=start - timedelta(days=21),
            every_days=VUM_FOLLOW_UP_DAYS,
            until=end,
        )
    return Built(record=record, open_cases=open_count)


def functioning(
    person: WorldPerson,
    ctx: BuildContext,
    *,
    method: str,
    first: date,
    every_days: int,
    until: date | None = None,
) -> list[dict[str, Any]]:
    """Assessments of the person's functioning from `first`, one per follow-up up to today (or `until`).

    Levels are the ICF qualifier (0-4), from a hash of the person so the world's random stream is untouched:
    most start with moderate or severe difficulties and some improve at a follow-up, a few get worse.
    """
    digest = hashlib.sha256(f"funktion:{person.cpr}".encode()).digest()
    level = 1 + digest[0] % 3
    out: list[dict[str, Any]] = []
    day, step = first, 0
    last = min(ctx.today, until) if until is not None else ctx.today
    while day <= last and step < 6:
        if step:
            roll = digest[step] % 6
            level = max(0, level - 1) if roll < 2 else min(4, level + 1) if roll == 5 else level
        out.append(
            {
                "id": f"FV-{day.year}-{ctx.next_serial('sof-fv'):06d}",
                "metode": method,
                "dato": iso(day),
                "niveau": level,
            }
        )
        day, step = day + timedelta(days=every_days), step + 1
    return out


def _measure_kinds(age: int) -> tuple[str, ...]:
    kinds = ["FAMILIEBEHANDLING", "PRAKTISK_PAEDAGOGISK_STOETTE", "AFLASTNING"]
    if age >= 8:
        kinds.append("IDRAETSPROJEKTET")
    if age >= 10:
        kinds.append("KONTAKTPERSON")
    if age >= 12:
        kinds.append("KRIMINALPRAEVENTIVT_FORLOEB")
    return tuple(kinds)


def _worker(worker: StaffMember) -> dict[str, Any]:
    return {"navn": worker.name, "enhed": worker.unit, "telefon": worker.phone, "email": worker.email}


def _dates(items: list[dict[str, Any]], key: str) -> list[date]:
    return [date.fromisoformat(str(item[key])) for item in items]


def _add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return date(year, month, min(day.day, candidate))
        except ValueError:
            continue
    raise AssertionError("unreachable")  # pragma: no cover
