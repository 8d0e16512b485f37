"""The connector factory: one configured connector per department, for the composition root (hub/app.py).

    connectors = build_connectors(configs, metrics=ConnectorMetrics(hub_registry))
    ...
    await aclose_all(connectors)   # on shutdown: closes every client and its connection pool

It creates clients but makes no request. Adding a department is one entry in CONNECTOR_TYPES.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping

from connectors._connector import HttpDepartmentConnector
from connectors.base import ConnectorHealth, DepartmentConnector
from connectors.bif import BifConnector
from connectors.buf import BufConnector
from connectors.config import ConnectorConfig, default_base_url
from connectors.kff import KffConnector
from connectors.metrics import ConnectorMetrics
from connectors.sof import SofConnector
from connectors.suf import SufConnector
from hub.domain import Department

CONNECTOR_TYPES: dict[Department, type[HttpDepartmentConnector]] = {
    Department.SOF: SofConnector,
    Department.BIF: BifConnector,
    Department.BUF: BufConnector,
    Department.KFF: KffConnector,
    Department.SUF: SufConnector,
}


def build_connectors(
    configs: Mapping[Department, ConnectorConfig], *, metrics: ConnectorMetrics | None = None
) -> dict[Department, DepartmentConnector]:
    """A connector for each configured department, all reporting to one `metrics` (a private registry if
    None). Departments left out of `configs` get no connector."""
    shared = metrics if metrics is not None else ConnectorMetrics()
    return {
        department: CONNECTOR_TYPES[department](config, metrics=shared)
        for department, config in configs.items()
    }


def default_configs(host: str = "127.0.0.1") -> dict[Department, ConnectorConfig]:
    """Development configs: every department's mock on its default port with the dev credential."""
    return {d: ConnectorConfig.for_department(d, base_url=default_base_url(d, host)) for d in Department}


async def probe_all(
    connectors: Mapping[Department, DepartmentConnector],
) -> dict[Department, ConnectorHealth]:
    """Every department's health, probed concurrently (an open breaker answers without a call)."""
    departments = list(connectors)
    healths = await asyncio.gather(*(connectors[d].probe() for d in departments))
    return dict(zip(departments, healths, strict=True))


async def aclose_all(connectors: Mapping[Department, DepartmentConnector]) -> None:
    await asyncio.gather(*(c.aclose() for c in connectors.values()))
