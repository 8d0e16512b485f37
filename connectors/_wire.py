"""Shared ground for the departments' wire models: a strict-enough pydantic base and vocabulary mapping.

Wire models validate what a department sends (types, required fields, dates) while mapping; a violation
raises pydantic.ValidationError, which the connector turns into DEPARTMENT_BAD_RESPONSE for that department
only. Unknown extra fields are ignored: departments add fields over time, and the hub reads only what it
maps. Validation errors never echo the input (`hide_input_in_errors`): bodies hold personal data.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime

import pydantic

from connectors.records import Sensitivity


class WireModel(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(extra="ignore", frozen=True, hide_input_in_errors=True)


def translate(vocabulary: Mapping[str, str], value: str) -> str:
    """A department code in the hub's vocabulary. A code we do not know yet passes through unchanged (a new
    measure type should show, not break the family view)."""
    return vocabulary.get(value, value)


def translate_optional(vocabulary: Mapping[str, str], value: str | None) -> str | None:
    return None if value is None else translate(vocabulary, value)


def sensitivity(vocabulary: Mapping[str, Sensitivity], value: str) -> Sensitivity:
    """The hub's sensitivity for a department's marking; an unknown marking counts as the most sensitive."""
    return vocabulary.get(value, Sensitivity.SENSITIVE)


def utc(value: datetime | None) -> datetime | None:
    """An aware instant as the standard library's UTC (pydantic hands back its own tzinfo type)."""
    return None if value is None else value.astimezone(UTC)
