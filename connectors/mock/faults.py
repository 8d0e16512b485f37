"""Fault injection for the mock departments: latency, errors, hangs, 429s, dropped connections, bad bodies.

A `FaultConfig` is set at start (env `MOCK_<DEPT>_FAULTS`, JSON) and replaced at run time through
`POST /_admin/faults`. Every request to a data endpoint draws its fate from one `random.Random` per app,
seeded by `seed` when given, so a test that sends the same requests sees the same faults. At most one
fault hits a request (besides latency): a single uniform draw picks it from the rates in this order:
drop, hang, rate_limit, error, malformed; so the rates must sum to at most 1.

Faults never apply to /health, /openapi.json or /_admin. Nothing here logs request content.
"""

from __future__ import annotations

import json
import random
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from enum import StrEnum
from typing import Any

MAX_LATENCY_MS = 120_000
MAX_HANG_S = 60.0
ERROR_STATUSES = (500, 502, 503, 504)


class Fault(StrEnum):
    DROP = "drop"
    HANG = "hang"
    RATE_LIMIT = "rate_limit"
    ERROR = "error"
    MALFORMED = "malformed"


class MalformedMode(StrEnum):
    MIXED = "mixed"  # either, chosen by the seeded draw
    INVALID_JSON = "invalid_json"  # the real body cut short: not parseable
    SCHEMA = "schema"  # valid JSON whose values have the wrong types: parseable, violates the schema


class InvalidFaults(ValueError):
    """A fault configuration that is not acceptable; the message says which field and why."""


@dataclass(frozen=True, slots=True)
class FaultConfig:
    latency_ms: int = 0
    jitter_ms: int = 0
    error_rate: float = 0.0
    error_status: int = 500
    hang_rate: float = 0.0
    hang_s: float = MAX_HANG_S  # how long a hung request stays open (bounded; cut short on shutdown)
    rate_limit_rate: float = 0.0
    retry_after_s: int = 1
    drop_rate: float = 0.0
    malformed_rate: float = 0.0
    malformed_mode: MalformedMode = MalformedMode.MIXED
    seed: int | None = None

    @property
    def active(self) -> bool:
        return self != FaultConfig(seed=self.seed)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["malformed_mode"] = self.malformed_mode.value
        return data

    @classmethod
    def from_json(cls, data: object) -> FaultConfig:
        """Validate a JSON object (all fields optional) into a config; raise InvalidFaults otherwise."""
        if not isinstance(data, Mapping):
            raise InvalidFaults("the fault configuration must be a JSON object")
        known = {f.name for f in fields(cls)}
        unknown = sorted(str(k) for k in data if k not in known)
        if unknown:
            raise InvalidFaults(f"unknown fields: {', '.join(unknown)}")
        values = _validated_values(data)
        config = cls(**values)
        total = config.drop_rate + config.hang_rate + config.rate_limit_rate + config.error_rate
        if total + config.malformed_rate > 1.0 + 1e-9:
            raise InvalidFaults("the fault rates must sum to at most 1")
        return config

    @classmethod
    def from_env(cls, raw: str | None) -> FaultConfig:
        if raw is None or not raw.strip():
            return cls()
        try:
            data = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise InvalidFaults("the fault configuration is not valid JSON") from exc
        return cls.from_json(data)


