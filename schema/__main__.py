"""`python -m schema` prints the SDL (`make schema` writes it to schema/schema.graphql)."""

from schema import sdl

print(sdl(), end="")  # noqa: T201 - this module's whole job is to print
