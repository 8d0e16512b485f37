"""The BUF connector: the children and youth system (camelCase JSON) into ChildYouthRecord.

Only this module knows BUF's wire format. It validates each answer while mapping it; it never logs a body.
Psychologist contacts, health visits and screenings are health data: mapped as they are, guarded by the
consent layer above, never logged. Auth: `Authorization: Bearer <credential>`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from pydantic import AwareDatetime

from connectors._appointments import CamelAppointment
from connectors._connector import HttpDepartmentConnector
from connectors._http import AuthStyle
from connectors._wire import WireModel, sensitivity, utc
from connectors.base import NOT_REGISTERED, LookupResult
from connectors.records import (
    AbsenceQuarter,
    ChildYouthRecord,
    Contact,
    HealthVisit,
    Institution,
    PedagogicalAssessment,
    PsychologistContact,
    Screening,
    Sensitivity,
)
from hub.domain import Department

SENSITIVITIES = {
    "NORMAL": Sensitivity.NORMAL,
    "CONFIDENTIAL": Sensitivity.CONFIDENTIAL,
    "SENSITIVE": Sensitivity.SENSITIVE,
}


class InstitutionWire(WireModel):
    institutionId: str
    name: str
    type: str
    grade: str | None = None
    className: str | None = None


class ContactPerson(WireModel):
    name: str
    role: str | None = None
    unit: str
    phone: str | None = None
    email: str | None = None


class Absence(WireModel):
    period: str
    sickPercent: float
    permittedPercent: float
    unlawfulPercent: float


class Ppv(WireModel):
    status: str
    date: date
    recommendation: str | None = None


class Psychologist(WireModel):
    date: date
    purpose: str


class Visit(WireModel):
    type: str
    date: date


class ScreeningWire(WireModel):
    instrument: str
    score: int
    date: date


class Child(WireModel):
    """One BUF child (`GET /v1/children/{cpr}`, and each of `children` in the batch answer)."""

    childId: str
    cpr: str
    institution: InstitutionWire | None = None
    contactPerson: ContactPerson
    absence: tuple[Absence, ...] = ()
    ppv: Ppv | None = None
    psychologistContacts: tuple[Psychologist, ...] = ()
    healthVisits: tuple[Visit, ...] = ()
    screenings: tuple[ScreeningWire, ...] = ()
    appointments: tuple[CamelAppointment, ...] = ()
    openCases: int
    updateTime: AwareDatetime | None = None
    sensitivity: str


def to_record(wire: Child) -> ChildYouthRecord:
    person = wire.contactPerson
    institution = wire.institution
    ppv = wire.ppv
    return ChildYouthRecord(
        department_id=wire.childId,
        caseworker=Contact(name=person.name, unit=person.unit, phone=person.phone, email=person.email),
        institution=None
        if institution is None
        else Institution(name=institution.name, kind=institution.type, grade=institution.grade),
        absence=tuple(
            AbsenceQuarter(
                quarter=a.period,
                sick_pct=a.sickPercent,
                permitted_pct=a.permittedPercent,
                unlawful_pct=a.unlawfulPercent,
            )
            for a in wire.absence
        ),
        ppv=None
        if ppv is None
        else PedagogicalAssessment(status=ppv.status, date=ppv.date, recommendation=ppv.recommendation),
        psychologist_contacts=tuple(
            PsychologistContact(date=p.date, purpose=p.purpose) for p in wire.psychologistContacts
        ),
        health_visits=tuple(HealthVisit(kind=v.type, date=v.date) for v in wire.healthVisits),
        screenings=tuple(
            Screening(instrument=s.instrument, score=s.score, date=s.date) for s in wire.screenings
        ),
        appointments=tuple(a.record() for a in wire.appointments),
        open_cases=wire.openCases,
        last_updated=utc(wire.updateTime),
        sensitivity=sensitivity(SENSITIVITIES, wire.sensitivity),
    )


class BatchGetResponse(WireModel):
    """BUF's batch answer (`POST /v1/children:batchGet`)."""

    children: tuple[Child, ...]
    notFound: tuple[str, ...]


class BufConnector(HttpDepartmentConnector):
    DEPARTMENT = Department.BUF
    AUTH = AuthStyle.BEARER
    BATCH_PATH = "/v1/children:batchGet"

    def batch_body(self, cprs: Sequence[str]) -> Any:
        return {"cprNumbers": list(cprs)}

    def parse_batch(self, body: Any) -> dict[str, LookupResult]:
        answer = BatchGetResponse.model_validate(body)
        result: dict[str, LookupResult] = {c.cpr: to_record(c) for c in answer.children}
        result.update(dict.fromkeys(answer.notFound, NOT_REGISTERED))
        return result
