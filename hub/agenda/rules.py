"""The conflict rules: pure functions from agenda items to conflicts, each with a reason the family team can act
on (Danish: the team's language). Table-tested in tests/unit/agenda/test_agenda_rules.py.

- `overlaps`: one person booked twice at once, or with less than the travel gap between two places.
- `school_hours`: a school child's appointment on a weekday in school hours (the school's own meetings excepted).
- `activation_hours`: an adult's appointment during their work or activation (ACTIVATION items).
- `duplicate_services`: the same kind of service (two mentors, two parenting courses) from two departments.
- `weekly_load`: more municipal appointments in one ISO week for the family than the setting allows.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, datetime, time, timedelta

from hub.agenda.model import LOCAL, AgendaItem, Conflict, ConflictRule, RuleSettings

SERVICE_NAMES = {
    "MENTOR": "mentor/kontaktperson",
    "PARENTING_COURSE": "forældrekursus",
    "FAMILY_TREATMENT": "familiebehandling",
    "LEISURE_ACTIVITY": "fritidsaktivitet",
}
_SCHOOL_OWN = {"Skole-hjem-samtale"}  # the school's own meetings may be in school hours


def _span(item: AgendaItem) -> tuple[datetime, datetime]:
    if item.start is None or item.end is None:
        raise ValueError("not a timed item")
    return item.start, item.end


def _key(rule: ConflictRule, *parts: str) -> str:
    digest = hashlib.sha256("|".join((rule.value, *sorted(parts))).encode()).hexdigest()[:16]
    return f"{rule.value}:{digest}"


def _hhmm(moment: datetime | None) -> str:
    return "" if moment is None else moment.astimezone(LOCAL).strftime("%H:%M")


def _who(item: AgendaItem) -> str:
    return item.department.value if item.department is not None else "planen"


def _appointments(items: Iterable[AgendaItem]) -> list[AgendaItem]:
    return [i for i in items if i.timed and i.kind != "ACTIVATION" and i.person_id is not None]


def overlaps(items: Sequence[AgendaItem], settings: RuleSettings) -> list[Conflict]:
    gap = timedelta(minutes=settings.travel_gap_minutes)
    by_person: dict[str, list[AgendaItem]] = defaultdict(list)
    for item in _appointments(items):
        by_person[item.person_id or ""].append(item)
    out: list[Conflict] = []
    for person, mine in by_person.items():
        mine.sort(key=lambda i: (_span(i)[0], i.key))
        for index, a in enumerate(mine):
            _, a_end = _span(a)
            for b in mine[index + 1 :]:
                b_start, _ = _span(b)
                if b_start >= a_end + gap:
                    break
                if b_start < a_end:
                    reason = (
                        f"Dobbeltbooket {a.on:%d.%m}: '{a.title}' ({_who(a)}, {_hhmm(a.start)}-{_hhmm(a.end)}) og "
                        f"'{b.title}' ({_who(b)}, {_hhmm(b.start)}-{_hhmm(b.end)}) overlapper. Aftal med "
                        f"{b.contact or _who(b)} at flytte den ene."
                    )
                elif a.place and b.place and a.place != b.place:
                    reason = (
                        f"For lidt tid til transport {a.on:%d.%m}: '{a.title}' slutter {_hhmm(a.end)} ({a.place}), "
                        f"'{b.title}' begynder {_hhmm(b.start)} ({b.place}); mindst "
                        f"{settings.travel_gap_minutes} min. mellem aftaler. Ryk den ene aftale."
                    )
                else:
                    continue
                out.append(
                    Conflict(
                        key=_key(ConflictRule.OVERLAP, a.key, b.key),
                        rule=ConflictRule.OVERLAP,
                        reason=reason,
                        person_ids=(person,),
                        item_keys=(a.key, b.key),
                        day=a.on,
                    )
                )
    return out


def _during(item: AgendaItem, start: datetime, end: datetime) -> bool:
    begins, ends = _span(item)
    return begins < end and start < ends


def school_hours(items: Sequence[AgendaItem], settings: RuleSettings) -> list[Conflict]:
    out: list[Conflict] = []
    for item in _appointments(items):
        if item.person_id not in settings.pupils or item.title in _SCHOOL_OWN or item.on.weekday() >= 5:
            continue
        begin = datetime.combine(item.on, time(settings.school_start_hour), LOCAL)
        end = datetime.combine(item.on, time(settings.school_end_hour), LOCAL)
        if _during(item, begin, end):
            out.append(
                Conflict(
                    key=_key(ConflictRule.SCHOOL_HOURS, item.key),
                    rule=ConflictRule.SCHOOL_HOURS,
                    reason=(
                        f"I skoletiden {item.on:%d.%m} kl. {_hhmm(item.start)}: '{item.title}' ({_who(item)}). "
                        f"Flyt til efter kl. {settings.school_end_hour:02d}, eller aftal fraværet med skolen."
                    ),
                    person_ids=(item.person_id or "",),
                    item_keys=(item.key,),
                    day=item.on,
                )
            )
    return out


def activation_hours(items: Sequence[AgendaItem], settings: RuleSettings) -> list[Conflict]:
    del settings
    blocks: dict[str, list[AgendaItem]] = defaultdict(list)
    for item in items:
        if item.kind == "ACTIVATION" and item.timed and item.person_id is not None:
            blocks[item.person_id].append(item)
    out: list[Conflict] = []
    for item in _appointments(items):
        for block in blocks.get(item.person_id or "", ()):
            if _during(item, *_span(block)):
                out.append(
                    Conflict(
                        key=_key(ConflictRule.ACTIVATION_HOURS, item.key, block.key),
                        rule=ConflictRule.ACTIVATION_HOURS,
                        reason=(
                            f"Under aktivering/arbejde {item.on:%d.%m}: '{item.title}' ({_who(item)}, "
                            f"{_hhmm(item.start)}) ligger i '{block.title}' ({_hhmm(block.start)}-"
                            f"{_hhmm(block.end)}). Fravær kan koste ydelse: flyt aftalen eller aftal det med "
                            f"jobcentret."
                        ),
                        person_ids=(item.person_id or "",),
                        item_keys=(item.key, block.key),
                        day=item.on,
                    )
                )
    return out


def duplicate_services(items: Sequence[AgendaItem], settings: RuleSettings) -> list[Conflict]:
    del settings
    by_service: dict[str, dict[str, AgendaItem]] = defaultdict(dict)
    for item in sorted(items, key=lambda i: i.key):
        if item.service in SERVICE_NAMES and item.department is not None:
            by_service[item.service].setdefault(item.department.value, item)
    out: list[Conflict] = []
    for service, per_department in sorted(by_service.items()):
        if len(per_department) < 2:
            continue
        firsts = list(per_department.values())
        departments = " og ".join(sorted(per_department))
        titles = ", ".join(f"'{i.title}' ({_who(i)})" for i in firsts)
        out.append(
            Conflict(
                key=_key(ConflictRule.DUPLICATE_SERVICE, service, *(i.source_record for i in firsts)),
                rule=ConflictRule.DUPLICATE_SERVICE,
                reason=(
                    f"Samme slags indsats ({SERVICE_NAMES[service]}) fra {departments}: {titles}. Aftal i "
                    f"kerneteamet hvilken der fortsætter, så familien har én."
                ),
                person_ids=tuple(sorted({i.person_id for i in firsts if i.person_id})),
                item_keys=tuple(i.key for i in firsts),
            )
        )
    return out


def weekly_load(items: Sequence[AgendaItem], settings: RuleSettings) -> list[Conflict]:
    weeks: dict[tuple[int, int], list[AgendaItem]] = defaultdict(list)
    for item in items:
        if item.timed and item.kind != "ACTIVATION":
            iso = item.on.isocalendar()
            weeks[(iso.year, iso.week)].append(item)
    out: list[Conflict] = []
    for (year, week), mine in sorted(weeks.items()):
        if len(mine) <= settings.weekly_limit:
            continue
        monday = date.fromisocalendar(year, week, 1)
        departments = sorted({_who(i) for i in mine})
        out.append(
            Conflict(
                key=_key(ConflictRule.WEEKLY_LOAD, f"{year}-W{week:02d}"),
                rule=ConflictRule.WEEKLY_LOAD,
                reason=(
                    f"{len(mine)} kommunale aftaler i uge {week} (fra {monday:%d.%m}); højst "
                    f"{settings.weekly_limit} er aftalt. Saml aftaler ({', '.join(departments)}) eller flyt nogle "
                    f"til en anden uge."
                ),
                person_ids=tuple(sorted({i.person_id for i in mine if i.person_id})),
                item_keys=tuple(i.key for i in mine),
                day=monday,
            )
        )
    return out


RULES = (overlaps, school_hours, activation_hours, duplicate_services, weekly_load)


def conflicts(items: Sequence[AgendaItem], settings: RuleSettings) -> list[Conflict]:
    """Every rule's conflicts, ordered by day then rule."""
    found = [c for rule in RULES for c in rule(items, settings)]
    return sorted(found, key=lambda c: (c.day or date.min, c.rule.value, c.key))


__all__ = ["RULES", "conflicts"]
