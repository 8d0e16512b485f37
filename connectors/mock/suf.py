"""Mock SUF (Sundheds- og Omsorgsforvaltningen): a FHIR-flavoured health and care API.

Style: FHIR R4-like JSON (`application/fhir+json`), `Authorization: Bearer`, CPR as an identifier in the
system `urn:oid:1.2.208.176.1.2`, operations named with `$`, errors as `OperationOutcome`. The record is a
`PatientSummary` resource (see hub/world/departments/suf.py); SUF's own id is its `id`.

    GET  /fhir/Patient/$summary?identifier=urn:oid:1.2.208.176.1.2|{cpr}
                                          one patient's summary (404 OperationOutcome when unknown)
    POST /fhir/Patient/$batch-summary     batch: a `Parameters` resource with ≤100 `identifier` parameters
                                          -> a `batch-response` Bundle, one entry per identifier in order:
                                          200 with the resource, or 404 with an OperationOutcome; each entry's
                                          `response.location` names the identifier it answers
    GET  /fhir/Patient?_count&_page_token all patients, paged as a `searchset` Bundle with a `next` link

Everything clinical is health data (GDPR art. 9). Never log a CPR number.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from aiohttp import web

from connectors.mock import _oas as o
from connectors.mock.pagination import encode_token, token_page
from connectors.mock.service import (
    BATCH_LIMIT,
    AuthStyle,
    DepartmentApi,
    ErrorKind,
    RequestError,
    count_persons,
    department_api,
    json_object,
    json_response,
    valid_cpr,
    valid_cpr_list,
)
from hub.domain import Department
from hub.world.departments import suf as vocab

SINGLE_PATH = "/fhir/Patient/$summary"
BATCH_PATH = "/fhir/Patient/$batch-summary"
LIST_PATH = "/fhir/Patient"
FHIR_JSON = "application/fhir+json"
CPR_SYSTEM = vocab.CPR_SYSTEM

_ISSUE_CODES = {
    ErrorKind.BAD_REQUEST: "invalid",
    ErrorKind.UNAUTHORIZED: "login",
    ErrorKind.NOT_FOUND: "not-found",
    ErrorKind.TOO_LARGE: "too-costly",
    ErrorKind.RATE_LIMITED: "throttled",
    ErrorKind.INTERNAL: "exception",
    ErrorKind.BAD_GATEWAY: "transient",
    ErrorKind.UNAVAILABLE: "transient",
    ErrorKind.GATEWAY_TIMEOUT: "timeout",
}


def error_body(kind: ErrorKind, message: str) -> dict[str, Any]:
    return {
        "resourceType": "OperationOutcome",
        "issue": [{"severity": "error", "code": _ISSUE_CODES[kind], "diagnostics": message}],
    }


def location(cpr: str) -> str:
    return f"Patient?identifier={CPR_SYSTEM}|{cpr}"


def _identifier_cpr(token: str | None) -> str:
    """The CPR number from a FHIR token `system|value` (or a bare value), or a 400."""
    if not token:
        raise RequestError(ErrorKind.BAD_REQUEST, "the identifier parameter is required")
    system, bar, value = token.rpartition("|")
    if bar and system != CPR_SYSTEM:
        raise RequestError(ErrorKind.BAD_REQUEST, f"unsupported identifier system (use {CPR_SYSTEM})")
    return valid_cpr(value)


def _batch_identifiers(body: dict[str, Any]) -> list[str]:
    if body.get("resourceType") != "Parameters" or not isinstance(body.get("parameter"), list):
        raise RequestError(ErrorKind.BAD_REQUEST, "expected a Parameters resource with a parameter array")
    values: list[object] = []
    for parameter in body["parameter"]:
        identifier = parameter.get("valueIdentifier") if isinstance(parameter, dict) else None
        if (
            not isinstance(parameter, dict)
            or parameter.get("name") != "identifier"
            or not isinstance(identifier, dict)
        ):
            raise RequestError(
                ErrorKind.BAD_REQUEST, "every parameter must be an identifier with valueIdentifier"
            )
        if identifier.get("system") != CPR_SYSTEM:
            raise RequestError(ErrorKind.BAD_REQUEST, f"unsupported identifier system (use {CPR_SYSTEM})")
        values.append(identifier.get("value"))
    return valid_cpr_list(values)


def suf_api(records: Mapping[str, Mapping[str, Any]]) -> DepartmentApi:
    # Pages are over CPR numbers in world order; entries are made per request, so records edited
    # in place (e.g. by the change producer) show their current state.
    order = list(records)

    def summarise(r: Mapping[str, Any]) -> dict[str, Any]:
        return {
            "resource": {
                "resourceType": "Patient",
                "id": r["id"],
                "identifier": r["identifier"],
                "meta": {"lastUpdated": r["meta"]["lastUpdated"]},
            }
        }

    async def summary(request: web.Request) -> web.StreamResponse:
        cpr = _identifier_cpr(request.query.get("identifier"))
        count_persons(request, 1)
        record = records.get(cpr)
        if record is None:
            raise RequestError(ErrorKind.NOT_FOUND, "no patient with this identifier")
        return json_response(record, content_type=FHIR_JSON)

    async def batch_summary(request: web.Request) -> web.StreamResponse:
        cprs = _batch_identifiers(await json_object(request))
        count_persons(request, len(cprs))
        entries: list[dict[str, Any]] = []
        for cpr in cprs:
            record = records.get(cpr)
            if record is None:
                outcome = error_body(ErrorKind.NOT_FOUND, "no patient with this identifier")
                entries.append(
                    {"response": {"status": "404 Not Found", "location": location(cpr), "outcome": outcome}}
                )
            else:
                entries.append(
                    {"resource": record, "response": {"status": "200 OK", "location": location(cpr)}}
                )
        return json_response(
            {"resourceType": "Bundle", "type": "batch-response", "entry": entries}, content_type=FHIR_JSON
        )

    async def search(request: web.Request) -> web.StreamResponse:
        current = token_page(request, order, size_param="_count", cursor_param="_page_token")
        token = request.query.get("_page_token")
        self_query = {"_count": current.limit, **({"_page_token": token} if token else {})}
        links = [{"relation": "self", "url": f"{LIST_PATH}?{urlencode(self_query)}"}]
        if current.following is not None:
            next_query = urlencode({"_count": current.limit, "_page_token": encode_token(current.following)})
            links.append({"relation": "next", "url": f"{LIST_PATH}?{next_query}"})
        bundle = {
            "resourceType": "Bundle",
            "type": "searchset",
            "total": len(order),
            "link": links,
            "entry": [summarise(records[cpr]) for cpr in current.items],
        }
        return json_response(bundle, content_type=FHIR_JSON)

    return department_api(
        Department.SUF,
        "SUF FHIR Health API (mock)",
        AuthStyle.BEARER,
        single=(SINGLE_PATH, summary),
        batch=(BATCH_PATH, batch_summary),
        listing=(LIST_PATH, search),
        error_body=error_body,
        error_content_type=FHIR_JSON,
        openapi=openapi(),
    )


def openapi() -> dict[str, Any]:
    identifier = o.obj({"system": o.enum(CPR_SYSTEM), "value": o.CPR})
    coded_text = o.obj({"text": o.STRING})
    schemas: dict[str, o.Schema] = {
        "Identifier": identifier,
        "CareTeamMember": o.obj(
            {
                "name": o.STRING,
                "role": o.STRING,
                "organization": o.STRING,
                "telecom": o.arr(o.obj({"system": o.enum("phone", "email"), "value": o.STRING})),
            },
            description="The patient's contact in SUF; the first is the primary contact.",
        ),
        "Encounter": o.obj(
            {
                "resourceType": o.enum("Encounter"),
                "id": o.STRING,
                "status": o.enum(*vocab.ENCOUNTER_STATUSES),
                "class": o.obj({"code": o.enum("familiesundhedssamtale"), "display": o.STRING}),
                "period": o.obj({"start": o.DATE}),
                "reasonCode": o.arr(coded_text),
            },
            description="A family health conversation (familiesundhedssamtale); reasonCode holds the topics.",
        ),
        "ServiceRequest": o.obj(
            {
                "resourceType": o.enum("ServiceRequest"),
                "id": o.STRING,
                "status": o.enum(*vocab.SERVICE_REQUEST_STATUSES),
                "intent": o.enum("order"),
                "authoredOn": o.DATE,
                "performerType": o.obj(
                    {
                        "coding": o.arr(
                            o.obj(
                                {
                                    "system": o.enum(vocab.REFERRAL_SYSTEM),
                                    "code": o.enum(
                                        "EGEN_LAEGE", "REGION", "TANDPLEJE", "DIAETIST", "FYSIOTERAPI"
                                    ),
                                }
                            ),
                            min_items=1,
                        ),
                        "text": o.STRING,
                    }
                ),
                "reasonCode": o.arr(coded_text),
            },
            description="A referral (henvisning): own GP, regional services, dental care, ...",
        ),
        "EpisodeOfCare": o.obj(
            {
                "resourceType": o.enum("EpisodeOfCare"),
                "id": o.STRING,
                "status": o.enum(*vocab.EPISODE_STATUSES),
                "type": o.arr(coded_text, min_items=1),
                "period": o.obj({"start": o.DATE, "end": o.DATE}, optional=("end",)),
            },
            description="A municipal health service in progress or done.",
        ),
        "PatientSummary": o.obj(
            {
                "resourceType": o.enum("PatientSummary"),
                "id": {**o.STRING, "description": "SUF's own id for the patient."},
                "meta": o.obj(
                    {
                        "lastUpdated": o.DATETIME,
                        "security": o.arr(
                            o.obj(
                                {
                                    "system": o.enum(vocab.CONFIDENTIALITY_SYSTEM),
                                    "code": o.enum(*vocab.CONFIDENTIALITY_CODES),
                                }
                            ),
                            min_items=1,
                        ),
                    }
                ),
                "identifier": o.arr(o.ref("Identifier"), min_items=1),
                "careTeam": o.arr(o.ref("CareTeamMember"), min_items=1),
                "encounter": o.arr(o.ref("Encounter")),
                "serviceRequest": o.arr(o.ref("ServiceRequest")),
                "episodeOfCare": o.arr(o.ref("EpisodeOfCare")),
                "extension": o.arr(
                    o.obj(
                        {
                            "url": o.enum(vocab.OPEN_CASES_EXTENSION),
                            "valueInteger": {"type": "integer", "minimum": 0},
                        }
                    ),
                    min_items=1,
                ),
            },
            description=(
                "One patient's SUF summary. meta.security uses HL7 v3 Confidentiality: N normal, "
                "R restricted, V very restricted (R and V: sensitive health data). "
                "The extension carries the open-case count."
            ),
        ),
        "BatchParameters": o.obj(
            {
                "resourceType": o.enum("Parameters"),
                "parameter": o.arr(
                    o.obj({"name": o.enum("identifier"), "valueIdentifier": o.ref("Identifier")}),
                    min_items=1,
                    max_items=BATCH_LIMIT,
                ),
            }
        ),
        "BatchResponseEntry": o.obj(
            {
                "resource": o.ref("PatientSummary"),
                "response": o.obj(
                    {
                        "status": o.enum("200 OK", "404 Not Found"),
                        "location": {
                            "type": "string",
                            "description": "Patient?identifier=<system>|<cpr>: the identifier answered.",
                        },
                        "outcome": o.ref("OperationOutcome"),
                    },
                    optional=("outcome",),
                ),
            },
            optional=("resource",),
        ),
        "BatchResponseBundle": o.obj(
            {
                "resourceType": o.enum("Bundle"),
                "type": o.enum("batch-response"),
                "entry": o.arr(o.ref("BatchResponseEntry")),
            }
        ),
        "PatientReference": o.obj(
            {
                "resourceType": o.enum("Patient"),
                "id": o.STRING,
                "identifier": o.arr(o.ref("Identifier")),
                "meta": o.obj({"lastUpdated": o.DATETIME}),
            }
        ),
        "SearchBundle": o.obj(
            {
                "resourceType": o.enum("Bundle"),
                "type": o.enum("searchset"),
                "total": o.INTEGER,
                "link": o.arr(o.obj({"relation": o.enum("self", "next"), "url": o.STRING})),
                "entry": o.arr(o.obj({"resource": o.ref("PatientReference")})),
            }
        ),
        "OperationOutcome": o.obj(
            {
                "resourceType": o.enum("OperationOutcome"),
                "issue": o.arr(
                    o.obj(
                        {
                            "severity": o.enum("error"),
                            "code": o.enum(*dict.fromkeys(_ISSUE_CODES.values())),
                            "diagnostics": o.STRING,
                        }
                    ),
                    min_items=1,
                ),
            }
        ),
    }
    o.add_appointments(schemas["PatientSummary"], Department.SUF)
    errors = ("OperationOutcome", FHIR_JSON)
    identifier_parameter = {
        "name": "identifier",
        "in": "query",
        "required": True,
        "description": f"FHIR token `{CPR_SYSTEM}|<cpr>` (or a bare CPR number).",
        "schema": o.STRING,
    }
    paths = {
        SINGLE_PATH: o.single_path(
            "patientSummary",
            "One patient's summary by CPR identifier.",
            parameter=identifier_parameter,
            ok="The patient summary.",
            schema="PatientSummary",
            errors=errors,
            media_type=FHIR_JSON,
        ),
        BATCH_PATH: o.batch_path(
            "batchPatientSummary",
            f"Batch look-up of up to {BATCH_LIMIT} patients; one entry per identifier.",
            request="BatchParameters",
            ok="One entry per requested identifier.",
            schema="BatchResponseBundle",
            errors=errors,
            media_type=FHIR_JSON,
        ),
        LIST_PATH: o.list_path(
            "searchPatients",
            "All patients, paged as a searchset Bundle with a next link.",
            parameters=[o.page_size_parameter("_count"), o.page_token_parameter("_page_token")],
            ok="One page of patients.",
            schema="SearchBundle",
            errors=errors,
            media_type=FHIR_JSON,
        ),
    }
    return o.document(
        title="SUF FHIR Health API (mock)",
        description=(
            "Sundheds- og Omsorgsforvaltningen: family health conversations, referrals and municipal health "
            "services, FHIR-flavoured. Health data (GDPR art. 9). Fictitious data."
        ),
        security_schemes=o.BEARER_SCHEME,
        paths=paths,
        schemas=schemas,
    )
