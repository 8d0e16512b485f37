"""The development sign-in for the reference front-end: `GET /dev/users` and `POST /dev/token`.

Mounted only with the development issuer on outside production (production refuses the development issuer at
start-up, and these routes are not even registered there: a 404 like any unknown path). The page picks one of the
demo users the README names and receives a short-lived token for it, exactly what `hub token --user NAME` prints.
Nothing here logs; an unknown user is one fixed answer.
"""

from __future__ import annotations

import json

from sqlalchemy import select
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from hub.auth.authenticator import DEV_ISSUER
from hub.auth.dev_issuer import DevIssuer
from hub.domain import Role
from hub.persistence.models import User
from hub.services import Services
from hub.settings import Settings

TOKEN_TTL_S = 8 * 3600  # a working day; the page forgets it on sign-out or when the tab closes
PICKABLE = (Role.COORDINATOR, Role.CORE_TEAM, Role.CASEWORKER, Role.CITIZEN, Role.STEERING_GROUP)
MAX_BODY = 1024


def _demo_usernames() -> list[str]:
    from hub.devstack import readme_users

    return readme_users()


async def _users(services: Services) -> list[User]:
    names = _demo_usernames()
    async with services.sessions() as session:
        found = {
            u.username: u
            for u in await session.scalars(
                select(User).where(User.active.is_(True), User.username.in_(names), User.role.in_(PICKABLE))
            )
        }
    return [found[n] for n in names if n in found]


def _error(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=status)


async def dev_users(request: Request) -> Response:
    services: Services = request.app.state.services
    users = await _users(services)
    return JSONResponse(
        {
            "users": [
                {
                    "username": u.username,
                    "role": u.role.value,
                    "department": u.department.value if u.department else None,
                }
                for u in users
            ]
        },
        headers={"Cache-Control": "no-store"},
    )


async def dev_token(request: Request) -> Response:
    services: Services = request.app.state.services
    issuer: DevIssuer | None = services.extras.get(DEV_ISSUER)
    if issuer is None:
        return _error(404, "NOT_FOUND", "no such resource")
    body = await request.body()
    if len(body) > MAX_BODY:
        return _error(413, "BAD_USER_INPUT", "request body too large")
    try:
        username = json.loads(body or b"{}").get("username")
    except (ValueError, AttributeError):
        username = None
    if not isinstance(username, str) or not username:
        return _error(400, "BAD_USER_INPUT", "give a username")
    user = next((u for u in await _users(services) if u.username == username), None)
    if user is None:
        return _error(400, "BAD_USER_INPUT", "not a demo user")
    token = issuer.mint(user.subject, ttl_s=TOKEN_TTL_S, username=user.username)
    return JSONResponse(
        {"token": token, "expiresIn": TOKEN_TTL_S, "username": user.username, "role": user.role.value},
        headers={"Cache-Control": "no-store"},
    )


def dev_token_routes(settings: Settings) -> list[BaseRoute]:
    if settings.is_production or not settings.dev_issuer:
        return []
    return [
        Route("/dev/users", dev_users, methods=["GET"]),
        Route("/dev/token", dev_token, methods=["POST"]),
    ]
