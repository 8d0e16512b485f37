"""`python -m schema` prints the SDL (`make schema` writes it to schema/schema.graphql)."""

from schema import sdl

print(sdl(), end="")
