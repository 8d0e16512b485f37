"""When a live stream must end (hub/ingestion/stream_guard.py): the pure decision, as a table."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from hub.auth.principal import Principal
from hub.domain import Role
from hub.ingestion.stream_guard import StreamEnd, decide, token_deadline

NOW = datetime(2026, 11, 1, 10, 0, tzinfo=UTC)
T = int(NOW.timestamp())


def principal(expires_at: int | None) -> Principal:
    return Principal("U-1", "tovholder", Role.COORDINATOR, None, expires_at=expires_at)


@pytest.mark.parametrize(
    ("expires_at", "leeway_s", "active", "visible", "end"),
    [
        (T + 60, 30, True, True, None),
        (T - 10, 30, True, True, None),  # expired, but within the leeway
        (T - 30, 30, True, True, None),  # exactly at the leeway's end: still counts
        (T - 31, 30, True, True, StreamEnd.EXPIRED),
        (T - 1, 0, True, True, StreamEnd.EXPIRED),
        (None, 30, True, True, None),  # no token behind it (not a WebSocket client)
        (T + 60, 30, False, True, StreamEnd.USER_INACTIVE),
        (T + 60, 30, True, False, StreamEnd.ACCESS_LOST),
        (T - 31, 30, False, False, StreamEnd.EXPIRED),  # the credential before the family
        (T + 60, 30, False, False, StreamEnd.USER_INACTIVE),
    ],
)
def test_decide(
    expires_at: int | None, leeway_s: int, active: bool, visible: bool, end: StreamEnd | None
) -> None:
    got = decide(
        principal(expires_at), now=NOW, leeway_s=leeway_s, user_active=active, family_visible=visible
    )
    assert got is end


def test_only_a_lost_family_keeps_the_connection() -> None:
    assert [e for e in StreamEnd if not e.reauthenticate] == [StreamEnd.ACCESS_LOST]


def test_token_deadline() -> None:
    assert token_deadline(principal(T), 30) == T + 30
    assert token_deadline(principal(None), 30) is None


def test_the_expiry_is_not_part_of_who_the_principal_is() -> None:
    assert principal(T) == principal(T + 600)
