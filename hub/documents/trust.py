"""What a request may run: its document resolved from an id, and checked against the allow-list in production.

`TrustedDocuments.resolve(query, extensions, document_id)` answers the document to execute, or raises
`DocumentRefused` with the code, message and HTTP status of the refusal:

| request                                   | required (production)          | off (development)                 |
|-------------------------------------------|--------------------------------|-----------------------------------|
| id on the list                            | its document                   | its document                      |
| id only, unknown                          | PERSISTED_QUERY_NOT_FOUND      | the same (an APQ client resends)  |
| id and document, the id not its SHA-256   | BAD_USER_INPUT                 | BAD_USER_INPUT                    |
| id and document, unknown                  | OPERATION_NOT_ALLOWED          | registered (APQ), then run        |
| document only, its SHA-256 on the list    | the document                   | the document                      |
| document only, not on the list            | OPERATION_NOT_ALLOWED          | the document (ad hoc)             |

The refusals' messages never quote the document.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Mapping
from enum import StrEnum
from typing import Any

from hub.documents.manifest import MANIFEST_PATH, document_id, load
from hub.errors import ErrorCode
from hub.settings import Settings

TRUSTED_DOCUMENTS = "trusted_documents"  # services.extras key
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


class TrustMode(StrEnum):
    REQUIRED = "required"
    OFF = "off"


class DocumentRefused(Exception):
    def __init__(self, code: ErrorCode, message: str, status: int) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status


NOT_FOUND = DocumentRefused(ErrorCode.PERSISTED_QUERY_NOT_FOUND, "PersistedQueryNotFound", 200)
NOT_ALLOWED = DocumentRefused(
    ErrorCode.OPERATION_NOT_ALLOWED, "only trusted documents may run here: send a known documentId", 400
)


def requested_id(extensions: Mapping[str, Any] | None, document_id_field: object = None) -> str | None:
    """The id the client sent (Apollo's persistedQuery.sha256Hash, or documentId), lower-case hex."""
    value: object = document_id_field
    if value is None and extensions:
        persisted = extensions.get("persistedQuery")
        value = (
            persisted.get("sha256Hash") if isinstance(persisted, Mapping) else extensions.get("documentId")
        )
    if value is None:
        return None
    text = str(value).strip().lower().removeprefix("sha256:")
    if not _SHA256.match(text):
        raise DocumentRefused(ErrorCode.BAD_USER_INPUT, "a document id is a SHA-256 in hex", 400)
    return text


def trusted_documents(settings: Settings) -> TrustedDocuments:
    """The allow-list the settings name, in the settings' mode (required by default in production)."""
    path = settings.trusted_documents_manifest or MANIFEST_PATH
    mode = TrustMode.REQUIRED if settings.trusted_documents_required else TrustMode.OFF
    return TrustedDocuments(load(path), mode=mode)


class TrustedDocuments:
    def __init__(self, documents: Mapping[str, str], *, mode: TrustMode, registered_max: int = 1000) -> None:
        self.documents = dict(documents)
        self.ids = frozenset(self.documents)
        self.required = mode is TrustMode.REQUIRED
        self.registered: OrderedDict[str, str] = OrderedDict()  # APQ (development): bounded, per process
        self.registered_max = registered_max

    def resolve(
        self, query: str | None, extensions: Mapping[str, Any] | None, document_id_field: object = None
    ) -> str | None:
        wanted = requested_id(extensions, document_id_field)
        if wanted is None:
            if query is not None and self.required and document_id(query) not in self.ids:
                raise NOT_ALLOWED
            return query  # no document at all: strawberry answers that
        known = self.documents.get(wanted) or self._registered(wanted)
        if query is None:
            if known is None:
                raise NOT_FOUND
            return known
        if document_id(query) != wanted:
            raise DocumentRefused(ErrorCode.BAD_USER_INPUT, "the document does not match its id", 400)
        if known is None:
            if self.required:
                raise NOT_ALLOWED
            self._register(wanted, query)
        return query

    def _registered(self, wanted: str) -> str | None:
        body = self.registered.get(wanted)
        if body is not None:
            self.registered.move_to_end(wanted)
        return body

    def _register(self, wanted: str, body: str) -> None:
        self.registered[wanted] = body
        while len(self.registered) > self.registered_max:
            self.registered.popitem(last=False)
