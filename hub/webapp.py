"""The reference front-end, served as static files under `/app/` (hub/static/app; vendored libraries in
`vendor/`, see `manifest.json` and `python -m hub.webapp_vendor`).

Only files that exist under hub/static/app when the app starts are served (an allow-list: no path from the request
reaches the file system). Any other `/app/...` path without a file extension is the single page itself, so a
hand-typed `/app/familier/F00002` opens the page, which routes in the browser.

The page talks to the hub only through the public GraphQL API (HTTP and graphql-transport-ws) with the user's
bearer token. Every response carries a Content-Security-Policy with no inline scripts or styles, and the usual
security headers. `/app/config.json` tells the page how to sign in (development token endpoint or OIDC).
"""

from __future__ import annotations

import functools
import json
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from hub.settings import Settings

STATIC_DIR = Path(__file__).parent / "static" / "app"
PREFIX = "/app/"

_CONTENT_TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json",
    ".html": "text/html; charset=utf-8",
    ".graphql": "text/plain; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".md": "text/plain; charset=utf-8",
}


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def content_security_policy(settings: Settings) -> str:
    """Scripts and styles from the hub only (no inline); connections to the hub and, if set, the OIDC issuer."""
    issuer = _origin(settings.oidc_issuer) if not settings.dev_issuer else ""
    connect = " ".join(filter(None, ("'self'", issuer)))
    return "; ".join(
        (
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' data: blob:",
            "font-src 'self'",
            f"connect-src {connect}",  # HTTP and WebSocket to the hub itself (and the IdP's token endpoint)
            "object-src 'none'",
            "base-uri 'none'",
            "frame-ancestors 'none'",
            f"form-action {connect}",
        )
    )


def security_headers(settings: Settings) -> dict[str, str]:
    return {
        "Content-Security-Policy": content_security_policy(settings),
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
        "Referrer-Policy": "no-referrer",
        "Cross-Origin-Opener-Policy": "same-origin",
        "Cross-Origin-Resource-Policy": "same-origin",
        "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
    }


@functools.cache
def served_files(root: Path = STATIC_DIR) -> frozenset[str]:
    """Every file under the front-end's folder, as a POSIX path relative to it."""
    return frozenset(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def client_config(settings: Settings) -> dict[str, object]:
    """What the page needs to sign in: never a secret (the client is public, PKCE protects the code)."""
    if settings.dev_issuer and not settings.is_production:
        return {"signIn": "development", "devTokenUrl": "/dev/token", "devUsersUrl": "/dev/users"}
    return {
        "signIn": "oidc",
        "issuer": settings.oidc_issuer,
        "clientId": settings.oidc_audience,
        "scope": "openid profile",
    }


def webapp_routes(settings: Settings) -> list[BaseRoute]:
    headers = security_headers(settings)
    config = json.dumps(client_config(settings)).encode()

    async def asset(request: Request) -> Response:
        path = request.path_params.get("path", "") or "index.html"
        if path == "config.json":
            return Response(
                config, media_type="application/json", headers={**headers, "Cache-Control": "no-cache"}
            )
        if path not in served_files():
            if PurePosixPath(path).suffix:  # a missing file, not a page of the app
                return JSONResponse(
                    {"error": {"code": "NOT_FOUND", "message": "no such resource"}}, 404, headers=headers
                )
            path = "index.html"
        vendored = path.startswith("vendor/")
        return Response(
            (STATIC_DIR / path).read_bytes(),
            media_type=_CONTENT_TYPES.get(PurePosixPath(path).suffix, "application/octet-stream"),
            headers={**headers, "Cache-Control": "public, max-age=86400" if vendored else "no-cache"},
        )

    async def redirect(request: Request) -> Response:
        return RedirectResponse(PREFIX, status_code=308)

    return [
        Route("/app", redirect, methods=["GET"]),
        Route(PREFIX, asset, methods=["GET"]),
        Route(PREFIX + "{path:path}", asset, methods=["GET"]),
    ]
