"""Per-department record builders: each turns a fictitious person into that department's wire record.

A builder decides whether the department knows the person at all, and if so returns the JSON object the
department's single-person endpoint serves (its own field names, identifiers and vocabulary). Builders are
pure functions of the person, the family and the build context's seeded random source: no I/O, no global
random state.
"""

from hub.world.departments._context import BuildContext, Builder, Built

__all__ = ["BuildContext", "Builder", "Built"]
