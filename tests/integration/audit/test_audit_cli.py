"""`hub audit verify | head | purge` against a real database (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from sqlalchemy import delete, update

from hub.audit.events import AuditDecision, AuditKind
from hub.audit.log import record
from hub.audit.models import AuditEntry
from hub.cli import main
from hub.persistence.all_models import metadata
from hub.persistence.engine import create_engine, create_session_factory, transaction
from tests.integration.audit.conftest import event


async def _setup(url: str, entries: int) -> None:
    engine = create_engine(url)
    try:
        async with engine.begin() as conn:
            if engine.dialect.name == "postgresql":
                await conn.exec_driver_sql("DROP SCHEMA public CASCADE")
                await conn.exec_driver_sql("CREATE SCHEMA public")
            await conn.run_sync(metadata.create_all)
        async with transaction(create_session_factory(engine)) as s:
            await record(s, [event(subject_person_id=f"P-{i}") for i in range(entries)])
            await record(s, [event(decision=AuditDecision.DENIED, reason="no_consent")])
    finally:
        await engine.dispose()


async def _tamper(url: str, statement: object) -> None:
    engine = create_engine(url)
    try:
        async with transaction(create_session_factory(engine)) as s:
            await s.execute(statement)  # type: ignore[call-overload]
    finally:
        await engine.dispose()


@pytest.fixture
def cli_db(db_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    # The CLI reads its settings from the environment, as in production.
    monkeypatch.setenv("HUB_DATABASE_URL", db_url)
    asyncio.run(_setup(db_url, 5))
    return db_url


def test_verify_passes_then_names_the_first_broken_entry(
    cli_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["audit", "verify"]) == 0
    out = capsys.readouterr().out
    assert "CITIZEN_FACING: ok, 5 entries (1..5)" in out
    assert "SECURITY: ok, 1 entries (1..1)" in out
    assert "CHANGE: ok, 0 entries (empty)" in out

    chain = AuditEntry.chain == AuditKind.CITIZEN_FACING
    asyncio.run(_tamper(cli_db, update(AuditEntry).where(chain, AuditEntry.seq == 4).values(purpose="OTHER")))
    asyncio.run(_tamper(cli_db, delete(AuditEntry).where(chain, AuditEntry.seq == 2)))
    assert main(["audit", "verify"]) == 1
    out = capsys.readouterr().out
    assert "CITIZEN_FACING: BROKEN at entry 2" in out
    assert "SECURITY: ok" in out
    assert "audit log is BROKEN" in out
    assert "P-" not in out  # sequence numbers only, never contents


def test_head_export_anchors_a_later_verify(
    cli_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    anchor = tmp_path / "head.json"
    assert main(["audit", "head", "--out", str(anchor)]) == 0
    document = json.loads(anchor.read_text())
    assert document["chains"]["CITIZEN_FACING"]["seq"] == 5
    assert len(document["chains"]["SECURITY"]["hash"]) == 64
    assert document["chains"]["CITIZEN_FACING"]["recorded_at"].endswith("Z")
    assert main(["audit", "head"]) == 0
    assert json.loads(capsys.readouterr().out)["digest"] == document["digest"]

    assert main(["audit", "verify", "--anchor", str(anchor)]) == 0
    # Deleting the tail shows without the anchor (the head row); the anchor also catches a forged head.
    chain = AuditEntry.chain == AuditKind.CITIZEN_FACING
    asyncio.run(_tamper(cli_db, delete(AuditEntry).where(chain, AuditEntry.seq == 5)))
    assert main(["audit", "verify", "--anchor", str(anchor)]) == 1
    out = capsys.readouterr().out
    assert "CITIZEN_FACING: BROKEN at entry 5" in out
    assert "anchor: CITIZEN_FACING: anchored entry 5 is missing" in out


def test_purge_keeps_young_entries_and_refuses_a_broken_chain(
    cli_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["audit", "purge", "--kind", "security"]) == 0
    assert "SECURITY: purged 0 entries" in capsys.readouterr().out
    assert main(["audit", "verify"]) == 0

    asyncio.run(_tamper(cli_db, update(AuditEntry).where(AuditEntry.seq == 1).values(reason="edited")))
    assert main(["audit", "purge", "--kind", "CITIZEN_FACING"]) == 1
    assert "broken at entry 1" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["audit", "purge", "--kind", "EVERYTHING"])
