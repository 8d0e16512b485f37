"""`familyConsents(familyId)`: the family's consents and each member × department's state.

The family's team sees everything incl. statutory bases; a citizen sees themselves and the children in their
custody, never statutory bases. Reading the registry is logged (READ of HUB:consent) once per member shown.
"""

from __future__ import annotations

from typing import Annotated

import strawberry

from hub.audit.buffer import audit_read
from hub.consent.service import ConsentService
from hub.domain import Role
from schema.consent.types import FamilyConsentOverview
from schema.context import Info

CONSENT_SOURCE = "HUB:consent"
CONSENT_CATEGORY = "CONSENT"


def consent_service(info: Info) -> ConsentService:
    """The registry's service, deciding at the request's time (`now` is the same for the whole request)."""
    ctx = info.context
    existing = ctx.loaders.get("consent_service")
    if existing is None:
        now = ctx.now
        existing = ConsentService(ctx.services.sessions, lambda: now)
        ctx.loaders["consent_service"] = existing
    assert isinstance(existing, ConsentService)  # noqa: S101 - the key is ours
    return existing


@strawberry.type
class ConsentQuery:
    @strawberry.field(
        description="A family's consents and, per current member and department, what lifts confidentiality "
        "now. For the family's coordinator and core team; a citizen sees themselves and their children under "
        "18 in their custody. NOT_FOUND for a family the viewer may not see."
    )
    async def family_consents(
        self,
        info: Info,
        family_id: Annotated[strawberry.ID, strawberry.argument(description="The family (Family.id).")],
    ) -> FamilyConsentOverview:
        principal = info.context.require_principal()
        view = await consent_service(info).family_consents(principal, str(family_id))
        for member in view.members:
            own = principal.role is Role.CITIZEN and member.person_id == principal.person_id
            audit_read(
                info,
                subject_person_id=member.person_id,
                source=CONSENT_SOURCE,
                categories=[CONSENT_CATEGORY],
                reason="own_data" if own else ("custody" if principal.role is Role.CITIZEN else "hfi_team"),
                family_id=view.family_id,
            )
        return FamilyConsentOverview.of(view)
