"""The processes a benchmark run starts: the mock departments and the hub, each a real process on 127.0.0.1.

`Stack` owns a temporary directory (database, var/, logs), starts `hub departments` and `hub serve` through
the `hub` CLI on free ports of its own (never the development defaults 8000/8101-8105, so a `make run` on the
same machine does not clash), pins them to CPU cores with `taskset` where there are at least two, and reads
the hub's peak RSS and CPU time from /proc. It stops only the processes it started, by their pid.

It must never talk to anything but 127.0.0.1, and every wait here is bounded in time.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg  # type: ignore[import-untyped]

from hub.auth.devtokens import TokenError, mint_for_user
from hub.domain import Department
from hub.settings import Settings
from hub.world import WORLD_TODAY

BIN = Path(sys.executable).parent
HUB = str(BIN / "hub")
BENCH_RATE_LIMIT = "1000000/minute"  # per principal and kind; see Stack.env
ADMIN_TOKEN = "dev-admin"  # noqa: S105 - the mocks' development admin token (HUB_MOCK_ADMIN_TOKEN)
START_TIMEOUT_S = 60.0
CLI_TIMEOUT_S = 600.0  # seeding 10,000 families takes a while on a slow machine
CLK_TCK = os.sysconf("SC_CLK_TCK")
TOKEN_TTL_S = 12 * 3600  # the development issuer's maximum: a long run never sees a token expire


class BenchError(RuntimeError):
    """The harness could not set up or measure something; the message says what (never personal data)."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def cores() -> list[int]:
    return sorted(os.sched_getaffinity(0))


