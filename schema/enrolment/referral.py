"""GraphQL of referral intake: the `referFamily` input types and its resolver body (hub/enrolment/intake.py).

Thin: input -> hub.enrolment.intake.refer_family -> the new family, loaded after the commit exactly as
`family(id)` loads it (need-to-know, members, masked or full CPR by policy). Errors: FORBIDDEN (not a
coordinator), BAD_USER_INPUT with `field` (e.g. `members[1].cpr`, 0-based), CONFLICT (a member is a current
member of another family). Never echoes a CPR number.
"""

from __future__ import annotations

from datetime import date

import strawberry

from hub.enrolment.intake import refer_family
from hub.enrolment.referral import Referral, ReferredMember
from hub.errors import NotFound
from schema.context import Info
from schema.core import MemberRoleType
from schema.enrolment.context import actor
from schema.family.queries import load_family
from schema.family.types import DistrictType, Family

# Per-request objects that hold the viewer's access facts or members as loaded before the referral.
_STALE_AFTER_REFERRAL = ("gate", "sections", "members_by_family")


@strawberry.input(description="One person of a referred family.")
class ReferredMemberInput:
    cpr: str = strawberry.field(description="CPR number, DDMMYY-SSSS (the birth date is taken from it).")
    first_name: str = strawberry.field(description="First name (1-80 characters).")
    last_name: str = strawberry.field(description="Last name (1-80 characters).")
    member_role: MemberRoleType = strawberry.field(  # type: ignore[valid-type]
        description="PARENT, CHILD or OTHER_ADULT; a member under 18 is a CHILD."
    )
    custody_holders: list[int] = strawberry.field(
        default_factory=list,
        description="For a CHILD under 18 (required): the 0-based indexes, in `members`, of the one or two "
        "adult members who hold custody. Empty for everyone else.",
    )


@strawberry.input(description="A family referred to the programme, as the coordinator registers it.")
class ReferFamilyInput:
    district: DistrictType = strawberry.field(description="The family's city district.")  # type: ignore[valid-type]
    housing_area: str = strawberry.field(
        description="Where the family lives (1-64 characters, free text: eligibility judges it later)."
    )
    referral_source: str = strawberry.field(
        description="Who referred the family, e.g. a housing-social plan or the school (1-120 characters)."
    )
    members: list[ReferredMemberInput] = strawberry.field(
        description="1-12 members, at least one adult; each CPR number once."
    )
    referred_on: date | None = strawberry.field(
        default=None, description="The referral date (default today; never in the future)."
    )

    def referral(self) -> Referral:
        return Referral(
            district=self.district,
            housing_area=self.housing_area,
            referral_source=self.referral_source,
            referred_on=self.referred_on,
            members=tuple(
                ReferredMember(
                    cpr=m.cpr,
                    first_name=m.first_name,
                    last_name=m.last_name,
                    member_role=m.member_role,
                    custody_holders=tuple(m.custody_holders),
                )
                for m in self.members
            ),
        )


async def refer(info: Info, input: ReferFamilyInput) -> Family:
    services = info.context.services
    referred = await refer_family(services.sessions, services.vault, actor(info), input.referral())
    # The caller is on the family's team only from the commit: drop what this request loaded before it.
    for key in _STALE_AFTER_REFERRAL:
        info.context.loaders.pop(key, None)
    family = await load_family(info, referred.family_id)
    if family is None:  # pragma: no cover - the caller was just made the family's coordinator
        raise NotFound("no such family")
    return family
