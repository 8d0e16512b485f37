"""The departments' appointments: generated deterministically beside the records, mapped by every connector,
withheld as health data, rescheduled by the change producer."""

from __future__ import annotations

from connectors.bif import Citizen
from connectors.bif import to_record as bif_record
from connectors.buf import Child
from connectors.buf import to_record as buf_record
from connectors.kff import Member
from connectors.kff import to_record as kff_record
from connectors.records import DepartmentRecord
from connectors.sof import Borger
from connectors.sof import to_record as sof_record
from connectors.suf import PatientSummary
from connectors.suf import to_record as suf_record
from hub.domain import DataCategory, Department
from hub.family.redact import redact, withheld_categories
from hub.world.departments.appointments import WIRE, move_appointment
from hub.world.generator import DEMO_FAMILIES, DEMO_SEED, generate_world


def _map(department: Department, wire: object) -> DepartmentRecord:
    if department is Department.BIF:
        return bif_record(Citizen.model_validate(wire))
    if department is Department.SOF:
        return sof_record(Borger.model_validate(wire))
    if department is Department.BUF:
        return buf_record(Child.model_validate(wire))
    if department is Department.KFF:
        return kff_record(Member.model_validate(wire))
    return suf_record(PatientSummary.model_validate(wire))


def test_the_world_is_the_same_on_every_run_and_every_department_has_appointments() -> None:
    one, two = generate_world(12, 7), generate_world(12, 7)
    assert one.department_records == two.department_records
    for department in Department:
        key, _ = WIRE[department]
        assert any(r.get(key) for r in one.department_records[department].values()), department


def test_appointments_are_the_only_difference_the_generator_made() -> None:
    world = generate_world(12, 7)
    for department in Department:
        key, _ = WIRE[department]
        for record in world.department_records[department].values():
            # Every other field came from the world's own random stream; the appointments' stream is separate.
            assert set(record) - {key}


def test_every_connector_maps_the_appointments() -> None:
    world = generate_world(DEMO_FAMILIES, DEMO_SEED)
    for department in Department:
        key, _ = WIRE[department]
        wire = next(r for r in world.department_records[department].values() if r.get(key))
        record = _map(department, wire)
        assert len(record.appointments) == len(wire[key])
        first = record.appointments[0]
        assert first.start.tzinfo is not None
        assert first.end > first.start
        assert first.title


def test_the_demo_family_has_a_clash_and_two_parenting_courses() -> None:
    world = generate_world(DEMO_FAMILIES, DEMO_SEED)
    demo = next(f for f in world.families if f.key == "F00002")
    records = [
        _map(d, world.department_records[d][m.cpr])
        for m in demo.members
        for d in Department
        if m.cpr in world.department_records[d]
    ]
    titles = [a.title for r in records for a in r.appointments]
    assert "Opfølgningsmøde" in titles
    assert "Netværksmøde" in titles
    services = {(r.department, a.service) for r in records for a in r.appointments if a.service}
    assert len({d for d, s in services if s == "PARENTING_COURSE"}) == 2


def test_health_appointments_are_withheld_without_a_health_basis() -> None:
    world = generate_world(DEMO_FAMILIES, DEMO_SEED)
    key, _ = WIRE[Department.SUF]
    wire = next(r for r in world.department_records[Department.SUF].values() if r.get(key))
    record = _map(Department.SUF, wire)
    assert any(a.health for a in record.appointments)
    assert not any(a.health for a in redact(record, frozenset()).appointments)
    assert withheld_categories(record, frozenset()) == {DataCategory.HEALTH}
    assert redact(record, frozenset({DataCategory.HEALTH})).appointments == record.appointments


def test_a_department_reschedules_an_appointment() -> None:
    world = generate_world(4, 3)
    key, _ = WIRE[Department.BIF]
    wire = dict(next(r for r in world.department_records[Department.BIF].values() if r.get(key)))
    before = _map(Department.BIF, wire).appointments[0]
    assert move_appointment(Department.BIF, wire)
    after = _map(Department.BIF, wire).appointments[0]
    assert after.start > before.start
    assert after.end - after.start == before.end - before.start
    assert after.start.weekday() < 5


async def test_the_change_producer_pushes_a_rescheduled_appointment() -> None:
    import random
    from datetime import UTC, datetime

    from connectors.mock.producer import ChangeProducer, ProducerConfig

    world = generate_world(4, 3)
    key, _ = WIRE[Department.BIF]
    before = {cpr: r.get(key) for cpr, r in world.department_records[Department.BIF].items()}
    producer = ChangeProducer(
        world,
        ProducerConfig(departments=(Department.BIF,)),
        rng=random.Random(1),
        now=lambda: datetime(2026, 11, 1, 9, tzinfo=UTC),
    )
    try:
        moved = 0
        for _ in range(10):
            change = producer.next_change()
            assert change is not None
            cpr = change.event["subjectCpr"]
            pushed = change.event["record"].get(key)
            earlier = before[cpr]
            if pushed and earlier:
                assert pushed[0]["Start"] != earlier[0]["Start"]
                assert world.department_records[Department.BIF][cpr][key] == pushed  # served as pushed
                before[cpr] = pushed
                moved += 1
        assert moved
    finally:
        await producer.aclose()


def test_the_demo_family_clashes_whatever_day_the_world_is_anchored_at() -> None:
    """`make run` anchors the world at today: the README's demo family must show a clash on any day, found by
    the conflict rules themselves (not only planted titles), within the README query's 28 days."""
    from datetime import date, timedelta

    from hub.agenda.collect import ordered, record_items
    from hub.agenda.model import RuleSettings
    from hub.agenda.rules import conflicts

    start = date(2026, 11, 2)  # a Monday; then every day of a week, a month's end and a year's turn
    anchors = [start + timedelta(days=n) for n in range(7)] + [date(2026, 11, 30), date(2026, 12, 31)]
    for anchor in anchors:
        world = generate_world(DEMO_FAMILIES, DEMO_SEED, anchor)
        demo = next(f for f in world.families if f.key == "F00002")
        items = ordered(
            item
            for m in demo.members
            for d in Department
            if m.cpr in world.department_records[d]
            for item in record_items(
                m.key, _map(d, world.department_records[d][m.cpr]), anchor, anchor + timedelta(days=28)
            )
        )
        rules = {c.rule.value for c in conflicts(items, RuleSettings())}
        assert {"OVERLAP", "DUPLICATE_SERVICE"} <= rules, (anchor, rules)
