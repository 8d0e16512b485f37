"""The schema's own defences (schema/hardening.py): directive overloading, `_entities` size, and what a
production error may say about the schema."""

from __future__ import annotations

import re

import pytest

from hub.settings import Environment, Settings
from schema import build_schema, hardening

DEV = build_schema(Settings())
PROD = build_schema(Settings(env=Environment.PRODUCTION))
ENTITIES = "query($r: [_Any!]!) { _entities(representations: $r) { ... on Family { id } } }"


def codes(errors: object) -> set[str]:
    return {e.extensions["code"] for e in errors or []}  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "document",
    [
        "{ __typename " + "@include(if: true) " * 6 + "}",  # over the per-location limit, known directive
        "{ __typename " + "@aa " * 6 + "}",  # unknown directives, each of which would be its own error
        "{ " + "__typename @skip(if: false) " * 51 + "}",  # over 50 in the document
        "query Q " + "@x " * 6 + "{ __typename }",  # on the operation itself
    ],
)
async def test_directive_overloading_is_query_too_complex(document: str) -> None:
    result = await DEV.execute(document)
    assert "QUERY_TOO_COMPLEX" in codes(result.errors)


async def test_a_few_directives_are_fine() -> None:
    result = await DEV.execute("{ a: __typename @include(if: true) b: __typename @skip(if: true) }")
    assert result.errors is None
    assert result.data == {"a": "Query"}


async def test_entities_over_the_cap_are_query_too_complex() -> None:
    representations = [{"__typename": "Family", "id": f"F{i:05d}"} for i in range(501)]
    result = await DEV.execute(ENTITIES, variable_values={"r": representations})
    assert codes(result.errors) == {"QUERY_TOO_COMPLEX"}
    assert result.errors[0].extensions["maxEntities"] == 500  # type: ignore[index]


MISSPELT = [
    "{ familys { id } }",
    '{ family(id: "F00001") { nmae } }',
    '{ family(idd: "F00001") { id } }',
    "{ me }",
    "{ me { username { x } } }",
    "query($x: FamilyInputt) { me { username } }",
    "{ ... on Familie { id } }",
    "query($id: ID!) { family(id: $id) { id } }",  # the variable is missing
    "mutation { referFamily(input: {district: NORREBRO}) { id } }",
]


def _schema_names() -> set[str]:
    """Every type, field, argument, input field and enum value name of the production schema."""
    names: set[str] = set()
    for type_ in PROD._schema.type_map.values():
        names.add(type_.name)
        for field_name, field in (getattr(type_, "fields", None) or {}).items():
            names.add(field_name)
            names.update(getattr(field, "args", None) or {})
        names.update(getattr(type_, "values", None) or {})
    return names


SCHEMA_NAMES = _schema_names()
OWN_WORDS = set(re.findall(r"\w+", hardening.DOCUMENT_INVALID + " has an invalid value"))


@pytest.mark.parametrize("document", MISSPELT)
async def test_production_errors_name_nothing_of_the_schema(document: str) -> None:
    result = await PROD.execute(document, variable_values={})
    assert result.errors
    for error in result.errors:
        redacted = error  # as the schema answers it (RedactedHubErrors)
        assert "Did you mean" not in redacted.message
        leaked = (set(re.findall(r"\w+", redacted.message)) - OWN_WORDS - {"x", "id"}) & SCHEMA_NAMES
        assert not leaked, (document, redacted.message)
    # In development the same mistakes keep their helpful messages.
    dev = await DEV.execute(document, variable_values={})
    assert dev.errors


async def test_a_subscriptions_errors_are_coded_and_in_production_name_nothing() -> None:
    document = 'subscription { familyUpdatd(familyId: "F00001") { kind } }'
    for schema, named in ((DEV, True), (PROD, False)):
        stream = await schema.subscribe(document)
        first = await anext(stream)  # type: ignore[arg-type]
        (error,) = first.errors  # type: ignore[union-attr]
        assert error.extensions == {"code": "BAD_USER_INPUT"}
        assert ("Subscription" in error.message) is named, error.message
