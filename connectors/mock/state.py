"""The per-application state of a mock department: its API, credentials, faults, counters and stop signal.

Shared by app.py (the middleware) and admin.py (the test API). Holds no personal data except through
`api`, whose records come from the world.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import MutableMapping
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from connectors.mock.faults import Fault, FaultInjector
from connectors.mock.service import DepartmentApi, EndpointKind


@dataclass
class Stats:
    requests: Counter[str] = field(default_factory=Counter)
    persons_requested: int = 0
    faults: Counter[str] = field(default_factory=Counter)
    unauthorized: int = 0

    def to_json(self) -> dict[str, Any]:
        return {
            "requests": {kind.value: self.requests[kind.value] for kind in EndpointKind},
            "total_requests": sum(self.requests.values()),
            "persons_requested": self.persons_requested,
            "faults": {fault.value: self.faults[fault.value] for fault in Fault},
            "unauthorized": self.unauthorized,
        }

    def reset(self) -> None:
        self.requests.clear()
        self.faults.clear()
        self.persons_requested = 0
        self.unauthorized = 0


@dataclass
class MockState:
    api: DepartmentApi
    credentials: frozenset[str]
    injector: FaultInjector
    stats: Stats = field(default_factory=Stats)
    # Set on shutdown: hung and delayed requests end at once instead of holding the server open.
    stopping: asyncio.Event = field(default_factory=asyncio.Event)
    # The department's records (CPR -> wire-format record), shared with `api`: the admin API registers
    # persons here, and the single-person and batch look-ups serve them from then on.
    records: MutableMapping[str, Any] = field(default_factory=dict)


MOCK_STATE = web.AppKey("mock_state", MockState)
