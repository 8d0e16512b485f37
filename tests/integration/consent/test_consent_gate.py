"""The gate's consent step on a real database: verdicts, categories, and one load of consents per request."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from consent_family import BORN, FAMILY, NOW, ROLES, Clock, People
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub.consent.rules import ConsentRequest
from hub.consent.service import ConsentService
from hub.consent.vocabulary import Channel
from hub.domain import DataCategory, Department
from hub.family.gate import Gate, Verdict
from hub.family.model import MemberInfo

CASE = frozenset({DataCategory.CASE})
BOTH = frozenset(DataCategory)


def member(person_id: str) -> MemberInfo:
    children = {"P-child", "P-tween", "P-youth"}
    return MemberInfo(
        person_id=person_id,
        family_id=FAMILY,
        cpr="0000000000",
        first_name=person_id,
        last_name="Testesen",
        birth_date=BORN[person_id],
        member_role=ROLES[person_id],
        joined_on=NOW.date(),
        left_on=None,
        custody_holder_ids=("P-father", "P-mother") if person_id in children else (),
    )


MEMBERS = [member(p) for p in ROLES]


def request(
    subject: str, *grantors: str, departments: frozenset[Department], categories: frozenset[DataCategory]
) -> ConsentRequest:
    return ConsentRequest(
        subject_id=subject,
        grantor_ids=grantors,
        departments=departments,
        categories=categories,
        collected_via=Channel.DIGITAL,
        evidence_ref="J-1",
        child_view="ok" if subject == "P-tween" else None,
    )


class ConsentSelects:
    """Counts SELECTs that read the consent registry (to prove one load per request, not one per member)."""

    def __init__(self) -> None:
        self.statements: list[str] = []

    def __call__(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        text = " ".join(statement.split()).upper()
        if text.startswith("SELECT") and (" FROM CONSENTS" in text or " FROM STATUTORY_BASES" in text):
            self.statements.append(text)


@pytest.fixture
def selects(family_db: async_sessionmaker[AsyncSession]) -> Iterator[ConsentSelects]:
    engine = family_db.kw["bind"].sync_engine
    counter = ConsentSelects()
    event.listen(engine, "before_cursor_execute", counter)
    yield counter
    event.remove(engine, "before_cursor_execute", counter)


@pytest.fixture
async def consented(service: ConsentService, people: People) -> None:
    await service.record_consent(
        people.coordinator,
        request("P-mother", "P-mother", departments=frozenset(Department), categories=CASE),
    )
    await service.record_consent(
        people.coordinator,
        request(
            "P-child",
            "P-mother",
            "P-father",
            departments=frozenset({Department.SOF, Department.SUF}),
            categories=BOTH,
        ),
    )
    await service.record_consent(
        people.coordinator,
        request("P-youth", "P-youth", departments=frozenset({Department.SUF}), categories=BOTH),
    )


def gate(family_db: async_sessionmaker[AsyncSession], people_principal: Any, clock: Clock) -> Gate:
    return Gate(people_principal, sessions=family_db, today=clock.now.date(), now=clock.now)


async def test_team_sections_follow_the_consents_with_one_load_per_request(
    family_db: async_sessionmaker[AsyncSession],
    people: People,
    clock: Clock,
    consented: None,
    selects: ConsentSelects,
) -> None:
    g = gate(family_db, people.coordinator, clock)
    decisions = await g.decide_many(MEMBERS, list(Department))
    verdict = {
        key: (d.verdict, d.reason, d.categories if d.allowed else None) for key, d in decisions.items()
    }
    assert verdict[("P-mother", Department.BIF)] == (Verdict.ALLOW, "consent", CASE)
    assert verdict[("P-father", Department.BIF)] == (Verdict.CONSENT_REQUIRED, "no_consent", None)
    assert verdict[("P-child", Department.SUF)] == (Verdict.ALLOW, "consent", BOTH)
    assert verdict[("P-child", Department.BIF)] == (Verdict.CONSENT_REQUIRED, "no_consent", None)
    assert verdict[("P-youth", Department.SUF)] == (Verdict.ALLOW, "consent", BOTH)
    assert decisions[("P-mother", Department.SOF)].basis is not None
    assert len(selects.statements) == 2  # consents + statutory bases for all six members at once
    await g.decide_many(MEMBERS, list(Department))
    assert len(selects.statements) == 2  # decided once per request


async def test_a_withdrawal_stops_the_very_next_request(
    family_db: async_sessionmaker[AsyncSession], people: People, clock: Clock, service: ConsentService
) -> None:
    consent = await service.record_consent(
        people.coordinator,
        request("P-mother", "P-mother", departments=frozenset(Department), categories=CASE),
    )
    before = await gate(family_db, people.coordinator, clock).decide_many(MEMBERS[:1], [Department.SOF])
    assert before[("P-mother", Department.SOF)].allowed
    clock.now = NOW + timedelta(minutes=5)
    await service.withdraw_consent(people.core_sof, consent.id, Channel.PAPER)
    after = await gate(family_db, people.coordinator, clock).decide_many(MEMBERS[:1], [Department.SOF])
    assert (after[("P-mother", Department.SOF)].verdict, after[("P-mother", Department.SOF)].reason) == (
        Verdict.CONSENT_REQUIRED,
        "consent_withdrawn",
    )


async def test_caseworker_own_department_and_citizens_need_no_consent(
    family_db: async_sessionmaker[AsyncSession], people: People, clock: Clock
) -> None:
    worker = await gate(family_db, people.caseworker_buf, clock).decide_many(
        [member("P-child")], list(Department)
    )
    own = worker[("P-child", Department.BUF)]
    assert (own.verdict, own.basis, own.categories) == (Verdict.ALLOW, "own_department", BOTH)
    assert (
        worker[("P-child", Department.SOF)].verdict is Verdict.FORBIDDEN
    )  # access said no; consent not asked

    mother = await gate(family_db, people.mother, clock).decide_many(
        [member("P-mother"), member("P-youth"), member("P-child")], [Department.SUF]
    )
    assert (
        mother[("P-mother", Department.SUF)].verdict,
        mother[("P-mother", Department.SUF)].categories,
    ) == (
        Verdict.ALLOW,
        BOTH,
    )
    # From 15 the young person decides what the parents see (DOMAIN §4): without the 17-year-old's own
    # consent the mother does not see the SUF section at all (and never the HEALTH category).
    youth = mother[("P-youth", Department.SUF)]
    assert (youth.verdict, youth.reason) == (Verdict.CONSENT_REQUIRED, "young_person_decides")
    assert mother[("P-child", Department.SUF)].categories == BOTH
