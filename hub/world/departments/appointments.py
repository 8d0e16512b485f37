"""Appointments and recurring activities in the departments' records: the family's week as each department's
system holds it (interviews, meetings, home visits, health conversations, courses, training).

Added after every record is built, from a random stream of its own per family (`random.Random` seeded with the
world's seed and the family's key), so adding appointments changed no other field of any record. Times are
local (Europe/Copenhagen) with their offset. Some families get appointments that clash (the same person twice at
once, a meeting in school hours, two departments each starting a parenting course); the demo family `F00002`
always does.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, MutableMapping
from datetime import date, datetime, time, timedelta
from typing import Any

from hub.cpr import age_on
from hub.days import LOCAL_TZ
from hub.domain import Department, MemberRole
from hub.world.model import WorldFamily, WorldPerson

LOCAL = LOCAL_TZ  # the programme's calendar (hub/days.py)
DEMO_CLASH_FAMILY = "F00002"
CLASH_SHARE = 0.3  # share of the other families with a planted clash

# The record's top-level key for appointments and the wire naming style, per department (connectors/_appointments).
WIRE: dict[Department, tuple[str, str]] = {
    Department.BIF: ("Appointments", "pascal"),
    Department.SOF: ("aftaler", "danish"),
    Department.BUF: ("appointments", "camel"),
    Department.KFF: ("appointments", "snake"),
    Department.SUF: ("appointment", "camel"),
}
KEYS: dict[str, dict[str, str]] = {
    "pascal": {
        "id": "Id",
        "kind": "Kind",
        "title": "Title",
        "start": "Start",
        "end": "End",
        "place": "Place",
        "contact": "Contact",
        "contact_role": "ContactRole",
        "service": "Service",
        "weekly_until": "WeeklyUntil",
        "health": "Health",
    },
    "camel": {
        "id": "id",
        "kind": "kind",
        "title": "title",
        "start": "start",
        "end": "end",
        "place": "place",
        "contact": "contact",
        "contact_role": "contactRole",
        "service": "service",
        "weekly_until": "weeklyUntil",
        "health": "health",
    },
    "snake": {
        k: k
        for k in (
            "id",
            "kind",
            "title",
            "start",
            "end",
            "place",
            "contact",
            "contact_role",
            "service",
            "weekly_until",
            "health",
        )
    },
    "danish": {
        "id": "id",
        "kind": "type",
        "title": "titel",
        "start": "start",
        "end": "slut",
        "place": "sted",
        "contact": "kontaktperson",
        "contact_role": "rolle",
        "service": "ydelse",
        "weekly_until": "ugentligTil",
        "health": "helbred",
    },
}
_HELPERS = ("Rikke Holm", "Jonas Bech", "Sara El-Amin", "Mette Dahl", "Ali Yilmaz", "Line Kjær", "Peter Lund")


class _Plan:
    """Appointments being made for one family, numbered per department."""

    def __init__(self, family: WorldFamily, seed: int, today: date) -> None:
        self.rng = random.Random(f"{seed}:appointments:{family.key}")  # noqa: S311 - fictitious data
        self.family, self.today = family, today
        self.out: dict[tuple[Department, str], list[dict[str, Any]]] = {}

    def weekday(self, low: int = 1, high: int = 15) -> date:
        day = self.today + timedelta(days=self.rng.randint(low, high))
        while day.weekday() >= 5:
            day += timedelta(days=1)
        return day

    def add(  # noqa: PLR0917 - one appointment's facts
        self,
        department: Department,
        person: WorldPerson,
        kind: str,
        title: str,
        day: date,
        start: time,
        minutes: int,
        *,
        place: str | None = None,
        contact: str | None = None,
        role: str | None = None,
        service: str | None = None,
        weeks: int = 0,
        health: bool = False,
    ) -> None:
        items = self.out.setdefault((department, person.cpr), [])
        begin = datetime.combine(day, start, LOCAL)
        items.append(
            {
                "id": f"{department.value}-{self.family.key}-{person.key[-2:]}-{len(items) + 1}",
                "kind": kind,
                "title": title,
                "start": begin.isoformat(),
                "end": (begin + timedelta(minutes=minutes)).isoformat(),
                "place": place,
                "contact": contact,
                "contact_role": role,
                "service": service,
                "weekly_until": (day + timedelta(weeks=weeks)).isoformat() if weeks else None,
                "health": health,
            }
        )


def add_appointments(
    families: tuple[WorldFamily, ...],
    records: Mapping[Department, MutableMapping[str, dict[str, Any]]],
    seed: int,
    today: date,
) -> None:
    """Give every department record of the families' members its appointments (in place)."""
    for family in families:
        plan = _Plan(family, seed, today)
        for person in family.members:
            for department in Department:
                record = records[department].get(person.cpr)
                if record is not None:
                    _ordinary(plan, department, person, record)
        if family.key == DEMO_CLASH_FAMILY or plan.rng.random() < CLASH_SHARE:
            _clash(plan, records)
        for (department, cpr), items in plan.out.items():
            key, style = WIRE[department]
            names = KEYS[style]
            records[department][cpr][key] = [{names[k]: v for k, v in item.items()} for item in items]


