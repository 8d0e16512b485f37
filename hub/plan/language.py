"""Language and interpreter needs per family member, set by the family's team, shown on meetings and the plan.

`interpreter_for` names the kinds of meeting an interpreter is booked for (empty: every meeting). A plan
meeting's `interpreter_needs` are its family participants' (every current member if none are named) whose
need covers PLAN_MEETING. Setting a need is an append-like change (no plan version), in the history and audit.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub.access.visibility import FAMILY_MEMBER
from hub.errors import BadUserInput
from hub.plan import repository
from hub.plan.domain import ChangeKind, Entity
from hub.plan.edits import open_edit
from hub.plan.history import Actor
from hub.plan.models import LanguageNeed
from hub.plan.views import MeetingView, PersonRef

LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}$")  # ISO 639-1 (or 639-2 where no two-letter code exists)


class MeetingKind(StrEnum):
    PLAN_MEETING = "PLAN_MEETING"  # the family's follow-up meetings (familiehandleplansmøder)
    DEPARTMENT_MEETING = "DEPARTMENT_MEETING"  # a department's own meetings (jobcentre, child welfare)
    SCHOOL_MEETING = "SCHOOL_MEETING"  # school and daycare
    HEALTH_CONVERSATION = "HEALTH_CONVERSATION"  # health visitors, health conversations


@dataclass(frozen=True, slots=True)
class LanguageNeedView:
    person: PersonRef
    language: str
    interpreter_needed: bool
    interpreter_for: tuple[MeetingKind, ...]
    updated_at: datetime

    def interpreter_at(self, kind: MeetingKind) -> bool:
        return self.interpreter_needed and (not self.interpreter_for or kind in self.interpreter_for)


def needs_at_meeting(
    needs: Sequence[LanguageNeedView], participants: Collection[str], members: Collection[str]
) -> list[LanguageNeedView]:
    """Pure: whose interpreter need applies to a plan meeting with these family participants (none: all)."""
    present = set(participants) or set(members)
    return [n for n in needs if n.person.person_id in present and n.interpreter_at(MeetingKind.PLAN_MEETING)]


def clean_language(code: str) -> str:
    value = code.strip().lower()
    if not LANGUAGE_CODE.match(value):
        raise BadUserInput("language is an ISO 639 code such as 'ar', 'so' or 'da'", field="language")
    return value


async def set_language_need(
    sessions: async_sessionmaker[AsyncSession],
    actor: Actor,
    *,
    person_id: str,
    language: str,
    interpreter_needed: bool,
    interpreter_for: Sequence[MeetingKind] = (),
) -> LanguageNeedView:
    from hub.plan.measurements import _current_family

    code = clean_language(language)
    kinds = sorted({k.value for k in interpreter_for})
    if kinds and not interpreter_needed:
        raise BadUserInput(
            "interpreterFor is only for a member who needs an interpreter", field="interpreterFor"
        )
    family_id = await _current_family(sessions, person_id)
    async with open_edit(sessions, actor, family_id, hidden_as=FAMILY_MEMBER, person_id=person_id) as edit:
        row = await edit.session.get(LanguageNeed, person_id)
        if row is None:
            row = LanguageNeed(person_id=person_id)
            edit.session.add(row)
        row.language = code
        row.interpreter_needed = interpreter_needed
        row.interpreter_for = kinds
        row.updated_by = actor.principal.user_id
        row.updated_at = actor.now
        await edit.session.flush()
        await edit.log(
            entity=Entity.LANGUAGE_NEED,
            entity_id=person_id,
            change=ChangeKind.UPDATED,
            summary="Language and interpreter needs set",
            diff={"language": code, "interpreter_needed": interpreter_needed, "interpreter_for": kinds},
            person_id=person_id,
        )
        people = await repository.persons(edit.session, [person_id])
        return _view(row, people[person_id])


def _view(row: LanguageNeed, person: PersonRef) -> LanguageNeedView:
    return LanguageNeedView(
        person=person,
        language=row.language,
        interpreter_needed=row.interpreter_needed,
        interpreter_for=tuple(MeetingKind(k) for k in row.interpreter_for or ()),
        updated_at=row.updated_at,
    )


async def language_needs(session: AsyncSession, person_ids: Collection[str]) -> dict[str, LanguageNeedView]:
    ids = sorted(set(person_ids))
    if not ids:
        return {}
    rows = list(await session.scalars(select(LanguageNeed).where(LanguageNeed.person_id.in_(ids))))
    people = await repository.persons(session, (r.person_id for r in rows))
    return {r.person_id: _view(r, people[r.person_id]) for r in rows}


def meeting_participants(meeting: MeetingView) -> list[str]:
    return [p.person.person_id for p in meeting.participants if p.person is not None]
