"""The reference front-end as the hub serves it (hub/webapp.py, hub/auth/dev_token_http.py): files under /app/
with a CSP that forbids inline scripts and styles, the single page for any app path, the vendored libraries as
recorded in their manifest, and the development sign-in that exists only outside production."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette

from hub.auth.dev_token_http import dev_token_routes
from hub.settings import Environment, Settings
from hub.webapp import STATIC_DIR, webapp_routes
from tests.support.stack import Stack, running_stack

VENDOR = STATIC_DIR / "vendor"


@pytest.fixture
async def stack(tmp_path: Path) -> AsyncIterator[Stack]:
    async with running_stack(tmp_path, families=3, seed=7) as s:
        yield s


def test_vendored_files_match_their_manifest() -> None:
    manifest = json.loads((VENDOR / "manifest.json").read_text())
    files = {entry["file"]: entry for entry in manifest["files"]}
    on_disk = {p.name for p in VENDOR.iterdir()} - {"manifest.json"}
    assert on_disk == set(files), "every vendored file is in the manifest and nothing else is there"
    for name, entry in files.items():
        assert hashlib.sha256((VENDOR / name).read_bytes()).hexdigest() == entry["sha256"], name
        assert re.fullmatch(r"\d+\.\d+\.\d+", entry["version"]), "pinned, exact versions"
    packages = {entry["package"] for entry in files.values()}
    assert {f"LICENSE.{p}" for p in packages} <= set(files), "each package ships its licence"


def test_the_test_only_axe_core_is_the_recorded_one() -> None:
    readme = (Path(__file__).parent / "vendor" / "README.md").read_text()
    digest = hashlib.sha256((Path(__file__).parent / "vendor" / "axe.min.js").read_bytes()).hexdigest()
    assert digest in readme


def test_no_inline_script_or_style_in_the_page() -> None:
    page = (STATIC_DIR / "index.html").read_text()
    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", page) == []
    assert "<style" not in page
    assert " style=" not in page
    for js in (STATIC_DIR / "js").glob("*.js"):
        assert "localStorage" not in js.read_text(), f"{js.name}: tokens never go to localStorage"


async def test_app_is_served_with_security_headers(stack: Stack) -> None:
    response = await stack.client.get("/app/")
    assert response.status_code == 200
    assert 'src="/app/js/main.js"' in response.text
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp
    assert "style-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["referrer-policy"] == "no-referrer"

    deep = await stack.client.get("/app/familier/F00002")  # a hand-typed app URL is the page itself
    assert deep.status_code == 200
    assert deep.text == response.text

    module = await stack.client.get("/app/js/main.js")
    assert module.status_code == 200
    assert module.headers["content-type"].startswith("text/javascript")
    operation = await stack.client.get("/app/operations/FamilyPage.graphql")
    assert operation.status_code == 200
    assert "query FamilyPage" in operation.text

    for missing in ("/app/nope.js", "/app/../hub/app.py", "/app/vendor/../../../settings.py"):
        assert (await stack.client.get(missing)).status_code == 404, missing
    assert (await stack.client.get("/app")).status_code == 308


async def test_development_sign_in_gives_a_working_token_for_demo_users_only(stack: Stack) -> None:
    config = (await stack.client.get("/app/config.json")).json()
    assert config["signIn"] == "development"
    users = (await stack.client.get("/dev/users")).json()["users"]
    assert {"tovholder", "borger-F00002-1", "styregruppe"} <= {u["username"] for u in users}
    assert not [u for u in users if u["role"] in ("DEPARTMENT_SYSTEM", "ADMIN")]

    answer = await stack.client.post("/dev/token", json={"username": "tovholder"})
    assert answer.status_code == 200
    assert answer.headers["cache-control"] == "no-store"
    me = await stack.graphql("{ me { username role } }", token=answer.json()["token"])
    assert me["data"]["me"] == {"username": "tovholder", "role": "COORDINATOR"}

    for body in ({"username": "sof-system"}, {"username": "nobody"}, {}, "not json"):
        refused = await stack.client.post("/dev/token", json=body)
        assert refused.status_code == 400, body
        assert refused.json()["error"]["code"] == "BAD_USER_INPUT"


async def test_production_has_no_development_sign_in() -> None:
    settings = Settings(
        env=Environment.PRODUCTION,
        dev_issuer=False,
        oidc_issuer="https://login.example.test/realms/kk",
        oidc_jwks_url="https://login.example.test/realms/kk/certs",
    )
    assert dev_token_routes(settings) == []
    app = Starlette(routes=[*webapp_routes(settings), *dev_token_routes(settings)])
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://hub.test"
    ) as client:
        assert (await client.post("/dev/token", json={"username": "tovholder"})).status_code == 404
        assert (await client.get("/dev/users")).status_code == 404
        config = (await client.get("/app/config.json")).json()
        assert config == {
            "signIn": "oidc",
            "issuer": "https://login.example.test/realms/kk",
            "clientId": "familiehub",
            "scope": "openid profile",
        }
        csp = (await client.get("/app/")).headers["content-security-policy"]
        assert "connect-src 'self' https://login.example.test" in csp
