"""The resolver behind `Family.timeline(last: N)` (the field itself is on Family, schema/family/types.py)."""

from __future__ import annotations

from hub.days import local_day
from hub.errors import BadUserInput
from hub.family.repository import members_of
from hub.ingestion.timeline import MAX_TIMELINE, timeline
from hub.plan.access import access_for
from schema.context import Info
from schema.ingestion.types import TimelineEntryType
from schema.loaders import family_members, gate


async def family_timeline(info: Info, family_id: str, last: int) -> list[TimelineEntryType]:
    if not 1 <= last <= MAX_TIMELINE:
        raise BadUserInput(f"last must be between 1 and {MAX_TIMELINE}", field="last")
    ctx = info.context
    members = await family_members(info, family_id)  # also decides that the viewer may see the family
    async with ctx.services.sessions() as session:
        plan = (await access_for(session, ctx.principal, [family_id], local_day(ctx.now))).get(family_id)
        # Former members too, for the period they were members (hub/ingestion/timeline.py).
        current = {m.person_id for m in members}
        every = (await members_of(session, ctx.services.vault, [family_id], include_former=True))[family_id]
        former = [m for m in every if m.left_on is not None and m.person_id not in current]
        entries = await timeline(session, gate(ctx), [*members, *former], plan, last)
    return [TimelineEntryType.of(e) for e in entries]
