"""The read model's own guarantees against a real database: bounded memory, the epoch guard, no stale store."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from hub.crypto import CprVault
from hub.domain import District, FamilyStatus
from hub.persistence.engine import create_engine, create_session_factory, transaction
from hub.persistence.migrate import upgrade
from hub.persistence.models import Family
from hub.readmodel import FactKind, facts_changed
from hub.readmodel.changes import install_sink
from hub.readmodel.model import ReadModel, ReadModelBounds
from hub.settings import Settings


@pytest.fixture
async def engine(sqlite_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(sqlite_url)
    await upgrade(engine)
    yield engine
    await engine.dispose()


def model_on(engine: AsyncEngine, bounds: ReadModelBounds | None = None) -> ReadModel:
    return ReadModel(engine, create_session_factory(engine), CprVault.from_settings(Settings()), bounds)


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


async def test_ten_thousand_distinct_families_stay_within_the_bounds(engine: AsyncEngine) -> None:
    model = model_on(engine, ReadModelBounds(max_users=50, max_families=500, max_persons=2000))
    await model.sync()
    ids = [f"F{n:05d}" for n in range(10_000)]
    for start in range(0, len(ids), 500):
        batch = ids[start : start + 500]
        await model.family_infos(batch)
        await model.members_of(batch)
        await model.team_rows(batch)
        await model.subject_bases([f"P-{fid}" for fid in batch])
        await model.caseload_of([f"P-{fid}" for fid in batch])
        for lru_name, size in model.sizes().items():
            limit = model.maps()[lru_name].max_entries
            assert size <= limit, (lru_name, size, limit)
    sizes = model.sizes()
    assert sizes["families"] == sizes["family_members"] == sizes["team"] == 500
    assert sizes["bases"] == sizes["caseload"] == 2000
    # The most recent families are the ones kept, and served without SQL.
    queries = model.queries
    await model.family_infos(ids[-500:])
    assert model.queries == queries


async def test_the_epoch_guard_drops_what_a_change_without_a_message_made_stale(engine: AsyncEngine) -> None:
    sessions = create_session_factory(engine)
    async with transaction(sessions) as session:
        session.add(_family("F1"))
    model = model_on(engine)
    await model.sync()
    assert (await model.family_infos(["F1"]))["F1"].display_name == "Familie F1"
    queries = model.queries
    await model.sync()
    assert (await model.family_infos(["F1"]))["F1"].display_name == "Familie F1"
    assert model.queries == queries  # held

    # A writer in another process (no sink here: nothing is published) renames the family.
    async with transaction(sessions) as session:
        family = await session.get(Family, "F1")
        assert family is not None
        family.display_name = "Familie Ny"
    assert (await model.family_infos(["F1"]))["F1"].display_name == "Familie F1"  # no guard yet
    await model.sync()
    assert model.full_drops == 1
    assert (await model.family_infos(["F1"]))["F1"].display_name == "Familie Ny"


async def test_the_writers_own_model_drops_exactly_what_changed(engine: AsyncEngine) -> None:
    sessions: async_sessionmaker[AsyncSession] = create_session_factory(engine)
    async with transaction(sessions) as session:
        session.add_all([_family("F1"), _family("F2")])
    model = model_on(engine)
    install_sink(sessions, model)
    await model.sync()
    await model.family_infos(["F1", "F2"])
    async with transaction(sessions) as session:
        family = await session.get(Family, "F1")
        assert family is not None
        family.display_name = "Familie Ny"
    assert "F1" not in model.families  # dropped at commit, in this process
    assert "F2" in model.families  # untouched
    epoch = model.epoch
    await model.sync()
    assert model.epoch == epoch
    assert model.full_drops == 0  # nothing missed: no full drop
    assert (await model.family_infos(["F1"]))["F1"].display_name == "Familie Ny"


async def test_explicit_changes_move_the_epoch_and_a_rollback_moves_nothing(engine: AsyncEngine) -> None:
    sessions = create_session_factory(engine)
    model = model_on(engine)
    install_sink(sessions, model)
    await model.sync()
    await model.subject_bases(["P1", "P2"])

    async def rolled_back() -> None:
        async with transaction(sessions) as session:
            facts_changed(session, FactKind.CONSENT, ["P1"])
            raise RuntimeError("rolled back")

    with pytest.raises(RuntimeError):
        await rolled_back()
    assert "P1" in model.bases
    async with transaction(sessions) as session:
        facts_changed(session, FactKind.CONSENT, ["P1"])
    assert "P1" not in model.bases
    assert "P2" in model.bases
    other = model_on(engine)
    await other.sync()
    assert other.epoch == model.epoch == 1


async def test_a_load_that_spans_an_invalidation_is_not_kept(engine: AsyncEngine) -> None:
    model = model_on(engine)
    await model.sync()
    real = model.sessions

    class Interleaved:
        """Sessions whose first use invalidates the model mid-load, as a concurrent commit would."""

        def __call__(self) -> AsyncSession:
            model.committed(99, {FactKind.FAMILY: {"F9"}})
            return real()

    model.sessions = Interleaved()  # type: ignore[assignment]
    await model.family_infos(["F9"])
    assert "F9" not in model.families


async def test_hub_readmodel_invalidate_drops_every_model(engine: AsyncEngine, sqlite_url: str) -> None:
    from hub.readmodel.cli import invalidate

    async with transaction(create_session_factory(engine)) as session:
        session.add(_family("F1"))
    model = model_on(engine)
    await model.sync()
    await model.family_infos(["F1"])
    epoch = await invalidate(Settings(database_url=sqlite_url))
    assert model.epoch is not None
    assert epoch == model.epoch + 1
    await model.sync()
    assert model.full_drops == 1
    assert "F1" not in model.families
