"""Fixtures for the connector machinery tests: fake clock and sleep, a private metrics registry, and respx on
the httpx layer (it intercepts requests on the aiohttp transport; the default httpcore mocker would not)."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import pytest
import respx
from connector_fakes import BASE_URL, FakeClock, FakeConnector, RecordingSleep
from prometheus_client import CollectorRegistry

from connectors.config import ConnectorConfig
from connectors.metrics import ConnectorMetrics


@pytest.fixture
def registry() -> CollectorRegistry:
    return CollectorRegistry()


@pytest.fixture
def metrics(registry: CollectorRegistry) -> ConnectorMetrics:
    return ConnectorMetrics(registry)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def sleep() -> RecordingSleep:
    return RecordingSleep()


@pytest.fixture
def mock_router() -> Iterator[respx.MockRouter]:
    with respx.mock(using="httpx", base_url=BASE_URL, assert_all_called=False) as router:
        yield router


MakeConnector = Callable[..., FakeConnector]


@pytest.fixture
async def make_connector(
    metrics: ConnectorMetrics, clock: FakeClock, sleep: RecordingSleep
) -> AsyncIterator[MakeConnector]:
    made: list[FakeConnector] = []

    def make(cls: type[FakeConnector] = FakeConnector, **overrides: Any) -> FakeConnector:
        config = ConnectorConfig(base_url=BASE_URL, credential="sekret", **overrides)
        connector = cls(config, metrics=metrics, clock=clock, sleep=sleep, rng=random.Random(4))
        made.append(connector)
        return connector

    yield make
    for connector in made:
        await connector.aclose()
