"""Plain value objects the family view passes around: decrypted members and families, never ORM rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from hub.cpr import age_on
from hub.domain import Department, District, FamilyStatus, MemberRole


@dataclass(frozen=True, slots=True)
class MemberInfo:
    person_id: str
    family_id: str
    cpr: str  # clear, in memory only: for the connectors and roles that need it
    first_name: str
    last_name: str
    birth_date: date
    member_role: MemberRole
    joined_on: date
    left_on: date | None
    custody_holder_ids: tuple[str, ...] = ()

    def age(self, today: date) -> int:
        return age_on(self.birth_date, today)


@dataclass(frozen=True, slots=True)
class FamilyInfo:
    id: str
    display_name: str
    district: District
    housing_area: str
    status: FamilyStatus
    referral_source: str
    referred_on: date
    enrolled_on: date | None
    closed_on: date | None
    close_reason: str | None
    handed_over_to: Department | None
    version: int
