"""The enrolment concern's per-request helpers: the actor, the service, and the audit hooks of a request.

Snapshot reads at enrolment go to the request's audit buffer as READ events (purpose HFI_EVALUATION), the
eligibility check's section decisions as the family view's own READ events (schema/audit/reads.py).
"""

from __future__ import annotations

from hub.audit.buffer import audit_read
from hub.domain import Department
from hub.enrolment.access import Actor
from hub.enrolment.observe import ReadHook
from hub.enrolment.reporting import PURPOSE as EVALUATION
from hub.enrolment.service import EnrolmentService
from hub.enrolment.wiring import enrolment_service
from hub.family.model import MemberInfo
from schema.context import Context, Info


def actor(info: Info) -> Actor:
    ctx = info.context
    return Actor(ctx.require_principal(), ctx.now, ctx.deadline, ctx.request_id or None)


def service(info: Info) -> EnrolmentService:
    return enrolment_service(info.context.services)


def snapshot_audit(context: Context) -> ReadHook:
    def hook(member: MemberInfo, department: Department, basis: str) -> None:
        audit_read(
            context,
            subject_person_id=member.person_id,
            family_id=member.family_id,
            source=department.value,
            categories=["CASE"],
            reason="enrolment_snapshot",
            basis=basis,
            purpose=EVALUATION,
        )

    return hook
