"""The README tells the whole surface: the settings table is generated from the settings class (and fails here
when it drifts), and every HTTP route and every GraphQL root field is named."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from starlette.routing import Route, WebSocketRoute

from hub.settings import Settings
from hub.settings_doc import END, START, main, render_into, rows

README = Path(__file__).resolve().parents[3] / "README.md"
SDL = Path(__file__).resolve().parents[3] / "schema" / "schema.graphql"


def test_the_readme_settings_table_is_the_generated_one() -> None:
    text = README.read_text()
    assert render_into(text) == text, "the README's settings table is out of date: run `make readme`"
    assert main(["--check", str(README)]) == 0


def test_every_setting_has_a_row_and_a_meaning() -> None:
    table = "\n".join(f"{v} {m}" for v, _d, m in rows())
    for field in Settings.model_fields:
        head, _, rest = field.partition("_")
        name = f"SOF_{rest}" if head in {"sof", "bif", "buf", "kff", "suf"} else field
        assert f"`HUB_{name.upper()}`" in table, field
    assert all(meaning.strip() for _v, _d, meaning in rows())


def test_a_drifted_table_is_detected(tmp_path: Path) -> None:
    stale = tmp_path / "README.md"
    stale.write_text(f"# x\n{START}\n| variable | default | meaning |\n{END}\n")
    assert main(["--check", str(stale)]) == 1
    assert main(["--write", str(stale)]) == 0
    assert main(["--check", str(stale)]) == 0
    assert "`HUB_CORS_ORIGINS`" in stale.read_text()


def test_every_http_route_is_in_the_readme(tmp_path: Path) -> None:
    from hub.app import create_app

    app = create_app(
        Settings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'h.db'}", var_dir=tmp_path / "var")
    )
    text = README.read_text()
    paths = {r.path for r in app.routes if isinstance(r, Route | WebSocketRoute)}
    assert paths
    for path in paths:
        assert path.replace("{name}", "{file}") in text, f"the README does not name {path}"


def _root_fields(type_name: str) -> list[str]:
    sdl = SDL.read_text()
    body = re.search(rf"^type {type_name} \{{\n(.*?)^\}}", sdl, flags=re.S | re.M)
    assert body is not None
    return re.findall(r"^  ([a-zA-Z]+)[(:]", body.group(1), flags=re.M)


@pytest.mark.parametrize("type_name", ["Query", "Mutation", "Subscription"])
def test_every_operation_is_in_the_readme(type_name: str) -> None:
    text = README.read_text()
    missing = [f for f in _root_fields(type_name) if f not in text and f not in {"_service", "_entities"}]
    assert not missing, f"the README does not mention {type_name} fields {missing}"
