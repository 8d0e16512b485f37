"""The garbage collector in a long-running hub process: what start-up built is frozen out of collection.

A hub process holds a large, long-lived heap from the moment it starts: the imported modules, the GraphQL schema
(graphql-core's and strawberry's types, tens of thousands of functions and descriptors), SQLAlchemy's metadata,
the connectors. CPython's full (generation 2) collection walks every tracked object each time the survivors
have grown by a quarter, so on a serving hub it paused the event loop for 100-400 ms every few hundred views,
and every request in flight waited (bench/README.md, "Garbage collection"). `gc.freeze()` moves everything
alive at that moment into the permanent generation, which collections never walk; objects made later are
collected as before.

Only the server factory (`hub.app:asgi`, used by `hub serve` and `hub up`) freezes, once its start-up is done:
a test process builds and drops hundreds of apps, and freezing there would keep each one's cycles forever.
"""

from __future__ import annotations

import gc


def freeze_startup_heap() -> int:
    """Collect what start-up left behind, then freeze the survivors; the number of objects frozen."""
    gc.collect()  # garbage frozen now would never be freed
    gc.freeze()
    return gc.get_freeze_count()
