"""Bridges the family view's section decisions into the request's audit buffer.

`section_audit(context)` is handed to `SectionService(audit=...)`: every (member, department) decision the
gate makes for this request becomes one READ event (granted with the categories shown, or denied with the
reason; under an emergency grant with its purpose), buffered before any connector call and flushed by `AuditFlush` before the response leaves.
"""

from __future__ import annotations

from hub.audit.buffer import DEFAULT_PURPOSE, audit_read
from hub.audit.events import AuditDecision
from hub.domain import Department
from hub.family.gate import SectionDecision
from hub.family.model import MemberInfo
from hub.family.sections import DecisionAudit
from schema.context import Context


def section_audit(context: Context) -> DecisionAudit:
    def audit(member: MemberInfo, department: Department, decision: SectionDecision) -> None:
        audit_read(
            context,
            subject_person_id=member.person_id,
            family_id=member.family_id,
            source=department.value,
            categories=[c.value for c in decision.categories],
            decision=AuditDecision.GRANTED if decision.allowed else AuditDecision.DENIED,
            reason=decision.reason,
            basis=decision.basis,
            # Under an emergency grant: EMERGENCY_ACCESS:<grant id> (the justification stays in the grant).
            purpose=decision.purpose or DEFAULT_PURPOSE,
        )

    return audit
