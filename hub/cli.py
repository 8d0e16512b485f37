"""The `hub` command: serve, migrate, seed, departments, token, audit, ... (`hub COMMAND --help`).

Each concern lists its subcommands in its own `COMMANDS` (hub/command.py) and `all_commands()` below lists the concerns;
a command is (name, help, configure(parser), run(args)).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import sys
from collections.abc import Callable, Sequence
from datetime import date
from urllib.parse import urlsplit

from hub.audit import cli as audit_cli
from hub.auth import cli as auth_cli
from hub.auth import staffing_cli
from hub.command import Command
from hub.documents import cli as documents_cli
from hub.domain import Department
from hub.outcomes import cli as outcomes_cli
from hub.readmodel import cli as readmodel_cli
from hub.settings import Settings
from hub.world import cli as world_cli


def _serve_configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("--host", help="listen address (default: HUB_HOST or 127.0.0.1)")
    p.add_argument("--port", type=int, help="listen port (default: HUB_PORT or 8000)")
    p.add_argument(
        "--workers",
        type=int,
        default=None,
        help="uvicorn worker processes (default: HUB_WORKERS or 1; more than 1 needs HUB_REDIS_URL)",
    )


def _serve(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    from hub.cli_errors import busy_port, unmigrated
    from hub.config_check import production_problems
    from hub.logging import configure_logging

    workers = args.workers if args.workers is not None else settings.workers
    if workers < 1:
        print("error: --workers must be at least 1", file=sys.stderr)
        return 2
    if workers > 1 and not settings.redis_url:
        # Each worker is its own process with its own caches: cache invalidations and live updates reach the
        # other workers only through Redis pub/sub. Without it a worker could serve what another purged.
        print("error: --workers > 1 needs HUB_REDIS_URL (pub/sub between the workers)", file=sys.stderr)
        return 2

    if settings.is_production:
        problems = production_problems(settings)
        if problems:
            return _fail_problems(problems)
    host, port = args.host or settings.host, args.port or settings.port
    problem = busy_port([(host, port, "the hub, HUB_PORT")]) or asyncio.run(unmigrated(settings.database_url))
    if problem:
        return _fail(problem)
    configure_logging(settings.log_level)
    # uvicorn drains on SIGTERM and then re-raises the signal with the handler it found; a no-op handler makes
    # a finished graceful stop exit 0 instead of dying by the signal.
    signal.signal(signal.SIGTERM, lambda *_: None)
    uvicorn.run(
        "hub.app:asgi",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_config=None,
        access_log=False,
        lifespan="on",
        **settings.server_options(),
    )
    return 0


def _migrate_configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("--revision", default="head", help="target revision (default: head)")


def _migrate(args: argparse.Namespace, settings: Settings) -> int:
    from hub.persistence.engine import create_engine
    from hub.persistence.migrate import upgrade

    async def run() -> None:
        engine = create_engine(settings.database_url)
        try:
            await upgrade(engine, args.revision)
        finally:
            await engine.dispose()

    asyncio.run(run())
    print(f"database migrated to {args.revision}")
    return 0


def _seed_configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("--families", type=int, default=40, help="number of families (default 40)")
    p.add_argument("--seed", type=int, default=2026, help="random seed (same seed, same world)")
    p.add_argument("--reset", action="store_true", help="replace an already seeded database")
    p.add_argument(
        "--if-empty", action="store_true", help="do nothing if the database already holds families"
    )
    p.add_argument(
        "--allow-production",
        action="store_true",
        help="seed even with HUB_ENV=production (demo people and demo users such as `admin`: never wanted there)",
    )
    _anchor_argument(p)


PRODUCTION_SEED_REFUSAL = (
    "refusing to seed: HUB_ENV=production, and `hub seed` writes the demo world (demo families and demo users "
    "such as `admin` and `tovholder`) into the database. Production data comes from the department systems and "
    "users from the identity provider. Pass --allow-production only if you really want demo data here."
)


def _anchor_argument(p: argparse.ArgumentParser) -> None:
    from hub.world.anchor import parse_anchor

    p.add_argument(
        "--anchor-date",
        type=parse_anchor,
        metavar="YYYY-MM-DD",
        help="the world's 'today' (default: HUB_WORLD_ANCHOR, else what `hub seed` recorded, else today); "
        "same seed and anchor, same world",
    )


def _anchor(args: argparse.Namespace, settings: Settings, *, recorded: bool) -> date:
    from hub.world.anchor import recorded_anchor, resolve_anchor

    found = (
        recorded_anchor(settings.var_dir, settings.database_url, families=args.families, seed=args.seed)
        if recorded
        else None
    )
    return resolve_anchor(args.anchor_date, settings.world_anchor, found, date.today())


def _seed(args: argparse.Namespace, settings: Settings) -> int:
    from hub.crypto import CprVault
    from hub.persistence.engine import create_engine, create_session_factory
    from hub.seed import AlreadySeeded, seed_world
    from hub.world import generate_world
    from hub.world.anchor import record_anchor

    if settings.is_production and not args.allow_production:
        return _fail(PRODUCTION_SEED_REFUSAL)
    anchor = _anchor(args, settings, recorded=False)

    async def run() -> int:
        engine = create_engine(settings.database_url)
        try:
            world = generate_world(args.families, args.seed, anchor)
            await seed_world(
                create_session_factory(engine), world, CprVault.from_settings(settings), reset=args.reset
            )
            record_anchor(
                settings.var_dir, settings.database_url, families=args.families, seed=args.seed, anchor=anchor
            )
        except AlreadySeeded as exc:
            if args.if_empty:
                print("database already seeded; nothing to do")
                return 0
            print(f"error: {exc}", file=sys.stderr)
            return 1
        finally:
            await engine.dispose()
        print(f"seeded {args.families} families (seed {args.seed}, anchored at {anchor.isoformat()})")
        return 0

    return asyncio.run(run())


def _departments_configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("--families", type=int, default=40, help="number of families in the world (default 40)")
    p.add_argument("--seed", type=int, default=2026, help="random seed; use the same as `hub seed`")
    p.add_argument(
        "--only",
        action="append",
        choices=[d.value for d in Department],
        help="serve only this department (repeatable; default: all five)",
    )
    _anchor_argument(p)


def _departments(args: argparse.Namespace, settings: Settings) -> int:
    from connectors.mock.runner import serve_departments
    from hub.cli_errors import busy_port
    from hub.logging import configure_logging
    from hub.world import generate_world

    only = {Department(d) for d in args.only} if args.only else set(Department)
    urls = {d: settings.department_url(d) for d in Department if d in only}
    problem = busy_port(department_addresses(settings, only))
    if problem:
        return _fail(problem)
    configure_logging(settings.log_level)
    world = generate_world(args.families, args.seed, _anchor(args, settings, recorded=True))
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve_departments(world, urls, admin_token=settings.mock_admin_token.get_secret_value()))
    return 0


def _up_configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("--families", type=int, default=40, help="families in the demo world (default 40)")
    p.add_argument("--seed", type=int, default=2026, help="random seed of the demo world")
    _anchor_argument(p)


def _up(args: argparse.Namespace, settings: Settings) -> int:
    from hub.cli_errors import busy_port
    from hub.devstack import up

    if settings.is_production:
        # `hub up` seeds the demo world and starts mock departments: a development stack only.
        return _fail(
            "`hub up` is the development stack (demo world, mock departments): with HUB_ENV=production "
            'run `hub migrate` and `hub serve` (README, "Running in production")'
        )

    problem = busy_port(
        [
            (settings.host, settings.port, "the hub, HUB_PORT"),
            *department_addresses(settings, set(Department)),
        ]
    )
    if problem:
        return _fail(problem)

    return up(settings, families=args.families, seed=args.seed, anchor=args.anchor_date)


def department_addresses(settings: Settings, departments: set[Department]) -> list[tuple[str, int, str]]:
    out: list[tuple[str, int, str]] = []
    for d in Department:
        if d in departments:
            url = urlsplit(settings.department_url(d))
            out.append(
                (url.hostname or "127.0.0.1", url.port or 80, f"the {d.value} mock, HUB_{d.value}_URL")
            )
    return out


def _users_configure(p: argparse.ArgumentParser) -> None:
    from hub.auth.users_cli import users_configure

    users_configure(p)


def _users(args: argparse.Namespace, settings: Settings) -> int:
    if getattr(args, "action", None) not in (None, "list") or getattr(args, "all", False):
        from hub.auth.users_cli import users_run

        return users_run(args, settings)
    from hub.auth.devtokens import active_users

    users = asyncio.run(active_users(settings))
    if not users:
        return _fail("no users in the database: run `hub seed` (or `make run`)")
    print(f"{'username':<24} {'role':<18} department")
    for username, role, department in users:
        print(f"{username:<24} {role:<18} {department}")
    return 0


def _fail(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return 1


def _fail_problems(problems: Sequence[object]) -> int:
    """Every production problem, one per line (variable: how to fix), and no traceback."""
    lines = "\n".join(f"  - {problem}" for problem in problems)
    print(
        f"error: refusing to start in production, {len(problems)} problem(s):\n{lines}\n"
        '(`hub check-config` lists them without starting; README: "Running in production")',
        file=sys.stderr,
    )
    return 1


def _check_config_configure(p: argparse.ArgumentParser) -> None:
    pass


def _check_config(args: argparse.Namespace, settings: Settings) -> int:
    """The settings from the environment, checked as production settings: every problem, then exit 1."""
    from hub.auth.oidc_check import check_oidc_claims
    from hub.config_check import format_problems, production_problems

    # The claim mapping against the provider's discovery document (network): here only, not at every start.
    problems = production_problems(settings) + check_oidc_claims(settings)
    if problems:
        print(f"{len(problems)} problem(s) for production (variable: how to fix):")
        print(format_problems(problems))
        return 1
    print("configuration is fit for production")
    return 0


COMMANDS: list[Command] = [
    Command(
        "up", "migrate, seed and start the hub with the five mock departments (make run)", _up_configure, _up
    ),
    Command("serve", "start the hub (uvicorn)", _serve_configure, _serve),
    Command(
        "check-config",
        "check the settings (environment) for production: list every problem and how to fix it",
        _check_config_configure,
        _check_config,
    ),
    Command("migrate", "migrate the database to the latest revision", _migrate_configure, _migrate),
    Command("seed", "load the deterministic demo world", _seed_configure, _seed),
    Command("departments", "start the five mock department systems", _departments_configure, _departments),
    Command(
        "users",
        "list the active users with their roles (for `hub token --user NAME`); deactivate or activate one",
        _users_configure,
        _users,
    ),
]


def all_commands() -> list[Command]:
    """The core commands, then each concern's (its hub/<concern>/cli.py lists them in `COMMANDS`)."""
    return [
        *COMMANDS,
        *audit_cli.COMMANDS,  # hub audit
        *auth_cli.COMMANDS,  # hub token
        *staffing_cli.COMMANDS,  # hub assignments, hub caseloads
        *documents_cli.COMMANDS,  # hub documents
        *readmodel_cli.COMMANDS,  # hub readmodel
        *outcomes_cli.COMMANDS,  # hub outcomes
        *world_cli.COMMANDS,  # hub candidates
    ]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="hub", description="Familiehub: the HFI family hub.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in all_commands():
        p = sub.add_parser(command.name, help=command.help, description=command.help)
        command.configure(p)
        p.set_defaults(_run=command.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    from pydantic import ValidationError

    from hub.cli_errors import explain
    from hub.settings import ProductionConfigError

    args = build_parser().parse_args(argv)
    run: Callable[[argparse.Namespace, Settings], int] = args._run
    try:
        settings = Settings()
    except ValidationError as exc:
        # One line per setting: its name and pydantic's reason (the reason never quotes the value).
        problems = [
            f"HUB_{'_'.join(str(p) for p in e['loc']).upper()}: {e['msg']}"
            for e in exc.errors(include_input=False)
        ]
        lines = "\n".join(f"  - {problem}" for problem in problems)
        print(f"error: invalid settings (see the README's configuration table):\n{lines}", file=sys.stderr)
        return 1
    try:
        return run(args, settings)
    except ProductionConfigError as exc:
        return _fail_problems(exc.problems)
    except Exception as exc:
        # A fault the user can fix (unmigrated or unreachable database, busy port): one line, no traceback.
        # Anything else is our own fault and keeps its traceback.
        message = explain(exc, settings.database_url)
        if message is None:
            raise
        return _fail(message)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
