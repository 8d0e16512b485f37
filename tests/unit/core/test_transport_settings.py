"""HUB_HSTS adds Strict-Transport-Security to every response; HUB_TRUSTED_PROXIES names the proxies whose
forwarded headers are honoured (the older HUB_FORWARDED_ALLOW_IPS keeps working)."""

from __future__ import annotations

import httpx
import pytest
from prometheus_client import CollectorRegistry
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from hub.middleware import RequestContextMiddleware
from hub.settings import Settings


def _app(*, hsts: bool) -> RequestContextMiddleware:
    inner = Starlette(routes=[Route("/", lambda request: PlainTextResponse("ok"))])
    return RequestContextMiddleware(inner, registry=CollectorRegistry(), hsts=hsts)


@pytest.mark.parametrize("hsts", [True, False])
async def test_strict_transport_security_only_when_asked(hsts: bool) -> None:
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=_app(hsts=hsts)), base_url="http://t"
    ) as c:
        response = await c.get("/")
    assert response.status_code == 200
    assert response.headers.get("strict-transport-security") == (
        "max-age=31536000; includeSubDomains" if hsts else None
    )


def test_hsts_is_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    assert Settings().hsts is False
    monkeypatch.setenv("HUB_HSTS", "true")
    assert Settings().hsts is True


@pytest.mark.parametrize("name", ["HUB_TRUSTED_PROXIES", "HUB_FORWARDED_ALLOW_IPS"])
def test_the_trusted_proxies_under_either_name(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    monkeypatch.delenv("HUB_TRUSTED_PROXIES", raising=False)
    monkeypatch.delenv("HUB_FORWARDED_ALLOW_IPS", raising=False)
    assert Settings().forwarded_allow_ips == "127.0.0.1,::1"
    monkeypatch.setenv(name, "10.1.2.3")
    settings = Settings()
    assert settings.forwarded_allow_ips == "10.1.2.3"
    assert settings.server_options()["forwarded_allow_ips"] == "10.1.2.3"
