"""A minimal department connector over a fake wire format, plus fake clock and sleep, for the tests."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import pydantic
from prometheus_client import CollectorRegistry

from connectors._connector import HttpDepartmentConnector
from connectors._http import AuthStyle
from connectors.base import NOT_REGISTERED, LookupResult
from connectors.records import Contact, LeisureRecord
from hub.domain import Department

BASE_URL = "http://dept.test"


class _Person(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(extra="forbid", hide_input_in_errors=True)
    cpr: str
    id: str


class _Batch(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(extra="forbid", hide_input_in_errors=True)
    found: list[_Person]
    not_found: list[str]


class FakeConnector(HttpDepartmentConnector):
    """A department with the simplest wire format: {"cprs": [...]} -> {"found": [...], "not_found": [...]}."""

    DEPARTMENT = Department.KFF
    AUTH = AuthStyle.BEARER
    BATCH_PATH = "/batch"

    def batch_body(self, cprs: Sequence[str]) -> Any:
        return {"cprs": list(cprs)}

    def parse_batch(self, body: Any) -> dict[str, LookupResult]:
        batch = _Batch.model_validate(body)
        out: dict[str, LookupResult] = {
            p.cpr: LeisureRecord(department_id=p.id, contact=Contact("Kim", "KFF")) for p in batch.found
        }
        out.update(dict.fromkeys(batch.not_found, NOT_REGISTERED))
        return out


def answer(cprs: Sequence[str], *, missing: Sequence[str] = ()) -> dict[str, Any]:
    """The fake department's answer: even last digit found, odd not registered."""
    return {
        "found": [{"cpr": c, "id": f"K-{i}"} for i, c in enumerate(cprs) if int(c[-1]) % 2 == 0],
        "not_found": [c for c in cprs if int(c[-1]) % 2 == 1 and c not in missing],
    }


def cprs(n: int) -> list[str]:
    """n distinct fictitious CPR-shaped numbers."""
    return [f"0101{90 + i // 10000:02d}{i % 10000:04d}" for i in range(n)]


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class RecordingSleep:
    """Records the waits instead of waiting, so retry tests take no wall time."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


def sample(registry: CollectorRegistry, name: str, **labels: str) -> float:
    value = registry.get_sample_value(name, labels)
    return 0.0 if value is None else value


NOW = datetime(2026, 11, 1, tzinfo=UTC)
