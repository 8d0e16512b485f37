"""Strawberry types derived from the hub's frozen record dataclasses, so a record's shape is written once.

`derive(Record, ...)` builds a GraphQL object type whose fields are the record's dataclass fields (and any
properties named in `computed`), described by the `Annotated[type, "description"]` beside each field and by the
first paragraph of the class docstring. The derived type resolves every field straight from the record object
with strawberry's default attribute resolver: a resolver returns the record itself, nothing is copied per view.

Type mapping: `X | None` is nullable, `tuple[X, ...]` is a list, a field named `id` or ending in `_id` is an `ID`,
a nested record dataclass is the type derived from it earlier (derive nested records first).
"""

from __future__ import annotations

import dataclasses
import inspect
import types
import typing
from collections.abc import Iterable, Mapping
from typing import Any, Union

import strawberry

_SCALARS: tuple[type, ...] = (str, int, float, bool)


def _described(hint: Any, where: str) -> tuple[Any, str]:
    if typing.get_origin(hint) is typing.Annotated:
        base, *meta = typing.get_args(hint)
        docs = [m for m in meta if isinstance(m, str)]
        if docs:
            return base, docs[0]
    raise TypeError(f"{where} has no description: annotate it as Annotated[type, 'description'] or hide it")


def _docstring(record: type) -> str:
    doc = record.__dict__.get("__doc__") or ""
    if not doc or doc.startswith(record.__name__ + "("):  # dataclass's generated signature is no description
        raise TypeError(f"{record.__name__} has no docstring to describe its GraphQL type")
    return inspect.cleandoc(doc).split("\n\n", 1)[0].replace("\n", " ")


class Deriver:
    """Derives GraphQL types from records, remembering each so nested records map to their derived type."""

    def __init__(self) -> None:
        self._derived: dict[type, type] = {}

    def _graphql(self, hint: Any, name: str, where: str) -> Any:
        origin = typing.get_origin(hint)
        if origin in (Union, types.UnionType):
            inner = [a for a in typing.get_args(hint) if a is not type(None)]
            if len(inner) != 1:
                raise TypeError(f"{where}: only `X | None` unions are supported")
            return self._graphql(inner[0], name, where) | None
        if origin is tuple:
            item, ellipsis = typing.get_args(hint)
            if ellipsis is not Ellipsis:
                raise TypeError(f"{where}: only tuple[X, ...] is supported")
            return list[self._graphql(item, name, where)]  # type: ignore[misc]
        if hint is str and (name == "id" or name.endswith("_id")):
            return strawberry.ID
        if isinstance(hint, type) and dataclasses.is_dataclass(hint):
            if hint not in self._derived:
                raise TypeError(f"{where}: derive {hint.__name__} before the records that hold it")
            return self._derived[hint]
        return hint

    def derive(
        self,
        record: type,
        *,
        names: Mapping[str, str] | None = None,
        hidden: Iterable[str] = (),
        computed: Mapping[str, str] | None = None,
    ) -> Any:
        """The strawberry type of `record`.

        `names` renames fields in GraphQL (python name -> GraphQL name); `hidden` fields stay out of the API;
        `computed` adds the record's properties, each after the field it names (property -> preceding field, or
        "" for first).
        """
        hints = typing.get_type_hints(record, include_extras=True)
        names = names or {}
        hide = set(hidden)
        after: dict[str, list[str]] = {}
        for prop, before in (computed or {}).items():
            after.setdefault(before, []).append(prop)
        annotations: dict[str, Any] = {}
        namespace: dict[str, Any] = {"__module__": record.__module__, "__annotations__": annotations}

        def add_property(prop: str) -> None:
            getter = getattr(record, prop)
            if not isinstance(getter, property) or getter.fget is None:
                raise TypeError(f"{record.__name__}.{prop} is not a property")
            returns = typing.get_type_hints(getter.fget)["return"]
            annotations[prop] = self._graphql(returns, prop, f"{record.__name__}.{prop}")
            namespace[prop] = strawberry.field(description=inspect.getdoc(getter.fget))

        for prop in after.pop("", []):
            add_property(prop)
        for f in dataclasses.fields(record):
            if f.name not in hide:
                where = f"{record.__name__}.{f.name}"
                base, description = _described(hints[f.name], where)
                annotations[f.name] = self._graphql(base, f.name, where)
                namespace[f.name] = strawberry.field(description=description, name=names.get(f.name))
            for prop in after.pop(f.name, []):
                add_property(prop)
        if after:
            raise TypeError(f"{record.__name__}: computed fields after unknown fields {sorted(after)}")
        gql = strawberry.type(type(record.__name__, (), namespace), description=_docstring(record))
        self._derived[record] = gql
        return gql
