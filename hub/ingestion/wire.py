"""Reading a pushed record in a department's wire format, through that department connector's own mapping.

A pushed record has the shape the department's single-person endpoint returns; the connector module for the
department (connectors/<dept>.py) maps exactly that shape into a typed record with `parse_record(wire)`.
This module only finds that function and turns its failures into a safe reason: it never duplicates a
department's mapping, and its messages name field paths, never values (the wire JSON carries CPR numbers).
"""

from __future__ import annotations

import importlib
import typing
from collections.abc import Callable, Mapping
from typing import Any

import pydantic

from connectors.base import ConnectorError
from connectors.records import RECORD_TYPES, DepartmentRecord
from hub.domain import Department

WireParser = Callable[[Mapping[str, Any]], DepartmentRecord]


class WireError(ValueError):
    """A pushed record does not fit its department's wire format. The message is safe to return."""


def connector_parsers() -> dict[Department, WireParser]:
    """The single-record mapping of every connector module (connectors/sof.py, ...).

    A module may offer `parse_record(wire) -> record`; otherwise its `to_record(wire: <WireModel>)` is used
    with the pydantic model it is annotated with, exactly as the connector maps each record of a batch.
    """
    parsers: dict[Department, WireParser] = {}
    for department in Department:
        try:
            module = importlib.import_module(f"connectors.{department.value.lower()}")
        except ModuleNotFoundError:
            continue
        parse = getattr(module, "parse_record", None)
        if callable(parse):
            parsers[department] = parse
            continue
        to_record = getattr(module, "to_record", None)
        model = _wire_model(to_record)
        if to_record is not None and model is not None:
            parsers[department] = _model_parser(model, to_record)
    return parsers


def _wire_model(to_record: Any) -> type[pydantic.BaseModel] | None:
    if not callable(to_record):
        return None
    hints = typing.get_type_hints(to_record)
    params = [v for k, v in hints.items() if k != "return"]
    if len(params) == 1 and isinstance(params[0], type) and issubclass(params[0], pydantic.BaseModel):
        return params[0]
    return None


def _model_parser(
    model: type[pydantic.BaseModel], to_record: Callable[[Any], DepartmentRecord]
) -> WireParser:
    def parse(wire: Mapping[str, Any]) -> DepartmentRecord:
        return to_record(model.model_validate(wire))

    return parse


def parse_wire(
    parsers: Mapping[Department, WireParser], department: Department, wire: Any
) -> DepartmentRecord:
    parse = parsers.get(department)
    if parse is None:
        raise WireError(f"the hub cannot read {department.value} records yet")
    if not isinstance(wire, Mapping):
        raise WireError("record must be a JSON object")
    try:
        record = parse(wire)
    except pydantic.ValidationError as exc:
        first = exc.errors(include_input=False, include_url=False)[0]
        raise WireError(
            f"record violates the {department.value} format at {_safe_loc(first['loc'])}"
        ) from None
    except (ConnectorError, KeyError, TypeError, ValueError):
        raise WireError(f"record violates the {department.value} format") from None
    if not isinstance(record, RECORD_TYPES[department]):
        raise WireError(f"record is not a {department.value} record")
    return record


def _safe_loc(loc: tuple[int | str, ...]) -> str:
    # A location may run through a mapping keyed by CPR number: keep positions and field names only.
    parts = [str(p) if isinstance(p, int) or not any(c.isdigit() for c in p) else "*" for p in loc]
    return ".".join(parts) or "<root>"
