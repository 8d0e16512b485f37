"""Asking for, reviewing and listing emergency access; every step audited in the security chain.

- `request_access`: a worker whose role may break glass (policy.py) asks for a family they do not already
  see, with a reason code and a justification; the grant covers their role's departments for
  `HUB_BREAK_GLASS_TTL_S`. The grant row is an access fact (the read model drops the family's facts at commit).
- `review`: an administrator's verdict (JUSTIFIED / NOT_JUSTIFIED, with a note); NOT_JUSTIFIED revokes a grant
  still in force at once.
- `reviews`: the administrators' queue (unreviewed first by default).
- `announce`: after commit, the family's live channel hears of the grant; only its coordinator receives it
  (hub/ingestion/live.py).

Audit events carry the grant id and reason code, never the justification or the note (they stay in the row).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub.access import policy as access_policy
from hub.access.breakglass import policy
from hub.access.breakglass.models import BreakGlassGrant
from hub.access.breakglass.policy import EmergencyGrant, ReasonCode, Verdict
from hub.access.breakglass.store import grant_of
from hub.audit.events import AuditAction, AuditDecision, AuditEvent, AuditKind, actor_fields
from hub.audit.log import record
from hub.auth.principal import Principal
from hub.domain import Department, Role
from hub.errors import BadUserInput, Conflict, Forbidden, NotFound
from hub.family import repository
from hub.family.gate import Gate
from hub.ingestion import feed
from hub.persistence.engine import transaction
from hub.persistence.models import User
from hub.pubsub import PubSub

SOURCE = "HUB:break_glass"
REVIEW_PURPOSE = "BREAK_GLASS_REVIEW"
NOTE_MAX = 2000
MAX_REVIEWS = 100
MESSAGE_TYPE = "EMERGENCY_ACCESS"  # on the family's live channel, stored and numbered (hub/ingestion/feed.py)


@dataclass(frozen=True, slots=True)
class GrantView:
    """A grant as its requester and the administrators see it (no department data, ever)."""

    grant: EmergencyGrant
    justification: str
    worker_username: str
    worker_role: Role
    worker_department: Department | None
    worker_unit: str
    review_verdict: Verdict | None
    review_note: str | None
    reviewed_at: datetime | None


def _view(row: BreakGlassGrant, user: User) -> GrantView:
    return GrantView(
        grant=grant_of(row),
        justification=row.justification,
        worker_username=user.username,
        worker_role=user.role,
        worker_department=user.department,
        worker_unit=user.unit,
        review_verdict=Verdict(row.review_verdict) if row.review_verdict else None,
        review_note=row.review_note,
        reviewed_at=row.reviewed_at,
    )


def _event(  # noqa: PLR0917 - one audit event's facts
    principal: Principal,
    now: datetime,
    grant: EmergencyGrant,
    reason: str,
    purpose: str,
    request_id: str | None,
) -> AuditEvent:
    return AuditEvent(
        occurred_at=now,
        action=AuditAction.CHANGE,
        decision=AuditDecision.GRANTED,
        reason=reason,
        **actor_fields(principal),
        subject_person_id=None,
        family_id=grant.family_id,
        source=SOURCE,
        categories=tuple(sorted(d.value for d in grant.departments)),
        purpose=purpose,
        basis=grant.id,
        request_id=request_id,
        kind=AuditKind.SECURITY,
    )


async def request_access(
    sessions: async_sessionmaker[AsyncSession],
    gate: Gate,
    family_id: str,
    reason_code: str,
    justification: str,
    *,
    now: datetime,
    ttl_s: int,
    request_id: str | None = None,
) -> GrantView:
    principal = gate.principal
    if principal is None:
        raise Forbidden("your role may not ask for emergency access")
    if principal.role not in policy.BREAK_GLASS_ROLES:
        await _refused(sessions, principal, family_id, "role_may_not_break_glass", now, request_id)
        raise Forbidden("your role may not ask for emergency access")
    checked = policy.check_justification(reason_code, justification)
    if not checked.allowed:
        raise BadUserInput(_INPUT_MESSAGES[checked.reason], field=checked.field)
    facts = await gate.facts_about([family_id])
    decided = policy.may_request(
        principal, already_visible=access_policy.family_access(principal, facts, family_id).allowed
    )
    if not decided.allowed:
        await _refused(sessions, principal, family_id, decided.reason, now, request_id)
        if decided.reason == "already_has_access":
            raise Conflict("you already have access to this family; emergency access is not needed")
        raise Forbidden("your role may not ask for emergency access")
    if await gate.emergency_grant(family_id) is not None:
        raise Conflict("your emergency access to this family is still in force")
    async with transaction(sessions) as session:
        if family_id not in await repository.get_families(session, [family_id]):
            raise NotFound("no such family", field="familyId")
        row = BreakGlassGrant(
            user_id=principal.user_id,
            family_id=family_id,
            reason_code=ReasonCode(reason_code).value,
            justification=justification.strip(),
            departments=sorted(d.value for d in policy.covered_departments(principal)),
            granted_at=now,
            expires_at=now + timedelta(seconds=ttl_s),
        )
        session.add(row)
        await session.flush()
        grant = grant_of(row)
        reason = f"break_glass_granted:{grant.reason.value}"
        await record(session, [_event(principal, now, grant, reason, grant.purpose, request_id)])
        user = await session.get_one(User, principal.user_id)
        return _view(row, user)


async def _refused(  # noqa: PLR0917 - one refusal's facts
    sessions: async_sessionmaker[AsyncSession],
    principal: Principal,
    family_id: str,
    reason: str,
    now: datetime,
    request_id: str | None,
) -> None:
    """A refused request is a security event too (who tried, for which family id, why refused)."""
    event = AuditEvent(
        occurred_at=now,
        action=AuditAction.CHANGE,
        decision=AuditDecision.DENIED,
        reason=f"break_glass_refused:{reason}",
        **actor_fields(principal),
        subject_person_id=None,
        family_id=family_id[:36],
        source=SOURCE,
        categories=(),
        purpose=policy.AUDIT_PURPOSE,
        basis=None,
        request_id=request_id,
        kind=AuditKind.SECURITY,
    )
    async with transaction(sessions) as session:
        await record(session, [event])


_INPUT_MESSAGES = {
    "unknown_reason_code": "unknown reasonCode",
    "justification_too_short": f"justification must be at least {policy.JUSTIFICATION_MIN} characters",
    "justification_too_long": f"justification must be at most {policy.JUSTIFICATION_MAX} characters",
}


async def review(
    sessions: async_sessionmaker[AsyncSession],
    principal: Principal | None,
    grant_id: str,
    verdict: str,
    note: str,
    *,
    now: datetime,
    request_id: str | None = None,
) -> GrantView:
    if not policy.may_review(principal):
        raise Forbidden("only administrators review emergency access")
    assert principal is not None  # noqa: S101 - may_review
    if verdict not in Verdict.__members__:
        raise BadUserInput("unknown verdict", field="verdict")
    text = note.strip()
    if not 1 <= len(text) <= NOTE_MAX:
        raise BadUserInput(f"note must be 1-{NOTE_MAX} characters", field="note")
    async with transaction(sessions) as session:
        row = await session.get(BreakGlassGrant, grant_id, with_for_update=True)
        if row is None:
            raise NotFound("no such emergency access", field="id")
        if row.review_verdict is not None:
            raise Conflict("this emergency access was already reviewed")
        row.review_verdict = Verdict(verdict).value
        row.review_note = text
        row.reviewed_by = principal.user_id
        row.reviewed_at = now
        if verdict == Verdict.NOT_JUSTIFIED and grant_of(row).active_at(now):
            row.revoked_at = now  # an access fact: the read model drops the family's grants at commit
        await session.flush()
        grant = grant_of(row)
        reason = f"break_glass_review:{verdict}"
        await record(session, [_event(principal, now, grant, reason, REVIEW_PURPOSE, request_id)])
        user = await session.get_one(User, row.user_id)
        return _view(row, user)


async def reviews(
    sessions: async_sessionmaker[AsyncSession],
    principal: Principal | None,
    *,
    include_reviewed: bool = False,
    first: int = 50,
) -> list[GrantView]:
    """The administrators' queue: unreviewed grants, oldest first (or all, newest first)."""
    if not policy.may_review(principal):
        raise Forbidden("only administrators review emergency access")
    if not 1 <= first <= MAX_REVIEWS:
        raise BadUserInput(f"first must be between 1 and {MAX_REVIEWS}", field="first")
    stmt = select(BreakGlassGrant, User).join(User, User.id == BreakGlassGrant.user_id)
    if include_reviewed:
        stmt = stmt.order_by(BreakGlassGrant.granted_at.desc(), BreakGlassGrant.id)
    else:
        stmt = stmt.where(BreakGlassGrant.review_verdict.is_(None)).order_by(
            BreakGlassGrant.granted_at, BreakGlassGrant.id
        )
    async with sessions() as session:
        rows = (await session.execute(stmt.limit(first))).all()
    return [_view(row, user) for row, user in rows]


async def announce(
    sessions: async_sessionmaker[AsyncSession], pubsub: PubSub | None, view: GrantView, now: datetime
) -> None:
    """After commit: tell the family's coordinator (role, administration, unit and reason; never a name), as a
    stored update a reconnecting subscriber can resume past (hub/ingestion/feed.py)."""
    if pubsub is None:
        return
    grant = view.grant
    who = view.worker_role.value.lower().replace("_", " ")
    where = view.worker_department.value if view.worker_department else "HFI"
    until = grant.expires_at.strftime("%Y-%m-%d %H:%M UTC")
    await feed.announce(
        sessions,
        pubsub,
        [
            {
                "type": MESSAGE_TYPE,
                "familyId": grant.family_id,
                "personId": None,
                "grantId": grant.id,
                "summary": f"Emergency access (nødadgang) by a {where} {who} ({view.worker_unit}): "
                f"{grant.reason.value}, until {until}",
                "occurredAt": now.isoformat(),
            }
        ],
    )