def _weekday(day: date) -> date:
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def contact_name(department: Department, record: Mapping[str, Any]) -> str:
    if department is Department.BIF:
        return str(record["CoordinatingCaseworker"]["Name"])
    if department is Department.SOF:
        return str(record["sagsbehandler"]["navn"])
    if department is Department.BUF:
        return str(record["contactPerson"]["name"])
    if department is Department.KFF:
        return str(record["contact"]["name"])
    return str(record["careTeam"][0]["name"])


def _ordinary(plan: _Plan, department: Department, person: WorldPerson, record: Mapping[str, Any]) -> None:  # noqa: PLR0912
    rng, who = plan.rng, contact_name(department, record)
    age = age_on(person.birth_date, plan.today)
    if department is Department.BIF:
        if record.get("NextInterviewDate"):
            plan.add(
                department,
                person,
                "INTERVIEW",
                "Jobsamtale",
                _weekday(date.fromisoformat(str(record["NextInterviewDate"]))),
                time(9, 0),
                45,
                place="Jobcenter København",
                contact=who,
                role="Koordinerende sagsbehandler",
            )
        for activity in record.get("PlanActivities", ()):
            if activity["Status"] != "Active":
                continue
            kind = activity["ActivityType"]
            if kind == "Mentor":
                plan.add(
                    department,
                    person,
                    "ACTIVITY",
                    "Mentorsamtale",
                    plan.weekday(1, 5),
                    time(13, 0),
                    60,
                    place=activity["Provider"],
                    contact=rng.choice(_HELPERS),
                    role="Mentor",
                    service="MENTOR",
                    weeks=8,
                )
            elif kind in ("Virksomhedspraktik", "Loentilskud", "Danskuddannelse", "Uddannelse"):
                hours = 180 if kind == "Danskuddannelse" else 360
                plan.add(
                    department,
                    person,
                    "ACTIVATION",
                    f"{_ACTIVITY_TITLES[kind]}: {activity['Provider']}",
                    plan.weekday(1, 5),
                    time(9, 0),
                    hours,
                    place=activity["Provider"],
                    weeks=10,
                )
    elif department is Department.SOF:
        if any(b["status"] == "IGANGVAERENDE" for b in record.get("boernefagligeUndersoegelser", ())):
            plan.add(
                department,
                person,
                "MEETING",
                "Samtale i børnefaglig undersøgelse",
                plan.weekday(3, 14),
                time(rng.choice((10, 14, 15)), 0),
                60,
                place="Familiecenter " + plan.family.housing_area,
                contact=who,
                role="Sagsbehandler",
            )
        for measure in record.get("stoetteindsatser", ()):
            if measure["status"] != "AKTIV":
                continue
            kind = measure["indsatstype"]
            title, service, role = _MEASURES.get(kind, (kind.title(), None, "Indsatsansvarlig"))
            plan.add(
                department,
                person,
                "ACTIVITY",
                title,
                plan.weekday(1, 5),
                time(16, 0),
                90,
                place=measure["leverandoer"],
                contact=rng.choice(_HELPERS),
                role=role,
                service=service,
                weeks=12,
            )
    elif department is Department.BUF:
        institution = record.get("institution") or {}
        if institution.get("type") == "SCHOOL":
            plan.add(
                department,
                person,
                "MEETING",
                "Skole-hjem-samtale",
                plan.weekday(2, 15),
                time(15, 0),
                30,
                place=institution.get("name"),
                contact=who,
                role="Klasselærer",
            )
        if record.get("ppv") and record["ppv"].get("status") != "COMPLETED" and rng.random() < 0.7:
            plan.add(
                department,
                person,
                "MEETING",
                "Møde med PPR",
                plan.weekday(3, 15),
                time(13, 0),
                60,
                place="PPR " + plan.family.housing_area,
                contact=rng.choice(_HELPERS),
                role="PPR-psykolog",
                health=True,
            )
        if age < 6:
            plan.add(
                department,
                person,
                "HOME_VISIT",
                "Sundhedsplejerske, hjemmebesøg",
                plan.weekday(1, 15),
                time(10, 0),
                60,
                place="Hjemme",
                contact=rng.choice(_HELPERS),
                role="Sundhedsplejerske",
                health=True,
            )
    elif department is Department.KFF:
        for membership in record.get("memberships", ()):
            if membership.get("active"):
                plan.add(
                    department,
                    person,
                    "ACTIVITY",
                    f"{membership['activity']} ({membership['association']})",
                    plan.weekday(1, 5),
                    time(16, 30),
                    90,
                    place=membership["association"],
                    weeks=10,
                )
    elif department is Department.SUF and person.member_role is not MemberRole.CHILD:
        plan.add(
            department,
            person,
            "HEALTH_CONVERSATION",
            "Familiesundhedssamtale",
            plan.weekday(2, 15),
            time(10, 0),
            60,
            place="Sundhedshuset",
            contact=who,
            role="Sundhedsplejerske",
            health=True,
        )


