"""The demo world's languages and interpreter needs, derived from a family's naming tradition (pure).

The seeds note that most families in the target areas have a refugee or immigrant background. Derived from the
family's `origin` and a hash of each member's stable key, never from the world's random stream, so adding this
leaves every other generated value unchanged. Danish-born parents (origin "danish") and children get no entry
(Danish, no interpreter).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date

from hub.cpr import age_on
from hub.world.model import WorldFamily

ADULT_AGE = 18
# ISO 639 codes per naming tradition: the languages met most often in the housing areas.
LANGUAGES: dict[str, tuple[str, ...]] = {
    "arabic": ("ar",),
    "somali": ("so",),
    "turkish_kurdish": ("tr", "ku"),
    "south_asian": ("ur", "pa"),
    "east_european": ("pl", "ro"),
    "african": ("en", "ti"),
}
PLAN_AND_DEPARTMENT = ("PLAN_MEETING", "DEPARTMENT_MEETING")
EVERY_MEETING: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class WorldLanguageNeed:
    person_key: str
    language: str
    interpreter_needed: bool
    interpreter_for: tuple[str, ...]  # hub.plan.language.MeetingKind values; empty: every meeting


def _roll(key: str) -> int:
    return int.from_bytes(hashlib.sha256(f"language-{key}".encode()).digest()[:4], "big")


def language_needs(family: WorldFamily, today: date) -> list[WorldLanguageNeed]:
    """The adults of an immigrant family: their language; about half need an interpreter (some at every meeting,
    some only at the plan's and the departments' meetings)."""
    languages = LANGUAGES.get(family.origin)
    if not languages:
        return []
    out = []
    for member in family.members:
        if age_on(member.birth_date, today) < ADULT_AGE:
            continue
        roll = _roll(member.key)
        needed = roll % 2 == 0
        out.append(
            WorldLanguageNeed(
                person_key=member.key,
                language=languages[(roll >> 1) % len(languages)],
                interpreter_needed=needed,
                interpreter_for=(PLAN_AND_DEPARTMENT if (roll >> 3) % 3 == 0 else EVERY_MEETING)
                if needed
                else (),
            )
        )
    return out
