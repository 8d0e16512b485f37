"""The SUF connector: the health system's FHIR-flavoured `PatientSummary` resources into HealthRecord.

Only this module knows SUF's wire format. Everything clinical here is health data (GDPR art. 9): it is
mapped, validated and handed on, never logged. Auth: `Authorization: Bearer <credential>`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any, Literal

from pydantic import AwareDatetime

from connectors._appointments import CamelAppointment
from connectors._connector import HttpDepartmentConnector
from connectors._http import AuthStyle
from connectors._wire import WireModel, translate, utc
from connectors.base import NOT_REGISTERED, DepartmentBadResponse, LookupResult
from connectors.records import (
    Contact,
    HealthConversation,
    HealthRecord,
    HealthReferral,
    HealthService,
    Sensitivity,
)
from hub.domain import Department

CPR_SYSTEM = "urn:oid:1.2.208.176.1.2"
OPEN_CASES_EXTENSION = "https://familiehub.kk.test/fhir/StructureDefinition/open-cases"
REFERRAL_TARGETS = {
    "EGEN_LAEGE": "OWN_GP",
    "REGION": "REGIONAL",
    "TANDPLEJE": "DENTAL",
    "DIAETIST": "DIETITIAN",
    "FYSIOTERAPI": "PHYSIOTHERAPY",
}
# HL7 v3 confidentiality: normal, restricted, very restricted.
CONFIDENTIALITY = {"N": Sensitivity.NORMAL, "R": Sensitivity.CONFIDENTIAL, "V": Sensitivity.SENSITIVE}


class Coding(WireModel):
    system: str | None = None
    code: str


class Text(WireModel):
    text: str


class CodeableConcept(WireModel):
    coding: tuple[Coding, ...] = ()
    text: str | None = None


class Period(WireModel):
    start: date
    end: date | None = None


class Meta(WireModel):
    lastUpdated: AwareDatetime | None = None
    security: tuple[Coding, ...] = ()


class Identifier(WireModel):
    system: str
    value: str


class Telecom(WireModel):
    system: str
    value: str


class CareTeamMember(WireModel):
    name: str
    role: str | None = None
    organization: str
    telecom: tuple[Telecom, ...] = ()


class Encounter(WireModel):
    id: str
    status: str
    period: Period
    reasonCode: tuple[Text, ...] = ()


class ServiceRequest(WireModel):
    id: str
    status: str
    authoredOn: date
    performerType: CodeableConcept
    reasonCode: tuple[Text, ...] = ()


class EpisodeOfCare(WireModel):
    id: str
    status: str
    type: tuple[Text, ...]
    period: Period


class Extension(WireModel):
    url: str
    valueInteger: int | None = None


class PatientSummary(WireModel):
    """One SUF patient summary (each found entry of the batch answer)."""

    resourceType: Literal["PatientSummary"]
    id: str
    meta: Meta
    identifier: tuple[Identifier, ...]
    careTeam: tuple[CareTeamMember, ...]
    encounter: tuple[Encounter, ...] = ()
    serviceRequest: tuple[ServiceRequest, ...] = ()
    episodeOfCare: tuple[EpisodeOfCare, ...] = ()
    appointment: tuple[CamelAppointment, ...] = ()
    extension: tuple[Extension, ...] = ()

    @property
    def cpr(self) -> str | None:
        return next((i.value for i in self.identifier if i.system == CPR_SYSTEM), None)


def to_record(wire: PatientSummary) -> HealthRecord:
    if not wire.careTeam:
        raise DepartmentBadResponse(Department.SUF, "patient summary without a care team")
    member = wire.careTeam[0]
    telecom = {t.system: t.value for t in member.telecom}
    open_cases = next((e.valueInteger for e in wire.extension if e.url == OPEN_CASES_EXTENSION), None)
    marking = next((c.code for c in wire.meta.security), "V")
    return HealthRecord(
        department_id=wire.id,
        contact=Contact(
            name=member.name, unit=member.organization, phone=telecom.get("phone"), email=telecom.get("email")
        ),
        conversations=tuple(
            HealthConversation(date=e.period.start, topics=tuple(r.text for r in e.reasonCode))
            for e in wire.encounter
        ),
        referrals=tuple(_referral(r) for r in wire.serviceRequest),
        services=tuple(
            HealthService(
                id=e.id, name=e.type[0].text if e.type else "", start=e.period.start, status=e.status.upper()
            )
            for e in wire.episodeOfCare
        ),
        appointments=tuple(a.record() for a in wire.appointment),
        open_cases=open_cases or 0,
        last_updated=utc(wire.meta.lastUpdated),
        sensitivity=CONFIDENTIALITY.get(marking, Sensitivity.SENSITIVE),
    )


def _referral(wire: ServiceRequest) -> HealthReferral:
    code = next((c.code for c in wire.performerType.coding), None)
    to = translate(REFERRAL_TARGETS, code) if code is not None else (wire.performerType.text or "UNKNOWN")
    return HealthReferral(
        id=wire.id,
        to=to,
        date=wire.authoredOn,
        status=wire.status.upper(),
        reason=wire.reasonCode[0].text if wire.reasonCode else None,
    )


class BundleResponse(WireModel):
    status: str  # "200 OK", "404 Not Found", ...
    location: str  # "Patient?identifier=<system>|<cpr>": which identifier this entry answers


class BundleEntry(WireModel):
    resource: PatientSummary | None = None
    response: BundleResponse


class Bundle(WireModel):
    """SUF's batch answer: a FHIR `batch-response` Bundle, one entry per asked identifier."""

    resourceType: Literal["Bundle"]
    type: Literal["batch-response"]
    entry: tuple[BundleEntry, ...] = ()


class SufConnector(HttpDepartmentConnector):
    DEPARTMENT = Department.SUF
    AUTH = AuthStyle.BEARER
    BATCH_PATH = "/fhir/Patient/$batch-summary"

    def batch_body(self, cprs: Sequence[str]) -> Any:
        return {
            "resourceType": "Parameters",
            "parameter": [
                {"name": "identifier", "valueIdentifier": {"system": CPR_SYSTEM, "value": cpr}}
                for cpr in cprs
            ],
        }

    def parse_batch(self, body: Any) -> dict[str, LookupResult]:
        bundle = Bundle.model_validate(body)
        result: dict[str, LookupResult] = {}
        for entry in bundle.entry:
            cpr = _answered_cpr(entry.response.location)
            status = entry.response.status.split(" ", 1)[0]
            if status == "404":
                result[cpr] = NOT_REGISTERED
            elif status == "200" and entry.resource is not None and entry.resource.cpr == cpr:
                result[cpr] = to_record(entry.resource)
            else:
                raise DepartmentBadResponse(Department.SUF, f"unexpected batch entry (status {status[:3]})")
        return result


def _answered_cpr(location: str) -> str:
    system, bar, value = location.partition("identifier=")[2].rpartition("|")
    if not bar or system != CPR_SYSTEM or not value:
        raise DepartmentBadResponse(Department.SUF, "batch entry without a CPR identifier")
    return value
