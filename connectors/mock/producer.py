"""Mock departments that change over time: edit records in the mock world and push them to the hub.

At `rate_per_minute` (Poisson arrivals), it picks a random person a department knows, edits that person's wire
record in place (so the department's own endpoints serve the new state), bumps `last updated` and pushes one
event to the hub's signed webhook (`POST /webhooks/{dept}`, hub/ingestion/webhook.py). Delivery is
at-least-once: a failed push is retried with backoff under the same event id, which the hub deduplicates.

Off unless configured (`MOCK_PRODUCER_RATE`, changes per minute; `make run` sets a gentle rate). The world is
fictitious; nothing here logs a CPR number or record content.
"""

from __future__ import annotations

import asyncio
import copy
import logging
import os
import random
import uuid
from collections.abc import Callable, Mapping, MutableMapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import orjson

from hub.domain import Department
from hub.ingestion.webhook import signed_headers
from hub.settings import Settings, dev_webhook_secret
from hub.world.departments.appointments import move_appointment
from hub.world.model import World

logger = logging.getLogger("mock.producer")

Sleep = Callable[[float], Any]
Now = Callable[[], datetime]


@dataclass(frozen=True, slots=True)
class ProducerConfig:
    hub_url: str = "http://127.0.0.1:8000"
    rate_per_minute: float = 0.0  # 0: off
    secrets: Mapping[Department, str] = field(
        default_factory=lambda: {d: dev_webhook_secret(d) for d in Department}
    )
    departments: tuple[Department, ...] = tuple(Department)
    max_attempts: int = 8
    backoff_initial_s: float = 0.5
    backoff_max_s: float = 30.0
    timeout_s: float = 5.0

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> ProducerConfig:
        """`MOCK_PRODUCER_RATE`, `MOCK_PRODUCER_HUB_URL` (default http://HUB_HOST:HUB_PORT), and
        `HUB_<DEPT>_WEBHOOK_SECRET` (the development defaults otherwise)."""
        env = os.environ if env is None else env
        host = env.get("HUB_HOST", "127.0.0.1")
        hub_url = env.get("MOCK_PRODUCER_HUB_URL", f"http://{host}:{env.get('HUB_PORT', '8000')}")
        secrets = {d: env.get(f"HUB_{d.value}_WEBHOOK_SECRET", dev_webhook_secret(d)) for d in Department}
        return cls(
            hub_url=hub_url, rate_per_minute=float(env.get("MOCK_PRODUCER_RATE", "0")), secrets=secrets
        )

    @classmethod
    def for_hub(cls, settings: Settings, *, rate_per_minute: float = 6.0) -> ProducerConfig:
        """Push to the hub `settings` describe, with its webhook secrets; `MOCK_PRODUCER_RATE` overrides the rate
        (0 turns the producer off). What `make run` uses: a gentle six changes a minute."""
        rate = float(os.environ.get("MOCK_PRODUCER_RATE", rate_per_minute))
        return cls(
            hub_url=f"http://{settings.host}:{settings.port}",
            rate_per_minute=rate,
            secrets={d: settings.webhook_secret(d) for d in Department},
        )


@dataclass(frozen=True, slots=True)
class Change:
    department: Department
    event: dict[str, Any]


@dataclass
class ProducerStats:
    produced: int = 0
    delivered: int = 0
    retries: int = 0
    failed: int = 0


def _stamp(now: datetime) -> str:
    return now.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# Per department: (record kind, the record's id field, how to edit the wire record in place).
def _edit_sof(record: dict[str, Any], now: datetime, rng: random.Random) -> None:
    record["senestOpdateret"] = _stamp(now)


def _edit_bif(record: dict[str, Any], now: datetime, rng: random.Random) -> None:
    record["NextInterviewDate"] = (now.date() + timedelta(days=rng.randint(7, 60))).isoformat()
    record["LastUpdated"] = _stamp(now)


def _edit_buf(record: dict[str, Any], now: datetime, rng: random.Random) -> None:
    absence = record.get("absence") or []
    if absence:
        latest = absence[-1]
        unlawful = max(
            0.0, min(40.0, float(latest.get("unlawfulPercent", 0.0)) + rng.choice((-2.5, -1.0, 1.0, 2.5)))
        )
        latest["unlawfulPercent"] = round(unlawful, 1)
        latest["reportRequired"] = unlawful >= 15.0
    record["updateTime"] = _stamp(now)


def _edit_kff(record: dict[str, Any], now: datetime, rng: random.Random) -> None:
    memberships = record.get("memberships") or []
    if memberships:
        chosen = rng.choice(memberships)
        chosen["active"] = not chosen.get("active", False)
    record["updated_at"] = _stamp(now)


