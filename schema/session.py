"""Ending a WebSocket connection from inside an operation: the hook the graphql-transport-ws handler installs.

A subscription that finds its credential worthless (token expired, user deactivated) must end the whole
connection with 4401, not just its own stream, so the client re-authenticates. The handler (schema/view.py)
puts `END_SESSION` into the connection's `Context.state`; resolvers call `end_session(ctx)`. Over HTTP there is
no hook and nothing to end.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from schema.context import Context

END_SESSION = "end_session"  # Context.state key: an async callable closing the connection with 4401
EndSession = Callable[[], Awaitable[None]]


async def end_session(ctx: Context) -> None:
    """Close the caller's connection with 4401 (when it is a WebSocket); cancels its operations, this one too."""
    hook: EndSession | None = ctx.state.get(END_SESSION)
    if hook is not None:
        await hook()