_MEASURES = {  # SOF measure -> (title, kind of service, the contact's role)
    "FAMILIEBEHANDLING": ("Familiebehandling", "FAMILY_TREATMENT", "Familiebehandler"),
    "KONTAKTPERSON": ("Møde med kontaktperson", "MENTOR", "Kontaktperson"),
    "KRIMINALPRAEVENTIVT_FORLOEB": ("Kriminalpræventivt forløb", None, "Forløbsleder"),
    "IDRAETSPROJEKTET": ("Idrætsprojektet", "LEISURE_ACTIVITY", "Træner"),
    "AFLASTNING": ("Aflastning", None, "Aflastningsfamilie"),
    "PRAKTISK_PAEDAGOGISK_STOETTE": ("Praktisk pædagogisk støtte", None, "Pædagog"),
}
_ACTIVITY_TITLES = {
    "Virksomhedspraktik": "Virksomhedspraktik",
    "Loentilskud": "Løntilskud",
    "Danskuddannelse": "Danskundervisning",
    "Uddannelse": "Uddannelse",
}


def _clash(plan: _Plan, records: Mapping[Department, Mapping[str, Mapping[str, Any]]]) -> None:
    """Plant clashes: a parent booked twice at once, a child's meeting in school hours, and two departments each
    starting a parenting course."""
    parents = [m for m in plan.family.members if m.member_role is MemberRole.PARENT]
    pupils = [
        m
        for m in plan.family.members
        if m.member_role is MemberRole.CHILD and 6 <= age_on(m.birth_date, plan.today) < 17
    ]
    day = plan.weekday(3, 9)
    if parents:
        parent = max(parents, key=lambda p: sum(p.cpr in records[d] for d in Department))
        known = [d for d in Department if parent.cpr in records[d]]
        first = known[0] if known else None
        second = known[1] if len(known) > 1 else first
        if first is not None and second is not None:
            plan.add(
                first,
                parent,
                "MEETING",
                "Opfølgningsmøde",
                day,
                time(10, 0),
                60,
                place="Rådhuset",
                contact=contact_name(first, records[first][parent.cpr]),
                role="Sagsbehandler",
            )
            plan.add(
                second,
                parent,
                "MEETING",
                "Netværksmøde",
                day,
                time(10, 30),
                60,
                place="Familiecenter " + plan.family.housing_area,
                contact=contact_name(second, records[second][parent.cpr]),
                role="Sagsbehandler",
            )
            plan.add(
                first,
                parent,
                "COURSE",
                "Forældrekursus (De Utrolige År)",
                plan.weekday(5, 12),
                time(17, 0),
                120,
                place="Familiecenter " + plan.family.housing_area,
                contact=plan.rng.choice(_HELPERS),
                role="Kursusleder",
                service="PARENTING_COURSE",
                weeks=8,
            )
            if second is not first:
                plan.add(
                    second,
                    parent,
                    "COURSE",
                    "Forældrekursus (Circle of Security)",
                    plan.weekday(5, 12),
                    time(17, 30),
                    120,
                    place="Sundhedshuset",
                    contact=plan.rng.choice(_HELPERS),
                    role="Kursusleder",
                    service="PARENTING_COURSE",
                    weeks=8,
                )
    for child in pupils[:1]:
        known = [d for d in (Department.SOF, Department.BUF, Department.KFF) if child.cpr in records[d]]
        if known:
            plan.add(
                known[0],
                child,
                "MEETING",
                "Samtale med barnet",
                day,
                time(10, 0),
                45,
                place="Familiecenter " + plan.family.housing_area,
                contact=contact_name(known[0], records[known[0]][child.cpr]),
                role="Sagsbehandler",
            )


def move_appointment(department: Department, record: dict[str, Any]) -> bool:
    """A department reschedules: its record's first appointment moves to the next weekday, same time (the
    mock change producer's edit; no random draw, so the producer's own stream stays as it was)."""
    key, style = WIRE[department]
    items = record.get(key)
    if not items:
        return False
    names = KEYS[style]
    first = dict(items[0])
    start = datetime.fromisoformat(str(first[names["start"]]))
    end = datetime.fromisoformat(str(first[names["end"]]))
    step = timedelta(days=3 if start.weekday() == 4 else 1)
    first[names["start"]] = (start + step).isoformat()
    first[names["end"]] = (end + step).isoformat()
    record[key] = [first, *items[1:]]
    return True
