"""SUF (Sundheds- og Omsorgsforvaltningen) records in a FHIR-flavoured JSON: a `PatientSummary` resource.

The summary carries the patient's `identifier` (CPR system urn:oid:1.2.208.176.1.2), `meta.lastUpdated`
and `meta.security` (HL7 confidentiality: N normal, R restricted, V very restricted), the `careTeam`
contact, `encounter` (family health conversations), `serviceRequest` (referrals) and `episodeOfCare`
(municipal health services), and the open-case count as an extension. Everything clinical is health
data. Pure: no I/O, randomness only from the context.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from hub.domain import Department, MemberRole
from hub.world.departments._context import DISTRICT_NAMES, BuildContext, Built, iso, iso_z
from hub.world.model import WorldFamily, WorldPerson

CPR_SYSTEM = "urn:oid:1.2.208.176.1.2"
CONFIDENTIALITY_SYSTEM = "http://terminology.hl7.org/CodeSystem/v3-Confidentiality"
OPEN_CASES_EXTENSION = "https://familiehub.kk.test/fhir/StructureDefinition/open-cases"
REFERRAL_SYSTEM = "https://familiehub.kk.test/fhir/CodeSystem/suf-henvisning"
CONFIDENTIALITY_CODES = ("N", "R", "V")
SERVICE_REQUEST_STATUSES = ("draft", "active", "completed", "revoked")
EPISODE_STATUSES = ("planned", "waitlist", "active", "finished")
ENCOUNTER_STATUSES = ("planned", "finished")

_TOPICS_ADULT = (
    "kost og motion",
    "søvn",
    "stress og trivsel",
    "rygning",
    "blodsukker",
    "smerter",
    "traumer og uro",
    "medicin",
)
_TOPICS_CHILD = ("søvn", "kost", "tandsundhed", "trivsel", "skærmtid", "vækst og udvikling", "motorik")
# (code, display, reason) for referrals
_REFERRALS_ADULT = (
    ("EGEN_LAEGE", "Egen læge", "Forhøjet blodsukker; udredning for type 2-diabetes"),
    ("EGEN_LAEGE", "Egen læge", "Vedvarende søvnbesvær og hovedpine"),
    ("REGION", "Region Hovedstaden, traumeklinik", "Mistanke om PTSD efter flugt"),
    ("REGION", "Region Hovedstaden, psykiatrien", "Depressive symptomer"),
    ("DIAETIST", "Diætist", "Vægttab og kostomlægning"),
    ("FYSIOTERAPI", "Fysioterapeut", "Kroniske rygsmerter"),
)
_REFERRALS_CHILD = (
    ("TANDPLEJE", "Børne- og Ungdomstandplejen", "Manglende fremmøde til tandeftersyn"),
    ("EGEN_LAEGE", "Egen læge", "Vægtudvikling"),
    ("REGION", "Region Hovedstaden, børne- og ungdomspsykiatrien", "Udredning for ADHD"),
)
_SERVICES_ADULT = (
    "Forebyggende forløb: Lev sundt med type 2-diabetes",
    "Rygestopforløb",
    "Forløb om stress og søvn",
    "Sundhedsfremmende familieforløb",
    "Genoptræning efter sundhedsloven §140",
)
_SERVICES_CHILD = ("Sundhedsfremmende familieforløb", "Børne- og Ungdomstandplejen, behandling")


def build_suf(family: WorldFamily, person: WorldPerson, ctx: BuildContext, force_open: bool) -> Built | None:
    age = ctx.age(person, ctx.today)
    adult = age >= 18
    share = 0.4 if person.member_role is MemberRole.PARENT else (0.25 if adult else 0.22)
    if not force_open and not ctx.chance(share):
        return None
    conversations = _conversations(ctx, adult)
    referrals = [
        _referral(ctx, adult, force_open and i == 0) for i in range(ctx.weighted((0, 1, 2), (0.3, 0.5, 0.2)))
    ]
    if force_open and not referrals:
        referrals.append(_referral(ctx, adult, True))
    episodes = [_episode(ctx, adult) for _ in range(ctx.weighted((0, 1, 2), (0.5, 0.4, 0.1)))]
    if not (conversations or referrals or episodes):
        conversations = _conversations(ctx, adult, at_least_one=True)
    open_cases = sum(r["status"] in ("draft", "active") for r in referrals)
    open_cases += sum(e["status"] in ("planned", "waitlist", "active") for e in episodes)
    unit = f"Sundhedsplejen {DISTRICT_NAMES[family.district]}" if age < 18 else "Forebyggelsescenter Nørrebro"
    if family.district.value == "BISPEBJERG" and age >= 18:
        unit = "Forebyggelsescenter Nordvest"
    contact = ctx.staff(Department.SUF, family.district, unit)
    touched = [date.fromisoformat(str(c["period"]["start"])) for c in conversations]
    touched += [date.fromisoformat(str(r["authoredOn"])) for r in referrals]
    touched += [date.fromisoformat(str(e["period"]["start"])) for e in episodes]
    record: dict[str, Any] = {
        "resourceType": "PatientSummary",
        "id": f"pt-{ctx.next_serial('suf-patient'):07d}",
        "meta": {
            "lastUpdated": iso_z(ctx.timestamp(ctx.days_after(max(touched), 0, 21))),
            "security": [{"system": CONFIDENTIALITY_SYSTEM, "code": "V" if referrals or episodes else "R"}],
        },
        "identifier": [{"system": CPR_SYSTEM, "value": person.cpr}],
        "careTeam": [
            {
                "name": contact.name,
                "role": "Sundhedsplejerske" if age < 18 else ctx.pick(("Sygeplejerske", "Sundhedskonsulent")),
                "organization": contact.unit,
                "telecom": [
                    {"system": "phone", "value": contact.phone},
                    {"system": "email", "value": contact.email},
                ],
            }
        ],
        "encounter": conversations,
        "serviceRequest": referrals,
        "episodeOfCare": episodes,
        "extension": [{"url": OPEN_CASES_EXTENSION, "valueInteger": open_cases}],
    }
    return Built(record=record, open_cases=open_cases)


def _conversations(ctx: BuildContext, adult: bool, *, at_least_one: bool = False) -> list[dict[str, Any]]:
    count = ctx.weighted((0, 1, 2, 3), (0.3, 0.35, 0.25, 0.1))
    if at_least_one:
        count = max(1, count)
    topics = _TOPICS_ADULT if adult else _TOPICS_CHILD
    result: list[dict[str, Any]] = []
    for _ in range(count):
        planned = ctx.chance(0.15)
        when = ctx.days_after(ctx.today, 3, 40) if planned else ctx.days_ago(5, 600)
        result.append(
            {
                "resourceType": "Encounter",
                "id": f"enc-{ctx.next_serial('suf-enc'):08d}",
                "status": "planned" if planned else "finished",
                "class": {"code": "familiesundhedssamtale", "display": "Familiesundhedssamtale"},
                "period": {"start": iso(when)},
                "reasonCode": [{"text": t} for t in ctx.rng.sample(topics, k=ctx.between(1, 3))],
            }
        )
    result.sort(key=lambda e: str(e["period"]["start"]))
    return result


def _referral(ctx: BuildContext, adult: bool, force_open: bool) -> dict[str, Any]:
    code, display, reason = ctx.pick(_REFERRALS_ADULT if adult else _REFERRALS_CHILD)
    status = "active" if force_open else ctx.weighted(SERVICE_REQUEST_STATUSES, (0.05, 0.4, 0.45, 0.1))
    return {
        "resourceType": "ServiceRequest",
        "id": f"sr-{ctx.next_serial('suf-sr'):08d}",
        "status": status,
        "intent": "order",
        "authoredOn": iso(ctx.days_ago(3, 500)),
        "performerType": {"coding": [{"system": REFERRAL_SYSTEM, "code": code}], "text": display},
        "reasonCode": [{"text": reason}],
    }


def _episode(ctx: BuildContext, adult: bool) -> dict[str, Any]:
    status = ctx.weighted(EPISODE_STATUSES, (0.1, 0.1, 0.5, 0.3))
    start = ctx.days_after(ctx.today, 7, 90) if status in ("planned", "waitlist") else ctx.days_ago(14, 600)
    period: dict[str, Any] = {"start": iso(start)}
    if status == "finished":
        period["end"] = iso(min(ctx.today, ctx.days_after(start, 42, 180)))
    return {
        "resourceType": "EpisodeOfCare",
        "id": f"eoc-{ctx.next_serial('suf-eoc'):08d}",
        "status": status,
        "type": [{"text": ctx.pick(_SERVICES_ADULT if adult else _SERVICES_CHILD)}],
        "period": period,
    }
