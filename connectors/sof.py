"""The SOF connector: Socialforvaltningen's case system (Danish field names, Danish codes) into SocialRecord.

Only this module knows SOF's wire format. It validates each answer while mapping it; it never logs a body.
Auth: `Authorization: Bearer <credential>`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from pydantic import AwareDatetime, Field

from connectors._appointments import DanishAppointment
from connectors._connector import HttpDepartmentConnector
from connectors._http import AuthStyle
from connectors._wire import WireModel, sensitivity, translate, utc
from connectors.base import NOT_REGISTERED, LookupResult
from connectors.records import (
    AdultSupport,
    ChildWelfareInvestigation,
    Contact,
    FunctioningAssessment,
    Placement,
    ReportOfConcern,
    Sensitivity,
    SocialRecord,
    SupportiveMeasure,
)
from hub.domain import Department

REPORTER_TYPES = {
    "SKOLE": "SCHOOL",
    "DAGTILBUD": "DAYCARE",
    "POLITI": "POLICE",
    "SUNDHEDSPERSON": "HEALTH",
    "BORGER": "CITIZEN",
    "ANONYM": "ANONYMOUS",
    "SSP": "SSP",
    "FAMILIE": "FAMILY",
}
INVESTIGATION_STATUSES = {"IGANGVAERENDE": "OPEN", "AFSLUTTET": "COMPLETED", "HENLAGT": "CLOSED"}
MEASURE_KINDS = {
    "FAMILIEBEHANDLING": "FAMILY_TREATMENT",
    "KONTAKTPERSON": "CONTACT_PERSON",
    "KRIMINALPRAEVENTIVT_FORLOEB": "CRIME_PREVENTION_COURSE",
    "IDRAETSPROJEKTET": "IDRAETSPROJEKTET",
    "AFLASTNING": "RESPITE_CARE",
    "PRAKTISK_PAEDAGOGISK_STOETTE": "PRACTICAL_PEDAGOGICAL_SUPPORT",
}
MEASURE_STATUSES = {"AKTIV": "ACTIVE", "PLANLAGT": "PLANNED", "AFSLUTTET": "ENDED"}
PLACEMENT_TYPES = {
    "PLEJEFAMILIE": "FOSTER_FAMILY",
    "NETVAERKSPLEJEFAMILIE": "NETWORK",
    "DOEGNINSTITUTION": "INSTITUTION",
    "EGET_VAERELSE": "OWN_ROOM",
}
SENSITIVITIES = {
    "ALMINDELIG": Sensitivity.NORMAL,
    "FORTROLIG": Sensitivity.CONFIDENTIAL,
    "FOELSOM": Sensitivity.SENSITIVE,
}


class Sagsbehandler(WireModel):
    navn: str
    enhed: str
    telefon: str | None = None
    email: str | None = None


class Underretning(WireModel):
    id: str
    modtaget: date
    anmeldertype: str
    akut: bool


class BoernefagligUndersoegelse(WireModel):
    id: str
    hjemmel: str
    startdato: date
    frist: date
    status: str


class Stoetteindsats(WireModel):
    id: str
    hjemmel: str
    indsatstype: str
    leverandoer: str
    startdato: date
    slutdato: date | None
    status: str


class Anbringelse(WireModel):
    id: str
    hjemmel: str
    samtykke: bool
    anbringelsessted: str
    startdato: date
    slutdato: date | None


class Voksenstoette(WireModel):
    id: str
    hjemmel: str
    ydelse: str
    startdato: date
    slutdato: date | None


class Funktionsvurdering(WireModel):
    id: str
    metode: str
    dato: date
    niveau: int = Field(ge=0, le=4)


class Borger(WireModel):
    """One SOF case record (`GET /api/v1/borgere/{cpr}`, and each of `fundne` in the batch answer)."""

    cpr: str
    sagsnummer: str
    sagsbehandler: Sagsbehandler
    underretninger: tuple[Underretning, ...] = ()
    boernefagligeUndersoegelser: tuple[BoernefagligUndersoegelse, ...] = ()
    stoetteindsatser: tuple[Stoetteindsats, ...] = ()
    anbringelser: tuple[Anbringelse, ...] = ()
    barnetsPlanDato: date | None = None
    voksenstoette: tuple[Voksenstoette, ...] = ()
    aftaler: tuple[DanishAppointment, ...] = ()
    funktionsvurderinger: tuple[Funktionsvurdering, ...] = ()
    antalAabneSager: int
    senestOpdateret: AwareDatetime | None = None
    foelsomhed: str


def to_record(wire: Borger) -> SocialRecord:
    worker = wire.sagsbehandler
    return SocialRecord(
        department_id=wire.sagsnummer,
        caseworker=Contact(name=worker.navn, unit=worker.enhed, phone=worker.telefon, email=worker.email),
        reports_of_concern=tuple(
            ReportOfConcern(
                id=u.id,
                received_on=u.modtaget,
                reporter_type=translate(REPORTER_TYPES, u.anmeldertype),
                acute=u.akut,
            )
            for u in wire.underretninger
        ),
        investigations=tuple(
            ChildWelfareInvestigation(
                id=b.id,
                opened_on=b.startdato,
                due_on=b.frist,
                status=translate(INVESTIGATION_STATUSES, b.status),
                legal_basis=b.hjemmel,
            )
            for b in wire.boernefagligeUndersoegelser
        ),
        measures=tuple(
            SupportiveMeasure(
                id=s.id,
                kind=translate(MEASURE_KINDS, s.indsatstype),
                provider=s.leverandoer,
                start=s.startdato,
                end=s.slutdato,
                status=translate(MEASURE_STATUSES, s.status),
                legal_basis=s.hjemmel,
            )
            for s in wire.stoetteindsatser
        ),
        placements=tuple(
            Placement(
                id=a.id,
                legal_basis=a.hjemmel,
                with_consent=a.samtykke,
                placement_type=translate(PLACEMENT_TYPES, a.anbringelsessted),
                start=a.startdato,
                end=a.slutdato,
            )
            for a in wire.anbringelser
        ),
        child_plan_date=wire.barnetsPlanDato,
        adult_support=tuple(
            AdultSupport(id=v.id, legal_basis=v.hjemmel, kind=v.ydelse, start=v.startdato, end=v.slutdato)
            for v in wire.voksenstoette
        ),
        appointments=tuple(a.record() for a in wire.aftaler),
        open_cases=wire.antalAabneSager,
        last_updated=utc(wire.senestOpdateret),
        sensitivity=sensitivity(SENSITIVITIES, wire.foelsomhed),
        functioning=tuple(
            FunctioningAssessment(
                id=f.id,
                method=f.metode,  # ICS or VUM: the method's own name
                assessed_on=f.dato,
                level=f.niveau,
            )
            for f in sorted(wire.funktionsvurderinger, key=lambda f: f.dato)  # oldest first, as documented
        ),
    )


class Opslag(WireModel):
    """SOF's batch answer."""

    fundne: tuple[Borger, ...]
    ikkeFundne: tuple[str, ...]


class SofConnector(HttpDepartmentConnector):
    DEPARTMENT = Department.SOF
    AUTH = AuthStyle.BEARER
    BATCH_PATH = "/api/v1/borgere/opslag"

    def batch_body(self, cprs: Sequence[str]) -> Any:
        return {"cprNumre": list(cprs)}

    def parse_batch(self, body: Any) -> dict[str, LookupResult]:
        answer = Opslag.model_validate(body)
        result: dict[str, LookupResult] = {b.cpr: to_record(b) for b in answer.fundne}
        result.update(dict.fromkeys(answer.ikkeFundne, NOT_REGISTERED))
        return result
