"""The README's configuration table, generated from `hub.settings.Settings` so it cannot drift.

`python -m hub.settings_doc` prints the table; `--write README.md` replaces the table between the README's
markers; `--check README.md` exits 1 when the README's table differs (a test runs the check). `make readme` writes.

A setting's meaning is its `Field(description=...)`, else the comment on its line or the comment block right above
it in hub/settings.py, else an entry in `MEANINGS` below. Settings that exist once per department
(`HUB_SOF_URL` ... `HUB_SUF_URL`) are one row.
"""

from __future__ import annotations

import argparse
import ast
import io
import sys
import tokenize
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from hub.domain import Department
from hub.settings import Settings

START = "<!-- settings-table:start (generated from hub/settings.py by `make readme`; do not edit by hand) -->"
END = "<!-- settings-table:end -->"
SETTINGS_SOURCE = Path(__file__).parent / "settings.py"

# Meanings of settings whose definition carries no comment.
MEANINGS: dict[str, str] = {
    "env": "`production` refuses development secrets, the development token issuer and SQLite "
    '(`hub check-config` lists every problem; README, "Running in production")',
    "host": "where the hub listens",
    "port": "where the hub listens",
    "var_dir": "development state: SQLite database, generated keys, the demo world's anchor",
    "database_url": "PostgreSQL in production: `postgresql+asyncpg://…`",
    "redis_url": "pub/sub (and caches) across several hub processes; unset: one process",
    "log_level": "log level of the hub's JSON logs",
    "dept_url": "each department system's base URL (in `make run` the mocks listen there)",
    "dept_credential": "the hub's client credential for each department system",
    "dept_webhook_secret": "HMAC secret of each department's webhook (`POST /webhooks/{department}`); while "
    "rotating, the new and the previous one, comma-separated (new first)",
    "mock_admin_token": "the mock departments' admin API bearer token",
    "connect_timeout_s": "connector: TCP connect timeout per attempt (seconds)",
    "read_timeout_s": "connector: read timeout per attempt (seconds)",
    "request_deadline_s": "the whole GraphQL request's deadline for department calls (seconds)",
    "oidc_issuer": "the IdP's issuer; empty in development (the hub's own development issuer)",
    "oidc_audience": "the audience tokens must carry",
    "oidc_jwks_url": "the IdP's JWKS URL",
    "oidc_algorithm": "the token signature algorithm",
    "dev_issuer": "mint development tokens (`hub token`); refused in production",
    "max_query_depth": "GraphQL: deepest selection allowed (QUERY_TOO_COMPLEX beyond)",
    "max_query_tokens": "GraphQL: most tokens in a document",
    "max_aliases": "GraphQL: most aliases in a document",
    "webhook_tolerance_s": "webhook: how far `X-Hub-Timestamp` may be from now (seconds)",
    "cpr_encryption_key": "key encrypting CPR numbers at rest (required in production)",
    "cpr_hash_key": "key of the CPR look-up hash (required in production)",
    "oidc_group_roles": "provider group -> hub role (and department): `group=ROLE[:DEPARTMENT]`, comma-separated, "
    "or a JSON object, e.g. `hfi-tovholder=COORDINATOR,hfi-sof-sagsbehandler=CASEWORKER:SOF`; set: users and roles "
    "come from the tokens (provisioned on first sign-in); empty: users only from the users table",
    "introspection": "GraphQL introspection and GraphiQL; unset: on in development, off in production",
    "cors_origins": "browser origins (`scheme://host[:port]`, comma-separated or a JSON list) allowed to call the API "
    "and open its WebSocket from another origin: one list for CORS and the WebSocket origin check; unset: "
    "same-origin pages only; `*` is refused in production",
    "world_anchor": 'the demo world\'s "today" (YYYY-MM-DD) for `hub seed`/`up`/`departments`; unset: the anchor '
    "`hub seed` recorded for this database, else today",
    "capacity": "families the programme can follow at once",
    "capacity_first_year": "capacity in the programme's first year",
    "programme_start": "the programme's first day (YYYY-MM-DD)",
    "audit_retention_citizen_days": "audit retention, citizen-facing chain (days; at least 730)",
    "audit_retention_security_days": "audit retention, security chain (days; at least 183)",
    "audit_retention_change_days": "audit retention, change chain (days; at least 1827)",
}

