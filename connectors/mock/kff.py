"""Mock KFF (Kultur- og Fritidsforvaltningen): the leisure registry's member API.

Style: a small snake_case JSON API with `X-API-Key` auth, limit/offset pagination and lower-case enum values;
errors are `{"error": "<code>", "message": "..."}`. Members are keyed by CPR number; KFF's own id is
`member_id`.

    GET  /v1/members/{cpr}              one member (404 when not registered)
    POST /v1/members/lookup             batch: {"cpr_numbers": [...≤100]} -> {"members", "not_found"}
    GET  /v1/members?limit&offset       all members, paged (`next_offset`, null on the last page)

Record content comes from the world generator (hub/world/departments/kff.py). Never log a CPR number.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aiohttp import web

from connectors.mock import _oas as o
from connectors.mock.pagination import DEFAULT_LIMIT, MAX_LIMIT, page, parse_int
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
from hub.world.departments import kff as vocab

SINGLE_PATH = "/v1/members/{cpr}"
BATCH_PATH = "/v1/members/lookup"
LIST_PATH = "/v1/members"

_CODES = {
    ErrorKind.BAD_REQUEST: "bad_request",
    ErrorKind.UNAUTHORIZED: "unauthorized",
    ErrorKind.NOT_FOUND: "not_found",
    ErrorKind.TOO_LARGE: "payload_too_large",
    ErrorKind.RATE_LIMITED: "rate_limited",
    ErrorKind.INTERNAL: "internal_error",
    ErrorKind.BAD_GATEWAY: "service_unavailable",
    ErrorKind.UNAVAILABLE: "service_unavailable",
    ErrorKind.GATEWAY_TIMEOUT: "service_unavailable",
}


def error_body(kind: ErrorKind, message: str) -> dict[str, Any]:
    return {"error": _CODES[kind], "message": message}


def kff_api(records: Mapping[str, Mapping[str, Any]]) -> DepartmentApi:
    # Pages are over CPR numbers in world order; summaries are made per request, so records edited
    # in place (e.g. by the change producer) show their current state.
    order = list(records)

    def summarise(r: Mapping[str, Any]) -> dict[str, Any]:
        return {
            "member_id": r["member_id"],
            "cpr": r["cpr"],
            "active_memberships": sum(1 for m in r["memberships"] if m["active"]),
            "open_cases": r["open_cases"],
            "updated_at": r["updated_at"],
        }

    get_member = single_record_handler(records, "member not found")

    async def lookup(request: web.Request) -> web.StreamResponse:
        cprs = await requested_cprs(request, "cpr_numbers")
        found, missing = found_and_missing(records, cprs)
        return json_response(
            {
                "members": found,
                "not_found": missing,
            }
        )

    async def list_members(request: web.Request) -> web.StreamResponse:
        limit = parse_int(
            request.query.get("limit"), name="limit", default=DEFAULT_LIMIT, minimum=1, maximum=MAX_LIMIT
        )
        offset = parse_int(request.query.get("offset"), name="offset", default=0, minimum=0, maximum=10**9)
        chunk, following = page(order, offset, limit)
        return json_response(
            {
                "members": [summarise(records[cpr]) for cpr in chunk],
                "total": len(order),
                "limit": limit,
                "offset": offset,
                "next_offset": following,
            }
        )

    return department_api(
        Department.KFF,
        "KFF Leisure Registry (mock)",
        AuthStyle.API_KEY,
        single=(SINGLE_PATH, get_member),
        batch=(BATCH_PATH, lookup),
        listing=(LIST_PATH, list_members),
        error_body=error_body,
        openapi=openapi(),
    )


def openapi() -> dict[str, Any]:
    schemas: dict[str, o.Schema] = {
        "Contact": o.obj(
            {"name": o.STRING, "unit": o.STRING, "phone": o.nullable(o.STRING), "email": o.nullable(o.STRING)}
        ),
        "Membership": o.obj(
            {
                "membership_id": o.STRING,
                "association": o.STRING,
                "activity": o.STRING,
                "since": o.DATE,
                "active": o.BOOLEAN,
            }
        ),
        "FritidsGuide": o.obj(
            {
                "referred_on": o.DATE,
                "status": o.enum(*vocab.FRITIDSGUIDE_STATUSES),
                "guide_name": {**o.nullable(o.STRING), "description": "The volunteer guide, once matched."},
            },
            description="Referral to a FritidsGuide (volunteer leisure guide).",
        ),
        "Subsidy": o.obj(
            {
                "year": o.INTEGER,
                "amount_dkk": {"type": "integer", "minimum": 0, "maximum": vocab.SUBSIDY_MAX_DKK},
                "equipment_dkk": {"type": "integer", "minimum": 0, "maximum": vocab.EQUIPMENT_MAX_DKK},
            },
            description="Membership subsidy (kontingentstøtte), ages 3–17.",
        ),
        "FerieCamp": o.obj(
            {"year": o.INTEGER, "camp": o.STRING, "week": {"type": "integer", "minimum": 1, "maximum": 53}}
        ),
        "Member": o.obj(
            {
                "member_id": {**o.STRING, "description": "KFF's own id for the member."},
                "cpr": o.CPR,
                "contact": o.ref("Contact"),
                "memberships": o.arr(o.ref("Membership")),
                "fritidsguide": o.nullable(o.ref("FritidsGuide")),
                "subsidies": o.arr(o.ref("Subsidy")),
                "feriecamp": o.arr(o.ref("FerieCamp")),
                "open_cases": {**o.INTEGER, "minimum": 0},
                "updated_at": o.DATETIME,
                "sensitivity": o.enum("normal", "confidential", "sensitive"),
            }
        ),
        "LookupRequest": o.obj({"cpr_numbers": o.arr(o.CPR, min_items=1, max_items=BATCH_LIMIT)}),
        "LookupResponse": o.obj(
            {
                "members": o.arr(o.ref("Member")),
                "not_found": {**o.arr(o.CPR), "description": "Requested CPR numbers KFF has no record of."},
            }
        ),
        "MemberSummary": o.obj(
            {
                "member_id": o.STRING,
                "cpr": o.CPR,
                "active_memberships": o.INTEGER,
                "open_cases": o.INTEGER,
                "updated_at": o.DATETIME,
            }
        ),
        "MemberPage": o.obj(
            {
                "members": o.arr(o.ref("MemberSummary")),
                "total": o.INTEGER,
                "limit": o.INTEGER,
                "offset": o.INTEGER,
                "next_offset": {
                    **o.nullable(o.INTEGER),
                    "description": "Offset of the next page; null on the last.",
                },
            }
        ),
        "Error": o.obj({"error": o.enum(*dict.fromkeys(_CODES.values())), "message": o.STRING}),
    }
    o.add_appointments(schemas["Member"], Department.KFF)
    errors = ("Error", o.JSON)
    offset = {"name": "offset", "in": "query", "schema": {"type": "integer", "minimum": 0, "default": 0}}
    paths = {
        SINGLE_PATH: o.single_path(
            "get_member",
            "One member's KFF record by CPR number.",
            ok="The member.",
            schema="Member",
            errors=errors,
        ),
        BATCH_PATH: o.batch_path(
            "lookup_members",
            f"Batch look-up of up to {BATCH_LIMIT} members; found and not-found listed.",
            request="LookupRequest",
            ok="Found members and not-found CPR numbers.",
            schema="LookupResponse",
            errors=errors,
        ),
        LIST_PATH: o.list_path(
            "list_members",
            "All members, paged by limit and offset.",
            parameters=[o.page_size_parameter("limit"), offset],
            ok="One page of members.",
            schema="MemberPage",
            errors=errors,
        ),
    }
    return o.document(
        title="KFF Leisure Registry (mock)",
        description=(
            "Kultur- og Fritidsforvaltningen: leisure memberships, FritidsGuide referrals, "
            "membership subsidy (kontingentstøtte) and FerieCamp participation. Ordinary personal data. "
            "Fictitious data."
        ),
        security_schemes=o.API_KEY_SCHEME,
        paths=paths,
        schemas=schemas,
    )
