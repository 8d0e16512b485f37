"""The hub's long-lived collaborators, built once in `hub.app.create_app` (the composition root).

Resolvers and HTTP endpoints reach everything through this object; nothing else constructs connectors,
engines or registries.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from prometheus_client import CollectorRegistry
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from connectors.base import DepartmentConnector
from hub.crypto import CprVault
from hub.domain import Department
from hub.settings import Settings

LATENCY_BUDGETS = "latency_budgets"  # extras: Department -> connectors.latency.LatencyBudget


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Services:
    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    vault: CprVault
    connectors: Mapping[Department, DepartmentConnector]
    metrics: CollectorRegistry
    clock: Callable[[], datetime] = utc_now
    # Concern-specific collaborators (auth verifier, audit log, pub/sub, ingestion, ...), set by create_app.
    extras: dict[str, Any] = field(default_factory=dict)

    async def aclose(self) -> None:
        for budget in self.extras.get(LATENCY_BUDGETS, {}).values():
            await budget.aclose()  # department calls still finishing in the background
        for connector in self.connectors.values():
            await connector.aclose()
        await self.engine.dispose()
