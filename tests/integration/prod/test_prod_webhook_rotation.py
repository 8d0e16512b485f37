"""Rotating a department's webhook secret without dropping pushes: while HUB_<DEPT>_WEBHOOK_SECRET lists the new
and the previous secret, requests signed with either verify; once the previous one is removed, it no longer does."""

from __future__ import annotations

from pathlib import Path

import httpx

from hub.config_check import production_problems
from hub.domain import Department
from hub.ingestion.webhook import signed_headers
from hub.settings import Settings
from tests.support.stack import running_stack

NEW = "new-webhook-secret-0123456789abcdef"
OLD = "old-webhook-secret-0123456789abcdef"
BODY = b'{"events": []}'


async def _status(client: httpx.AsyncClient, secret: str) -> int:
    response = await client.post("/webhooks/SOF", content=BODY, headers=signed_headers(secret, BODY))
    return response.status_code


async def test_both_secrets_verify_during_the_rollover_and_only_the_new_one_after(tmp_path: Path) -> None:
    async with running_stack(
        tmp_path / "during", families=1, seed=7, sof_webhook_secret=f"{NEW}, {OLD}"
    ) as stack:
        assert stack.settings.webhook_secret(Department.SOF) == NEW  # the producer signs with the new one
        assert await _status(stack.client, NEW) == 200
        assert await _status(stack.client, OLD) == 200
        assert await _status(stack.client, "neither-0123456789abcdef0123") == 401
    async with running_stack(tmp_path / "after", families=1, seed=7, sof_webhook_secret=NEW) as stack:
        assert await _status(stack.client, NEW) == 200
        assert await _status(stack.client, OLD) == 401


def test_check_config_accepts_two_secrets_and_refuses_more() -> None:
    def named(value: str) -> bool:
        problems = production_problems(Settings(env="production", sof_webhook_secret=value))
        return any(p.variable == "HUB_SOF_WEBHOOK_SECRET" for p in problems)

    assert not named(f"{NEW},{OLD}")
    assert named(f"{NEW},{OLD},third-webhook-secret-0123456789ab")
    assert named(f"{NEW},short")
    assert named(f"{NEW},dev-sof-webhook")