def _validated_values(data: Mapping[Any, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name in ("latency_ms", "jitter_ms"):
        if name in data:
            values[name] = _int(data[name], name, 0, MAX_LATENCY_MS)
    for name in ("error_rate", "hang_rate", "rate_limit_rate", "drop_rate", "malformed_rate"):
        if name in data:
            values[name] = _rate(data[name], name)
    if "error_status" in data:
        values["error_status"] = _int(data["error_status"], "error_status", 0, 999)
        if values["error_status"] not in ERROR_STATUSES:
            raise InvalidFaults(f"error_status must be one of {', '.join(map(str, ERROR_STATUSES))}")
    if "retry_after_s" in data:
        values["retry_after_s"] = _int(data["retry_after_s"], "retry_after_s", 0, 3600)
    if "hang_s" in data:
        hang = _number(data["hang_s"], "hang_s")
        if not 0 < hang <= MAX_HANG_S:
            raise InvalidFaults(f"hang_s must be above 0 and at most {MAX_HANG_S:g}")
        values["hang_s"] = hang
    if "malformed_mode" in data:
        try:
            values["malformed_mode"] = MalformedMode(data["malformed_mode"])
        except ValueError as exc:
            modes = ", ".join(m.value for m in MalformedMode)
            raise InvalidFaults(f"malformed_mode must be one of {modes}") from exc
    if data.get("seed") is not None:
        values["seed"] = _int(data["seed"], "seed", -(2**63), 2**63 - 1)
    return values


def _int(value: object, name: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidFaults(f"{name} must be an integer")
    if not low <= value <= high:
        raise InvalidFaults(f"{name} must be between {low} and {high}")
    return value


def _number(value: object, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidFaults(f"{name} must be a number")
    return float(value)


def _rate(value: object, name: str) -> float:
    rate = _number(value, name)
    if not 0.0 <= rate <= 1.0:
        raise InvalidFaults(f"{name} must be between 0 and 1")
    return rate


@dataclass(frozen=True, slots=True)
class Decision:
    """What happens to one request: a delay (seconds) and at most one fault."""

    delay_s: float
    fault: Fault | None
    malformed_mode: MalformedMode = MalformedMode.MIXED


class FaultInjector:
    """The current configuration and its seeded random source; one per application."""

    def __init__(self, config: FaultConfig | None = None) -> None:
        self.configure(config or FaultConfig())

    @property
    def config(self) -> FaultConfig:
        return self._config

    def configure(self, config: FaultConfig) -> None:
        self._config = config
        # Unseeded configs still use their own Random, never the global one.
        self._rng = random.Random(config.seed)  # noqa: S311 - fault decisions, not security

    def decide(self) -> Decision:
        config, rng = self._config, self._rng
        if not config.active:
            return Decision(0.0, None)
        delay_ms = config.latency_ms + (rng.uniform(0, config.jitter_ms) if config.jitter_ms else 0.0)
        draw = rng.random()
        fault: Fault | None = None
        threshold = 0.0
        for kind, rate in (
            (Fault.DROP, config.drop_rate),
            (Fault.HANG, config.hang_rate),
            (Fault.RATE_LIMIT, config.rate_limit_rate),
            (Fault.ERROR, config.error_rate),
            (Fault.MALFORMED, config.malformed_rate),
        ):
            threshold += rate
            if rate > 0 and draw < threshold:
                fault = kind
                break
        mode = config.malformed_mode
        if fault is Fault.MALFORMED and mode is MalformedMode.MIXED:
            mode = MalformedMode.INVALID_JSON if rng.random() < 0.5 else MalformedMode.SCHEMA
        return Decision(delay_ms / 1000.0, fault, mode)


def malform(body: bytes, mode: MalformedMode) -> bytes:
    """Break a JSON body: cut it short (invalid JSON) or give its values the wrong types (schema)."""
    if mode is MalformedMode.INVALID_JSON or not body:
        return body[: max(1, len(body) // 2)] if len(body) > 1 else b"{"
    try:
        data = json.loads(body)
    except json.JSONDecodeError:
        return body[: len(body) // 2]
    return json.dumps(_wrong_types(data), ensure_ascii=False).encode()


def _wrong_types(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _swap(item) for key, item in value.items()} or {"unexpected": True}
    return {"unexpected": _swap(value)}


def _swap(value: Any) -> Any:
    """A value of a different JSON type than `value`, so any schema check on the field fails."""
    if isinstance(value, bool):
        return "not-a-boolean"
    if isinstance(value, str):
        return 12345
    if isinstance(value, int | float):
        return "not-a-number"
    if isinstance(value, list):
        return "not-a-list"
    if isinstance(value, dict):
        return ["not", "an", "object"]
    return {"unexpected": "null"}
