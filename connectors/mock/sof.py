"""Mock SOF (Socialforvaltningen): a Danish child-welfare and adult-support case system.

Style: Danish resource and field names, camelCase, `Authorization: Bearer`. Citizens (`borgere`) are keyed by
CPR number; cases by `sagsnummer`. Errors: `{"fejl": {"kode", "besked"}}`.

    GET  /api/v1/borgere/{cpr}        one citizen's SOF record (404 when not registered)
    POST /api/v1/borgere/opslag       batch: {"cprNumre": [...≤100]} -> {"fundne", "ikkeFundne", ...}
    GET  /api/v1/sager?antal&efter    all cases, paged with an opaque `efter` token (`naesteSide`)

Record content comes from the world generator (hub/world/departments/sof.py). Never log a CPR number.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aiohttp import web

from connectors.mock import _oas as o
from connectors.mock.pagination import encode_token, token_page
from connectors.mock.service import (
    BATCH_LIMIT,
    AuthStyle,
    DepartmentApi,
    ErrorKind,
    department_api,
    found_and_missing,
    json_response,
    requested_cprs,
    single_record_handler,
)
from hub.domain import Department
from hub.world.departments import sof as vocab

SINGLE_PATH = "/api/v1/borgere/{cpr}"
BATCH_PATH = "/api/v1/borgere/opslag"
LIST_PATH = "/api/v1/sager"

_ERROR_CODES = {
    ErrorKind.BAD_REQUEST: "UGYLDIG_FORESPOERGSEL",
    ErrorKind.UNAUTHORIZED: "IKKE_AUTENTIFICERET",
    ErrorKind.NOT_FOUND: "IKKE_FUNDET",
    ErrorKind.TOO_LARGE: "FOR_MANGE_CPR_NUMRE",
    ErrorKind.RATE_LIMITED: "FOR_MANGE_KALD",
    ErrorKind.INTERNAL: "INTERN_FEJL",
    ErrorKind.BAD_GATEWAY: "TJENESTEN_ER_UTILGAENGELIG",
    ErrorKind.UNAVAILABLE: "TJENESTEN_ER_UTILGAENGELIG",
    ErrorKind.GATEWAY_TIMEOUT: "TJENESTEN_ER_UTILGAENGELIG",
}


def error_body(kind: ErrorKind, message: str) -> dict[str, Any]:
    return {"fejl": {"kode": _ERROR_CODES[kind], "besked": message}}


def sof_api(records: Mapping[str, Mapping[str, Any]]) -> DepartmentApi:
    # Pages are over CPR numbers in world order; summaries are made per request, so records edited
    # in place (e.g. by the change producer) show their current state.
    order = list(records)

    def summarise(r: Mapping[str, Any]) -> dict[str, Any]:
        return {
            "sagsnummer": r["sagsnummer"],
            "cpr": r["cpr"],
            "sagstype": r["sagstype"],
            "antalAabneSager": r["antalAabneSager"],
            "senestOpdateret": r["senestOpdateret"],
        }

    get_borger = single_record_handler(records, "borgeren er ikke registreret i SOF")

    async def opslag(request: web.Request) -> web.StreamResponse:
        cprs = await requested_cprs(request, "cprNumre")
        found, missing = found_and_missing(records, cprs)
        return json_response({"fundne": found, "ikkeFundne": missing, "antalForespurgte": len(cprs)})

    async def list_sager(request: web.Request) -> web.StreamResponse:
        current = token_page(request, order, size_param="antal", cursor_param="efter")
        return json_response(
            {
                "sager": [summarise(records[cpr]) for cpr in current.items],
                "naesteSide": None if current.following is None else encode_token(current.following),
                "antalIAlt": len(order),
            }
        )

    return department_api(
        Department.SOF,
        "SOF Sagssystem (mock)",
        AuthStyle.BEARER,
        single=(SINGLE_PATH, get_borger),
        batch=(BATCH_PATH, opslag),
        listing=(LIST_PATH, list_sager),
        error_body=error_body,
        openapi=openapi(),
    )


def openapi() -> dict[str, Any]:
    worker = o.obj(
        {"navn": o.STRING, "enhed": o.STRING, "telefon": o.nullable(o.STRING), "email": o.nullable(o.STRING)}
    )
    schemas: dict[str, o.Schema] = {
        "Sagsbehandler": worker,
        "Underretning": o.obj(
            {
                "id": o.STRING,
                "modtaget": o.DATE,
                "anmeldertype": o.enum(*vocab.REPORTER_TYPES),
                "akut": o.BOOLEAN,
            },
            description="Report of concern (underretning).",
        ),
        "BoernefagligUndersoegelse": o.obj(
            {
                "id": o.STRING,
                "hjemmel": o.STRING,
                "startdato": o.DATE,
                "frist": {
                    **o.DATE,
                    "description": "Due date: four months after the start (Barnets lov §20).",
                },
                "status": o.enum(*vocab.INVESTIGATION_STATUSES),
            },
            description="Child-welfare investigation (børnefaglig undersøgelse, Barnets lov §20).",
        ),
        "Stoetteindsats": o.obj(
            {
                "id": o.STRING,
                "hjemmel": o.STRING,
                "indsatstype": o.enum(*vocab.MEASURE_TYPES),
                "leverandoer": o.STRING,
                "startdato": o.DATE,
                "slutdato": o.nullable(o.DATE),
                "status": o.enum(*vocab.MEASURE_STATUSES),
            },
            description="Supportive measure (støttende indsats, Barnets lov §32).",
        ),
        "Anbringelse": o.obj(
            {
                "id": o.STRING,
                "hjemmel": o.enum("Barnets lov §46", "Barnets lov §47"),
                "samtykke": {**o.BOOLEAN, "description": "True for §46 (with consent), false for §47."},
                "anbringelsessted": o.enum(*vocab.PLACEMENT_PLACES),
                "startdato": o.DATE,
                "slutdato": o.nullable(o.DATE),
            },
            description="Placement outside the home (anbringelse).",
        ),
        "Voksenstoette": o.obj(
            {
                "id": o.STRING,
                "hjemmel": o.STRING,
                "ydelse": o.STRING,
                "startdato": o.DATE,
                "slutdato": o.nullable(o.DATE),
            },
            description="Adult social support, e.g. Serviceloven §85; Barnets lov §114 aftercare for 18–22.",
        ),
        "Funktionsvurdering": o.obj(
            {
                "id": o.STRING,
                "metode": o.enum(*vocab.FUNCTIONING_METHODS),
                "dato": o.DATE,
                "niveau": {
                    **o.INTEGER,
                    "minimum": 0,
                    "maximum": 4,
                    "description": "The ICF qualifier: 0 no, 1 mild, 2 moderate, 3 severe, 4 complete difficulties.",
                },
            },
            description="Assessment of the person's functioning (funktionsniveau): ICS in a child-welfare "
            "investigation and its follow-ups, VUM (Voksenudredningsmetoden) for an adult. Health data.",
        ),
        "Borger": o.obj(
            {
                "cpr": o.CPR,
                "sagsnummer": {**o.STRING, "description": "SOF's case number: the department's id."},
                "sagstype": o.enum("BOERNESAG", "VOKSENSAG"),
                "sagsbehandler": o.ref("Sagsbehandler"),
                "underretninger": o.arr(o.ref("Underretning")),
                "boernefagligeUndersoegelser": o.arr(o.ref("BoernefagligUndersoegelse")),
                "stoetteindsatser": o.arr(o.ref("Stoetteindsats")),
                "anbringelser": o.arr(o.ref("Anbringelse")),
                "barnetsPlanDato": o.nullable(o.DATE),
                "voksenstoette": o.arr(o.ref("Voksenstoette")),
                "funktionsvurderinger": o.arr(o.ref("Funktionsvurdering")),
                "antalAabneSager": {**o.INTEGER, "minimum": 0},
                "senestOpdateret": o.DATETIME,
                "foelsomhed": o.enum(*vocab.SENSITIVITIES),
            },
            description="One citizen's SOF record.",
        ),
        "OpslagForespoergsel": o.obj({"cprNumre": o.arr(o.CPR, min_items=1, max_items=BATCH_LIMIT)}),
        "OpslagSvar": o.obj(
            {
                "fundne": o.arr(o.ref("Borger")),
                "ikkeFundne": {**o.arr(o.CPR), "description": "Requested CPR numbers SOF has no record of."},
                "antalForespurgte": o.INTEGER,
            }
        ),
        "SagOversigt": o.obj(
            {
                "sagsnummer": o.STRING,
                "cpr": o.CPR,
                "sagstype": o.enum("BOERNESAG", "VOKSENSAG"),
                "antalAabneSager": o.INTEGER,
                "senestOpdateret": o.DATETIME,
            }
        ),
        "SagsListe": o.obj(
            {
                "sager": o.arr(o.ref("SagOversigt")),
                "naesteSide": {**o.nullable(o.STRING), "description": "Pass as `efter` for the next page."},
                "antalIAlt": o.INTEGER,
            }
        ),
        "Fejl": o.obj(
            {"fejl": o.obj({"kode": o.enum(*dict.fromkeys(_ERROR_CODES.values())), "besked": o.STRING})}
        ),
    }
    o.add_appointments(schemas["Borger"], Department.SOF)
    errors = ("Fejl", o.JSON)
    paths = {
        SINGLE_PATH: o.single_path(
            "hentBorger",
            "One citizen's SOF record by CPR number.",
            ok="The citizen's record.",
            schema="Borger",
            errors=errors,
        ),
        BATCH_PATH: o.batch_path(
            "opslagBorgere",
            f"Batch look-up of up to {BATCH_LIMIT} citizens; found and not-found listed.",
            request="OpslagForespoergsel",
            ok="Found records and not-found CPR numbers.",
            schema="OpslagSvar",
            errors=errors,
        ),
        LIST_PATH: o.list_path(
            "listSager",
            "All cases, paged.",
            parameters=[o.page_size_parameter("antal"), o.page_token_parameter("efter")],
            ok="One page of cases.",
            schema="SagsListe",
            errors=errors,
        ),
    }
    return o.document(
        title="SOF Sagssystem (mock)",
        description=(
            "Socialforvaltningen's case system: child-welfare investigations (Barnets lov §20), supportive "
            "measures (§32), placements (§46/§47), reports of concern and adult social support. "
            "All records are sensitive (child protection). Fictitious data."
        ),
        security_schemes=o.BEARER_SCHEME,
        paths=paths,
        schemas=schemas,
    )
