"""`described_enum`: expose one of the hub's plain enums in GraphQL with a description on every value.

The hub's vocabularies (hub/domain.py, hub/plan/domain.py, ...) are plain `StrEnum`s that must not import
strawberry, so `strawberry.enum_value(description=...)` cannot be written into them. This fills in the value
descriptions of the GraphQL enum strawberry builds from such a class instead. Descriptions only: it never
renames, adds or removes a value, and it refuses a mapping that misses a value (GraphiQL would show a blank).
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum
from typing import TypeVar

import strawberry
from strawberry.types.enum import has_enum_definition

E = TypeVar("E", bound=Enum)


def described_enum(
    cls: type[E], *, description: str, values: Mapping[E, str], name: str | None = None
) -> type[E]:
    """`strawberry.enum(cls, name=..., description=...)` with `values[member]` as each value's description."""
    missing = [member.name for member in cls if not values.get(member, "").strip()]
    if missing:
        raise ValueError(f"{cls.__name__}: no description for {', '.join(missing)}")
    wrapped = strawberry.enum(cls, name=name, description=description)
    if not has_enum_definition(wrapped):  # pragma: no cover - strawberry.enum always defines one
        raise TypeError(f"{cls.__name__} is not a strawberry enum")
    for value in wrapped.__strawberry_definition__.values:
        value.description = values[cls(value.value)]
    return cls
