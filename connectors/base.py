"""The one interface every department connector implements, and the connector error tree.

    ConnectorError                 (any failure talking to one department; carries `department`)
    ├── DepartmentUnavailable      unreachable, timed out, 5xx, 429 after retries, breaker open,
    │   │                          deadline exceeded, bulkhead full -> DEPARTMENT_UNAVAILABLE
    │   └── DepartmentUnauthorized a 401/403 from the department: our credential is misconfigured
    └── DepartmentBadResponse      malformed or schema-violating body -> DEPARTMENT_BAD_RESPONSE

No error message may contain a CPR number or any other personal data: they name the department and
what went wrong, nothing else.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Final, Protocol, runtime_checkable

from connectors.records import DepartmentRecord
from hub.domain import Department


class NotRegistered:
    """The department answered and has no record of this person (an explicit not-found)."""

    _instance: NotRegistered | None = None

    def __new__(cls) -> NotRegistered:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "NOT_REGISTERED"


NOT_REGISTERED: Final = NotRegistered()

LookupResult = DepartmentRecord | NotRegistered


class ConnectorError(Exception):
    code: str = "DEPARTMENT_UNAVAILABLE"

    def __init__(self, department: Department, reason: str) -> None:
        super().__init__(f"{department.value}: {reason}")
        self.department = department
        self.reason = reason


class DepartmentUnavailable(ConnectorError):
    code = "DEPARTMENT_UNAVAILABLE"


class DepartmentUnauthorized(DepartmentUnavailable):
    """The department refused our credential: a configuration fault on our side, never retried."""


class DepartmentBadResponse(ConnectorError):
    code = "DEPARTMENT_BAD_RESPONSE"


class BreakerState(StrEnum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


@dataclass(frozen=True, slots=True)
class ConnectorHealth:
    department: Department
    breaker: BreakerState
    reachable: bool | None  # None when not probed (e.g. breaker open)
    detail: str = ""


@dataclass(frozen=True, slots=True)
class Deadline:
    """An absolute point in `time.monotonic()` time by which a whole GraphQL request must be answered.

    Connectors cap their timeouts and retries by `remaining()`; the hub creates one per request.
    """

    at: float

    @classmethod
    def after(cls, seconds: float) -> Deadline:
        return cls(time.monotonic() + seconds)

    def remaining(self) -> float:
        return max(0.0, self.at - time.monotonic())

    @property
    def expired(self) -> bool:
        return self.remaining() <= 0.0


@runtime_checkable
class DepartmentConnector(Protocol):
    """One department system, seen from the hub.

    `fetch_many` answers every CPR number it was given: a typed record or NOT_REGISTERED. It raises a
    ConnectorError if the department as a whole could not answer (the caller marks every asked-for
    person's section accordingly). It batches by the department's own batch limit.
    """

    department: Department
    batch_limit: int

    async def fetch_many(
        self, cprs: Sequence[str], *, deadline: Deadline | None = None
    ) -> Mapping[str, LookupResult]: ...

    async def probe(self) -> ConnectorHealth: ...

    async def aclose(self) -> None: ...
