"""What the database layer and the log formatter let through: statements and types, never values."""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from hub.logging import DRIVER_LOGGERS, MaskedJsonFormatter, masked_error
from hub.persistence.engine import create_engine

CPR = "0101801234"


async def test_a_database_error_shows_the_statement_but_not_its_parameters(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'x.db'}")
    try:
        with pytest.raises(DBAPIError) as caught:
            async with engine.connect() as conn:
                await conn.execute(text("SELECT * FROM no_such_table WHERE cpr = :cpr"), {"cpr": CPR})
    finally:
        await engine.dispose()
    assert "no_such_table" in str(caught.value)
    assert CPR not in str(caught.value)
    assert all(logging.getLogger(name).level == logging.WARNING for name in DRIVER_LOGGERS)


def _record_of(exc: BaseException) -> logging.LogRecord:
    return logging.LogRecord(
        "x", logging.ERROR, __file__, 1, "failed", None, (type(exc), exc, exc.__traceback__)
    )


def _raise_chained() -> None:
    try:
        raise KeyError(f"person {CPR}")
    except KeyError as inner:
        raise RuntimeError(f"could not store {CPR}") from inner


def test_the_formatter_writes_types_and_frames_but_no_exception_message() -> None:
    try:
        _raise_chained()
    except RuntimeError:
        record = _record_of(sys.exc_info()[1])  # type: ignore[arg-type]
    line = MaskedJsonFormatter("%(levelname)s %(message)s").format(record)
    assert CPR not in line
    exc_info = json.loads(line)["exc_info"]
    assert "KeyError: <message withheld>" in exc_info
    assert "RuntimeError: <message withheld>" in exc_info
    assert "_raise_chained" in exc_info


def test_masked_error_names_the_chain_outermost_first() -> None:
    try:
        _raise_chained()
    except RuntimeError as exc:
        fields = masked_error(exc)
    assert fields["error_type"] == "RuntimeError <- KeyError"
    assert any("_raise_chained" in frame for frame in fields["stack"])
    assert CPR not in json.dumps(fields)
