"""The checked-in SDL is the schema: regenerate with `make schema` when this fails."""

from pathlib import Path

from schema import sdl

SDL_FILE = Path(__file__).resolve().parents[3] / "schema" / "schema.graphql"


def test_checked_in_sdl_matches_the_code() -> None:
    assert SDL_FILE.read_text() == sdl(), "schema/schema.graphql is out of date: run `make schema`"