_DEPT_PREFIXES = tuple(f"{d.value.lower()}_" for d in Department)


def _comments() -> tuple[dict[str, str], dict[str, str]]:
    """field name -> the comment on its line; field name -> the comment block right above it (hub/settings.py)."""
    source = SETTINGS_SOURCE.read_text()
    lines = source.splitlines()
    comments: dict[int, str] = {}
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        if tok.type == tokenize.COMMENT:
            comments[tok.start[0]] = tok.string.lstrip("#").strip()
    inline: dict[str, str] = {}
    above: dict[str, str] = {}
    for node in ast.walk(ast.parse(source)):
        if not (isinstance(node, ast.ClassDef) and node.name == "Settings"):
            continue
        for item in node.body:
            if isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name):
                name, line = item.target.id, item.lineno
                text = comments.get(item.end_lineno or line, "")
                if text and not text.startswith("noqa"):
                    inline[name] = text
                block: list[str] = []
                previous = line - 1
                while previous in comments and lines[previous - 1].lstrip().startswith("#"):
                    block.insert(0, comments[previous])
                    previous -= 1
                if block:
                    above[name] = " ".join(block)
    return inline, above


def _default(name: str) -> str:
    field = Settings.model_fields[name]
    value: Any = field.get_default(call_default_factory=True)
    if isinstance(value, SecretStr):
        value = value.get_secret_value()
        return (
            f"`{value}`" if value else "generated under `var/` in development" if "cpr" in name else "unset"
        )
    if value is None or value in ("", [], {}):
        return "unset"
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if isinstance(value, Path):
        return f"`{value}`"
    return f"`{getattr(value, 'value', value)}`"


def _dept_key(name: str) -> str | None:
    for prefix in _DEPT_PREFIXES:
        if name.startswith(prefix):
            return "dept_" + name.removeprefix(prefix)
    return None


def rows() -> list[tuple[str, str, str]]:
    inline, above = _comments()
    out: list[tuple[str, str, str]] = []
    seen_dept: set[str] = set()
    for name, field in Settings.model_fields.items():
        dept_key = _dept_key(name)
        if dept_key is not None:
            if dept_key in seen_dept:
                continue
            seen_dept.add(dept_key)
            suffix = dept_key.removeprefix("dept_").upper()
            first, last = Department.SOF.value, Department.SUF.value
            variable = f"`HUB_{first}_{suffix}` … `HUB_{last}_{suffix}`"
            default = _default(name) + " …"
            meaning = field.description or MEANINGS.get(dept_key) or inline.get(name) or above.get(name, "")
        else:
            variable = f"`HUB_{name.upper()}`"
            default = _default(name)
            meaning = field.description or inline.get(name) or MEANINGS.get(name) or above.get(name, "")
        out.append((variable, default, meaning.replace("|", "\\|")))
    return out


def table() -> str:
    lines = ["| variable | default | meaning |", "|---|---|---|"]
    lines += [f"| {v} | {d} | {m} |" for v, d, m in rows()]
    return "\n".join(lines)


def render_into(readme: str) -> str:
    if START not in readme or END not in readme:
        raise ValueError("the README has no settings-table markers")
    before, rest = readme.split(START, 1)
    _, after = rest.split(END, 1)
    return f"{before}{START}\n{table()}\n{END}{after}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m hub.settings_doc", description=__doc__)
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--write", metavar="README", type=Path, help="replace the table in this file")
    mode.add_argument(
        "--check", metavar="README", type=Path, help="exit 1 if this file's table is out of date"
    )
    args = parser.parse_args(argv)
    if args.write:
        args.write.write_text(render_into(args.write.read_text()))
        return 0
    if args.check:
        current = args.check.read_text()
        if render_into(current) != current:
            print(f"{args.check}: the settings table is out of date: run `make readme`", file=sys.stderr)
            return 1
        return 0
    print(table())
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
