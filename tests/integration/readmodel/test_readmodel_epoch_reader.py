"""The epoch guard reads without the ORM (SQLite: without a thread hop; PostgreSQL: a prepared statement on an
asyncpg connection of its own), sees every commit made before it, and falls back to the async path whenever the
direct read cannot answer at once."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import update
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from hub.crypto import CprVault
from hub.persistence.engine import create_engine, create_session_factory, transaction
from hub.persistence.migrate import upgrade
from hub.readmodel import epoch
from hub.readmodel.epoch import PostgresEpochReader, SqliteEpochReader, epoch_reader_for
from hub.readmodel.model import ReadModel
from hub.readmodel.models import EPOCH_ROW, FactsEpoch
from hub.settings import Settings


@pytest.fixture
async def engine(sqlite_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(sqlite_url)
    await upgrade(engine)
    yield engine
    await engine.dispose()


def test_each_backend_gets_its_direct_reader(tmp_path: Path) -> None:
    sqlite = epoch_reader_for(make_url(f"sqlite+aiosqlite:///{tmp_path / 'hub.db'}"))
    assert isinstance(sqlite, SqliteEpochReader)
    postgres = epoch_reader_for(make_url("postgresql+asyncpg://u:secret@db.example:5433/hub"))
    assert isinstance(postgres, PostgresEpochReader)
    assert postgres.dsn == "postgresql://u:secret@db.example:5433/hub"
    assert (
        epoch_reader_for(make_url("postgresql+asyncpg://u@db/hub?ssl=require")) is None
    )  # options: the ORM path
    assert epoch_reader_for(make_url("postgresql+psycopg://u@db/hub")) is None


def test_only_a_plain_sqlite_file_gets_a_direct_reader(tmp_path: Path) -> None:
    assert SqliteEpochReader.for_url(make_url(f"sqlite+aiosqlite:///{tmp_path / 'hub.db'}")) is not None
    assert SqliteEpochReader.for_url(make_url("sqlite+aiosqlite:///:memory:")) is None
    assert SqliteEpochReader.for_url(make_url("sqlite+aiosqlite://")) is None
    assert SqliteEpochReader.for_url(make_url("postgresql+asyncpg://u@127.0.0.1/db")) is None


def test_a_database_without_the_epoch_table_is_no_answer(tmp_path: Path) -> None:
    reader = SqliteEpochReader(str(tmp_path / "empty.db"))
    assert reader.read() is None  # the caller takes the async path (and gets its error there)
    reader.close()


async def test_the_direct_read_sees_a_commit_from_another_engine(
    engine: AsyncEngine, sqlite_url: str
) -> None:
    model = ReadModel(engine, create_session_factory(engine), CprVault.from_settings(Settings()))
    assert isinstance(model._epoch_reader, SqliteEpochReader)
    await model.sync()
    before = model.epoch
    assert before is not None
    other = create_engine(sqlite_url)  # another process's engine: no message reaches this model
    try:
        async with transaction(create_session_factory(other)) as session:
            await session.execute(
                update(FactsEpoch).where(FactsEpoch.id == EPOCH_ROW).values(epoch=FactsEpoch.epoch + 5)
            )
    finally:
        await other.dispose()
    drops = model.full_drops
    await model.sync()
    assert model.epoch == before + 5
    assert model.full_drops == drops + 1
    await model.aclose()


async def test_a_locked_database_falls_back_to_the_async_path(engine: AsyncEngine, sqlite_url: str) -> None:
    model = ReadModel(engine, create_session_factory(engine), CprVault.from_settings(Settings()))
    reader = model._epoch_reader
    assert isinstance(reader, SqliteEpochReader)

    class Refusing(SqliteEpochReader):
        def read(self) -> int | None:
            return None  # what read() answers on sqlite3.OperationalError ("database is locked")

    model._epoch_reader = Refusing(reader.path)
    await model.sync()  # answered by the async path
    assert model.epoch is not None
    await model.aclose()


@pytest.mark.postgres
async def test_postgres_direct_read_sees_a_commit_from_another_engine(postgres_database: str) -> None:
    engine = create_engine(postgres_database)
    await upgrade(engine)
    model = ReadModel(engine, create_session_factory(engine), CprVault.from_settings(Settings()))
    assert isinstance(model._epoch_reader, PostgresEpochReader)
    other = create_engine(postgres_database)  # another process's engine: no message reaches this model
    try:
        await model.sync()
        before = model.epoch
        assert before is not None
        queries = model.queries
        async with transaction(create_session_factory(other)) as session:
            await session.execute(
                update(FactsEpoch).where(FactsEpoch.id == EPOCH_ROW).values(epoch=FactsEpoch.epoch + 3)
            )
        drops = model.full_drops
        await model.sync()
        assert model.epoch == before + 3
        assert model.full_drops == drops + 1
        assert model.queries == queries  # the epoch read never went through the ORM's counted path
    finally:
        await model.aclose()
        await other.dispose()
        await engine.dispose()


async def test_an_unreachable_postgres_is_no_answer_and_not_retried_at_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    reader = PostgresEpochReader("postgresql://postgres@127.0.0.1:1/none")  # nothing listens on port 1
    attempts: list[str] = []
    connect = epoch.asyncpg.connect

    async def counted(dsn: str) -> object:
        attempts.append(dsn)
        return await connect(dsn)

    monkeypatch.setattr(epoch.asyncpg, "connect", counted)
    assert await reader.fetch() is None
    assert await reader.fetch() is None  # within RETRY_AFTER_S: answered without a connect attempt
    assert len(attempts) == 1
    reader._retry_at = 0.0  # the second has passed
    assert await reader.fetch() is None
    assert len(attempts) == 2
    await reader.aclose()
