"""The GraphQL types of department records are derived from connectors/records.py: one change adds a field."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Annotated

import pytest
import strawberry

from connectors import records as r
from schema.derived import Deriver


@dataclass(frozen=True, slots=True)
class BadgedContact(r.Contact):
    """A contact with a badge (throw-away, for this test)."""

    badge_no: Annotated[int | None, "The contact's badge number."] = None


@dataclass(frozen=True, slots=True)
class _Undescribed:
    """A record with an undescribed field."""

    when: date


def _schema_of(record_type: object, value: object) -> strawberry.Schema:
    def contact() -> object:
        return value

    query = strawberry.type(
        type(
            "Query",
            (),
            {"__annotations__": {}, "contact": strawberry.field(resolver=contact, graphql_type=record_type)},
        )
    )
    return strawberry.Schema(query=query)


def test_a_field_added_to_a_record_is_in_the_sdl_with_its_description() -> None:
    gql = Deriver().derive(BadgedContact)
    sdl = str(_schema_of(gql, BadgedContact(name="A", unit="U", badge_no=7)))
    assert '"""A contact with a badge (throw-away, for this test)."""\ntype BadgedContact {' in sdl
    assert '  """The contact\'s badge number."""\n  badgeNo: Int\n' in sdl
    assert '  """The contact\'s name."""\n  name: String!\n' in sdl


def test_the_derived_type_resolves_straight_from_the_record() -> None:
    gql = Deriver().derive(BadgedContact)
    result = _schema_of(gql, BadgedContact(name="A", unit="U", badge_no=7)).execute_sync(
        "{ contact { name phone badgeNo } }"
    )
    assert result.errors is None
    assert result.data == {"contact": {"name": "A", "phone": None, "badgeNo": 7}}


def test_ids_renames_lists_nesting_and_computed_properties() -> None:
    d = Deriver()
    d.derive(r.Contact)
    d.derive(r.Membership)
    for t in (r.FritidsGuideReferral, r.MembershipSubsidy, r.FerieCamp):
        d.derive(t)
    gql = d.derive(
        r.LeisureRecord,
        names={"department_id": "personId"},
        hidden=("appointments", "sensitivity", "department"),
        computed={"active_leisure": "memberships"},
    )
    record = r.LeisureRecord(
        department_id="k1",
        contact=r.Contact(name="C", unit="U"),
        memberships=(
            r.Membership(id="m1", association="BK", activity="football", since=date(2025, 1, 1), active=True),
        ),
    )
    schema = _schema_of(gql, record)
    sdl = str(schema)
    assert "  personId: ID!\n" in sdl
    assert "  memberships: [Membership!]!\n" in sdl
    assert "  activeLeisure: Boolean!\n" in sdl
    assert "appointments" not in sdl
    assert "sensitivity" not in sdl
    result = schema.execute_sync("{ contact { personId activeLeisure memberships { id since } } }")
    assert result.errors is None
    assert result.data == {
        "contact": {
            "personId": "k1",
            "activeLeisure": True,
            "memberships": [{"id": "m1", "since": "2025-01-01"}],
        }
    }


def test_a_field_without_a_description_is_refused() -> None:
    with pytest.raises(TypeError, match=r"_Undescribed\.when has no description"):
        Deriver().derive(_Undescribed)


def test_a_nested_record_must_be_derived_first() -> None:
    with pytest.raises(TypeError, match="derive Contact before"):
        Deriver().derive(r.HealthRecord, hidden=("appointments", "sensitivity", "department"))
