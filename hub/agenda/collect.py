"""Agenda items from department records (already gated and redacted) and from the plan, within a window."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date, datetime, time, timedelta

from connectors import records as r
from hub.agenda.model import LOCAL, AgendaItem
from hub.domain import Department
from hub.plan.views import GoalView, MeetingView

MEETING_MINUTES = 90  # a follow-up meeting's length when the plan gives none


def record_items(person_id: str, record: r.DepartmentRecord, first: date, last: date) -> list[AgendaItem]:
    """Everything dated in one record from `first` to `last` (inclusive): appointments (recurring ones as one item
    per week) and the record's own dates (deadlines, interviews, visits, starts)."""
    items = [i for a in record.appointments for i in _occurrences(person_id, record, a, first, last)]
    items += [i for i in _dated(person_id, record) if i.day is not None and first <= i.day <= last]
    return items


def _occurrences(
    person_id: str, record: r.DepartmentRecord, a: r.Appointment, first: date, last: date
) -> Iterator[AgendaItem]:
    start, length = a.start, a.end - a.start
    until = a.weekly_until or start.astimezone(LOCAL).date()
    week = 0
    while True:
        # Weekly in local time: the same wall-clock hour across a change of daylight saving time.
        local = start.astimezone(LOCAL) + timedelta(weeks=week)
        local = datetime.combine(local.date(), local.timetz().replace(tzinfo=None), LOCAL)
        day = local.date()
        if day > until or day > last:
            return
        if day >= first:
            yield AgendaItem(
                key=f"{record.department.value}:{a.id}:{day.isoformat()}",
                person_id=person_id,
                department=record.department,
                kind=a.kind,
                title=a.title,
                source_record=a.id,
                start=local,
                end=local + length,
                place=a.place,
                contact=a.contact,
                contact_role=a.contact_role,
                service=a.service,
                recurring=a.weekly_until is not None,
                health=a.health,
            )
        week += 1


def _day(  # noqa: PLR0917 - the facts of one dated item
    person_id: str,
    record: r.DepartmentRecord,
    source: str,
    kind: str,
    title: str,
    day: date | None,
    **kw: object,
) -> AgendaItem:
    return AgendaItem(
        key=f"{record.department.value}:{source}:{kind}",
        person_id=person_id,
        department=record.department,
        kind=kind,
        title=title,
        source_record=source,
        day=day,
        **kw,  # type: ignore[arg-type]
    )


def _dated(person_id: str, record: r.DepartmentRecord) -> Iterator[AgendaItem]:  # noqa: PLR0912 - one per kind
    p = person_id
    if isinstance(record, r.SocialRecord):
        who = record.caseworker.name
        for inv in record.investigations:
            if inv.status == "OPEN":
                yield _day(
                    p, record, inv.id, "DEADLINE", "Frist: børnefaglig undersøgelse", inv.due_on, contact=who
                )
        for m in record.measures:
            if m.status in ("ACTIVE", "PLANNED"):
                yield _day(
                    p, record, m.id, "SERVICE_START", f"Indsats starter: {m.kind}", m.start, contact=who
                )
        if record.child_plan_date is not None:
            yield _day(p, record, record.department_id, "CHILD_PLAN", "Barnets plan", record.child_plan_date)
    elif isinstance(record, r.EmploymentRecord):
        who = record.caseworker.name
        booked = any(a.kind == "INTERVIEW" for a in record.appointments)  # the interview's time is known
        if record.next_interview is not None and not booked:
            yield _day(
                p, record, record.department_id, "INTERVIEW", "Jobsamtale", record.next_interview, contact=who
            )
        for act in record.activities:
            if act.status == "PLANNED":
                yield _day(
                    p,
                    record,
                    act.id,
                    "SERVICE_START",
                    f"Aktivitet starter: {act.kind}",
                    act.start,
                    contact=who,
                )
    elif isinstance(record, r.ChildYouthRecord):
        who = record.caseworker.name
        if record.ppv is not None and record.ppv.status != "COMPLETED":
            yield _day(
                p,
                record,
                record.department_id,
                "PPV",
                "PPV (pædagogisk-psykologisk vurdering)",
                record.ppv.date,
                contact=who,
            )
        for v in record.health_visits:
            yield _day(
                p,
                record,
                f"{record.department_id}:{v.kind}",
                "HOME_VISIT",
                "Sundhedsplejebesøg",
                v.date,
                health=True,
            )
        for c in record.psychologist_contacts:
            yield _day(
                p,
                record,
                f"{record.department_id}:{c.date}",
                "PSYCHOLOGIST",
                "PPR-psykolog",
                c.date,
                health=True,
            )
    elif isinstance(record, r.HealthRecord):
        who = record.contact.name
        for conv in record.conversations:
            yield _day(
                p,
                record,
                f"{record.department_id}:{conv.date}",
                "HEALTH_CONVERSATION",
                "Familiesundhedssamtale",
                conv.date,
                contact=who,
            )
        for ref in record.referrals:
            yield _day(p, record, ref.id, "REFERRAL", f"Henvisning: {ref.to}", ref.date, contact=who)
    elif isinstance(record, r.LeisureRecord) and record.fritidsguide is not None:
        guide = record.fritidsguide
        if guide.status == "REFERRED":
            yield _day(
                p,
                record,
                record.department_id,
                "REFERRAL",
                "Henvist til FritidsGuide",
                guide.referred_on,
                contact=guide.guide_name,
            )


def plan_items(
    goals: Iterable[GoalView], meetings: Iterable[MeetingView], first: date, last: date
) -> list[AgendaItem]:
    """The plan's actions (their start and end days) and its scheduled follow-up meetings."""
    out: list[AgendaItem] = []
    for goal in goals:
        person = goal.person.person_id if goal.person is not None else None
        for action in goal.actions:
            who = action.responsible.display_name if action.responsible else None
            for kind, title, day in (
                ("ACTION_START", f"Indsats starter: {action.kind}", action.starts_on),
                ("ACTION_END", f"Indsats slutter: {action.kind}", action.ends_on),
            ):
                if day is not None and first <= day <= last:
                    out.append(
                        AgendaItem(
                            key=f"PLAN:{action.id}:{kind}",
                            person_id=person,
                            department=None,
                            kind=kind,
                            title=title,
                            source_record=action.id,
                            day=day,
                            contact=who,
                            contact_role="Ansvarlig",
                            service=action.kind,
                        )
                    )
    for meeting in meetings:
        if meeting.cancelled_at is not None or meeting.minutes_recorded_at is not None:
            continue
        start = meeting.scheduled_at.astimezone(LOCAL)
        if not first <= start.date() <= last:
            continue
        out.append(
            AgendaItem(
                key=f"PLAN:{meeting.id}",
                person_id=None,
                department=None,
                kind="PLAN_MEETING",
                title="Familiehandleplansmøde",
                source_record=meeting.id,
                start=start,
                end=start + timedelta(minutes=MEETING_MINUTES),
                place=meeting.location or None,
                contact=meeting.chair.display_name if meeting.chair else None,
                contact_role="Mødeleder",
            )
        )
    return out


def ordered(items: Iterable[AgendaItem]) -> list[AgendaItem]:
    def when(i: AgendaItem) -> tuple[date, datetime, str]:
        start = i.start or datetime.combine(i.on, time.min, LOCAL)
        return (i.on, start, i.key)

    return sorted(items, key=when)


__all__ = ["Department", "ordered", "plan_items", "record_items"]
