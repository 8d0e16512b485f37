"""The KFF connector: the leisure registry (snake_case JSON, lower-case codes) into LeisureRecord.

Only this module knows KFF's wire format. It validates each answer while mapping it; it never logs a body.
Auth: `X-API-Key: <credential>`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from pydantic import AwareDatetime

from connectors._appointments import SnakeAppointment
from connectors._connector import HttpDepartmentConnector
from connectors._http import AuthStyle
from connectors._wire import WireModel, sensitivity, utc
from connectors.base import NOT_REGISTERED, LookupResult
from connectors.records import (
    Contact,
    FerieCamp,
    FritidsGuideReferral,
    LeisureRecord,
    Membership,
    MembershipSubsidy,
    Sensitivity,
)
from hub.domain import Department

SENSITIVITIES = {
    "normal": Sensitivity.NORMAL,
    "confidential": Sensitivity.CONFIDENTIAL,
    "sensitive": Sensitivity.SENSITIVE,
}


class ContactWire(WireModel):
    name: str
    unit: str
    phone: str | None = None
    email: str | None = None


class MembershipWire(WireModel):
    membership_id: str
    association: str
    activity: str
    since: date
    active: bool


class FritidsGuide(WireModel):
    referred_on: date
    status: str
    guide_name: str | None = None


class Subsidy(WireModel):
    year: int
    amount_dkk: int
    equipment_dkk: int


class Camp(WireModel):
    year: int
    camp: str
    week: int


class Member(WireModel):
    """One KFF member (`GET /v1/members/{cpr}`, and each of `members` in the batch answer)."""

    member_id: str
    cpr: str
    contact: ContactWire
    memberships: tuple[MembershipWire, ...] = ()
    fritidsguide: FritidsGuide | None = None
    subsidies: tuple[Subsidy, ...] = ()
    feriecamp: tuple[Camp, ...] = ()
    appointments: tuple[SnakeAppointment, ...] = ()
    open_cases: int
    updated_at: AwareDatetime | None = None
    sensitivity: str


def to_record(wire: Member) -> LeisureRecord:
    contact = wire.contact
    guide = wire.fritidsguide
    return LeisureRecord(
        department_id=wire.member_id,
        contact=Contact(name=contact.name, unit=contact.unit, phone=contact.phone, email=contact.email),
        memberships=tuple(
            Membership(
                id=m.membership_id,
                association=m.association,
                activity=m.activity,
                since=m.since,
                active=m.active,
            )
            for m in wire.memberships
        ),
        fritidsguide=None
        if guide is None
        else FritidsGuideReferral(
            referred_on=guide.referred_on, status=guide.status.upper(), guide_name=guide.guide_name
        ),
        subsidies=tuple(
            MembershipSubsidy(year=s.year, amount_dkk=s.amount_dkk, equipment_dkk=s.equipment_dkk)
            for s in wire.subsidies
        ),
        feriecamps=tuple(FerieCamp(year=c.year, camp=c.camp, week=c.week) for c in wire.feriecamp),
        appointments=tuple(a.record() for a in wire.appointments),
        open_cases=wire.open_cases,
        last_updated=utc(wire.updated_at),
        sensitivity=sensitivity(SENSITIVITIES, wire.sensitivity),
    )


class LookupResponse(WireModel):
    """KFF's batch answer (`POST /v1/members/lookup`)."""

    members: tuple[Member, ...]
    not_found: tuple[str, ...]


class KffConnector(HttpDepartmentConnector):
    DEPARTMENT = Department.KFF
    AUTH = AuthStyle.API_KEY
    BATCH_PATH = "/v1/members/lookup"

    def batch_body(self, cprs: Sequence[str]) -> Any:
        return {"cpr_numbers": list(cprs)}

    def parse_batch(self, body: Any) -> dict[str, LookupResult]:
        answer = LookupResponse.model_validate(body)
        result: dict[str, LookupResult] = {m.cpr: to_record(m) for m in answer.members}
        result.update(dict.fromkeys(answer.not_found, NOT_REGISTERED))
        return result