def _edit_suf(record: dict[str, Any], now: datetime, rng: random.Random) -> None:
    record.setdefault("meta", {})["lastUpdated"] = _stamp(now)


EDITS: dict[Department, tuple[str, str, Callable[[dict[str, Any], datetime, random.Random], None]]] = {
    Department.SOF: ("borger", "sagsnummer", _edit_sof),
    Department.BIF: ("citizen", "CitizenId", _edit_bif),
    Department.BUF: ("child", "childId", _edit_buf),
    Department.KFF: ("member", "member_id", _edit_kff),
    Department.SUF: ("PatientSummary", "id", _edit_suf),
}


class ChangeProducer:
    def __init__(
        self,
        world: World,
        config: ProducerConfig,
        *,
        client: httpx.AsyncClient | None = None,
        rng: random.Random | None = None,
        now: Now = lambda: datetime.now(UTC),
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.world = world
        self.config = config
        self.client = client or httpx.AsyncClient(timeout=config.timeout_s)
        self._owns_client = client is None
        self.rng = rng or random.Random()  # noqa: S311 - fictitious changes, not security
        self.now = now
        self.sleep = sleep
        self.stats = ProducerStats()
        self._versions: dict[tuple[Department, str], int] = {}

    def next_change(self, department: Department | None = None) -> Change | None:
        """Edit one random record in the world (in place) and describe it as an event; None if none exist."""
        pool = self.config.departments if department is None else (department,)
        candidates = [d for d in pool if self.world.department_records.get(d)]
        if not candidates:
            return None
        chosen = self.rng.choice(candidates)
        records = self.world.department_records[chosen]
        assert isinstance(records, MutableMapping)  # noqa: S101 - the generator builds dicts
        cpr = self.rng.choice(sorted(records))
        kind, id_field, edit = EDITS[chosen]
        now = self.now()
        record = copy.deepcopy(dict(records[cpr]))
        edit(record, now, self.rng)
        move_appointment(chosen, record)  # and the department reschedules one of its appointments
        records[cpr] = record  # the mock department serves the new state from now on
        record_id = str(record[id_field])
        # Versions from the clock survive a producer restart; +1 keeps them strictly increasing per record.
        version = max(int(now.timestamp() * 1000), self._versions.get((chosen, record_id), 0) + 1)
        self._versions[(chosen, record_id)] = version
        self.stats.produced += 1
        event = {
            "eventId": f"{chosen.value.lower()}-{uuid.uuid4().hex}",
            "department": chosen.value,
            "subjectCpr": cpr,
            "recordKind": kind,
            "recordId": record_id,
            "version": version,
            "occurredAt": now.isoformat(),
            "record": record,
            "deleted": False,
        }
        return Change(chosen, event)

    async def deliver(self, change: Change) -> bool:
        """Push one change, retrying transient failures with the same event id. True once acknowledged."""
        body = orjson.dumps({"events": [change.event]})
        url = f"{self.config.hub_url.rstrip('/')}/webhooks/{change.department.value}"
        secret = self.config.secrets[change.department]
        delay = self.config.backoff_initial_s
        for attempt in range(1, self.config.max_attempts + 1):
            try:
                # Signed per attempt: the timestamp must be fresh, the event id stays the same.
                response = await self.client.post(url, content=body, headers=signed_headers(secret, body))
            except httpx.HTTPError as exc:
                reason = type(exc).__name__
            else:
                if response.status_code == 200:
                    self.stats.delivered += 1
                    return True
                if response.status_code < 500 and response.status_code != 429:
                    # A 4xx other than 429 will not improve with retrying: a configuration or data fault.
                    logger.warning("hub refused a change", extra={"status": response.status_code})
                    self.stats.failed += 1
                    return False
                reason = f"HTTP {response.status_code}"
            if attempt == self.config.max_attempts:
                break
            self.stats.retries += 1
            logger.info("push failed; retrying", extra={"reason": reason, "attempt": attempt})
            await self.sleep(self.rng.uniform(0, delay))
            delay = min(delay * 2, self.config.backoff_max_s)
        self.stats.failed += 1
        logger.warning("gave up pushing a change", extra={"department": change.department.value})
        return False

    async def run(self) -> None:
        """Produce and push changes at the configured rate until cancelled."""
        if self.config.rate_per_minute <= 0:
            return
        try:
            while True:
                await self.sleep(self.rng.expovariate(self.config.rate_per_minute / 60.0))
                change = self.next_change()
                if change is not None:
                    await self.deliver(change)
        finally:
            await self.aclose()

    async def aclose(self) -> None:
        if self._owns_client:
            await self.client.aclose()
