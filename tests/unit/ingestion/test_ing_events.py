"""Event validation and the typed-record codec."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from hub.domain import Department
from hub.ingestion.codec import CodecError, from_json, to_json
from hub.ingestion.events import InvalidEvent, validate
from hub.ingestion.wire import WireError, connector_parsers, parse_wire
from hub.world import generate_world

NOW = datetime(2026, 11, 2, 12, 0, tzinfo=UTC)
CPR = "0101901234"


def raw(**overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "eventId": "sof-1",
        "department": "SOF",
        "subjectCpr": "010190-1234",
        "recordKind": "borger",
        "recordId": "SOF-1",
        "version": 3,
        "occurredAt": "2026-11-02T11:00:00Z",
        "record": {"x": 1},
    }
    base.update(overrides)
    return base


def test_a_valid_event() -> None:
    event = validate(raw(), now=NOW)
    assert event.subject_cpr == CPR
    assert event.department is Department.SOF
    assert event.version == 3
    assert event.occurred_at == datetime(2026, 11, 2, 11, 0, tzinfo=UTC)
    assert not event.deleted
    assert validate(raw(record=None, deleted=True), now=NOW).deleted


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"eventId": ""}, "eventId"),
        ({"eventId": "has space"}, "eventId"),
        ({"eventId": "x" * 129}, "eventId"),
        ({"department": "XYZ"}, "department"),
        ({"subjectCpr": "123"}, "subjectCpr"),
        ({"subjectCpr": "320190-1234"}, "subjectCpr"),
        ({"recordKind": " "}, "recordKind"),
        ({"recordId": None}, "recordId"),
        ({"version": -1}, "version"),
        ({"version": "3"}, "version"),
        ({"version": True}, "version"),
        ({"occurredAt": "2026-11-02T11:00:00"}, "occurredAt"),
        ({"occurredAt": "2027-01-01T00:00:00Z"}, "occurredAt"),
        ({"record": None}, "record"),
        ({"record": [1]}, "record"),
        ({"deleted": True}, "record"),
        ({"deleted": "yes"}, "deleted"),
    ],
)
def test_malformed_events_name_the_field_and_never_the_value(overrides: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidEvent) as info:
        validate(raw(**overrides), now=NOW)
    assert info.value.error.field == field
    assert info.value.error.code == "BAD_USER_INPUT"
    assert "1234" not in info.value.error.message


def test_every_world_record_round_trips_through_the_connectors_mapping_and_the_codec() -> None:
    parsers = connector_parsers()
    assert set(parsers) == set(Department)
    world = generate_world(8, 3)
    for department, records in world.department_records.items():
        for cpr, wire in records.items():
            record = parse_wire(parsers, department, wire)
            stored = to_json(record)
            assert cpr not in str(stored)
            assert from_json(stored) == record


def test_wire_errors_name_the_path_not_the_value() -> None:
    parsers = connector_parsers()
    world = generate_world(3, 3)
    cpr, wire = next(iter(world.department_records[Department.SOF].items()))
    with pytest.raises(WireError, match="sagsnummer") as info:
        parse_wire(parsers, Department.SOF, {k: v for k, v in wire.items() if k != "sagsnummer"})
    assert cpr not in str(info.value)
    with pytest.raises(WireError):
        parse_wire({}, Department.SOF, wire)


def test_a_stored_value_that_no_longer_fits_is_a_codec_error() -> None:
    with pytest.raises(CodecError):
        from_json({"type": "SocialRecord", "data": {"department_id": "x"}})
    with pytest.raises(CodecError):
        from_json({"type": "Nope", "data": {}})
