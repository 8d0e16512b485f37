"""Mock BIF (Beskæftigelses- og Integrationsforvaltningen): the jobcentre's citizen API.

Style: a .NET-flavoured REST API with PascalCase fields and PascalCase enum values, `X-API-Key` auth and
RFC 7807 problem details (`application/problem+json`) for errors. Citizens are keyed by CPR number; the
jobcentre's own id is `CitizenId`.

    GET  /api/v2/Citizens/{cpr}                 one citizen (404 when not known to the jobcentre)
    POST /api/v2/Citizens/Lookup                batch: {"CprNumbers": [≤100]} -> {"Citizens", "NotFound"}
    GET  /api/v2/Citizens?PageSize&PageToken    all citizens, paged (`NextPageToken`)

Record content comes from the world generator (hub/world/departments/bif.py). Never log a CPR number.
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
from hub.world.departments import bif as vocab

SINGLE_PATH = "/api/v2/Citizens/{cpr}"
BATCH_PATH = "/api/v2/Citizens/Lookup"
LIST_PATH = "/api/v2/Citizens"
PROBLEM_JSON = "application/problem+json"

_TITLES = {
    ErrorKind.BAD_REQUEST: "Bad Request",
    ErrorKind.UNAUTHORIZED: "Unauthorized",
    ErrorKind.NOT_FOUND: "Not Found",
    ErrorKind.TOO_LARGE: "Payload Too Large",
    ErrorKind.RATE_LIMITED: "Too Many Requests",
    ErrorKind.INTERNAL: "Internal Server Error",
    ErrorKind.BAD_GATEWAY: "Bad Gateway",
    ErrorKind.UNAVAILABLE: "Service Unavailable",
    ErrorKind.GATEWAY_TIMEOUT: "Gateway Timeout",
}


def error_body(kind: ErrorKind, message: str) -> dict[str, Any]:
    return {"type": "about:blank", "title": _TITLES[kind], "status": ERROR_STATUS[kind], "detail": message}


def bif_api(records: Mapping[str, Mapping[str, Any]]) -> DepartmentApi:
    # Pages are over CPR numbers in world order; summaries are made per request, so records edited
    # in place (e.g. by the change producer) show their current state.
    order = list(records)

    def summarise(r: Mapping[str, Any]) -> dict[str, Any]:
        return {
            "CitizenId": r["CitizenId"],
            "Cpr": r["Cpr"],
            "TargetGroup": r["TargetGroup"],
            "OpenCaseCount": r["OpenCaseCount"],
            "LastUpdated": r["LastUpdated"],
        }

    get_citizen = single_record_handler(records, "No citizen with this CPR number is known to the jobcentre.")

    async def lookup(request: web.Request) -> web.StreamResponse:
        cprs = await requested_cprs(request, "CprNumbers")
        found, missing = found_and_missing(records, cprs)
        return json_response(
            {
                "Citizens": found,
                "NotFound": missing,
                "RequestedCount": len(cprs),
            }
        )

    async def list_citizens(request: web.Request) -> web.StreamResponse:
        current = token_page(request, order, size_param="PageSize", cursor_param="PageToken")
        return json_response(
            {
                "Items": [summarise(records[cpr]) for cpr in current.items],
                "NextPageToken": None if current.following is None else encode_token(current.following),
                "TotalCount": len(order),
            }
        )

    return department_api(
        Department.BIF,
        "BIF Jobcenter Citizen API (mock)",
        AuthStyle.API_KEY,
        single=(SINGLE_PATH, get_citizen),
        batch=(BATCH_PATH, lookup),
        listing=(LIST_PATH, list_citizens),
        error_body=error_body,
        error_content_type=PROBLEM_JSON,
        openapi=openapi(),
    )


def openapi() -> dict[str, Any]:
    schemas: dict[str, o.Schema] = {
        "Caseworker": o.obj(
            {"Name": o.STRING, "Unit": o.STRING, "Phone": o.nullable(o.STRING), "Email": o.nullable(o.STRING)}
        ),
        "Benefit": o.obj(
            {
                "BenefitType": o.enum(*vocab.BENEFIT_TYPES),
                "RateLevel": {
                    **o.nullable(o.enum(*vocab.RATE_LEVELS)),
                    "description": "Kontanthjælp rate level; null for other benefits.",
                },
                "StartDate": o.DATE,
                "MonthlyAmountDkk": {**o.INTEGER, "minimum": 0},
            },
            description="The citizen's current benefit (ydelse). Null on the citizen when none.",
        ),
        "PlanActivity": o.obj(
            {
                "ActivityId": o.STRING,
                "ActivityType": o.enum(*vocab.ACTIVITY_TYPES),
                "Provider": o.STRING,
                "StartDate": o.DATE,
                "EndDate": o.nullable(o.DATE),
                "Status": o.enum(*vocab.ACTIVITY_STATUSES),
            },
            description="An activity in the citizen's plan (Min Plan).",
        ),
        "Citizen": o.obj(
            {
                "CitizenId": {**o.STRING, "description": "The jobcentre's own id for the citizen."},
                "Cpr": o.CPR,
                "CoordinatingCaseworker": o.ref("Caseworker"),
                "Benefit": o.nullable(o.ref("Benefit")),
                "TargetGroup": {
                    **o.nullable(o.enum(*vocab.TARGET_GROUPS)),
                    "description": "Målgruppe; null for youths with a leisure job only and citizens in work.",
                },
                "PlanActivities": o.arr(o.ref("PlanActivity")),
                "Sensitivity": o.enum("Normal", "Confidential", "Sensitive"),
                "LastInterviewDate": o.nullable(o.DATE),
                "NextInterviewDate": o.nullable(o.DATE),
                "OpenCaseCount": {**o.INTEGER, "minimum": 0},
                "LastUpdated": o.DATETIME,
            }
        ),
        "LookupRequest": o.obj({"CprNumbers": o.arr(o.CPR, min_items=1, max_items=BATCH_LIMIT)}),
        "LookupResponse": o.obj(
            {
                "Citizens": o.arr(o.ref("Citizen")),
                "NotFound": {
                    **o.arr(o.CPR),
                    "description": "Requested CPR numbers unknown to the jobcentre.",
                },
                "RequestedCount": o.INTEGER,
            }
        ),
        "CitizenSummary": o.obj(
            {
                "CitizenId": o.STRING,
                "Cpr": o.CPR,
                "TargetGroup": o.nullable(o.enum(*vocab.TARGET_GROUPS)),
                "OpenCaseCount": o.INTEGER,
                "LastUpdated": o.DATETIME,
            }
        ),
        "CitizenPage": o.obj(
            {
                "Items": o.arr(o.ref("CitizenSummary")),
                "NextPageToken": {
                    **o.nullable(o.STRING),
                    "description": "Pass as PageToken; null on the last page.",
                },
                "TotalCount": o.INTEGER,
            }
        ),
        "ProblemDetails": o.obj(
            {"type": o.STRING, "title": o.STRING, "status": o.INTEGER, "detail": o.STRING},
            description="RFC 7807 problem details.",
        ),
    }
    o.add_appointments(schemas["Citizen"], Department.BIF)
    errors = ("ProblemDetails", PROBLEM_JSON)
    paths = {
        SINGLE_PATH: o.single_path(
            "GetCitizen",
            "One citizen's jobcentre record by CPR number.",
            ok="The citizen.",
            schema="Citizen",
            errors=errors,
        ),
        BATCH_PATH: o.batch_path(
            "LookupCitizens",
            f"Batch look-up of up to {BATCH_LIMIT} citizens; found and not-found listed.",
            request="LookupRequest",
            ok="Found citizens and not-found CPR numbers.",
            schema="LookupResponse",
            errors=errors,
        ),
        LIST_PATH: o.list_path(
            "ListCitizens",
            "All citizens known to the jobcentre, paged.",
            parameters=[o.page_size_parameter("PageSize"), o.page_token_parameter("PageToken")],
            ok="One page of citizens.",
            schema="CitizenPage",
            errors=errors,
        ),
    }
    return o.document(
        title="BIF Jobcenter Citizen API (mock)",
        description=(
            "Jobcenter København: benefit (ydelse), target group (målgruppe), plan activities and "
            "interviews; leisure jobs (fritidsjob/småjob) for youths 14–17. Confidential case data. "
            "Fictitious data."
        ),
        security_schemes=o.API_KEY_SCHEME,
        paths=paths,
        schemas=schemas,
    )
