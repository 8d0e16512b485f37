"""Emergency grants are access facts: granting and revoking drop them from every read model, like assignments."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncEngine

from hub.access.breakglass.models import BreakGlassGrant
from hub.crypto import CprVault
from hub.domain import District, FamilyStatus, Role
from hub.persistence.engine import create_engine, create_session_factory, transaction
from hub.persistence.migrate import upgrade
from hub.persistence.models import Family, User
from hub.readmodel.changes import install_sink
from hub.readmodel.model import ReadModel
from hub.settings import Settings

NOW = datetime(2026, 11, 1, 10, 0, tzinfo=UTC)


@pytest.fixture
async def engine(sqlite_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(sqlite_url)
    await upgrade(engine)
    yield engine
    await engine.dispose()


def _family(fid: str) -> Family:
    return Family(
        id=fid,
        display_name=f"Familie {fid}",
        district=next(iter(District)),
        housing_area="",
        status=FamilyStatus.ACTIVE,
        referral_source="test",
        referred_on=date(2026, 1, 1),
    )


def _grant(gid: str, fid: str) -> BreakGlassGrant:
    return BreakGlassGrant(
        id=gid,
        user_id="U1",
        family_id=fid,
        reason_code="CHILD_SAFETY",
        justification="x" * 30,
        departments=["BUF"],
        granted_at=NOW,
        expires_at=NOW + timedelta(hours=4),
    )


async def test_granting_and_revoking_drop_the_familys_grants_in_every_model(engine: AsyncEngine) -> None:
    sessions = create_session_factory(engine)
    async with transaction(sessions) as session:
        session.add(User(id="U1", username="w", subject="w", display_name="W", role=Role.CASEWORKER, unit=""))
        session.add_all([_family("F1"), _family("F2")])
    vault = CprVault.from_settings(Settings())
    writer, other = (
        ReadModel(engine, sessions, vault),
        ReadModel(engine, create_session_factory(engine), vault),
    )
    install_sink(sessions, writer)
    for model in (writer, other):
        await model.sync()
        assert await model.emergency_grants(["F1", "F2"]) == {"F1": (), "F2": ()}

    async with transaction(sessions) as session:
        session.add(_grant("G1", "F1"))
    assert "F1" not in writer.emergency  # dropped at commit, in the writing process
    assert "F2" in writer.emergency  # untouched
    (grant,) = (await writer.emergency_grants(["F1"]))["F1"]
    assert grant.active_at(NOW)
    # Another process that missed the message: its epoch guard drops everything before the next request.
    assert (await other.emergency_grants(["F1"]))["F1"] == ()
    await other.sync()
    assert len((await other.emergency_grants(["F1"]))["F1"]) == 1

    async with transaction(sessions) as session:  # an administrator's NOT_JUSTIFIED verdict
        row = await session.get(BreakGlassGrant, "G1")
        assert row is not None
        row.revoked_at = NOW + timedelta(minutes=5)
    (revoked,) = (await writer.emergency_grants(["F1"]))["F1"]
    assert not revoked.active_at(NOW + timedelta(minutes=5))

    # A bulk statement touches every family's grants.
    await writer.emergency_grants(["F2"])
    async with transaction(sessions) as session:
        await session.execute(update(BreakGlassGrant).values(revoked_at=NOW))
    assert len(writer.emergency) == 0
