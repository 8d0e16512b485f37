"""One deterministic fictitious world: the hub's families and every department's records about them.

Same (families, seed, today), same world, byte for byte. Used by `hub seed` (the hub's own tables) and by the
mock department services (their records), so both sides know the same fictitious CPR numbers.
"""

from hub.world.generator import generate_world
from hub.world.model import WORLD_TODAY, World, WorldFamily, WorldPerson

__all__ = ["WORLD_TODAY", "World", "WorldFamily", "WorldPerson", "generate_world"]
