"""The audit event every concern hands to the audit log: one access to or change of personal data.

Concerns build `AuditEvent`s and call `hub.audit.log.record(session, events)` (changes: in the same
transaction as the change) or add read events to the per-request buffer (`hub.audit.buffer.audit_read`).
Never put a CPR number, a name or health data in any field: use ids and category codes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol, TypedDict

from hub.domain import Department, Role


class AuditAction(StrEnum):
    READ = "READ"
    SEARCH = "SEARCH"
    CHANGE = "CHANGE"
    EXPORT = "EXPORT"
    CONSENT_CHANGE = "CONSENT_CHANGE"
    PUSH = "PUSH"


class AuditDecision(StrEnum):
    GRANTED = "GRANTED"
    DENIED = "DENIED"


class AuditKind(StrEnum):
    """Which chain (and retention) an entry belongs to. Each kind is its own hash chain, so that purging one
    kind's old entries cuts a clean prefix off that chain."""

    CITIZEN_FACING = "CITIZEN_FACING"  # granted reads, searches, exports of a person's data: 2 years
    SECURITY = "SECURITY"  # denials, authentication events: 6 months
    CHANGE = "CHANGE"  # changes of a person's data, consents, pushes: 5+ years


_CHANGE_ACTIONS = frozenset({AuditAction.CHANGE, AuditAction.CONSENT_CHANGE, AuditAction.PUSH})


@dataclass(frozen=True, slots=True)
class AuditEvent:
    occurred_at: datetime
    action: AuditAction
    decision: AuditDecision
    reason: str  # machine-readable: e.g. "consent", "own_department", "no_consent", "not_assigned"
    actor_user_id: str | None
    actor_role: Role | None
    actor_department: Department | None
    actor_unit: str
    client: str  # graphql, webhook, cli
    subject_person_id: str | None  # whose data (hub person id, never the CPR)
    family_id: str | None
    source: str  # a department code (SOF…SUF) or a hub-owned source: "HUB:plan", "HUB:consent", ...
    categories: tuple[str, ...]
    purpose: str  # e.g. "HFI_COORDINATION"
    basis: str | None  # consent id or statute
    request_id: str | None
    # Optional: force a kind (e.g. SECURITY for an authentication event); None derives it, see `kind_of`.
    kind: AuditKind | None = None


def kind_of(event: AuditEvent) -> AuditKind:
    """Denials are security events; changes go to the change trail; granted reads are citizen-facing."""
    if event.kind is not None:
        return event.kind
    if event.decision is AuditDecision.DENIED:
        return AuditKind.SECURITY
    if event.action in _CHANGE_ACTIONS:
        return AuditKind.CHANGE
    return AuditKind.CITIZEN_FACING


class Actor(Protocol):
    """Who acts (a Principal): the fields an audit event records about them."""

    @property
    def user_id(self) -> str: ...
    @property
    def role(self) -> Role: ...
    @property
    def department(self) -> Department | None: ...
    @property
    def unit(self) -> str: ...
    @property
    def client(self) -> str: ...


class ActorFields(TypedDict):
    actor_user_id: str | None
    actor_role: Role | None
    actor_department: Department | None
    actor_unit: str
    client: str


def actor_fields(actor: Actor) -> ActorFields:
    """The actor's part of an AuditEvent, so each writer does not spell the five fields out again."""
    return {
        "actor_user_id": actor.user_id,
        "actor_role": actor.role,
        "actor_department": actor.department,
        "actor_unit": actor.unit,
        "client": actor.client,
    }
