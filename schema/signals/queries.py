"""`mySignals`: the early signals of every family the viewer may see, oldest situation first."""

from __future__ import annotations

from typing import Annotated

import strawberry

from hub.errors import BadUserInput
from schema.context import Info
from schema.loaders import gate
from schema.signals.fields import as_types, signal_service
from schema.signals.types import SignalType

MAX_SIGNALS = 500


@strawberry.type
class SignalQuery:
    @strawberry.field(
        description="Early signals across the families the viewer may see (a worker: their families; a family "
        "member: their own family), each decided by the same gate as the family view. Oldest situation "
        "first; unacknowledged only unless `includeAcknowledged`."
    )
    async def my_signals(
        self,
        info: Info,
        include_acknowledged: Annotated[
            bool, strawberry.argument(description="Also signals the team has acknowledged.")
        ] = False,
        first: Annotated[int, strawberry.argument(description="At most this many signals, 1-500.")] = 100,
    ) -> list[SignalType]:
        ctx = info.context
        ctx.require_principal()
        if not 1 <= first <= MAX_SIGNALS:
            raise BadUserInput(f"first must be between 1 and {MAX_SIGNALS}", field="first")
        scope = sorted(await gate(ctx).visible_family_scope() or ())
        found = await signal_service(ctx).for_families(scope)
        views = [v for fid in scope for v in found.get(fid, [])]
        if not include_acknowledged:
            views = [v for v in views if not v.acknowledged]
        views.sort(key=lambda v: (v.signal.since, v.signal.family_id, v.signal.key))
        return as_types(views[:first], ctx.principal)
