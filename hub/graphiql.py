"""GraphiQL served from the hub itself: pinned, vendored assets (hub/static/graphiql, see `manifest.json` and
`python -m hub.graphiql_vendor`), so it works on a network with no CDN. `GET /graphiql` (and a browser's
`GET /graphql`) is the page; `GET /graphiql/assets/{name}` the files. Only where introspection is on
(development by default), like GraphiQL before.

The page opens with a Familiehub example operation and an `Authorization` header template, under a
Content-Security-Policy that allows scripts, styles and connections from the hub only (fonts and icons are
`data:` URIs inside GraphiQL's stylesheet).
"""

from __future__ import annotations

import functools
import html
import json
from pathlib import Path

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Route

STATIC_DIR = Path(__file__).parent / "static" / "graphiql"
ASSET_PREFIX = "/graphiql/assets/"
OWN_FILES = ("familiehub.js",)  # ours, not vendored (no manifest entry)

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",  # React and CodeMirror set element styles at run time
        "img-src 'self' data:",
        "font-src 'self' data:",
        "connect-src 'self'",  # HTTP and WebSocket to the hub itself
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    )
)

EXAMPLE_OPERATION = """# Familiehub: paste a token from `make run` (or `hub token --user tovholder`) in the Headers tab below.
query FamilyPlan {
  family(id: "F00002") {
    name
    status
    coordinator { worker { displayName department } }
    nextMeeting { scheduledAt location agenda }
    plan {
      version
      goals { id title status targetDate actions { department kind status } }
      measurements { member { firstName } instrument score measuredOn }
    }
  }
}

# Live changes pushed by the departments (run this one, then wait: the mocks change records a few times a minute).
subscription FamilyUpdates {
  familyUpdated(familyId: "F00002") { kind occurredAt memberId department recordKind summary }
}
"""

HEADERS_TEMPLATE = '{\n  "Authorization": "Bearer <token from make run or hub token --user tovholder>"\n}'

_CONTENT_TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json",
}


@functools.cache
def manifest() -> dict[str, dict[str, str]]:
    """file name -> its manifest entry (package, version, sha256, source)."""
    data = json.loads((STATIC_DIR / "manifest.json").read_text())
    return {entry["file"]: entry for entry in data["files"]}


def served_files() -> frozenset[str]:
    return frozenset(manifest()) | frozenset(OWN_FILES) | {"manifest.json"}


def page_html(endpoint: str = "/graphql") -> str:
    config = json.dumps({"endpoint": endpoint, "query": EXAMPLE_OPERATION, "headers": HEADERS_TEMPLATE})
    # In a <script type="application/json"> only "</" could end the element early: escape it.
    config = config.replace("</", "<\\/")
    versions = ", ".join(
        f"{e['package']} {e['version']}" for e in manifest().values() if e["file"].startswith("LICENSE.")
    )
    a = ASSET_PREFIX
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Familiehub GraphiQL</title>
<link rel="stylesheet" href="{a}graphiql.min.css">
<style>html, body, #graphiql {{ height: 100%; margin: 0; }}</style>
</head>
<body>
<div id="graphiql">Loading GraphiQL ({html.escape(versions)}, served by the hub)...</div>
<script type="application/json" id="familiehub-config">{config}</script>
<script src="{a}react.production.min.js"></script>
<script src="{a}react-dom.production.min.js"></script>
<script src="{a}graphiql.min.js"></script>
<script src="{a}familiehub.js"></script>
</body>
</html>
"""


def page_response() -> Response:
    return HTMLResponse(
        page_html(),
        headers={
            "Content-Security-Policy": CONTENT_SECURITY_POLICY,
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "no-cache",
        },
    )


async def graphiql_page(request: Request) -> Response:
    return page_response()


async def graphiql_asset(request: Request) -> Response:
    name = request.path_params["name"]
    if name not in served_files():  # a fixed allow-list: no path from the request reaches the file system
        return Response(
            b'{"error": {"code": "NOT_FOUND", "message": "no such resource"}}',
            404,
            media_type="application/json",
        )
    body = (STATIC_DIR / name).read_bytes()
    vendored = name in manifest()
    return Response(
        body,
        media_type=_CONTENT_TYPES.get(Path(name).suffix, "text/plain; charset=utf-8"),
        headers={
            "X-Content-Type-Options": "nosniff",
            # Vendored files are pinned (their names change only with a re-vendor): cache them for a day.
            "Cache-Control": "public, max-age=86400" if vendored else "no-cache",
        },
    )


def graphiql_routes(enabled: bool) -> list[BaseRoute]:
    if not enabled:
        return []
    return [
        Route("/graphiql", graphiql_page, methods=["GET"]),
        Route(ASSET_PREFIX + "{name}", graphiql_asset, methods=["GET"]),
    ]
