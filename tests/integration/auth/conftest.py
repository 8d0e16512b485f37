"""A running hub (five mock departments, seeded SQLite) for the identity and need-to-know tests."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.support.stack import Stack, running_stack

# Seed 10 gives young people of 15-17 and another adult in the first families, so every relation occurs.
FAMILIES = 6
SEED = 10


@pytest.fixture
async def stack(tmp_path: Path) -> AsyncIterator[Stack]:
    async with running_stack(tmp_path, families=FAMILIES, seed=SEED) as s:
        yield s
