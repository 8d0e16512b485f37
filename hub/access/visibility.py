"""One answer for "you may not see it" and "it does not exist": the hub's guard against existence oracles.

A caller who may not see an object (a family, goal, action, meeting, team assignment, member or consent) must
get exactly the refusal a missing one gets: the same code, message and field. Services name what they look up
with a `Missing` and call `require_visible`; they never word a NOT_FOUND of their own for a hidden object, so
the two answers cannot drift apart. This module decides nothing about who may see what (hub/access/policy.py
and the plan's access do); it only turns "not visible" into the missing object's answer.
"""

from __future__ import annotations

from dataclasses import dataclass

from hub.errors import NotFound


@dataclass(frozen=True, slots=True)
class Missing:
    """How one kind of object is reported absent: its message and the input field that named it."""

    message: str
    field: str | None = None

    def error(self) -> NotFound:
        return NotFound(self.message, field=self.field) if self.field else NotFound(self.message)


def require_visible(visible: bool, missing: Missing) -> None:
    """Raise the missing object's NOT_FOUND unless the caller may see it (whether or not it exists)."""
    if not visible:
        raise missing.error()


FAMILY = Missing("no such family")
GOAL = Missing("no such goal", "goalId")
ACTION = Missing("no such action", "actionId")
MEETING = Missing("no such meeting", "meetingId")
TEAM_ASSIGNMENT = Missing("no such team assignment", "assignmentId")
FAMILY_MEMBER = Missing("no such family member", "memberId")
PERSON = Missing("no such person", "memberId")
CONSENT = Missing("no consent with this id", "id")
CONSENT_SUBJECT = Missing("no current family member with this id", "subjectId")
STATUTORY_BASIS = Missing("no statutory basis with this id", "id")
