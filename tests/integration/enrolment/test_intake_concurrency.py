"""Referral intake: concurrent referrals of one person leave them in one family (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest

from hub.domain import MemberRole
from tests.integration.enrolment.intake_support import (
    MOTHER,
    REMOVE,
    assert_no_cpr,
    counts,
    error_of,
    member,
    refer,
    referral,
)
from tests.support.backends import create_postgres_database, drop_postgres_database
from tests.support.stack import running_stack


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest) -> Iterator[str | None]:
    """None: the stack's own SQLite file; else a fresh PostgreSQL database, dropped afterwards."""
    if request.param == "sqlite":
        yield None
        return
    url = create_postgres_database()
    yield url
    drop_postgres_database(url)


async def test_concurrent_referrals_of_one_person_leave_them_in_one_family(
    tmp_path: Path, database_url: str | None
) -> None:
    async with running_stack(tmp_path, families=4, seed=3, database_url=database_url) as stack:
        world_family = stack.world.families[0]
        parent = next(m for m in world_family.members if m.member_role is MemberRole.PARENT)
        removed = await stack.graphql(
            REMOVE,
            {
                "input": {
                    "familyId": world_family.key,
                    "memberId": stack.seeded.person_ids[parent.cpr],
                    "reason": "Flyttet",
                }
            },
            token=stack.token("tovholder"),
        )
        assert removed["data"]["removeFamilyMember"]["__typename"] == "FamilyMembership", removed
        for cpr in (MOTHER, parent.cpr):  # a new person, then a known one without a family
            before = await counts(stack)
            data = referral(members=[member(cpr, "Amina", "Haddad", "PARENT")])
            results = await asyncio.gather(*(refer(stack, data) for _ in range(3)))
            done = [r for r in results if "errors" not in r]
            refused = [error_of(r) for r in results if "errors" in r]
            assert len(done) == 1, results
            assert {e["extensions"]["code"] for e in refused} == {"CONFLICT"}
            for error in refused:
                assert_no_cpr(error, cpr)
            after = await counts(stack)
            assert after["families"] == before["families"] + 1
            assert after["memberships"] == before["memberships"] + 1
            assert after["persons"] == before["persons"] + (1 if cpr == MOTHER else 0)
