"""The BIF connector: the jobcentre system (PascalCase .NET-style JSON) into EmploymentRecord.

Only this module knows BIF's wire format. It validates each answer while mapping it; it never logs a body.
Auth: `X-API-Key: <credential>`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from pydantic import AwareDatetime

from connectors._appointments import PascalAppointment
from connectors._connector import HttpDepartmentConnector
from connectors._http import AuthStyle
from connectors._wire import WireModel, sensitivity, translate, translate_optional, utc
from connectors.base import NOT_REGISTERED, LookupResult
from connectors.records import Benefit, Contact, EmploymentActivity, EmploymentRecord, Sensitivity
from hub.domain import Department

BENEFIT_TYPES = {
    "Kontanthjaelp": "KONTANTHJAELP",
    "Uddannelseshjaelp": "UDDANNELSESHJAELP",
    "Sygedagpenge": "SYGEDAGPENGE",
    "Ledighedsydelse": "LEDIGHEDSYDELSE",
    "None": "NONE",
}
RATE_LEVELS = {"Minimum": "MINIMUM", "Basic": "BASIC", "Raised": "RAISED"}
TARGET_GROUPS = {
    "Jobparat": "JOBPARAT",
    "Aktivitetsparat": "AKTIVITETSPARAT",
    "Uddannelsesparat": "UDDANNELSESPARAT",
    "Ressourceforloeb": "RESSOURCEFORLOEB",
    "Jobafklaring": "JOBAFKLARING",
    "Fleksjob": "FLEKSJOB",
}
ACTIVITY_TYPES = {
    "Virksomhedspraktik": "VIRKSOMHEDSPRAKTIK",
    "Loentilskud": "LOENTILSKUD",
    "Mentor": "MENTOR",
    "Uddannelse": "EDUCATION",
    "Danskuddannelse": "DANISH_EDUCATION",
    "Fritidsjob": "FRITIDSJOB",
    "Smaajob": "SMAAJOB",
}
ACTIVITY_STATUSES = {"Active": "ACTIVE", "Planned": "PLANNED", "Completed": "ENDED"}
SENSITIVITIES = {
    "Normal": Sensitivity.NORMAL,
    "Confidential": Sensitivity.CONFIDENTIAL,
    "Sensitive": Sensitivity.SENSITIVE,
}


class Caseworker(WireModel):
    Name: str
    Unit: str
    Phone: str | None = None
    Email: str | None = None


class BenefitWire(WireModel):
    BenefitType: str
    RateLevel: str | None = None
    StartDate: date
    MonthlyAmountDkk: int


class PlanActivity(WireModel):
    ActivityId: str
    ActivityType: str
    Provider: str
    StartDate: date
    EndDate: date | None = None
    Status: str


class Citizen(WireModel):
    """One jobcentre citizen (`GET /api/v2/Citizens/{cpr}`, and each of `Citizens` in the batch answer)."""

    CitizenId: str
    Cpr: str
    CoordinatingCaseworker: Caseworker
    Benefit: BenefitWire | None = None
    TargetGroup: str | None = None
    PlanActivities: tuple[PlanActivity, ...] = ()
    LastInterviewDate: date | None = None
    NextInterviewDate: date | None = None
    Appointments: tuple[PascalAppointment, ...] = ()
    OpenCaseCount: int
    LastUpdated: AwareDatetime | None = None
    Sensitivity: str


def to_record(wire: Citizen) -> EmploymentRecord:
    worker = wire.CoordinatingCaseworker
    benefit = wire.Benefit
    return EmploymentRecord(
        department_id=wire.CitizenId,
        caseworker=Contact(name=worker.Name, unit=worker.Unit, phone=worker.Phone, email=worker.Email),
        benefit=None
        if benefit is None
        else Benefit(
            type=translate(BENEFIT_TYPES, benefit.BenefitType),
            rate=translate_optional(RATE_LEVELS, benefit.RateLevel),
            start=benefit.StartDate,
            monthly_amount_dkk=benefit.MonthlyAmountDkk,
        ),
        target_group=translate_optional(TARGET_GROUPS, wire.TargetGroup),
        activities=tuple(
            EmploymentActivity(
                id=a.ActivityId,
                kind=translate(ACTIVITY_TYPES, a.ActivityType),
                provider=a.Provider,
                start=a.StartDate,
                end=a.EndDate,
                status=translate(ACTIVITY_STATUSES, a.Status),
            )
            for a in wire.PlanActivities
        ),
        last_interview=wire.LastInterviewDate,
        next_interview=wire.NextInterviewDate,
        appointments=tuple(a.record() for a in wire.Appointments),
        open_cases=wire.OpenCaseCount,
        last_updated=utc(wire.LastUpdated),
        sensitivity=sensitivity(SENSITIVITIES, wire.Sensitivity),
    )


class LookupResponse(WireModel):
    """BIF's batch answer (`POST /api/v2/Citizens/Lookup`)."""

    Citizens: tuple[Citizen, ...]
    NotFound: tuple[str, ...]


class BifConnector(HttpDepartmentConnector):
    DEPARTMENT = Department.BIF
    AUTH = AuthStyle.API_KEY
    BATCH_PATH = "/api/v2/Citizens/Lookup"

    def batch_body(self, cprs: Sequence[str]) -> Any:
        return {"CprNumbers": list(cprs)}

    def parse_batch(self, body: Any) -> dict[str, LookupResult]:
        answer = LookupResponse.model_validate(body)
        result: dict[str, LookupResult] = {c.Cpr: to_record(c) for c in answer.Citizens}
        result.update(dict.fromkeys(answer.NotFound, NOT_REGISTERED))
        return result
