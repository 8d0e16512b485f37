"""Agenda items from records and the plan; the contact list."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from connectors.records import (
    Appointment,
    ChildWelfareInvestigation,
    Contact,
    EmploymentRecord,
    HealthRecord,
    SocialRecord,
)
from hub.agenda.collect import ordered, plan_items, record_items
from hub.agenda.contacts import family_contacts
from hub.domain import Department, Role
from hub.plan.domain import ActionStatus, GoalStatus, MeetingStatus
from hub.plan.views import ActionView, GoalView, MeetingView, PersonRef, TeamMemberView, WorkerView

FIRST, LAST = date(2026, 11, 2), date(2026, 11, 29)
WORKER = Contact(name="Gitte Ravn", unit="Jobcenter København, Nørrebro")


def _appointment(**kw: object) -> Appointment:
    start = datetime(2026, 10, 20, 11, 0, tzinfo=UTC)  # a Tuesday, 13:00 in Copenhagen (summer time)
    base: dict[str, object] = {
        "id": "A1",
        "kind": "ACTIVITY",
        "title": "Mentorsamtale",
        "start": start,
        "end": start + timedelta(hours=1),
        "contact": "Jonas Bech",
        "contact_role": "Mentor",
    }
    return Appointment(**{**base, **kw})  # type: ignore[arg-type]


def test_a_weekly_activity_is_one_item_per_week_in_the_window_at_the_same_local_hour() -> None:
    record = EmploymentRecord(
        department_id="JC-1",
        caseworker=WORKER,
        benefit=None,
        target_group=None,
        appointments=(_appointment(weekly_until=date(2026, 11, 24)),),
    )
    items = record_items("p1", record, FIRST, LAST)
    assert [i.on for i in items] == [
        date(2026, 11, 3),
        date(2026, 11, 10),
        date(2026, 11, 17),
        date(2026, 11, 24),
    ]
    # Across the end of summer time (25 October) the session stays at 13:00 local time.
    assert {i.start.hour for i in items if i.start} == {13}
    assert all(i.recurring and i.department is Department.BIF for i in items)
    assert len({i.key for i in items}) == 4


def test_record_dates_become_day_items_and_a_booked_interview_is_not_doubled() -> None:
    social = SocialRecord(
        department_id="SOF-1",
        caseworker=WORKER,
        investigations=(
            ChildWelfareInvestigation(
                id="BFU-1", opened_on=date(2026, 7, 20), due_on=date(2026, 11, 20), status="OPEN"
            ),
            ChildWelfareInvestigation(
                id="BFU-2", opened_on=date(2026, 7, 20), due_on=date(2026, 11, 20), status="CLOSED"
            ),
        ),
    )
    (deadline,) = record_items("child", social, FIRST, LAST)
    assert (deadline.kind, deadline.day, deadline.source_record) == ("DEADLINE", date(2026, 11, 20), "BFU-1")
    booked = EmploymentRecord(
        department_id="JC-1",
        caseworker=WORKER,
        benefit=None,
        target_group=None,
        next_interview=date(2026, 11, 11),
        appointments=(
            _appointment(
                kind="INTERVIEW",
                start=datetime(2026, 11, 11, 8, tzinfo=UTC),
                end=datetime(2026, 11, 11, 9, tzinfo=UTC),
            ),
        ),
    )
    assert [i.kind for i in record_items("p1", booked, FIRST, LAST)] == ["INTERVIEW"]
    unbooked = EmploymentRecord(
        department_id="JC-1",
        caseworker=WORKER,
        benefit=None,
        target_group=None,
        next_interview=date(2026, 11, 11),
    )
    assert [i.day for i in record_items("p1", unbooked, FIRST, LAST)] == [date(2026, 11, 11)]


def _worker(name: str, department: Department | None) -> WorkerView:
    return WorkerView(user_id=name, display_name=name, role=Role.CORE_TEAM, department=department, unit="HFI")


def test_plan_actions_and_scheduled_meetings() -> None:
    now = datetime(2026, 10, 1, tzinfo=UTC)
    action = ActionView(
        id="A-1",
        family_id="F1",
        goal_id="G-1",
        department=Department.SOF,
        kind="Familiebehandling",
        description="",
        responsible=_worker("Yasmin", Department.SOF),
        starts_on=date(2026, 11, 5),
        ends_on=None,
        status=ActionStatus.PLANNED,
        created_at=now,
        updated_at=now,
        plan_version=1,
    )
    goal = GoalView(
        id="G-1",
        family_id="F1",
        person=PersonRef("p1", "A", "B", date(2015, 1, 1)),
        person_is_member=True,
        title="",
        description="",
        departments=(Department.SOF,),
        target_date=None,
        status=GoalStatus.IN_PROGRESS,
        notes=(),
        actions=(action,),
        created_at=now,
        updated_at=now,
        updated_by=None,
        plan_version=1,
    )
    meeting = MeetingView(
        id="M-1",
        family_id="F1",
        scheduled_at=datetime(2026, 11, 12, 13, tzinfo=UTC),
        location="Rådhuset",
        status=MeetingStatus.SCHEDULED,
        agenda=(),
        chair=_worker("Lene", None),
        participants=(),
        minutes=None,
        decisions=(),
        next_meeting_at=None,
        action_changes=(),
        minutes_recorded_by=None,
        minutes_recorded_at=None,
        plan_version=1,
    )
    items = ordered(plan_items([goal], [meeting], FIRST, LAST))
    assert [(i.kind, i.person_id, i.department) for i in items] == [
        ("ACTION_START", "p1", None),
        ("PLAN_MEETING", None, None),
    ]
    assert items[1].contact == "Lene"


def test_contacts_are_deduplicated_with_the_makkerpar_first() -> None:
    team = [
        TeamMemberView("t1", "F1", _worker("Lene", None), "COORDINATOR", date(2026, 1, 1), None),
        TeamMemberView("t2", "F1", _worker("Kasper", Department.BIF), "MAKKERPAR", date(2026, 1, 1), None),
    ]
    bif = EmploymentRecord(
        department_id="JC-1",
        caseworker=WORKER,
        benefit=None,
        target_group=None,
        appointments=(_appointment(contact="Gitte  Ravn", contact_role="Sagsbehandler"), _appointment()),
    )
    suf = HealthRecord(
        department_id="S-1", contact=Contact(name="Niels Kofoed", unit="Sundhedshuset", phone="1")
    )
    found = family_contacts(team, [("p1", bif), ("p2", bif), ("p2", suf)])
    assert [(c.name, c.role) for c in found][:2] == [("Kasper", "Makkerpar"), ("Lene", "Tovholder")]
    gitte = [c for c in found if c.name.startswith("Gitte")]
    assert len(gitte) == 1
    assert gitte[0].person_ids == ("p1", "p2")
    assert {c.name for c in found} == {"Kasper", "Lene", "Gitte Ravn", "Jonas Bech", "Niels Kofoed"}
