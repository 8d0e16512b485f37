"""What every `hub seed` seeder receives, and the seeder's signature (a leaf: hub/seed.py lists the seeders)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from hub.crypto import CprVault
from hub.world import World


@dataclass
class SeedContext:
    world: World
    vault: CprVault
    today: date
    person_ids: dict[str, str] = field(default_factory=dict)  # CPR -> persons.id
    family_ids: dict[str, str] = field(default_factory=dict)  # world family key -> families.id
    users: dict[str, str] = field(default_factory=dict)  # username -> users.id (filled by the users seeder)


Seeder = Callable[[AsyncSession, SeedContext], Awaitable[None]]
