"""The checked-in OpenAPI 3.1 documents of the five mock departments, and how to regenerate them.

The documents are built in code (each department module's `openapi()`) and served at /openapi.json; the
JSON files beside this module are the checked-in copies a test compares against. Regenerate with
`python -m connectors.mock.openapi` after changing a department's wire format, and review the diff.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from connectors.mock import bif, buf, kff, sof, suf
from hub.domain import Department

DIRECTORY = Path(__file__).resolve().parent

BUILDERS: dict[Department, Callable[[], dict[str, Any]]] = {
    Department.SOF: sof.openapi,
    Department.BIF: bif.openapi,
    Department.BUF: buf.openapi,
    Department.KFF: kff.openapi,
    Department.SUF: suf.openapi,
}


def spec_path(department: Department) -> Path:
    return DIRECTORY / f"{department.value.lower()}.json"


def render(document: dict[str, Any]) -> str:
    """The checked-in form: stable key order, two-space indent, UTF-8, trailing newline."""
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def checked_in(department: Department) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(spec_path(department).read_text(encoding="utf-8"))
    return loaded


def write_all() -> list[Path]:
    written = []
    for department, build in BUILDERS.items():
        path = spec_path(department)
        path.write_text(render(build()), encoding="utf-8")
        written.append(path)
    return written
