"""What ingestion leaves behind besides data: PUSH audit events and CPR-masked copies for the dead letters.

Never lets a CPR number through: audit events name hub person ids, masked payloads replace every CPR-shaped
string.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from connectors.records import DepartmentRecord
from hub.audit.events import AuditAction, AuditDecision, AuditEvent
from hub.auth.principal import Principal
from hub.domain import DataCategory, Department
from hub.family.redact import withheld_categories

PURPOSE = "HFI_COORDINATION"
_CPR_LIKE = re.compile(r"(?<!\d)\d{6}-?\d{4}(?!\d)")
_MAX_DEPTH = 20


def push_audit(
    principal: Principal,
    *,
    now: datetime,
    request_id: str | None,
    department: Department | None,
    person_id: str | None = None,
    family_id: str | None = None,
    record: DepartmentRecord | None = None,
    granted: bool = True,
) -> AuditEvent:
    """One PUSH event: granted for an accepted event (with the record's categories), denied otherwise."""
    categories: set[DataCategory] = set()
    if granted:
        categories.add(DataCategory.CASE)
        if record is not None:
            # The special categories (health) the pushed record holds data in.
            categories |= withheld_categories(record, frozenset({DataCategory.CASE}))
    return AuditEvent(
        occurred_at=now,
        action=AuditAction.PUSH,
        decision=AuditDecision.GRANTED if granted else AuditDecision.DENIED,
        reason="own_department" if granted else "wrong_department",
        actor_user_id=principal.user_id or None,
        actor_role=principal.role,
        actor_department=principal.department,
        actor_unit=principal.unit,
        client=principal.client,
        subject_person_id=person_id,
        family_id=family_id,
        source=department.value if department is not None else "",
        categories=tuple(sorted(c.value for c in categories)),
        purpose=PURPOSE,
        basis="own_department" if granted else None,
        request_id=request_id,
    )


def masked(value: Any, depth: int = 0) -> Any:
    """The raw event with every CPR-shaped string masked and the subject removed (it is stored encrypted)."""
    if depth > _MAX_DEPTH:
        return None
    if isinstance(value, Mapping):
        return {str(k): masked(v, depth + 1) for k, v in value.items() if k != "subjectCpr"}
    if isinstance(value, list | tuple):
        return [masked(v, depth + 1) for v in value]
    if isinstance(value, str):
        return _CPR_LIKE.sub("<cpr>", value)
    if value is None or isinstance(value, bool | int | float):
        return value
    return str(value)
