"""Text the hub cannot store: the NUL character (U+0000).

PostgreSQL's text columns refuse NUL (SQLite stores it), so a NUL in an id or a name would reach the database and
fail there as an internal error. It is refused where input enters instead, once for every door: the GraphQL
String and ID scalars (schema/text_scalars.py) and the webhook's JSON body (hub/ingestion/webhook.py).
"""

from __future__ import annotations

from collections.abc import Mapping

NUL = "\x00"
NUL_MESSAGE = "Text may not contain the NUL character (U+0000)."


def contains_nul(value: object) -> bool:
    """Does any string in this JSON-like value (keys included) contain NUL? Iterative: nesting depth is no risk."""
    pending: list[object] = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            if NUL in item:
                return True
        elif isinstance(item, Mapping):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list | tuple):
            pending.extend(item)
    return False
