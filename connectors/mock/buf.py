"""Mock BUF (Børne- og Ungdomsforvaltningen): the children and schools administration's child API.

Style: a Google-AIP-flavoured camelCase API with `Authorization: Bearer`; custom method `:batchGet`;
`nextPageToken` is an empty string on the last page; errors are `{"error": {"code", "status", "message"}}`.
Children are keyed by CPR number; BUF's own id is `childId`.

    GET  /v1/children/{cpr}                   one child (404 when not registered)
    POST /v1/children:batchGet                batch: {"cprNumbers": [...≤100]} -> {"children", "notFound"}
    GET  /v1/children?pageSize&pageToken      all children, paged

Psychologist contacts, health visits and screenings are health data. Record content comes from the world
generator (hub/world/departments/buf.py). Never log a CPR number.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aiohttp import web

from connectors.mock import _oas as o
from connectors.mock.pagination import encode_token, token_page
from connectors.mock.service import (
    BATCH_LIMIT,
    ERROR_STATUS,
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
from hub.world.departments import buf as vocab

SINGLE_PATH = "/v1/children/{cpr}"
BATCH_PATH = "/v1/children:batchGet"
LIST_PATH = "/v1/children"

_STATUSES = {
    ErrorKind.BAD_REQUEST: "INVALID_ARGUMENT",
    ErrorKind.UNAUTHORIZED: "UNAUTHENTICATED",
    ErrorKind.NOT_FOUND: "NOT_FOUND",
    ErrorKind.TOO_LARGE: "PAYLOAD_TOO_LARGE",
    ErrorKind.RATE_LIMITED: "RESOURCE_EXHAUSTED",
    ErrorKind.INTERNAL: "INTERNAL",
    ErrorKind.BAD_GATEWAY: "UNAVAILABLE",
    ErrorKind.UNAVAILABLE: "UNAVAILABLE",
    ErrorKind.GATEWAY_TIMEOUT: "DEADLINE_EXCEEDED",
}


def error_body(kind: ErrorKind, message: str) -> dict[str, Any]:
    return {"error": {"code": ERROR_STATUS[kind], "status": _STATUSES[kind], "message": message}}


def buf_api(records: Mapping[str, Mapping[str, Any]]) -> DepartmentApi:
    # Pages are over CPR numbers in world order; summaries are made per request, so records edited
    # in place (e.g. by the change producer) show their current state.
    order = list(records)

    def summarise(r: Mapping[str, Any]) -> dict[str, Any]:
        return {
            "childId": r["childId"],
            "cpr": r["cpr"],
            "institutionName": None if r["institution"] is None else r["institution"]["name"],
            "openCases": r["openCases"],
            "updateTime": r["updateTime"],
        }

    get_child = single_record_handler(records, "child not found")

    async def batch_get(request: web.Request) -> web.StreamResponse:
        cprs = await requested_cprs(request, "cprNumbers")
        found, missing = found_and_missing(records, cprs)
        return json_response(
            {
                "children": found,
                "notFound": missing,
            }
        )

    async def list_children(request: web.Request) -> web.StreamResponse:
        current = token_page(request, order, size_param="pageSize", cursor_param="pageToken")
        return json_response(
            {
                "children": [summarise(records[cpr]) for cpr in current.items],
                "nextPageToken": "" if current.following is None else encode_token(current.following),
                "totalSize": len(order),
            }
        )

    return department_api(
        Department.BUF,
        "BUF Child and School API (mock)",
        AuthStyle.BEARER,
        single=(SINGLE_PATH, get_child),
        batch=(BATCH_PATH, batch_get),
        listing=(LIST_PATH, list_children),
        error_body=error_body,
        openapi=openapi(),
    )


def openapi() -> dict[str, Any]:
    percent = {"type": "number", "minimum": 0, "maximum": 100}
    schemas: dict[str, o.Schema] = {
        "Institution": o.obj(
            {
                "institutionId": o.STRING,
                "name": o.STRING,
                "type": o.enum(*vocab.INSTITUTION_TYPES),
                "grade": {
                    **o.nullable(o.STRING),
                    "description": "School grade, '0' = børnehaveklasse; null in daycare.",
                },
                "className": o.nullable(o.STRING),
            }
        ),
        "ContactPerson": o.obj(
            {
                "name": o.STRING,
                "role": o.STRING,
                "unit": o.STRING,
                "phone": o.nullable(o.STRING),
                "email": o.nullable(o.STRING),
            }
        ),
        "AbsenceQuarter": o.obj(
            {
                "period": {"type": "string", "pattern": "^[0-9]{4}Q[1-4]$"},
                "schoolDays": o.INTEGER,
                "sickPercent": percent,
                "permittedPercent": percent,
                "unlawfulPercent": percent,
                "reportRequired": {
                    **o.BOOLEAN,
                    "description": "Unlawful absence ≥ 15 % obliges the school to report (underretning).",
                },
            }
        ),
        "Ppv": o.obj(
            {
                "status": o.enum(*vocab.PPV_STATUSES),
                "date": o.DATE,
                "recommendation": o.nullable(o.STRING),
            },
            description="Pedagogical-psychological assessment (PPV).",
        ),
        "PsychologistContact": o.obj(
            {"date": o.DATE, "purpose": o.STRING}, description="PPR psychologist (health)."
        ),
        "HealthVisit": o.obj(
            {"type": o.enum(*vocab.HEALTH_VISIT_TYPES), "date": o.DATE},
            description="Health-visitor (sundhedspleje) visit, ages 0–6 (health).",
        ),
        "Screening": o.obj(
            {
                "instrument": o.enum("SDQ"),
                "score": {"type": "integer", "minimum": 0, "maximum": 40},
                "date": o.DATE,
                "respondent": o.enum("PARENT", "TEACHER", "SELF"),
            },
            description="Screening result (health).",
        ),
        "Child": o.obj(
            {
                "childId": {**o.STRING, "description": "BUF's own id for the child."},
                "cpr": o.CPR,
                "institution": o.nullable(o.ref("Institution")),
                "contactPerson": o.ref("ContactPerson"),
                "absence": o.arr(o.ref("AbsenceQuarter")),
                "ppv": o.nullable(o.ref("Ppv")),
                "psychologistContacts": o.arr(o.ref("PsychologistContact")),
                "healthVisits": o.arr(o.ref("HealthVisit")),
                "screenings": o.arr(o.ref("Screening")),
                "openCases": {**o.INTEGER, "minimum": 0},
                "updateTime": o.DATETIME,
                "sensitivity": o.enum(*vocab.SENSITIVITIES),
            }
        ),
        "BatchGetRequest": o.obj({"cprNumbers": o.arr(o.CPR, min_items=1, max_items=BATCH_LIMIT)}),
        "BatchGetResponse": o.obj(
            {
                "children": o.arr(o.ref("Child")),
                "notFound": {**o.arr(o.CPR), "description": "Requested CPR numbers BUF has no record of."},
            }
        ),
        "ChildSummary": o.obj(
            {
                "childId": o.STRING,
                "cpr": o.CPR,
                "institutionName": o.nullable(o.STRING),
                "openCases": o.INTEGER,
                "updateTime": o.DATETIME,
            }
        ),
        "ListChildrenResponse": o.obj(
            {
                "children": o.arr(o.ref("ChildSummary")),
                "nextPageToken": {**o.STRING, "description": "Empty string on the last page."},
                "totalSize": o.INTEGER,
            }
        ),
        "Error": o.obj(
            {
                "error": o.obj(
                    {
                        "code": o.INTEGER,
                        "status": o.enum(*dict.fromkeys(_STATUSES.values())),
                        "message": o.STRING,
                    }
                )
            }
        ),
    }
    o.add_appointments(schemas["Child"], Department.BUF)
    errors = ("Error", o.JSON)
    paths = {
        SINGLE_PATH: o.single_path(
            "getChild",
            "One child's BUF record by CPR number.",
            ok="The child.",
            schema="Child",
            errors=errors,
        ),
        BATCH_PATH: o.batch_path(
            "batchGetChildren",
            f"Batch look-up of up to {BATCH_LIMIT} children; found and not-found listed.",
            request="BatchGetRequest",
            ok="Found children and not-found CPR numbers.",
            schema="BatchGetResponse",
            errors=errors,
        ),
        LIST_PATH: o.list_path(
            "listChildren",
            "All children, paged.",
            parameters=[o.page_size_parameter("pageSize"), o.page_token_parameter("pageToken")],
            ok="One page of children.",
            schema="ListChildrenResponse",
            errors=errors,
        ),
    }
    return o.document(
        title="BUF Child and School API (mock)",
        description=(
            "Børne- og Ungdomsforvaltningen: school or daycare, absence per quarter with the 15 % "
            "unlawful-absence flag, PPV, PPR psychologist contacts, health-visitor visits (0–6) and "
            "screenings. Fictitious data."
        ),
        security_schemes=o.BEARER_SCHEME,
        paths=paths,
        schemas=schemas,
    )
