"""The agenda's value types."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from hub.days import LOCAL_TZ
from hub.domain import Department

LOCAL = LOCAL_TZ  # the programme's calendar (hub/days.py)


@dataclass(frozen=True, slots=True)
class AgendaItem:
    """One dated thing in the family's life: an occurrence of an appointment (`start`/`end`), or a day
    (`day`: a deadline, a start date). `department` None means the family's plan."""

    key: str  # stable: source, record id, and the occurrence's day for recurring appointments
    person_id: str | None  # None: the whole family (a plan meeting, a family goal's action)
    department: Department | None
    kind: str
    title: str
    source_record: str  # the department's (or the plan's) id for the record the item comes from
    start: datetime | None = None
    end: datetime | None = None
    day: date | None = None
    place: str | None = None
    contact: str | None = None
    contact_role: str | None = None
    service: str | None = None
    recurring: bool = False
    health: bool = False

    @property
    def on(self) -> date:
        if self.start is not None:
            return self.start.astimezone(LOCAL).date()
        assert self.day is not None  # noqa: S101 - every item has a start or a day
        return self.day

    @property
    def timed(self) -> bool:
        return self.start is not None and self.end is not None


class ConflictRule(StrEnum):
    OVERLAP = "OVERLAP"  # two appointments for one person at once, or too close to travel between
    SCHOOL_HOURS = "SCHOOL_HOURS"  # a child's appointment in school hours
    ACTIVATION_HOURS = "ACTIVATION_HOURS"  # an adult's appointment during their work/activation
    DUPLICATE_SERVICE = "DUPLICATE_SERVICE"  # the same kind of service from two departments
    WEEKLY_LOAD = "WEEKLY_LOAD"  # more municipal appointments in one week than the setting allows


@dataclass(frozen=True, slots=True)
class Conflict:
    key: str  # stable across requests: rule and the items involved
    rule: ConflictRule
    reason: str  # Danish, for the family team
    person_ids: tuple[str, ...]
    item_keys: tuple[str, ...]
    day: date | None = None


@dataclass(frozen=True, slots=True)
class RuleSettings:
    travel_gap_minutes: int = 30
    weekly_limit: int = 6
    school_start_hour: int = 8
    school_end_hour: int = 14
    pupils: frozenset[str] = field(default_factory=frozenset)  # person ids of school children


@dataclass(frozen=True, slots=True)
class ContactPerson:
    name: str
    department: Department | None
    role: str
    unit: str | None = None
    phone: str | None = None
    email: str | None = None
    makkerpar: bool = False
    core_team: bool = False
    person_ids: tuple[str, ...] = ()  # the family members this contact is about
