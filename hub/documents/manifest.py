"""The trusted-documents manifest: which operation files it is built from, how, and how the hub loads it.

The manifest is Apollo's persisted-query manifest (`{"format": "apollo-persisted-query-manifest", "version": 1,
"operations": [{"id", "name", "type", "body"}]}`); an operation's id is the SHA-256 (hex) of its file's exact
text, which is what a client hashes and sends. A file holds one operation (comments allowed). The manifest is
checked in; a test fails when it differs from what `build()` makes of the files, so an operation cannot change
without the manifest.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from graphql import OperationDefinitionNode, parse

ROOT = Path(__file__).resolve().parents[2]
MANIFEST_PATH = ROOT / "schema" / "trusted-documents.json"
# Where the checked-in operations live: the README's and the department systems' (schema/operations/), and the
# reference front-end's (hub/static/app/operations/, which may not exist).
SOURCES = ("schema/operations/**/*.graphql", "hub/static/app/operations/*.graphql")
FORMAT = "apollo-persisted-query-manifest"


def document_id(body: str) -> str:
    return hashlib.sha256(body.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class Operation:
    id: str
    name: str
    type: str  # query, mutation, subscription
    body: str


def operation_files(root: Path = ROOT) -> list[Path]:
    return sorted({p for pattern in SOURCES for p in root.glob(pattern) if p.is_file()})


def operation_of(body: str, fallback_name: str) -> Operation:
    """The file's one operation; ValueError when it holds none or several (an id names one operation)."""
    definitions = [d for d in parse(body).definitions if isinstance(d, OperationDefinitionNode)]
    if len(definitions) != 1:
        raise ValueError(f"{fallback_name}: a trusted document holds exactly one operation")
    [operation] = definitions
    name = operation.name.value if operation.name else fallback_name
    return Operation(document_id(body), name, operation.operation.value, body)


def build(files: Iterable[Path]) -> dict[str, object]:
    operations = {}
    for path in files:
        operation = operation_of(path.read_text(encoding="utf-8"), path.stem)
        operations[operation.id] = operation
    return {
        "format": FORMAT,
        "version": 1,
        "operations": [
            {"id": o.id, "name": o.name, "type": o.type, "body": o.body}
            for o in sorted(operations.values(), key=lambda o: (o.name, o.id))
        ],
    }


def render(manifest: Mapping[str, object]) -> str:
    return json.dumps(manifest, indent=2, ensure_ascii=False) + "\n"


def load(path: Path = MANIFEST_PATH) -> dict[str, str]:
    """id -> body of every operation in the manifest; each id checked against its body."""
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ValueError(f"{path}: not a persisted-query manifest")
    documents: dict[str, str] = {}
    for entry in data.get("operations", []):
        body = str(entry["body"])
        if document_id(body) != entry["id"]:
            raise ValueError(f"{path}: operation {entry.get('name')!r} does not match its id")
        documents[entry["id"]] = body
    return documents
