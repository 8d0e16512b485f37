"""The server factory freezes the start-up heap out of garbage collection (hub/heap.py); apps built by tests
do not. Each case runs in its own interpreter: freezing the test process would keep every later test's cycles."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = """
import asyncio, gc, sys
from hub.app import asgi, create_app
from hub.persistence.engine import create_engine
from hub.persistence.migrate import upgrade
from hub.settings import Settings

async def main() -> None:
    settings = Settings()
    engine = create_engine(settings.database_url)
    await upgrade(engine)
    await engine.dispose()
    app = asgi() if sys.argv[1] == "factory" else create_app(settings)
    async with app.router.lifespan_context(app):
        frozen = gc.get_freeze_count()
        gc.collect()  # a full collection afterwards still works and frees later garbage
    print(frozen)

asyncio.run(main())
"""


def frozen_after_start(tmp_path: Path, how: str) -> int:
    env = {
        **os.environ,
        "HUB_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'hub.db'}",
        "HUB_VAR_DIR": str(tmp_path / "var"),
        "HUB_LOG_LEVEL": "WARNING",
    }
    done = subprocess.run(  # noqa: S603 - this interpreter, our own script
        [sys.executable, "-c", SCRIPT, how], env=env, capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return int(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize(("how", "frozen"), [("factory", True), ("create_app", False)])
def test_only_the_server_factory_freezes_the_start_up_heap(tmp_path: Path, how: str, frozen: bool) -> None:
    count = frozen_after_start(tmp_path, how)
    if frozen:
        assert count > 50_000  # modules, the schema, the connectors: the long-lived heap of a started hub
    else:
        assert count == 0
