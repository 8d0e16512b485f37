"""Real `hub serve` processes on 127.0.0.1 for the operations tests (shutdown, replicas behind a proxy)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import subprocess
import sys
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import httpx

from hub.domain import Department
from hub.settings import Settings


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def hub_env(settings: Settings, **extra: str) -> dict[str, str]:
    """The environment of a hub process on the same database, var/ and departments as `settings`."""
    return {
        **os.environ,
        "HUB_DATABASE_URL": settings.database_url,
        "HUB_VAR_DIR": str(settings.var_dir),
        "HUB_LOG_LEVEL": "WARNING",
        **{f"HUB_{d.value}_URL": settings.department_url(d) for d in Department},
        **extra,
    }


@dataclass
class HubProcess:
    process: asyncio.subprocess.Process
    url: str
    port: int
    log: Path

    async def tail(self) -> str:
        return (await asyncio.to_thread(self.log.read_text, errors="replace"))[-3000:]


async def wait_healthy(url: str, process: asyncio.subprocess.Process, log: Path) -> None:
    async with httpx.AsyncClient(timeout=1) as client:
        for _ in range(1200):  # generous (a minute when refused at once): a shared CI machine starts slowly
            if process.returncode is not None:
                tail = (await asyncio.to_thread(log.read_text, errors="replace"))[-2000:]
                raise AssertionError(f"hub process exited: {tail}")
            with contextlib.suppress(httpx.HTTPError):
                if (await client.get(f"{url}/readyz")).status_code == 200:
                    return
            await asyncio.sleep(0.05)
    raise AssertionError("hub process did not become ready")


async def start_hub(env: Mapping[str, str], log: Path, port: int | None = None) -> HubProcess:
    port = port or free_port()
    command = [str(Path(sys.executable).parent / "hub"), "serve", "--host", "127.0.0.1", "--port", str(port)]
    out = await asyncio.to_thread(log.open, "ab")
    try:
        process = await asyncio.create_subprocess_exec(
            *command, env=dict(env), stdout=out, stderr=subprocess.STDOUT
        )
    finally:
        out.close()  # the child holds its own descriptor
    url = f"http://127.0.0.1:{port}"
    await wait_healthy(url, process, log)
    return HubProcess(process, url, port, log)


async def stop(process: asyncio.subprocess.Process) -> None:
    if process.returncode is None:
        process.terminate()
        try:
            await asyncio.wait_for(process.wait(), 15)
        except TimeoutError:
            process.kill()
            await process.wait()


@contextlib.asynccontextmanager
async def hub_serve(env: Mapping[str, str], log: Path) -> AsyncIterator[HubProcess]:
    hub = await start_hub(env, log)
    try:
        yield hub
    finally:
        await stop(hub.process)
