"""The eligibility check the coordinator runs for a referred family, asked live of the departments.

Criteria (hub/enrolment/rules.py): a named housing area of the programme's districts, and open cases in at
least two departments. For the second, the gate (hub/family/gate.py: need-to-know, then consent) decides per
(member, department) BEFORE any call whether the member may be asked about; only those members are sent, in
one live batched call per department (not the cache: eligibility is decided on today's answer). A department
that is down, or about which no member may be asked, makes the answer UNKNOWN, never NO.

The assessment is stored with its criteria and evidence (department codes and counts, never data values) and
logged as a CHANGE in the same transaction; every (member, department) decision goes to the caller's audit
hook (READ, granted or denied). Never logs or stores a department's record.
"""

from __future__ import annotations

import asyncio
from dataclasses import asdict
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from connectors.base import LookupResult
from hub.crypto import CprVault
from hub.domain import Department, District
from hub.enrolment import store
from hub.enrolment.access import Actor, require_coordinator_on
from hub.enrolment.indicators import Gap
from hub.enrolment.models import EligibilityAssessment
from hub.enrolment.observe import Sources, fetch_department
from hub.enrolment.rules import (
    Answer,
    Criterion,
    CriterionResult,
    DepartmentFinding,
    combine,
    department_finding,
    housing_criterion,
    open_cases_criterion,
)
from hub.enrolment.views import AssessmentView
from hub.errors import NotFound
from hub.family import repository
from hub.family.gate import Gate
from hub.family.model import MemberInfo
from hub.family.sections import DecisionAudit
from hub.persistence.engine import transaction


async def assess(
    sessions: async_sessionmaker[AsyncSession],
    vault: CprVault,
    sources: Sources,
    actor: Actor,
    family_id: str,
    *,
    gate: Gate,
    audit: DecisionAudit | None = None,
) -> AssessmentView:
    await require_coordinator_on(gate, actor.principal, family_id, "assess eligibility")
    async with sessions() as session:
        families = await repository.get_families(session, [family_id])
        members = (await repository.members_of(session, vault, [family_id])).get(family_id, [])
    family = families.get(family_id)
    if family is None:
        raise NotFound("no such family", field="familyId")
    housing = housing_criterion(family.district, family.housing_area)
    open_cases = await _open_cases(sources, actor, members, gate=gate, audit=audit)
    eligibility = combine((housing, open_cases))
    async with transaction(sessions) as session:
        row = EligibilityAssessment(
            family_id=family_id,
            assessed_at=actor.now,
            assessed_by=actor.principal.user_id,
            outcome=eligibility.outcome,
            criteria=[criterion_json(c) for c in eligibility.criteria],
        )
        session.add(row)
        await session.flush()
        await store.log_change(
            session,
            actor.principal,
            now=actor.now,
            request_id=actor.request_id,
            family_id=family_id,
            entity_id=row.id,
            change="ASSESSED",
            summary=f"Eligibility assessed: {eligibility.outcome.value.lower().replace('_', ' ')}",
            diff={"outcome": eligibility.outcome.value},
        )
    return AssessmentView(row.id, family_id, actor.now, eligibility.outcome, eligibility.criteria)


async def _open_cases(
    sources: Sources,
    actor: Actor,
    members: list[MemberInfo],
    *,
    gate: Gate,
    audit: DecisionAudit | None,
) -> CriterionResult:
    departments = tuple(Department)
    decisions = await gate.decide_many(members, departments) if members else {}
    if audit is not None:
        for member in members:
            for department in departments:
                audit(member, department, decisions[(member.person_id, department)])
    allowed = {d: [m for m in members if decisions[(m.person_id, d)].allowed] for d in departments}
    answers = await asyncio.gather(
        *(
            fetch_department(sources, d, allowed[d], deadline=actor.deadline, now=actor.now, use_cache=False)
            for d in departments
        )
    )
    findings: dict[Department, DepartmentFinding] = {}
    for department, answered in zip(departments, answers, strict=True):
        results = list(answered.values())
        findings[department] = department_finding(
            asked=len(allowed[department]),
            without_basis=len(members) - len(allowed[department]),
            open_found=any(_open(r) for r in results),
            unavailable=any(r is Gap.UNAVAILABLE for r in results),
        )
    without_basis = sum(1 for m in members if not any(m in allowed[d] for d in departments))
    return open_cases_criterion(
        findings, members_assessed=len(members) - without_basis, members_without_basis=without_basis
    )


def _open(result: LookupResult | Gap) -> bool:
    return not isinstance(result, Gap) and getattr(result, "open_cases", 0) > 0


def criterion_json(criterion: CriterionResult) -> dict[str, Any]:
    raw = asdict(criterion)
    return {k: (list(v) if isinstance(v, tuple) else v) for k, v in raw.items()}


def criterion_from_json(raw: dict[str, Any]) -> CriterionResult:
    def departments(key: str) -> tuple[Department, ...]:
        return tuple(Department(d) for d in raw.get(key, ()))

    return CriterionResult(
        criterion=Criterion(raw["criterion"]),
        answer=Answer(raw["answer"]),
        explanation=str(raw.get("explanation", "")),
        district=District(raw["district"]) if raw.get("district") else None,
        housing_area=raw.get("housing_area"),
        named_area=raw.get("named_area"),
        departments_with_open_cases=departments("departments_with_open_cases"),
        departments_without_open_cases=departments("departments_without_open_cases"),
        departments_unavailable=departments("departments_unavailable"),
        departments_without_basis=departments("departments_without_basis"),
        members_assessed=int(raw.get("members_assessed", 0)),
        members_without_basis=int(raw.get("members_without_basis", 0)),
    )
