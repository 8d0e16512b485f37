"""The hub's own JSON form of a typed department record (connectors/records.py), for the cache and event log.

Department wire formats are read only by the connectors' mapping functions (hub/ingestion/wire.py); once a
record is typed, this module stores and restores it losslessly. It knows the record dataclasses, never a
department's field names, and it holds no CPR number (the typed records have none).

`to_json(record)` -> {"type": "SocialRecord", "data": {...}}; `from_json(value)` -> the record again.
A stored value that no longer fits the dataclasses raises `CodecError` (callers treat it as a cache miss).
"""

from __future__ import annotations

import dataclasses
import types
import typing
from datetime import date, datetime
from enum import Enum
from functools import cache
from typing import Any, Union

from connectors.records import RECORD_TYPES as RECORD_TYPE_BY_DEPARTMENT
from connectors.records import DepartmentRecord

RECORD_TYPES: dict[str, type[Any]] = {cls.__name__: cls for cls in RECORD_TYPE_BY_DEPARTMENT.values()}


class CodecError(ValueError):
    """A stored value does not decode into a record. The message names a field path, never a value."""


def to_json(record: DepartmentRecord) -> dict[str, Any]:
    return {"type": type(record).__name__, "data": _encode(record)}


def from_json(value: dict[str, Any]) -> DepartmentRecord:
    cls = RECORD_TYPES.get(str(value.get("type")))
    if cls is None:
        raise CodecError("unknown record type")
    record: DepartmentRecord = _decode(cls, value.get("data"), "data")
    return record


def _encode(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _encode(getattr(value, f.name)) for f in dataclasses.fields(value) if f.init}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [_encode(v) for v in value]
    return value


@cache
def _hints(cls: type[Any]) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _decode(tp: Any, value: Any, path: str) -> Any:  # noqa: PLR0911, PLR0912 - one branch per type form
    origin = typing.get_origin(tp)
    if origin in (Union, types.UnionType):
        args = typing.get_args(tp)
        if value is None:
            if type(None) in args:
                return None
            raise CodecError(f"missing value at {path}")
        last: CodecError | None = None
        for arg in args:
            if arg is type(None):
                continue
            try:
                return _decode(arg, value, path)
            except CodecError as exc:
                last = exc
        raise last or CodecError(f"no matching type at {path}")
    if origin is tuple:
        if not isinstance(value, list):
            raise CodecError(f"expected a list at {path}")
        (item,) = typing.get_args(tp)[:1]
        return tuple(_decode(item, v, f"{path}[{i}]") for i, v in enumerate(value))
    if dataclasses.is_dataclass(tp) and isinstance(tp, type):
        if not isinstance(value, dict):
            raise CodecError(f"expected an object at {path}")
        hints = _hints(tp)
        kwargs = {}
        for f in dataclasses.fields(tp):
            if not f.init:
                continue
            if f.name in value:
                kwargs[f.name] = _decode(hints[f.name], value[f.name], f"{path}.{f.name}")
            elif f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
                raise CodecError(f"missing field {path}.{f.name}")
        return tp(**kwargs)
    if tp is datetime:
        return _parse(datetime.fromisoformat, value, path)
    if tp is date:
        return _parse(date.fromisoformat, value, path)
    if isinstance(tp, type) and issubclass(tp, Enum):
        try:
            return tp(value)
        except ValueError:
            raise CodecError(f"unknown value at {path}") from None
    if tp is float and isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    if tp in (str, int, bool) and type(value) is tp:
        return value
    raise CodecError(f"unexpected value type at {path}")


def _parse(parse: Any, value: Any, path: str) -> Any:
    if not isinstance(value, str):
        raise CodecError(f"expected a string at {path}")
    try:
        return parse(value)
    except ValueError:
        raise CodecError(f"bad date at {path}") from None
