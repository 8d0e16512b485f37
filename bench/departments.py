"""The two baselines: calling the department systems directly, without the hub.

- `floor`: the same batch look-ups the hub's connectors send (path, body and auth taken from the connector
  classes themselves, so the floor can never drift from what the hub sends), for the same departments and
  persons the hub fetches (its plan, learnt from the hub's own answer), one per department, concurrently: the
  least any integration could take to answer that family view.
- `naive`: what an integration without batching or concurrency does: one single-person request per member and
  department, one after another.

Both talk to the mock departments on 127.0.0.1 only. Nothing here prints or logs a CPR number.
"""

from __future__ import annotations

import asyncio
import importlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import aiohttp

from connectors._connector import HttpDepartmentConnector
from connectors._http import auth_headers
from connectors.config import default_credential
from connectors.registry import CONNECTOR_TYPES
from hub.domain import Department

# The mocks' admin API (connectors/mock/admin.py) and its development token.
ADMIN_HEADERS = {"Authorization": "Bearer dev-admin"}


@dataclass(frozen=True)
class DepartmentWire:
    department: Department
    base_url: str
    headers: Mapping[str, str]
    batch_path: str
    single_path: str
    connector: HttpDepartmentConnector  # an uninitialised instance: only its pure `batch_body` is used

    def batch_body(self, cprs: Sequence[str]) -> Any:
        return self.connector.batch_body(cprs)

    def single(self, cpr: str) -> tuple[str, dict[str, str]]:
        """Path and query of the department's single-person endpoint (SUF takes a FHIR identifier query)."""
        if "{cpr}" in self.single_path:
            return self.single_path.format(cpr=cpr), {}
        return self.single_path, {"identifier": cpr}


def wires(urls: Mapping[Department, str]) -> dict[Department, DepartmentWire]:
    out: dict[Department, DepartmentWire] = {}
    for department, url in urls.items():
        connector_type = CONNECTOR_TYPES[department]
        mock = importlib.import_module(f"connectors.mock.{department.value.lower()}")
        out[department] = DepartmentWire(
            department=department,
            base_url=url,
            headers=auth_headers(connector_type.AUTH, default_credential(department)),
            batch_path=connector_type.BATCH_PATH,
            single_path=str(mock.SINGLE_PATH),
            # batch_body is a pure function of the CPR numbers; no client or config is needed for it.
            connector=object.__new__(connector_type),
        )
    return out


class BaselineError(Exception):
    """A department answered a baseline request with an unexpected status (the status only, no body)."""


async def floor(
    session: aiohttp.ClientSession,
    wire: Mapping[Department, DepartmentWire],
    plan: Mapping[Department, Sequence[str]],
) -> int:
    """One batch look-up per department in `plan` (department -> CPR numbers), all concurrently; the number
    of department calls made."""

    async def one(w: DepartmentWire, cprs: Sequence[str]) -> None:
        async with session.post(w.base_url + w.batch_path, json=w.batch_body(cprs), headers=w.headers) as r:
            await r.read()
            if r.status != 200:
                raise BaselineError(f"{w.department.value} batch look-up answered HTTP {r.status}")

    await asyncio.gather(*(one(wire[d], cprs) for d, cprs in plan.items() if cprs))
    return sum(1 for cprs in plan.values() if cprs)


async def naive(
    session: aiohttp.ClientSession,
    wire: Mapping[Department, DepartmentWire],
    plan: Mapping[Department, Sequence[str]],
) -> int:
    """One single-person request per (department, member) in `plan`, strictly one after another."""
    calls = 0
    for department, cprs in plan.items():
        w = wire[department]
        for cpr in cprs:
            path, params = w.single(cpr)
            async with session.get(w.base_url + path, params=params, headers=w.headers) as r:
                await r.read()
                calls += 1
                if r.status not in (200, 404):  # 404: the person is not registered there
                    raise BaselineError(f"{w.department.value} single look-up answered HTTP {r.status}")
    return calls


@dataclass(frozen=True)
class MockCounts:
    requests: int
    persons: int
    faults: int


async def mock_stats(session: aiohttp.ClientSession, urls: Mapping[Department, str]) -> MockCounts:
    requests = persons = faults = 0
    for url in urls.values():
        async with session.get(f"{url}/_admin/stats", headers=ADMIN_HEADERS) as r:
            body = await r.json()
        requests += int(body["total_requests"])
        persons += int(body["persons_requested"])
        faults += sum(int(v) for v in body.get("faults", {}).values())
    return MockCounts(requests, persons, faults)


async def reset_mock_stats(session: aiohttp.ClientSession, urls: Mapping[Department, str]) -> None:
    for url in urls.values():
        async with session.delete(f"{url}/_admin/stats", headers=ADMIN_HEADERS) as r:
            await r.read()


async def set_latencies(
    session: aiohttp.ClientSession, urls: Mapping[Department, str], latencies_ms: Mapping[Department, int]
) -> None:
    for department, url in urls.items():
        body = {"latency_ms": latencies_ms.get(department, 0)}
        async with session.post(f"{url}/_admin/faults", json=body, headers=ADMIN_HEADERS) as r:
            await r.read()
            if r.status != 200:
                raise BaselineError(f"{department.value} refused the fault configuration: HTTP {r.status}")