@contextlib.contextmanager
def fresh_postgres(server_url: str) -> Iterator[str]:
    """A new, empty database on the PostgreSQL server of `server_url` (an asyncpg SQLAlchemy URL), dropped
    afterwards; its URL. BenchError when there is no server to create it on."""
    name = f"bench_{uuid.uuid4().hex[:10]}"
    admin_url = server_url.replace("postgresql+asyncpg://", "postgresql://")

    async def admin(sql: str) -> None:
        conn = await asyncpg.connect(admin_url, timeout=30)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    try:
        asyncio.run(admin(f'CREATE DATABASE "{name}"'))
    except (OSError, asyncpg.PostgresError) as exc:
        raise BenchError(f"no PostgreSQL server at --postgres-url ({type(exc).__name__})") from exc
    try:
        yield server_url.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with contextlib.suppress(OSError, asyncpg.PostgresError):
            asyncio.run(admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@dataclass(frozen=True)
class Pinning:
    """Which cores the load generator (and the mocks) and the hub run on; empty means unpinned."""

    load: tuple[int, ...]
    hub: tuple[int, ...]

    @classmethod
    def plan(cls) -> Pinning:
        available = cores()
        if len(available) < 2 or shutil.which("taskset") is None:
            return cls((), ())
        # The hub gets its own core; the load generator and the mock departments share the rest. The floor
        # baseline runs on the load generator's core too, so it pays the same contention the hub's calls do.
        return cls(tuple(available[:-1]), (available[-1],))

    def prefix(self, which: tuple[int, ...]) -> list[str]:
        return ["taskset", "-c", ",".join(map(str, which))] if which else []

    def describe(self) -> str:
        if not self.hub:
            return "unpinned (fewer than 2 cores or no taskset)"
        return f"load generator + mocks on cores {self.load}, hub on core {self.hub}"


@dataclass
class Proc:
    name: str
    popen: subprocess.Popen[bytes]
    log: Path

    @property
    def pid(self) -> int:
        return self.popen.pid

    def alive(self) -> bool:
        return self.popen.poll() is None

    def log_tail(self, lines: int = 30) -> str:
        try:
            text = self.log.read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def stop(self, timeout_s: float = 10.0) -> None:
        if not self.alive():
            return
        self.popen.send_signal(signal.SIGINT)  # uvicorn and aiohttp shut down cleanly on SIGINT
        try:
            self.popen.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            self.popen.kill()
            self.popen.wait(timeout=timeout_s)

    # -- /proc figures (Linux) -------------------------------------------------------------------------

    def cpu_seconds(self) -> float:
        """User + system CPU time so far of the process (all threads) and every live descendant: `hub serve
        --workers N` runs its workers as child processes, and their CPU is the hub's CPU too."""
        return sum(_stat_cpu(stat) for stat in _tree_stats(self.pid))

    def peak_rss_mb(self) -> float:
        """Peak RSS (VmHWM) of the process, plus its workers' (the sum of each one's peak)."""
        total, found = 0.0, False
        for pid in self._tree_pids():
            try:
                lines = Path(f"/proc/{pid}/status").read_text().splitlines()
            except OSError:
                continue
            for line in lines:
                if line.startswith("VmHWM:"):
                    total += int(line.split()[1]) / 1024
                    found = True
        return total if found else float("nan")

    def reset_peak_rss(self) -> bool:
        """Reset VmHWM to the current RSS (Linux >= 4.0), so a row reports its own peak; False if refused."""
        try:
            for pid in self._tree_pids():
                Path(f"/proc/{pid}/clear_refs").write_text("5")
        except OSError:
            return False
        return True

    def _tree_pids(self) -> list[int]:
        return [int(fields[-1]) for fields in _tree_stats(self.pid, with_pid=True)]


def _stat_fields(pid: int) -> list[str] | None:
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:  # gone since it was listed
        return None
    return raw[raw.rindex(")") + 2 :].split()  # the command name may contain spaces


def _stat_cpu(fields: list[str]) -> float:
    # utime and stime (fields 14 and 15 of proc(5), counted from the state field here).
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def _tree_stats(root: int, *, with_pid: bool = False) -> list[list[str]]:
    """/proc stat fields of `root` and its live descendants (a worker that exited took its CPU with it);
    `with_pid` appends each process's pid as a last field."""
    parents: dict[int, int] = {}
    stats: dict[int, list[str]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        fields = _stat_fields(int(entry.name))
        if fields is not None:
            parents[int(entry.name)] = int(fields[1])
            stats[int(entry.name)] = fields
    tree = {root} if root in stats else set()
    grew = True
    while grew:
        grew = False
        for pid, ppid in parents.items():
            if ppid in tree and pid not in tree:
                tree.add(pid)
                grew = True
    return [[*stats[pid], str(pid)] if with_pid else stats[pid] for pid in sorted(tree)]


def _get(url: str, timeout_s: float = 1.0) -> int:
    request = urllib.request.Request(url, method="GET")  # noqa: S310 - always http://127.0.0.1
    with urllib.request.urlopen(request, timeout=timeout_s) as response:  # noqa: S310
        return int(response.status)


def wait_http_ok(proc: Proc, urls: list[str], timeout_s: float = START_TIMEOUT_S) -> None:
    deadline = time.monotonic() + timeout_s
    pending = list(urls)
    while pending:
        if not proc.alive():
            raise BenchError(f"{proc.name} exited with {proc.popen.returncode}:\n{proc.log_tail()}")
        if time.monotonic() > deadline:
            raise BenchError(f"{proc.name} not ready after {timeout_s:.0f}s:\n{proc.log_tail()}")
        try:
            if _get(pending[0]) == 200:
                pending.pop(0)
                continue
        except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
            pass
        time.sleep(0.05)


@dataclass
class Stack:
    """A temporary directory with a database and var/, and the processes started in it."""

    root: Path
    database_url: str
    families: int
    seed: int
    pinning: Pinning
    hub_workers: int = 1  # `hub serve --workers N`
    department_urls: dict[Department, str] = field(default_factory=dict)
    hub_url: str = ""
    procs: list[Proc] = field(default_factory=list)
    hub: Proc | None = None
    departments: Proc | None = None
    # The world the bench generates in-process (generate_world's fixed default anchor) must be the one the
    # departments serve and the hub seeds: `hub seed`/`departments` default to today's anchor otherwise.
    anchor_args: tuple[str, ...] = ("--anchor-date", WORLD_TODAY.isoformat())

    def env(self, extra: Mapping[str, str] | None = None) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            {
                "HUB_DATABASE_URL": self.database_url,
                "HUB_VAR_DIR": str(self.root / "var"),
                "HUB_LOG_LEVEL": "WARNING",  # request logging would measure the log handler
                "HUB_MOCK_ADMIN_TOKEN": ADMIN_TOKEN,
                "PYTHONDONTWRITEBYTECODE": "1",
            }
        )
        env.update({f"HUB_{d.value}_URL": url for d, url in self.department_urls.items()})
        # The bench means to saturate the hub from one address and a few tokens: budgets no run reaches, so the
        # rate limiter's cost is measured but it never refuses (hub/ratelimit.py).
        for kind in ("QUERY", "MUTATION", "SUBSCRIPTION", "WEBHOOK"):
            env.setdefault(f"HUB_RATE_LIMIT_{kind}", BENCH_RATE_LIMIT)
        if self.hub_url:
            env["HUB_PORT"] = self.hub_url.rsplit(":", 1)[1]
        if self.hub_workers > 1:
            # The workers keep their caches coherent over Redis (`hub serve` refuses N > 1 without it): a channel
            # prefix of this run's own, so that another run on the same Redis is never heard.
            env.setdefault("HUB_PUBSUB_PREFIX", f"familiehub-bench-{self.root.name}")
        env.update(extra or {})
        return env

    def cli(self, *args: str, timeout_s: float = CLI_TIMEOUT_S) -> str:
        """Run `hub ARGS...` to completion in this stack's environment; its stdout, or BenchError."""
        try:
            done = subprocess.run(
                [HUB, *args], env=self.env(), capture_output=True, timeout=timeout_s, check=False
            )
        except subprocess.TimeoutExpired as exc:
            raise BenchError(f"`hub {args[0]}` did not finish within {timeout_s:.0f}s") from exc
        if done.returncode != 0:
            tail = "\n".join(done.stderr.decode(errors="replace").splitlines()[-20:])
            raise BenchError(f"`hub {args[0]}` failed with exit code {done.returncode}:\n{tail}")
        return done.stdout.decode().strip()

    def spawn(self, name: str, args: list[str], *, pin: tuple[int, ...], env: Mapping[str, str]) -> Proc:
        log = self.root / f"{name}.log"
        with log.open("wb") as out:
            popen = subprocess.Popen(
                [*self.pinning.prefix(pin), HUB, *args],
                env=self.env(env),
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )
        proc = Proc(name, popen, log)
        self.procs.append(proc)
        return proc

    def start_departments(self, latencies_ms: Mapping[Department, int]) -> Proc:
        self.department_urls = {d: f"http://127.0.0.1:{free_port()}" for d in Department}
        faults = {f"MOCK_{d.value}_FAULTS": f'{{"latency_ms": {latencies_ms.get(d, 0)}}}' for d in Department}
        self.departments = self.spawn(
            "departments",
            ["departments", "--families", str(self.families), "--seed", str(self.seed), *self.anchor_args],
            pin=self.pinning.load,
            env=faults,
        )
        return self.departments

    def wait_departments(self) -> None:
        if self.departments is None:
            raise BenchError("the departments were never started")
        wait_http_ok(self.departments, [f"{url}/health" for url in self.department_urls.values()])

    def prepare_database(self) -> None:
        self.cli("migrate")
        self.cli("seed", "--families", str(self.families), "--seed", str(self.seed), *self.anchor_args)

    def start_hub(self, extra_env: Mapping[str, str] | None = None) -> Proc:
        port = free_port()
        self.hub_url = f"http://127.0.0.1:{port}"
        args = ["serve", "--host", "127.0.0.1", "--port", str(port)]
        if self.hub_workers > 1:
            args += ["--workers", str(self.hub_workers)]
        self.hub = self.spawn(
            "hub",
            args,
            # Several workers on one pinned core would measure the core, not the workers: unpinned then.
            pin=self.pinning.hub if self.hub_workers <= 1 else (),
            env=extra_env or {},
        )
        wait_http_ok(self.hub, [f"{self.hub_url}/healthz"])
        return self.hub

    async def token(self, user: str) -> str:
        return (await self.tokens([user]))[user]

    async def tokens(self, users: list[str]) -> dict[str, str]:
        """Development tokens for seeded users, minted as `hub token --user U` mints them (the same function),
        in-process: each CLI start costs most of a second. The issuer is this stack's hub (its var/ key)."""
        settings = Settings(
            database_url=self.database_url,
            var_dir=self.root / "var",
            port=int(self.hub_url.rsplit(":", 1)[1]) if self.hub_url else 8000,
        )
        try:
            return {u: await mint_for_user(settings, u, ttl_s=TOKEN_TTL_S) for u in users}
        except TokenError as exc:
            raise BenchError(f"could not mint a token: {exc}") from exc

    def close(self) -> None:
        for proc in reversed(self.procs):
            with contextlib.suppress(OSError, subprocess.SubprocessError):
                proc.stop()
        self.procs.clear()


@contextlib.contextmanager
def temporary_root(keep: bool = False) -> Iterator[Path]:
    root = Path(tempfile.mkdtemp(prefix="familiehub-bench-"))
    try:
        yield root
    finally:
        if keep:
            print(f"kept {root}", file=sys.stderr)
        else:
            shutil.rmtree(root, ignore_errors=True)
