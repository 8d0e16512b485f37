"""Every type, field, argument and enum value of our GraphQL schema has a description (GraphiQL shows them).

Built-in scalars, introspection types and Apollo Federation's own types are not ours and are skipped; so are
the root types Query/Mutation/Subscription themselves (their fields are still checked).
"""

from __future__ import annotations

from enum import StrEnum

import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLString,
)

from schema import build_schema
from schema.enum_values import described_enum

BUILT_IN_SCALARS = frozenset({"String", "Int", "Float", "Boolean", "ID"})
FEDERATION_TYPES = frozenset({"_Any", "_Entity", "_Service", "_FieldSet"})
FEDERATION_PREFIXES = ("__", "link__", "federation__")
ROOT_TYPES = frozenset({"Query", "Mutation", "Subscription"})
# Federation adds these root fields; they are part of the subgraph protocol, not of our API.
FEDERATION_ROOT_FIELDS = frozenset({"Query._service", "Query._entities"})


def _is_ours(type_: GraphQLNamedType) -> bool:
    name = type_.name
    return not (name in BUILT_IN_SCALARS or name in FEDERATION_TYPES or name.startswith(FEDERATION_PREFIXES))


def _blank(description: str | None) -> bool:
    return description is None or not description.strip()


def _offenders(schema: GraphQLSchema) -> list[str]:
    found: list[str] = []
    for name, type_ in sorted(schema.type_map.items()):
        if not _is_ours(type_):
            continue
        if name not in ROOT_TYPES and _blank(type_.description):
            found.append(f"type {name}")
        if isinstance(type_, (GraphQLObjectType, GraphQLInterfaceType)):
            for field_name, field in type_.fields.items():
                path = f"{name}.{field_name}"
                if path in FEDERATION_ROOT_FIELDS:
                    continue
                if _blank(field.description):
                    found.append(f"field {path}")
                found.extend(
                    f"argument {path}({arg_name})"
                    for arg_name, arg in field.args.items()
                    if _blank(arg.description)
                )
        elif isinstance(type_, GraphQLInputObjectType):
            found.extend(
                f"input field {name}.{field_name}"
                for field_name, field in type_.fields.items()
                if _blank(field.description)
            )
        elif isinstance(type_, GraphQLEnumType):
            found.extend(
                f"enum value {name}.{value_name}"
                for value_name, value in type_.values.items()
                if _blank(value.description)
            )
    return found


def test_every_type_field_argument_and_enum_value_is_described() -> None:
    offenders = _offenders(build_schema()._schema)
    assert not offenders, f"{len(offenders)} schema elements lack a description:\n" + "\n".join(offenders)


def test_the_check_catches_a_missing_description() -> None:
    # Guards the guard: a schema with an undescribed field must be reported, or the test above proves nothing.
    described = GraphQLSchema(
        query=GraphQLObjectType("Query", {}),
        types=[GraphQLObjectType("Thing", {}, description="A thing.")],
    )
    assert _offenders(described) == []
    bad = GraphQLSchema(
        query=GraphQLObjectType("Query", {}),
        types=[GraphQLObjectType("Thing", {"name": GraphQLField(GraphQLString)})],
    )
    assert _offenders(bad) == ["type Thing", "field Thing.name"]


def test_described_enum_refuses_a_value_without_description() -> None:
    class Colour(StrEnum):
        RED = "RED"
        BLUE = "BLUE"

    with pytest.raises(ValueError, match="BLUE"):
        described_enum(Colour, description="A colour.", values={Colour.RED: "Red."})
