"""`withdrawnConsents` on plan entries (goals, progress notes, meeting minutes): the withdrawn consents an entry
was obtained under (hub/plan/withdrawn.py marks them at withdrawal). One batched query per request for every
entry shown; the entry itself was already shown by its plan's access, and a citizen sees only the marks of
consents of the persons whose plan data they may read.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import strawberry
from strawberry.dataloader import DataLoader

from hub.plan.withdrawn import MarkView, marks_for
from schema.context import Context, Info
from schema.core import DepartmentType

LOADER = "plan.WithdrawnConsentMarksByEntry"


@strawberry.type(
    description="A consent a plan entry was obtained under, since withdrawn: the entry stays (the duty to keep "
    "records) and is shown as obtained under a withdrawn consent (DOMAIN §4)."
)
class WithdrawnConsentMark:
    consent_id: strawberry.ID = strawberry.field(description="The withdrawn consent (Consent.id).")
    member_id: strawberry.ID = strawberry.field(description="Whose consent it was (familyMember id).")
    departments: list[DepartmentType] = strawberry.field(description="The departments it covered.")  # type: ignore[valid-type]
    withdrawn_at: datetime = strawberry.field(description="When it was withdrawn.")

    @classmethod
    def of(cls, mark: MarkView) -> WithdrawnConsentMark:
        return cls(
            consent_id=strawberry.ID(mark.consent_id),
            member_id=strawberry.ID(mark.subject_id),
            departments=list(mark.departments),
            withdrawn_at=mark.withdrawn_at,
        )


def _marks_by_entry(ctx: Context) -> DataLoader[str, list[MarkView]]:
    existing: DataLoader[str, list[MarkView]] | None = ctx.loaders.get(LOADER)
    if existing is None:

        async def load(entity_ids: list[str]) -> Sequence[list[MarkView]]:
            async with ctx.services.sessions() as session:
                found = await marks_for(session, entity_ids)
            return [found.get(e, []) for e in entity_ids]

        existing = DataLoader(load_fn=load)
        ctx.loaders[LOADER] = existing
    return existing


async def withdrawn_consents(info: Info, family_id: str, entity_id: str) -> list[WithdrawnConsentMark]:
    from schema.plan.loaders import plan_access

    access = await plan_access(info).load(family_id)
    marks = await _marks_by_entry(info.context).load(entity_id)
    return [WithdrawnConsentMark.of(m) for m in marks if access.sees_person(m.subject_id)]
