"""Small builders for the mock departments' OpenAPI 3.1 documents (JSON Schema 2020-12 inside).

The documents are data: built here, served at /openapi.json and checked in under connectors/mock/openapi/.
Keep every builder deterministic (no timestamps, no sets) so regenerating gives identical files.
"""

from __future__ import annotations

from typing import Any

from connectors.mock.pagination import DEFAULT_LIMIT, MAX_LIMIT
from hub.domain import Department

Schema = dict[str, Any]
JSON = "application/json"

DATE: Schema = {"type": "string", "format": "date"}
DATETIME: Schema = {"type": "string", "format": "date-time"}
CPR: Schema = {
    "type": "string",
    "pattern": "^[0-9]{10}$",
    "description": "CPR number, 10 digits without dash (DDMMYYSSSS).",
}
STRING: Schema = {"type": "string"}
INTEGER: Schema = {"type": "integer"}
NUMBER: Schema = {"type": "number"}
BOOLEAN: Schema = {"type": "boolean"}


def enum(*values: str, description: str | None = None) -> Schema:
    schema: Schema = {"type": "string", "enum": list(values)}
    if description:
        schema["description"] = description
    return schema


def nullable(schema: Schema) -> Schema:
    if "$ref" in schema:
        return {"anyOf": [schema, {"type": "null"}]}
    result = dict(schema)
    result["type"] = [schema["type"], "null"]
    if "enum" in schema:
        result["enum"] = [*schema["enum"], None]
    return result


def obj(
    properties: dict[str, Schema], *, optional: tuple[str, ...] = (), description: str | None = None
) -> Schema:
    """A closed object: every property required unless listed in `optional`, nothing else allowed."""
    schema: Schema = {
        "type": "object",
        "additionalProperties": False,
        "required": [name for name in properties if name not in optional],
        "properties": properties,
    }
    if description:
        schema = {"description": description, **schema}
    return schema


def arr(items: Schema, *, max_items: int | None = None, min_items: int | None = None) -> Schema:
    schema: Schema = {"type": "array", "items": items}
    if min_items is not None:
        schema["minItems"] = min_items
    if max_items is not None:
        schema["maxItems"] = max_items
    return schema


def ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


def content(schema: Schema, media_type: str = JSON) -> dict[str, Any]:
    return {media_type: {"schema": schema}}


def response(description: str, schema: Schema, media_type: str = JSON) -> dict[str, Any]:
    return {"description": description, "content": content(schema, media_type)}


def error_responses(error_schema: str, media_type: str, *codes: int) -> dict[str, Any]:
    descriptions = {
        400: "Invalid request (bad CPR number, body or parameter).",
        401: "Missing or wrong client credential.",
        404: "The person is not registered in this system.",
        413: "More CPR numbers than the batch limit (100).",
        429: "Too many requests; retry after the number of seconds in Retry-After.",
        500: "Internal error.",
        503: "Temporarily unavailable.",
    }
    result: dict[str, Any] = {}
    for code in codes:
        result[str(code)] = response(descriptions[code], ref(error_schema), media_type)
        if code == 429:
            result[str(code)]["headers"] = {
                "Retry-After": {"description": "Seconds to wait.", "schema": {"type": "integer"}}
            }
    return result


HEALTH_PATH: dict[str, Any] = {
    "get": {
        "operationId": "health",
        "summary": "Liveness of the service (no credential needed).",
        "security": [],
        "responses": {
            "200": response(
                "The service is up.",
                obj({"status": enum("ok"), "department": STRING, "persons": INTEGER}),
            )
        },
    }
}

BEARER_SCHEME = {
    "BearerAuth": {
        "type": "http",
        "scheme": "bearer",
        "description": "A client credential per consuming system (env MOCK_<DEPT>_CLIENT_CREDENTIALS).",
    }
}
API_KEY_SCHEME = {
    "ApiKeyAuth": {
        "type": "apiKey",
        "in": "header",
        "name": "X-API-Key",
        "description": "An API key issued per consuming system (env MOCK_<DEPT>_CLIENT_CREDENTIALS).",
    }
}


def document(
    *,
    title: str,
    description: str,
    security_schemes: dict[str, Any],
    paths: dict[str, Any],
    schemas: dict[str, Schema],
) -> dict[str, Any]:
    scheme_name = next(iter(security_schemes))
    return {
        "openapi": "3.1.0",
        "info": {"title": title, "version": "1.0.0", "description": description},
        "servers": [{"url": "/"}],
        "security": [{scheme_name: []}],
        "paths": {**paths, "/health": HEALTH_PATH},
        "components": {"securitySchemes": security_schemes, "schemas": schemas},
    }


