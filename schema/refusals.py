"""Refused changes are security events: every mutation answered NOT_FOUND, FORBIDDEN or CONSENT_REQUIRED is
written to the audit log's security chain (DENIED, action CHANGE), whether the refusal is raised (a top-level
error) or returned as data (a typed error such as `PlanNotFoundError`).

`RefusalAudit` is a field extension on every root mutation field (`install_refusal_audit`, applied to the
schema's mutation types at import); it adds one event to the request's audit buffer, which the audit flush
writes with the request's other events (fail closed, like refused reads). The event names the mutation and
the code (`reason: refused:<CODE>:<mutation>`) and the family id the caller asked about where the mutation
takes one; never the input's values. It never changes the answer, so a refusal stays indistinguishable from
an id that names nothing (tests/integration/plan/test_existence_oracle.py).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from strawberry.extensions import FieldExtension
from strawberry.types import Info
from strawberry.utils.str_converters import to_camel_case

from hub.audit.buffer import audit_read
from hub.audit.events import AuditAction, AuditDecision
from hub.errors import AppError, ErrorCode

REFUSED = frozenset({ErrorCode.NOT_FOUND.value, ErrorCode.FORBIDDEN.value, ErrorCode.CONSENT_REQUIRED.value})
SOURCE = "HUB:mutation"
# Mutations that write their own refusals to the security chain already (hub/access/breakglass/service.py).
AUDITS_ITS_OWN_REFUSALS = frozenset({"requestEmergencyAccess"})


def refused_code(result: Any) -> str | None:
    """The code of a refusal returned as data (an error type with a `code`), else None."""
    if result is None or not type(result).__name__.endswith("Error"):
        return None
    code = getattr(result, "code", None)
    return code if isinstance(code, str) and code in REFUSED else None


def _family_id(kwargs: dict[str, Any]) -> str | None:
    for value in (kwargs.get("family_id"), getattr(kwargs.get("input"), "family_id", None)):
        if isinstance(value, str) and value:
            return value[:36]  # the id asked for, which may name nothing: bounded like any audit id
    return None


def _audit(info: Info, code: str, kwargs: dict[str, Any]) -> None:
    audit_read(
        info,
        subject_person_id=None,
        source=SOURCE,
        categories=(),
        decision=AuditDecision.DENIED,
        reason=f"refused:{code}:{info.field_name}"[:64],
        family_id=_family_id(kwargs),
        action=AuditAction.CHANGE,
    )


def _code_of(exc: AppError) -> str | None:
    code = str(exc.extensions.get("code", exc.code.value))
    return code if code in REFUSED else None


class RefusalAudit(FieldExtension):
    def resolve(self, next_: Callable[..., Any], source: Any, info: Info, **kwargs: Any) -> Any:
        try:
            result = next_(source, info, **kwargs)
        except AppError as exc:
            if (code := _code_of(exc)) is not None:
                _audit(info, code, kwargs)
            raise
        if (code := refused_code(result)) is not None:
            _audit(info, code, kwargs)
        return result

    async def resolve_async(
        self, next_: Callable[..., Awaitable[Any]], source: Any, info: Info, **kwargs: Any
    ) -> Any:
        try:
            result = await next_(source, info, **kwargs)
        except AppError as exc:
            if (code := _code_of(exc)) is not None:
                _audit(info, code, kwargs)
            raise
        if (code := refused_code(result)) is not None:
            _audit(info, code, kwargs)
        return result


def install_refusal_audit(mutation_types: Iterable[type]) -> None:
    """Add `RefusalAudit` to every field of these root mutation types (once; before a schema is built)."""
    for mutation_type in mutation_types:
        for field in mutation_type.__strawberry_definition__.fields:  # type: ignore[attr-defined]
            if (field.graphql_name or to_camel_case(field.python_name)) in AUDITS_ITS_OWN_REFUSALS:
                continue
            if not any(isinstance(e, RefusalAudit) for e in field.extensions):
                field.extensions.append(RefusalAudit())
