"""The OpenAPI documents: valid OpenAPI 3.1, checked in unchanged, served unchanged, and true to the data."""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate

from connectors.mock import create_department_app
from connectors.mock.openapi import BUILDERS, checked_in, render, spec_path
from hub.domain import Department
from hub.world import generate_world

RECORD_SCHEMAS = {
    Department.SOF: "Borger",
    Department.BIF: "Citizen",
    Department.BUF: "Child",
    Department.KFF: "Member",
    Department.SUF: "PatientSummary",
}
REGENERATE = "regenerate with `python -m connectors.mock.openapi` and review the diff"

departments = pytest.mark.parametrize("department", list(Department), ids=[d.value for d in Department])


@departments
def test_checked_in_document_is_valid_openapi_31(department: Department) -> None:
    document = checked_in(department)
    assert document["openapi"].startswith("3.1")
    validate(document)


@departments
def test_checked_in_document_matches_the_code(department: Department) -> None:
    assert spec_path(department).read_text(encoding="utf-8") == render(BUILDERS[department]()), REGENERATE


@departments
async def test_served_document_matches_the_checked_in_one(department: Department) -> None:
    app = create_department_app(department, generate_world(3, seed=1), environ={})
    async with TestClient(TestServer(app, host="127.0.0.1")) as client:
        response = await client.get("/openapi.json")
        assert response.status == 200
        served: dict[str, Any] = await response.json()
    assert served == checked_in(department), REGENERATE


@departments
def test_every_generated_record_fits_the_documented_schema(department: Department) -> None:
    world = generate_world(300, seed=21)
    document = BUILDERS[department]()
    schema = {
        "$ref": f"#/components/schemas/{RECORD_SCHEMAS[department]}",
        "components": document["components"],
    }
    validator = Draft202012Validator(schema)
    records = world.department_records[department]
    assert records
    for record in records.values():
        errors = list(validator.iter_errors(record))
        assert not errors, errors[0].message


@departments
def test_documents_declare_the_three_data_endpoints_and_auth(department: Department) -> None:
    document = BUILDERS[department]()
    methods = sorted(m for path in document["paths"].values() for m in path)
    assert methods == ["get", "get", "get", "post"]  # single, list, health; batch
    scheme = next(iter(document["components"]["securitySchemes"].values()))
    if department in (Department.BIF, Department.KFF):
        assert scheme == {**scheme, "type": "apiKey", "in": "header", "name": "X-API-Key"}
    else:
        assert scheme == {**scheme, "type": "http", "scheme": "bearer"}
