"""`hub up` (what `make run` calls): migrate, seed the demo world if empty, start the five mock departments and
the hub in one process, print the URLs and a demo token per kind of user, and stop everything on Ctrl-C.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
from datetime import date

import uvicorn

from hub.crypto import CprVault
from hub.domain import Department
from hub.logging import configure_logging
from hub.persistence.engine import create_engine, create_session_factory
from hub.persistence.migrate import upgrade
from hub.seed import AlreadySeeded, seed_world
from hub.settings import Settings
from hub.world import generate_world
from hub.world.anchor import LEGACY_ANCHOR, record_anchor, recorded_anchor, resolve_anchor


async def _prepare_database(settings: Settings, families: int, seed: int, explicit: date | None) -> date:
    """Migrate, seed if empty; the world's anchor (the one just seeded, or the one this database was seeded at)."""
    recorded = recorded_anchor(settings.var_dir, settings.database_url, families=families, seed=seed)
    engine = create_engine(settings.database_url)
    try:
        await upgrade(engine)
        anchor = resolve_anchor(explicit, settings.world_anchor, None, date.today())
        world = generate_world(families, seed, anchor)
        try:
            await seed_world(create_session_factory(engine), world, CprVault.from_settings(settings))
        except AlreadySeeded:
            # Seeded earlier: the mocks must use that seed's anchor (before anchors were recorded: the old one).
            return resolve_anchor(explicit, settings.world_anchor, recorded, LEGACY_ANCHOR)
        record_anchor(settings.var_dir, settings.database_url, families=families, seed=seed, anchor=anchor)
        return anchor
    finally:
        await engine.dispose()


def _banner(settings: Settings, tokens: list[tuple[str, str, str]]) -> str:
    base = f"http://{settings.host}:{settings.port}"
    lines = [
        "",
        "Familiehub is running.",
        f"  Front-end:          {base}/app/  (sign in as a demo user)",
        f"  GraphQL:            {base}/graphql",
        f"  GraphiQL:           {base}/graphiql  (offline; paste a token below into its Headers tab)",
        f"  Health:             {base}/healthz  {base}/readyz  {base}/metrics",
        "  Mock departments:",
    ]
    lines += [
        f"    {d.value}: {settings.department_url(d)}  (OpenAPI: {settings.department_url(d)}/openapi.json)"
        for d in Department
    ]
    if tokens:
        lines.append(
            "  Demo bearer tokens (Authorization: Bearer <token>), valid for 12 hours "
            "(`hub users` lists every user, `hub token --user NAME` mints another):"
        )
        lines += [f"    {username:<22} {role:<18} {token}" for username, role, token in tokens]
    lines.append("Press Ctrl-C to stop.")
    return "\n".join(lines)


def readme_users() -> list[str]:
    """Every demo user the README names, in the order `make run` prints their tokens."""
    from hub.auth.seed import caseworker_username, core_team_username, system_username

    return [
        "tovholder",
        *(core_team_username(d) for d in Department),
        *(caseworker_username(d) for d in Department),
        "borger-F00002-1",
        "ung-F00002-1",  # the demo's first young person of 15-17 (absent from a world where it is another family)
        *(system_username(d) for d in Department),
        "styregruppe",
        "admin",
    ]


def _demo_tokens(settings: Settings) -> list[tuple[str, str, str]]:
    try:
        from hub.auth.devtokens import tokens_for
    except ImportError:
        return []
    return asyncio.run(tokens_for(settings, readme_users()))


async def _serve(
    settings: Settings, families: int, seed: int, anchor: date, tokens: list[tuple[str, str, str]]
) -> None:
    from connectors.mock.producer import ProducerConfig
    from connectors.mock.runner import serve_departments

    world = generate_world(families, seed, anchor)
    urls = {d: settings.department_url(d) for d in Department}
    departments = asyncio.create_task(
        serve_departments(
            world,
            urls,
            admin_token=settings.mock_admin_token.get_secret_value(),
            # The departments change over time and push to the hub's webhook, so the demo is a living system.
            producer=ProducerConfig.for_hub(settings),
        )
    )
    config = uvicorn.Config(
        "hub.app:asgi",
        factory=True,
        host=settings.host,
        port=settings.port,
        log_config=None,
        access_log=False,
        lifespan="on",
        **settings.server_options(),
    )
    server = uvicorn.Server(config)
    hub = asyncio.create_task(server.serve())
    # uvicorn exposes readiness only as a flag; poll it briefly so the banner prints once the hub listens.
    while not server.started and not hub.done():  # noqa: ASYNC110
        await asyncio.sleep(0.05)
    if server.started:
        print(_banner(settings, tokens), flush=True)
    try:
        await hub
    finally:
        departments.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await departments


def up(settings: Settings, *, families: int = 40, seed: int = 2026, anchor: date | None = None) -> int:
    configure_logging(settings.log_level)
    world_anchor = asyncio.run(_prepare_database(settings, families, seed, anchor))
    tokens = _demo_tokens(settings)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(settings, families, seed, world_anchor, tokens))
    print("stopped.", file=sys.stderr)
    return 0
