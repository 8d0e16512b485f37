"""From an Authorization header to a Principal: the token says who, the users table says what."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from sqlalchemy import insert, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.requests import Request

from hub.auth.authenticator import Authenticator, bearer_token
from hub.auth.dev_issuer import DevIssuer, load_or_create_key
from hub.auth.directory import UserDirectory
from hub.auth.verifier import CREDENTIALS_MESSAGE, TokenVerifier
from hub.domain import Department, Role
from hub.errors import Unauthenticated
from hub.persistence.engine import transaction
from hub.persistence.models import User

ISSUER = "http://127.0.0.1:8000/dev-issuer"


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def users(sessions: async_sessionmaker[AsyncSession]) -> async_sessionmaker[AsyncSession]:
    rows = [
        {"id": "U-1", "username": "sof-kerne", "subject": "sub-sof-kerne", "display_name": "x",
         "role": Role.CORE_TEAM, "department": Department.SOF, "unit": "HFI-kerneteam", "active": True},
        {"id": "U-2", "username": "gone", "subject": "sub-gone", "display_name": "x",
         "role": Role.COORDINATOR, "department": None, "unit": "", "active": False},
    ]  # fmt: skip
    async with transaction(sessions) as session:
        await session.execute(insert(User), rows)
    return sessions


@pytest.fixture
def issuer(tmp_path: Path) -> DevIssuer:
    return DevIssuer(
        load_or_create_key(tmp_path, "ES256"), issuer=ISSUER, audience="familiehub", algorithm="ES256"
    )


def authenticator(
    issuer: DevIssuer, sessions: async_sessionmaker[AsyncSession], clock: Clock
) -> Authenticator:
    verifier = TokenVerifier(
        issuer=ISSUER, audience="familiehub", algorithm="ES256", keys=issuer.key_source()
    )
    return Authenticator(verifier, UserDirectory(sessions, ttl_s=30, clock=clock))


def request(authorization: str | None) -> Request:
    headers = [(b"authorization", authorization.encode())] if authorization is not None else []
    return Request({"type": "http", "method": "POST", "path": "/graphql", "headers": headers})


async def test_no_header_is_anonymous(users: async_sessionmaker[AsyncSession], issuer: DevIssuer) -> None:
    assert await authenticator(issuer, users, Clock())(request(None)) is None


async def test_the_role_comes_from_the_database_not_the_token(
    users: async_sessionmaker[AsyncSession], issuer: DevIssuer
) -> None:
    # Claims a token might carry (role, department) are never read: only `sub`.
    token = issuer.mint("sub-sof-kerne", username="admin")
    principal = await authenticator(issuer, users, Clock())(request(f"Bearer {token}"))
    assert principal is not None
    assert (principal.user_id, principal.username, principal.role, principal.department, principal.unit) == (
        "U-1",
        "sof-kerne",
        Role.CORE_TEAM,
        Department.SOF,
        "HFI-kerneteam",
    )


async def test_unknown_or_inactive_users_are_refused(
    users: async_sessionmaker[AsyncSession], issuer: DevIssuer, caplog: pytest.LogCaptureFixture
) -> None:
    auth = authenticator(issuer, users, Clock())
    for subject, reason in (("sub-nobody", "unknown_subject"), ("sub-gone", "inactive_user")):
        caplog.clear()
        with caplog.at_level(logging.WARNING, logger="hub.security"), pytest.raises(Unauthenticated) as info:
            await auth(request(f"Bearer {issuer.mint(subject)}"))
        assert info.value.message == CREDENTIALS_MESSAGE
        assert caplog.records[-1].__dict__["reason"] == reason
        assert subject not in caplog.text


async def test_malformed_authorization_headers_are_refused(
    users: async_sessionmaker[AsyncSession], issuer: DevIssuer
) -> None:
    auth = authenticator(issuer, users, Clock())
    for header in (
        "",
        "Bearer",
        "Bearer ",
        "Basic dXNlcjpwYXNz",
        "Token abc",
        "Bearer a b",
        "bearer",
        "Bearer x.y.z",
    ):
        with pytest.raises(Unauthenticated) as info:
            await auth(request(header))
        assert info.value.message == CREDENTIALS_MESSAGE
    assert auth.users.queries == 0  # refused before any user look-up


def test_bearer_scheme_is_case_insensitive() -> None:
    assert bearer_token("bearer abc.def.ghi") == "abc.def.ghi"
    assert bearer_token("  BEARER   abc.def.ghi ") == "abc.def.ghi"


async def test_user_lookups_are_cached_briefly(
    users: async_sessionmaker[AsyncSession], issuer: DevIssuer
) -> None:
    clock = Clock()
    auth = authenticator(issuer, users, clock)
    header = f"Bearer {issuer.mint('sub-sof-kerne')}"
    for _ in range(5):
        assert await auth(request(header)) is not None
    assert auth.users.queries == 1
    # Deactivation takes effect once the cached look-up expires.
    async with transaction(users) as session:
        await session.execute(update(User).where(User.id == "U-1").values(active=False))
    assert await auth(request(header)) is not None
    clock.now += 31
    with pytest.raises(Unauthenticated):
        await auth(request(header))
    assert auth.users.queries == 2
