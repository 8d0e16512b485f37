"""GraphiQL is served by the hub: the page references no external URL, every asset it loads is served from the
hub with the sha256 the manifest pins, and the page carries a self-only Content-Security-Policy."""

from __future__ import annotations

import hashlib
import re
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from hub.app import create_app
from hub.graphiql import STATIC_DIR, manifest
from hub.settings import Settings
from tests.support.stack import running_stack


def _settings(tmp_path: Path, **overrides: object) -> Settings:
    return Settings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'hub.db'}", var_dir=tmp_path / "var", **overrides
    )


@pytest.fixture
async def client(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(_settings(tmp_path))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://127.0.0.1:8000"
    ) as c:
        yield c
    await app.state.services.aclose()


def _urls(page: str) -> list[str]:
    return re.findall(r'(?:src|href)="([^"]+)"', page)


@pytest.mark.parametrize("path", ["/graphiql", "/graphql"])
async def test_the_page_references_no_external_url(client: httpx.AsyncClient, path: str) -> None:
    response = await client.get(path, headers={"Accept": "text/html"})
    assert response.status_code == 200
    page = response.text
    assert "GraphiQL" in page
    assert not re.search(
        r"https?://|//[a-z0-9.-]+\.[a-z]{2,}/", page.replace('"endpoint": "/graphql"', "")
    ), "the GraphiQL page references an external URL"
    assert "unpkg" not in page
    assert "jsdelivr" not in page
    urls = _urls(page)
    assert urls
    assert all(u.startswith("/graphiql/assets/") for u in urls), urls


async def test_the_page_has_a_self_only_csp_and_the_familiehub_example(client: httpx.AsyncClient) -> None:
    response = await client.get("/graphiql")
    csp = response.headers["content-security-policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"
    assert directives["connect-src"] == "'self'"
    assert "http" not in csp
    assert 'family(id: \\"F00002\\")' in response.text
    assert "subscription FamilyUpdates" in response.text
    assert "Authorization" in response.text
    assert "Bearer <token" in response.text


async def test_every_asset_the_page_loads_is_served_with_the_manifest_sha256(
    client: httpx.AsyncClient,
) -> None:
    page = (await client.get("/graphiql")).text
    pinned = manifest()
    loaded = [u.removeprefix("/graphiql/assets/") for u in _urls(page)]
    vendored = [name for name in loaded if name != "familiehub.js"]
    assert set(vendored) == {
        "graphiql.min.css",
        "react.production.min.js",
        "react-dom.production.min.js",
        "graphiql.min.js",
    }
    for name in [*vendored, *(n for n in pinned if n.startswith("LICENSE."))]:
        response = await client.get(f"/graphiql/assets/{name}")
        assert response.status_code == 200, name
        assert hashlib.sha256(response.content).hexdigest() == pinned[name]["sha256"], name
        assert pinned[name]["source"].startswith("https://registry.npmjs.org/")
    own = await client.get("/graphiql/assets/familiehub.js")
    assert own.status_code == 200
    assert own.headers["content-type"].startswith("text/javascript")


def test_every_vendored_package_has_its_licence_and_a_pinned_version() -> None:
    pinned = manifest()
    packages = {e["package"] for e in pinned.values()}
    assert packages == {"graphiql", "react", "react-dom"}
    for package in packages:
        assert f"LICENSE.{package}" in pinned
        assert (STATIC_DIR / f"LICENSE.{package}").read_text().startswith("MIT License")
    assert all(re.fullmatch(r"\d+\.\d+\.\d+", e["version"]) for e in pinned.values())
    assert pinned["graphiql.min.js"]["version"].startswith("3.")
    assert pinned["react.production.min.js"]["version"].startswith("18.")


@pytest.mark.parametrize("name", ["../settings.py", "..%2F..%2Fapp.py", "manifest.jsonx", "nope.js"])
async def test_only_the_listed_files_are_served(client: httpx.AsyncClient, name: str) -> None:
    response = await client.get(f"/graphiql/assets/{name}")
    assert response.status_code == 404


async def test_no_graphiql_where_introspection_is_off(tmp_path: Path) -> None:
    app = create_app(_settings(tmp_path, introspection=False))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://h") as c:
        assert (await c.get("/graphiql")).status_code == 404
        assert (await c.get("/graphiql/assets/graphiql.min.js")).status_code == 404
    await app.state.services.aclose()


@pytest.mark.parametrize(
    ("method", "kwargs", "status"),
    [
        ("GET", {"params": {"query": "{ __typename }"}}, None),
        ("POST", {"json": [{"query": "{ __typename }"}, {"query": "{ __typename }"}]}, 400),
        ("POST", {"content": b"not json", "headers": {"Content-Type": "application/json"}}, 400),
    ],
)
async def test_refused_get_batch_and_bad_bodies_answer_graphql_shaped_json(
    tmp_path: Path, method: str, kwargs: dict[str, object], status: int | None
) -> None:
    # Signed in: an anonymous request is refused (401) before its body is read, whatever the body.
    async with running_stack(tmp_path, families=2) as stack:
        headers = {**dict(kwargs.pop("headers", {})), "Authorization": f"Bearer {stack.token('tovholder')}"}  # type: ignore[call-overload]
        response = await stack.client.request(method, "/graphql", headers=headers, **kwargs)  # type: ignore[arg-type]
    assert 400 <= response.status_code < 500
    if status is not None:
        assert response.status_code == status
    assert response.headers["content-type"].startswith("application/json"), response.text
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] in {"BAD_USER_INPUT", "UNAUTHENTICATED"}
    assert error["message"]