# --- The three data path items every department has (single by CPR, batch POST, paged list). ---
# Only names, descriptions and schemas differ between departments; the status codes each kind of endpoint
# can answer with are the same everywhere (see connectors/mock/README.md), so they live here once.
Errors = tuple[str, str]  # (error schema name, error media type): the department's error format
SINGLE_ERRORS = (400, 401, 404, 429, 500, 503)
BATCH_ERRORS = (400, 401, 413, 429, 500, 503)
LIST_ERRORS = (400, 401, 429, 500, 503)


def cpr_path_parameter() -> dict[str, Any]:
    return {"name": "cpr", "in": "path", "required": True, "schema": CPR}


def page_size_parameter(name: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "schema": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT},
    }


def page_token_parameter(name: str) -> dict[str, Any]:
    return {"name": name, "in": "query", "schema": STRING, "description": "Opaque page token."}


def _path_item(
    method: str,
    operation_id: str,
    summary: str,
    *,
    request: dict[str, Any],
    ok: tuple[str, str],
    errors: Errors,
    codes: tuple[int, ...],
    media_type: str,
) -> dict[str, Any]:
    """One operation; `request` is its parameters or request body, `ok` the 200's (description, schema)."""
    description, schema = ok
    return {
        method: {
            "operationId": operation_id,
            "summary": summary,
            **request,
            "responses": {
                "200": response(description, ref(schema), media_type),
                **error_responses(*errors, *codes),
            },
        }
    }


def single_path(
    operation_id: str,
    summary: str,
    *,
    ok: str,
    schema: str,
    errors: Errors,
    parameter: dict[str, Any] | None = None,
    media_type: str = JSON,
) -> dict[str, Any]:
    """GET one person's record; `parameter` defaults to the `{cpr}` path parameter."""
    parameters = [cpr_path_parameter() if parameter is None else parameter]
    return _path_item(
        "get",
        operation_id,
        summary,
        request={"parameters": parameters},
        ok=(ok, schema),
        errors=errors,
        codes=SINGLE_ERRORS,
        media_type=media_type,
    )


def batch_path(
    operation_id: str,
    summary: str,
    *,
    request: str,
    ok: str,
    schema: str,
    errors: Errors,
    media_type: str = JSON,
) -> dict[str, Any]:
    """POST a batch look-up: `request` and `schema` name the request and 200 response bodies."""
    body = {"requestBody": {"required": True, "content": content(ref(request), media_type)}}
    return _path_item(
        "post",
        operation_id,
        summary,
        request=body,
        ok=(ok, schema),
        errors=errors,
        codes=BATCH_ERRORS,
        media_type=media_type,
    )


def list_path(
    operation_id: str,
    summary: str,
    *,
    parameters: list[dict[str, Any]],
    ok: str,
    schema: str,
    errors: Errors,
    media_type: str = JSON,
) -> dict[str, Any]:
    """GET one page of everyone; `parameters` are the department's own paging parameters."""
    return _path_item(
        "get",
        operation_id,
        summary,
        request={"parameters": parameters},
        ok=(ok, schema),
        errors=errors,
        codes=LIST_ERRORS,
        media_type=media_type,
    )


def add_appointments(record: Schema, department: Department) -> None:
    """Document a record's (optional) appointments in the department's naming style (hub/world/departments/
    appointments.py)."""
    from hub.world.departments.appointments import KEYS, WIRE

    key, style = WIRE[department]
    names = KEYS[style]
    kinds = ("INTERVIEW", "MEETING", "HOME_VISIT", "HEALTH_CONVERSATION", "ACTIVITY", "ACTIVATION", "COURSE")
    fields: dict[str, Schema] = {
        names["id"]: STRING,
        names["kind"]: enum(*kinds),
        names["title"]: STRING,
        names["start"]: DATETIME,
        names["end"]: DATETIME,
        names["place"]: nullable(STRING),
        names["contact"]: nullable(STRING),
        names["contact_role"]: nullable(STRING),
        names["service"]: nullable(STRING),
        names["weekly_until"]: {**nullable(DATE), "description": "Recurs weekly until this day."},
        names["health"]: {**BOOLEAN, "description": "Health category: only with a health basis."},
    }
    record["properties"][key] = {
        **arr(obj(fields)),
        "description": "Appointments and recurring activities (first session; see weekly-until).",
    }
