"""The consent registry on a real database: recording rules, who may change it, withdrawal, supersession."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import date, timedelta

import pytest
from consent_family import FAMILY, NOW, Clock, People
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub.audit.events import AuditAction
from hub.audit.models import AuditEntry
from hub.consent.hooks import WITHDRAWAL_HOOKS, Withdrawal, register_withdrawal_hook
from hub.consent.rules import ConsentRequest
from hub.consent.service import ConsentService, StatutoryRequest
from hub.consent.vocabulary import Channel, ConsentStatus, EffectiveState, GrantorCapacity
from hub.domain import DataCategory, Department
from hub.errors import AppError, BadUserInput, Conflict, Forbidden, NotFound
from hub.ingestion.cache import SOURCE_PURGED
from hub.ingestion.models import CachedSection
from hub.persistence.engine import transaction

CASE = frozenset({DataCategory.CASE})
CASE_HEALTH = frozenset({DataCategory.CASE, DataCategory.HEALTH})


def req(subject: str, *grantors: str, **changes: object) -> ConsentRequest:
    base = ConsentRequest(
        subject_id=subject,
        grantor_ids=grantors,
        departments=frozenset(Department),
        categories=CASE,
        collected_via=Channel.PAPER,
        evidence_ref="J-2026-77",
    )
    return replace(base, **changes)  # type: ignore[arg-type]


async def failure(coro: object) -> AppError:
    with pytest.raises(AppError) as caught:
        await coro  # type: ignore[misc]
    return caught.value


async def _audit(sessions: async_sessionmaker[AsyncSession]) -> list[AuditEntry]:
    async with sessions() as s:
        return list(
            await s.scalars(select(AuditEntry).where(AuditEntry.action == AuditAction.CONSENT_CHANGE))
        )


async def test_record_an_adults_consent_and_audit_it(
    service: ConsentService, people: People, family_db: async_sessionmaker[AsyncSession]
) -> None:
    view = await service.record_consent(people.coordinator, req("P-mother", "P-mother"), request_id="req-1")
    assert view.status is ConsentStatus.ACTIVE
    assert [(g.person_id, g.capacity) for g in view.grantors] == [("P-mother", GrantorCapacity.SELF)]
    assert (view.valid_from, view.valid_until) == (date(2026, 11, 24), date(2027, 11, 23))
    assert view.collected_by == people.coordinator.user_id
    entries = await _audit(family_db)
    assert [(e.reason, e.basis, e.subject_person_id, e.family_id, e.request_id) for e in entries] == [
        ("consent_recorded", view.id, "P-mother", FAMILY, "req-1")
    ]
    assert entries[0].source == "HUB:consent"


async def test_joint_custody_needs_both_and_a_grantor_needs_custody(
    service: ConsentService, people: People
) -> None:
    one = await failure(service.record_consent(people.core_sof, req("P-child", "P-mother")))
    assert isinstance(one, BadUserInput)
    assert one.extensions["field"] == "grantors"
    assert one.extensions["missingPersonIds"] == ["P-father"]
    step = await failure(service.record_consent(people.core_sof, req("P-child", "P-mother", "P-step")))
    assert step.extensions == {"code": "BAD_USER_INPUT", "field": "grantors", "personIds": ["P-step"]}
    both = await service.record_consent(people.core_sof, req("P-child", "P-mother", "P-father"))
    assert {(g.person_id, g.capacity) for g in both.grantors} == {
        ("P-mother", GrantorCapacity.CUSTODY_HOLDER),
        ("P-father", GrantorCapacity.CUSTODY_HOLDER),
    }


async def test_a_15_plus_year_old_consents_alone_and_alone_to_health(
    service: ConsentService, people: People
) -> None:
    parent_health = await failure(
        service.record_consent(people.coordinator, req("P-youth", "P-mother", categories=CASE_HEALTH))
    )
    assert parent_health.extensions["field"] == "categories"
    parent_case = await failure(service.record_consent(people.coordinator, req("P-youth", "P-mother")))
    assert parent_case.extensions["field"] == "grantors"
    own = await service.record_consent(people.coordinator, req("P-youth", "P-youth", categories=CASE_HEALTH))
    assert own.categories == (DataCategory.CASE, DataCategory.HEALTH)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"valid_from": date(2026, 12, 10), "valid_until": date(2026, 12, 1)}, "validUntil"),
        ({"departments": frozenset()}, "departments"),
        ({"categories": frozenset()}, "categories"),
    ],
)
async def test_bad_scope_or_period(
    service: ConsentService, people: People, changes: dict[str, object], field: str
) -> None:
    error = await failure(service.record_consent(people.coordinator, req("P-mother", "P-mother", **changes)))
    assert (error.extensions["code"], error.extensions["field"]) == ("BAD_USER_INPUT", field)


async def test_only_the_familys_team_records(service: ConsentService, people: People) -> None:
    assert isinstance(
        await failure(service.record_consent(people.other_coordinator, req("P-mother", "P-mother"))), NotFound
    )
    assert isinstance(
        await failure(service.record_consent(people.caseworker_buf, req("P-mother", "P-mother"))), Forbidden
    )
    assert isinstance(
        await failure(service.record_consent(people.mother, req("P-mother", "P-mother"))), Forbidden
    )
    missing = await failure(service.record_consent(people.coordinator, req("P-nobody", "P-nobody")))
    assert isinstance(missing, NotFound)


@pytest.fixture
def hook_calls() -> Iterator[list[Withdrawal]]:
    calls: list[Withdrawal] = []

    async def hook(session: AsyncSession, withdrawal: Withdrawal) -> None:
        calls.append(withdrawal)

    register_withdrawal_hook(hook)
    register_withdrawal_hook(hook)  # registering twice runs it once
    yield calls
    WITHDRAWAL_HOOKS.remove(hook)


async def _cache(
    sessions: async_sessionmaker[AsyncSession], person_id: str, *departments: Department
) -> None:
    async with transaction(sessions) as s:
        await s.execute(
            insert(CachedSection),
            [
                {
                    "person_id": person_id,
                    "department": d,
                    "record": {"x": 1},
                    "not_registered": False,
                    "fetched_at": NOW - timedelta(minutes=1),
                    "source": "FETCH",
                }
                for d in departments
            ],
        )


async def _cached(sessions: async_sessionmaker[AsyncSession], person_id: str) -> set[Department]:
    async with sessions() as s:
        return set(
            await s.scalars(
                select(CachedSection.department).where(
                    CachedSection.person_id == person_id,
                    CachedSection.source != SOURCE_PURGED,  # a purge leaves a tombstone, no data
                )
            )
        )


async def test_withdrawal_works_from_now_purges_the_cache_and_runs_hooks(
    service: ConsentService,
    people: People,
    family_db: async_sessionmaker[AsyncSession],
    clock: Clock,
    hook_calls: list[Withdrawal],
) -> None:
    consent = await service.record_consent(
        people.coordinator,
        req("P-mother", "P-mother", departments=frozenset({Department.SOF, Department.BIF})),
    )
    await _cache(family_db, "P-mother", Department.SOF, Department.BIF, Department.KFF)
    clock.now = NOW + timedelta(hours=1)
    view = await service.withdraw_consent(
        people.core_sof,
        consent.id,
        Channel.VERBAL_JOURNALISED,
        withdrawn_by_person_id="P-mother",
        request_id="r2",
    )
    assert (view.status, view.withdrawn_at, view.withdrawal_channel) == (
        ConsentStatus.WITHDRAWN,
        clock.now,
        Channel.VERBAL_JOURNALISED,
    )
    assert (view.withdrawn_by_person_id, view.valid_from) == ("P-mother", consent.valid_from)  # not backwards
    assert await _cached(family_db, "P-mother") == {Department.KFF}  # KFF was not under this consent
    assert [(w.consent_id, w.departments) for w in hook_calls] == [
        (consent.id, frozenset({Department.SOF, Department.BIF}))
    ]
    assert [e.reason for e in await _audit(family_db)] == ["consent_recorded", "consent_withdrawn"]
    again = await failure(service.withdraw_consent(people.core_sof, consent.id, Channel.PAPER))
    assert isinstance(again, Conflict)
    nobody = await failure(service.withdraw_consent(people.coordinator, "no-such-consent", Channel.PAPER))
    assert isinstance(nobody, NotFound)


async def test_who_may_withdraw(service: ConsentService, people: People) -> None:
    child = await service.record_consent(people.coordinator, req("P-child", "P-mother", "P-father"))
    youth = await service.record_consent(people.coordinator, req("P-youth", "P-youth"))
    # The team records a withdrawal only for someone entitled to withdraw.
    step = await failure(
        service.withdraw_consent(people.coordinator, child.id, Channel.PAPER, withdrawn_by_person_id="P-step")
    )
    assert step.extensions["field"] == "withdrawnByPersonId"
    # A parent may not withdraw a 17-year-old's own consent; the young person may.
    assert isinstance(
        await failure(service.withdraw_consent(people.mother, youth.id, Channel.PAPER)), NotFound
    )
    own = await service.withdraw_consent(people.youth, youth.id, Channel.PAPER)
    assert (own.status, own.withdrawal_channel, own.withdrawn_by_person_id) == (
        ConsentStatus.WITHDRAWN,
        Channel.DIGITAL,  # the citizen's own channel, whatever the client said
        "P-youth",
    )
    # Either custody holder may withdraw a joint consent alone (consent needs both, withdrawal one).
    by_mother = await service.withdraw_consent(people.mother, child.id, Channel.DIGITAL)
    assert by_mother.withdrawn_by_person_id == "P-mother"
    assert isinstance(
        await failure(service.withdraw_consent(people.caseworker_buf, child.id, Channel.PAPER)), AppError
    )


async def test_supersede_replaces_and_purges_what_the_new_consent_drops(
    service: ConsentService, people: People, family_db: async_sessionmaker[AsyncSession], clock: Clock
) -> None:
    old = await service.record_consent(people.coordinator, req("P-father", "P-father"))
    await _cache(family_db, "P-father", Department.SOF, Department.SUF)
    clock.now = NOW + timedelta(days=1)
    new = await service.supersede_consent(
        people.coordinator,
        old.id,
        req("P-father", "P-father", departments=frozenset({Department.SOF}), categories=CASE_HEALTH),
    )
    assert new.status is ConsentStatus.ACTIVE
    assert await _cached(family_db, "P-father") == {Department.SOF}
    overview = await service.family_consents(people.coordinator, FAMILY)
    by_id = {c.id: c for c in overview.consents}
    assert (by_id[old.id].status, by_id[old.id].superseded_by) == (ConsentStatus.SUPERSEDED, new.id)
    states = {
        d.department: (d.state, d.health)
        for m in overview.members
        if m.person_id == "P-father"
        for d in m.departments
    }
    assert states[Department.SOF] == (EffectiveState.ACTIVE, True)
    assert states[Department.SUF] == (EffectiveState.NONE, False)
    assert isinstance(
        await failure(service.supersede_consent(people.coordinator, old.id, req("P-father", "P-father"))),
        Conflict,
    )
    other = await failure(service.supersede_consent(people.coordinator, new.id, req("P-mother", "P-mother")))
    assert other.extensions["field"] == "subjectId"


async def test_family_consents_and_statutory_bases_by_viewer(
    service: ConsentService, people: People, clock: Clock
) -> None:
    clock.now = NOW - timedelta(days=400)
    expiring = await service.record_consent(people.coordinator, req("P-mother", "P-mother"))
    clock.now = NOW
    await service.record_consent(
        people.coordinator, req("P-child", "P-mother", "P-father", categories=CASE_HEALTH)
    )
    basis = await service.record_statutory_basis(
        people.core_sof,
        StatutoryRequest("P-tween", "Barnets lov § 133", "SOF-2026-1", frozenset({Department.SOF})),
    )
    assert basis.in_force
    team = await service.family_consents(people.coordinator, FAMILY)
    state = {(m.person_id, d.department): d for m in team.members for d in m.departments}
    assert state[("P-mother", Department.SOF)].state is EffectiveState.EXPIRED
    assert state[("P-mother", Department.SOF)].consent_id == expiring.id
    assert state[("P-child", Department.SUF)].state is EffectiveState.ACTIVE
    assert state[("P-child", Department.SUF)].health is True
    assert state[("P-tween", Department.SOF)].state is EffectiveState.STATUTORY
    assert state[("P-tween", Department.BIF)].state is EffectiveState.NONE
    assert state[("P-step", Department.SOF)].state is EffectiveState.NONE
    assert team.statutory_bases is not None
    assert [b.id for b in team.statutory_bases] == [basis.id]
    # The mother sees herself and her children under 18, never statutory bases nor the stepfather.
    mother = await service.family_consents(people.mother, FAMILY)
    assert mother.statutory_bases is None
    assert {m.person_id for m in mother.members} == {"P-mother", "P-child", "P-tween", "P-youth"}
    mstate = {(m.person_id, d.department): d for m in mother.members for d in m.departments}
    assert mstate[("P-tween", Department.SOF)].state is EffectiveState.NONE
    assert mstate[("P-youth", Department.SUF)].health is None  # a 15+ child's health is the child's own
    assert isinstance(await failure(service.family_consents(people.other_coordinator, FAMILY)), NotFound)
    assert isinstance(await failure(service.family_consents(people.caseworker_buf, FAMILY)), Forbidden)


async def test_statutory_basis_input_errors(service: ConsentService, people: People) -> None:
    blank = StatutoryRequest("P-tween", " ", "SOF-1", frozenset({Department.SOF}))
    assert (await failure(service.record_statutory_basis(people.core_sof, blank))).extensions["field"] == (
        "statuteReference"
    )
    backwards = StatutoryRequest(
        "P-tween",
        "Barnets lov § 133",
        "SOF-1",
        frozenset({Department.SOF}),
        valid_from=date(2026, 12, 2),
        valid_until=date(2026, 12, 1),
    )
    assert (await failure(service.record_statutory_basis(people.core_sof, backwards))).extensions[
        "field"
    ] == ("validUntil")
    citizen = StatutoryRequest("P-tween", "Barnets lov § 133", "SOF-1", frozenset({Department.SOF}))
    assert isinstance(await failure(service.record_statutory_basis(people.mother, citizen)), Forbidden)
