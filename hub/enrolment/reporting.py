"""Who may see the steering report, and how each use of personal data behind it is logged.

`steering_report(...)` is the one entry point for GraphQL and the exports: STEERING_GROUP and COORDINATOR
only (FORBIDDEN otherwise); the figures come back suppressed (hub/enrolment/suppression.py). Computing
"now" reads members' department data and wellbeing scores: each use is handed to `on_use`, which the caller
turns into READ events (purpose HFI_EVALUATION: aggregate statistics, never shown per person). An export adds
one EXPORT event. Never returns, logs or audits a data value.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from hub.audit.events import AuditAction, AuditDecision, AuditEvent, actor_fields
from hub.auth.principal import Principal
from hub.enrolment.access import Actor, require_aggregate_reader
from hub.enrolment.report import SteeringReport, UseHook, compute
from hub.enrolment.service import EnrolmentService, cap_on, programme_start

PURPOSE = "HFI_EVALUATION"
SOURCE = "HUB:steering_report"


async def steering_report(
    service: EnrolmentService, actor: Actor, *, on_use: UseHook | None = None
) -> SteeringReport:
    require_aggregate_reader(actor.principal)
    today = actor.today
    async with service.sessions() as session:
        return await compute(
            session,
            service.vault,
            service.sources,
            start=programme_start(service.settings),
            cap=cap_on(service.settings, today),
            now=actor.now,
            today=today,
            deadline=actor.deadline,
            on_use=on_use,
        )


def use_event(
    principal: Principal,
    *,
    now: datetime,
    request_id: str | None,
    person_id: str,
    family_id: str,
    source: str,
    category: str,
    basis: str | None,
) -> AuditEvent:
    return AuditEvent(
        occurred_at=now,
        action=AuditAction.READ,
        decision=AuditDecision.GRANTED,
        reason="aggregate_report",
        **actor_fields(principal),
        subject_person_id=person_id,
        family_id=family_id,
        source=source,
        categories=(category,),
        purpose=PURPOSE,
        basis=basis,
        request_id=request_id,
    )


def export_event(
    principal: Principal,
    *,
    now: datetime,
    request_id: str | None,
    export_format: str,
    categories: Sequence[str],
) -> AuditEvent:
    return AuditEvent(
        occurred_at=now,
        action=AuditAction.EXPORT,
        decision=AuditDecision.GRANTED,
        reason=f"steering_report_{export_format}",
        actor_user_id=principal.user_id,
        actor_role=principal.role,
        actor_department=principal.department,
        actor_unit=principal.unit,
        client="http",
        subject_person_id=None,
        family_id=None,
        source=SOURCE,
        categories=tuple(sorted(set(categories))) or ("AGGREGATE",),
        purpose=PURPOSE,
        basis=None,
        request_id=request_id,
    )


def denied_export_event(
    principal: Principal, *, now: datetime, request_id: str | None, export_format: str
) -> AuditEvent:
    return AuditEvent(
        occurred_at=now,
        action=AuditAction.EXPORT,
        decision=AuditDecision.DENIED,
        reason="role_not_allowed",
        actor_user_id=principal.user_id,
        actor_role=principal.role,
        actor_department=principal.department,
        actor_unit=principal.unit,
        client="http",
        subject_person_id=None,
        family_id=None,
        source=SOURCE,
        categories=("AGGREGATE",),
        purpose=PURPOSE,
        basis=None,
        request_id=request_id,
    )
