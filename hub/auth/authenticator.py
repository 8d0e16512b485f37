"""Authentication for HTTP requests and WebSocket connections: `Authorization: Bearer <JWT>` -> Principal.

No Authorization header: anonymous (None); resolvers then answer UNAUTHENTICATED. Anything else that is not a
valid token of an active user raises `Unauthenticated("invalid or missing credentials")`, which the GraphQL
view turns into HTTP 401 or a closed WebSocket. `install_auth(services)` is the one wiring point (called from
`hub.app.build_services`); `jwks_endpoint` serves the development issuer's public keys.

Never log a token, a claim or a subject: reasons go to the `hub.security` log as short codes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.requests import HTTPConnection, Request
from starlette.responses import JSONResponse, Response

from hub.auth import users
from hub.auth.claims import ClaimedIdentity, ClaimMapping, ClaimRefused, identity_from_claims
from hub.auth.dev_issuer import DevIssuer
from hub.auth.directory import UnknownUser, UserDirectory
from hub.auth.jwks import JwksKeySource, KeySource
from hub.auth.principal import Principal
from hub.auth.verifier import TokenVerifier, VerifiedToken, reject
from hub.domain import Role
from hub.services import Services
from hub.settings import Settings

AUTHENTICATE = "authenticate"  # services.extras key: the Authenticator
DEV_ISSUER = "dev_issuer"  # services.extras key: the DevIssuer, when the development issuer is on


def bearer_token(authorization: str) -> str:
    """The token of an `Authorization: Bearer <token>` value; anything else is rejected."""
    scheme, _, token = authorization.strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or " " in token:
        reject("not_bearer")
    return token


class Authenticator:
    """Callable as `authenticate(conn) -> Principal | None` (see schema/view.py).

    With a claim mapping (HUB_OIDC_GROUP_ROLES, hub/auth/claims.py) every token's groups decide its holder's
    role: a new subject is provisioned, a changed role or department is taken over, and a token without a hub
    group deactivates its (known) user and is refused (hub/auth/users.py; all audited, all through the read
    model's invalidation). A CITIZEN user is the hub's own link to a person (by CPR) and is never governed by
    groups. Without a mapping, the users table alone decides, as for the development issuer.
    """

    def __init__(
        self,
        verifier: TokenVerifier,
        users: UserDirectory,
        *,
        mapping: ClaimMapping | None = None,
        sessions: async_sessionmaker[AsyncSession] | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        if mapping is not None and sessions is None:
            raise ValueError("a claim mapping needs sessions to provision users")
        self.verifier = verifier
        self.users = users
        self.mapping = mapping
        self._sessions = sessions
        self._clock = clock

    async def __call__(self, conn: HTTPConnection) -> Principal | None:
        return await self.authenticate_header(conn.headers.get("authorization"))

    async def authenticate_header(self, authorization: str | None) -> Principal | None:
        """For an Authorization value from a header or a WebSocket `connection_init` payload."""
        if authorization is None:
            return None
        return await self.authenticate_token(bearer_token(authorization))

    async def authenticate_token(self, token: str) -> Principal:
        verified = await self.verifier.verify(token)
        if self.mapping is not None:
            principal = await self._from_claims(verified, self.mapping)
        else:
            try:
                principal = await self.users.principal_for(verified.subject)
            except UnknownUser as exc:
                reject(exc.reason)
        return replace(principal, expires_at=verified.expires_at)

    async def _from_claims(self, verified: VerifiedToken, mapping: ClaimMapping) -> Principal:
        sessions = self._sessions
        assert sessions is not None  # noqa: S101 - checked in __init__
        subject = verified.subject
        try:
            known: Principal | None = await self.users.principal_for(subject)
            refusal = ""
        except UnknownUser as exc:
            known, refusal = None, exc.reason
        if known is not None and known.role is Role.CITIZEN:
            return known  # a citizen is linked to their person by the hub (CPR), never governed by groups
        try:
            identity = identity_from_claims(verified.claims, mapping)
        except ClaimRefused as exc:
            if exc.reason == "no_hub_group" and known is not None:
                # The provider has taken the user out of the hub: older tokens and live streams end too.
                await users.deactivate_by_provider(sessions, subject, self._clock())
                self.users.forget(subject)
            reject(exc.reason)
        if known is None:
            if refusal != "unknown_subject":
                reject(refusal)
            known = await self._provision(sessions, identity)
        if (known.role, known.department) != (identity.role, identity.department):
            updated = await users.apply_claims(sessions, known.user_id, identity, self._clock())
            self.users.forget(subject)
            if updated is None:
                reject("inactive_user")
            known = updated
        return known

    async def _provision(
        self, sessions: async_sessionmaker[AsyncSession], identity: ClaimedIdentity
    ) -> Principal:
        # Two first requests of one user race on the unique subject (or two new users on one username): the
        # loser finds the winner's row, or tries once more (its username is then free of the race).
        for _attempt in range(2):
            created = await users.provision(sessions, identity, self._clock())
            self.users.forget(identity.subject)
            if created is not None:
                return created
            known = await self._known(identity.subject)
            if known is not None:
                return known
        reject("provisioning_failed")

    async def _known(self, subject: str) -> Principal | None:
        try:
            return await self.users.principal_for(subject)
        except UnknownUser:
            return None


def build_key_source(settings: Settings, dev_issuer: DevIssuer | None) -> KeySource:
    if dev_issuer is not None:
        return dev_issuer.key_source()
    if not settings.oidc_jwks_url:
        raise ValueError("HUB_OIDC_JWKS_URL is required when the development issuer is off")
    return JwksKeySource(
        settings.oidc_jwks_url,
        algorithm=settings.oidc_algorithm,
        refetch_interval_s=settings.oidc_jwks_refetch_s,
    )


def build_authenticator(
    settings: Settings,
    services: Services,
    *,
    keys: KeySource | None = None,
    dev_issuer: DevIssuer | None = None,
) -> Authenticator:
    """The authenticator for these settings; tests pass `keys` (e.g. a JwksKeySource on a MockTransport)."""
    issuer = dev_issuer.issuer if dev_issuer is not None else settings.oidc_issuer
    verifier = TokenVerifier(
        issuer=issuer,
        audience=settings.oidc_audience,
        algorithm=settings.oidc_algorithm,
        keys=keys or build_key_source(settings, dev_issuer),
        leeway_s=settings.oidc_leeway_s,
        cache_size=settings.token_cache_size,
    )
    return Authenticator(
        verifier,
        UserDirectory(services.sessions, ttl_s=settings.auth_user_cache_s),
        mapping=ClaimMapping.from_settings(settings),
        sessions=services.sessions,
    )


def install_auth(services: Services) -> None:
    """Put the authenticator (and the development issuer, when on) into `services.extras`."""
    settings = services.settings
    dev_issuer = DevIssuer.from_settings(settings) if settings.dev_issuer else None
    if dev_issuer is not None:
        services.extras[DEV_ISSUER] = dev_issuer
    services.extras[AUTHENTICATE] = build_authenticator(settings, services, dev_issuer=dev_issuer)


async def jwks_endpoint(request: Request) -> Response:
    """`GET /.well-known/jwks.json`: the development issuer's public keys (404 when it is off)."""
    services: Services = request.app.state.services
    dev_issuer: DevIssuer | None = services.extras.get(DEV_ISSUER)
    if dev_issuer is None:
        return JSONResponse({"error": {"code": "NOT_FOUND", "message": "no such resource"}}, status_code=404)
    return JSONResponse(dev_issuer.jwks(), headers={"Cache-Control": "public, max-age=300"})
