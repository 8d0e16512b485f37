"""Every operation the reference front-end sends (hub/static/app/operations/*.graphql) is valid against the
checked-in schema: a renamed field breaks this test, not the page in a user's browser."""

from __future__ import annotations

import functools
from pathlib import Path

import pytest
from graphql import GraphQLSchema, OperationDefinitionNode, build_schema, parse, validate

ROOT = Path(__file__).resolve().parents[2]
OPERATIONS = sorted((ROOT / "hub" / "static" / "app" / "operations").glob("*.graphql"))
SCHEMA_SDL = (ROOT / "schema" / "schema.graphql").read_text()
# The checked-in SDL is a federation subgraph: declare the directives it uses so graphql-core accepts it.
FEDERATION = (
    "directive @key(fields: String!, resolvable: Boolean = true) repeatable on OBJECT | INTERFACE\n"
    "directive @link(url: String!, import: [String!]) repeatable on SCHEMA\n"
)


@functools.cache
def _schema() -> GraphQLSchema:
    return build_schema(FEDERATION + SCHEMA_SDL)


def test_there_are_operations() -> None:
    assert len(OPERATIONS) >= 10


@pytest.mark.parametrize("path", OPERATIONS, ids=lambda p: p.name)
def test_operation_is_valid_against_the_schema(path: Path) -> None:
    document = parse(path.read_text())
    errors = validate(_schema(), document)
    assert errors == [], [e.message for e in errors]
    names = [d.name.value for d in document.definitions if isinstance(d, OperationDefinitionNode) and d.name]
    assert names == [path.stem], "one named operation per file, named like the file"
