"""The in-process half of the section cache: a bounded LRU of department data per (person, department).

Fresh department data is served from here without touching the database; the database keeps only what was
pushed (hub/ingestion/cache.py). The LRU holds at most `max_entries` entries and evicts the least recently
used one beyond that, so a hub process's memory stays bounded whatever the number of families viewed.

Invalidation is by key (`drop`: a push or a consent withdrawal committed somewhere) or whole (`clear`: a
missed invalidation message). A look-up that began before an invalidation of its key must not put its
answer back afterwards: `put(entry, since=epoch)` is refused when the key was dropped after `since`. The
record of recent drops is bounded too; a fetch older than a drop the cache had to forget is refused as well
(it costs one department call, never a stale copy).

Pure data structure: no I/O, no locking (one event loop), never decides who may see anything.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from connectors.base import LookupResult
from hub.domain import Department

Key = tuple[str, Department]  # (person id, department)


@dataclass(frozen=True, slots=True)
class CacheEntry:
    person_id: str
    department: Department
    result: LookupResult
    fetched_at: datetime
    version: int | None
    source: str


class MemoryCache:
    def __init__(self, max_entries: int) -> None:
        self.max_entries = max(1, max_entries)
        self._entries: OrderedDict[Key, CacheEntry] = OrderedDict()
        self.epoch = 0  # bumped by every invalidation
        self._dropped: OrderedDict[Key, int] = OrderedDict()  # key -> epoch of its latest drop (bounded)
        self._forgotten = 0  # the latest epoch among drops no longer remembered individually
        self.evictions = 0
        self.hits = 0  # look-ups that found an entry (hub/metrics.py exports both)
        self.misses = 0

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def remembered_drops(self) -> int:
        return len(self._dropped)

    def get(self, key: Key) -> CacheEntry | None:
        entry = self._entries.get(key)
        if entry is not None:
            self._entries.move_to_end(key)
            self.hits += 1
        else:
            self.misses += 1
        return entry

    def put(self, entry: CacheEntry, *, since: int) -> bool:
        """Keep `entry` unless its key was invalidated after `since` (the epoch when its look-up began) or a
        newer entry is already held. Returns whether it was kept."""
        key = (entry.person_id, entry.department)
        dropped = self._dropped.get(key)
        if (dropped is not None and dropped > since) or self._forgotten > since:
            return False
        held = self._entries.get(key)
        if held is not None and held.fetched_at > entry.fetched_at:
            self._entries.move_to_end(key)
            return False
        self._entries[key] = entry
        self._entries.move_to_end(key)
        while len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)
            self.evictions += 1
        return True

    def drop(self, keys: Iterable[Key]) -> None:
        self.epoch += 1
        for key in keys:
            self._entries.pop(key, None)
            self._dropped[key] = self.epoch
            self._dropped.move_to_end(key)
        while len(self._dropped) > self.max_entries:
            _, epoch = self._dropped.popitem(last=False)
            self._forgotten = max(self._forgotten, epoch)

    def clear(self) -> None:
        """Forget everything (a missed invalidation): look-ups in flight cannot put their answers back."""
        self.epoch += 1
        self._entries.clear()
        self._dropped.clear()
        self._forgotten = self.epoch
