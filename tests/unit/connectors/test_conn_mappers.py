"""Each department's wire records, as the world generator builds them, map into the hub's typed records,
every code translated into the hub's vocabulary."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pydantic
import pytest

from connectors import bif, buf, kff, sof, suf
from connectors.base import DepartmentBadResponse
from connectors.records import (
    RECORD_TYPES,
    ChildYouthRecord,
    DepartmentRecord,
    EmploymentRecord,
    HealthRecord,
    LeisureRecord,
    Sensitivity,
    SocialRecord,
)
from hub.domain import Department
from hub.world import World
from hub.world.generator import generate_world

MAPPERS: dict[Department, tuple[type[pydantic.BaseModel], Callable[[Any], DepartmentRecord]]] = {
    Department.SOF: (sof.Borger, sof.to_record),
    Department.BIF: (bif.Citizen, bif.to_record),
    Department.BUF: (buf.Child, buf.to_record),
    Department.KFF: (kff.Member, kff.to_record),
    Department.SUF: (suf.PatientSummary, suf.to_record),
}


@pytest.fixture(scope="module")
def world() -> World:
    return generate_world(60, 11)


def mapped(world: World, department: Department) -> list[DepartmentRecord]:
    model, to_record = MAPPERS[department]
    return [to_record(model.model_validate(raw)) for raw in world.department_records[department].values()]


@pytest.mark.parametrize("department", list(Department))
def test_every_generated_record_maps(world: World, department: Department) -> None:
    records = mapped(world, department)
    assert len(records) >= 20
    for record in records:
        assert type(record) is RECORD_TYPES[department]
        assert record.department is department
        assert record.department_id
        assert record.last_updated is None or record.last_updated.tzinfo is UTC
        assert record.last_updated is None or record.last_updated <= datetime(2026, 11, 2, tzinfo=UTC)
        assert record.open_cases >= 0


def test_sof_codes_are_translated(world: World) -> None:
    records = [r for r in mapped(world, Department.SOF) if isinstance(r, SocialRecord)]
    reporters = {c.reporter_type for r in records for c in r.reports_of_concern}
    assert reporters <= set(sof.REPORTER_TYPES.values())
    assert {m.kind for r in records for m in r.measures} <= set(sof.MEASURE_KINDS.values())
    assert {m.status for r in records for m in r.measures} <= {"ACTIVE", "PLANNED", "ENDED"}
    assert {i.status for r in records for i in r.investigations} <= {"OPEN", "COMPLETED", "CLOSED"}
    assert {i.legal_basis for r in records for i in r.investigations} <= {"Barnets lov §20"}
    assert {p.placement_type for r in records for p in r.placements} <= set(sof.PLACEMENT_TYPES.values())
    assert {r.sensitivity for r in records} <= {Sensitivity.SENSITIVE, Sensitivity.CONFIDENTIAL}
    assert any(r.reports_of_concern for r in records)


def test_bif_codes_are_translated(world: World) -> None:
    records = [r for r in mapped(world, Department.BIF) if isinstance(r, EmploymentRecord)]
    assert {r.target_group for r in records} - {None} <= set(bif.TARGET_GROUPS.values())
    assert {r.benefit.type for r in records if r.benefit} <= set(bif.BENEFIT_TYPES.values())
    assert {r.benefit.rate for r in records if r.benefit} - {None} <= set(bif.RATE_LEVELS.values())
    assert {a.kind for r in records for a in r.activities} <= set(bif.ACTIVITY_TYPES.values())
    assert {a.status for r in records for a in r.activities} <= {"ACTIVE", "PLANNED", "ENDED"}
    assert any(r.benefit for r in records)


def test_buf_absence_and_health(world: World) -> None:
    records = [r for r in mapped(world, Department.BUF) if isinstance(r, ChildYouthRecord)]
    quarters = [q for r in records for q in r.absence]
    assert quarters
    assert all(q.quarter[:4].isdigit() and q.quarter[4] == "Q" for q in quarters)
    assert any(q.unlawful_flag for q in quarters)
    assert {r.institution.kind for r in records if r.institution} <= {"SCHOOL", "DAYCARE"}
    assert any(r.health_visits for r in records)


def test_kff_codes_are_translated(world: World) -> None:
    records = [r for r in mapped(world, Department.KFF) if isinstance(r, LeisureRecord)]
    assert {r.fritidsguide.status for r in records if r.fritidsguide} <= {"REFERRED", "MATCHED", "ENDED"}
    assert {r.sensitivity for r in records} == {Sensitivity.NORMAL}
    assert any(r.memberships for r in records)


def test_suf_codes_are_translated(world: World) -> None:
    records = [r for r in mapped(world, Department.SUF) if isinstance(r, HealthRecord)]
    assert {f.to for r in records for f in r.referrals} <= set(suf.REFERRAL_TARGETS.values())
    assert {s.status for r in records for s in r.services} <= {"PLANNED", "WAITLIST", "ACTIVE", "FINISHED"}
    assert any(c.topics for r in records for c in r.conversations)
    assert all(r.contact.phone and r.contact.email for r in records)


def test_unknown_codes_pass_through() -> None:
    raw = {
        "CitizenId": "JC-1",
        "Cpr": "0101901234",
        "CoordinatingCaseworker": {"Name": "A", "Unit": "B"},
        "TargetGroup": "NewGroup2027",
        "OpenCaseCount": 0,
        "Sensitivity": "Whatever",
    }
    record = bif.to_record(bif.Citizen.model_validate(raw))
    assert record.target_group == "NewGroup2027"
    assert record.sensitivity is Sensitivity.SENSITIVE  # an unknown marking is treated as the strictest


@pytest.mark.parametrize(
    "breakage",
    [
        lambda r: r.pop("sagsnummer"),
        lambda r: r.update(antalAabneSager="mange"),
        lambda r: r.update(
            underretninger=[{"id": "U", "modtaget": "not-a-date", "anmeldertype": "X", "akut": False}]
        ),
        lambda r: r.update(senestOpdateret="2026-01-01T10:00:00"),  # an instant without a time zone
        lambda r: r.update(sagsbehandler=None),
    ],
)
def test_schema_violations_raise(world: World, breakage: Callable[[dict[str, Any]], object]) -> None:
    raw = dict(next(iter(world.department_records[Department.SOF].values())))
    breakage(raw)
    with pytest.raises(pydantic.ValidationError):
        sof.Borger.model_validate(raw)


def test_suf_without_a_care_team_is_a_bad_response(world: World) -> None:
    raw = dict(next(iter(world.department_records[Department.SUF].values())))
    raw["careTeam"] = []
    with pytest.raises(DepartmentBadResponse):
        suf.to_record(suf.PatientSummary.model_validate(raw))
