"""The family's own voice in the schema: `PlanGoal.familyWording`/`familyNotes`, `FamilyPlan.childViews` and
`languageNeeds`, `PlanMeeting.interpreterNeeds`, and the mutations that write them (hub/plan/voice.py,
hub/plan/language.py). Every read is filtered per entry by the voice policy (hub/plan/voice_policy.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Annotated

import strawberry
from strawberry.dataloader import DataLoader

from hub.days import local_day
from hub.plan import language, measurements, voice
from hub.plan.language import LanguageNeedView, MeetingKind
from hub.plan.voice import VoiceView
from hub.plan.voice_policy import VoiceKind
from schema.context import Info
from schema.enum_values import described_enum
from schema.plan.enums import InstrumentType, SdqRespondentType
from schema.plan.errors import PlanConflictError
from schema.plan.loaders import plan_access
from schema.plan.mutations import Errors, MeasurementResult, appended, saved
from schema.plan.types import PlanPerson, TeamWorker, WellbeingMeasurement

FamilyVoiceKind = described_enum(
    VoiceKind,
    name="FamilyVoiceKind",
    description="What a family member's own words are.",
    values={
        VoiceKind.GOAL_WORDING: "A goal in the family member's own words, beside the team's wording.",
        VoiceKind.NOTE: "The family member's own progress note on a goal.",
        VoiceKind.CHILD_VIEW: "A child's view (10-17), written by the young person or recorded by the team.",
    },
)
MeetingKindType = described_enum(
    MeetingKind,
    name="MeetingKind",
    description="Kinds of meeting an interpreter can be booked for.",
    values={
        MeetingKind.PLAN_MEETING: "The family's follow-up meetings on the plan (familiehandleplansmøder).",
        MeetingKind.DEPARTMENT_MEETING: "A department's own meetings (jobcentre, child welfare, ...).",
        MeetingKind.SCHOOL_MEETING: "School and daycare meetings.",
        MeetingKind.HEALTH_CONVERSATION: "Health visitors and health conversations.",
    },
)


@strawberry.type(description="Words in a family member's own voice, beside the professionals' plan.")
class FamilyWords:
    id: strawberry.ID = strawberry.field(description="The entry's id (for shareWithParents).")
    kind: FamilyVoiceKind = strawberry.field(description="What the words are.")  # type: ignore[valid-type]
    member: PlanPerson = strawberry.field(description="Whose voice it is.")
    goal_id: strawberry.ID | None = strawberry.field(description="The goal it stands beside, if any.")
    meeting_id: strawberry.ID | None = strawberry.field(description="The meeting it was said at, if any.")
    text: str = strawberry.field(description="The words, as the member gave them.")
    written_by_family: bool = strawberry.field(
        description="Written by the member themselves; false: recorded by the team as the member's (a child's "
        "view)."
    )
    recorded_by: TeamWorker | None = strawberry.field(
        description="The worker who recorded it, when the team did; null when the member wrote it."
    )
    written_at: datetime = strawberry.field(description="When it was written.")
    shared_with_parents: bool = strawberry.field(
        description="From 15: the young person lets their parents read it (shareWithParents)."
    )

    @classmethod
    def of(cls, v: VoiceView) -> FamilyWords:
        return cls(
            id=strawberry.ID(v.id),
            kind=v.kind,
            member=PlanPerson.of(v.person),
            goal_id=strawberry.ID(v.goal_id) if v.goal_id else None,
            meeting_id=strawberry.ID(v.meeting_id) if v.meeting_id else None,
            text=v.text,
            written_by_family=v.written_by_family,
            recorded_by=TeamWorker.of(v.recorded_by) if not v.written_by_family else None,
            written_at=v.written_at,
            shared_with_parents=v.shared_with_parents,
        )


@strawberry.type(description="A member's language and interpreter needs, set by the family's team.")
class LanguageNeed:
    member: PlanPerson = strawberry.field(description="The member.")
    language: str = strawberry.field(description="The member's language (ISO 639 code, e.g. 'ar', 'so').")
    interpreter_needed: bool = strawberry.field(description="An interpreter is needed.")
    interpreter_for: list[MeetingKindType] = strawberry.field(  # type: ignore[valid-type]
        description="The kinds of meeting an interpreter is booked for; empty: every meeting."
    )
    updated_at: datetime = strawberry.field(description="When the team last set it.")

    @classmethod
    def of(cls, n: LanguageNeedView) -> LanguageNeed:
        return cls(
            member=PlanPerson.of(n.person),
            language=n.language,
            interpreter_needed=n.interpreter_needed,
            interpreter_for=list(n.interpreter_for),
            updated_at=n.updated_at,
        )


def _voices(info: Info) -> DataLoader[str, list[VoiceView]]:
    ctx = info.context
    existing = ctx.loaders.get("plan.VoiceByFamily")
    if existing is None:
        access_loader = plan_access(info)
        own = ctx.principal.person_id if ctx.principal else None

        async def load(family_ids: list[str]) -> Sequence[list[VoiceView]]:
            access = dict(zip(family_ids, await access_loader.load_many(family_ids), strict=True))
            async with ctx.services.sessions() as session:
                found = await voice.voices(session, family_ids, access, own, local_day(ctx.now))
            return [found[f] for f in family_ids]

        existing = DataLoader(load_fn=load)
        ctx.loaders["plan.VoiceByFamily"] = existing
    return existing


async def goal_voice(info: Info, family_id: str, goal_id: str, kind: VoiceKind) -> list[FamilyWords]:
    entries = [v for v in await _voices(info).load(family_id) if v.goal_id == goal_id and v.kind is kind]
    if kind is VoiceKind.GOAL_WORDING:  # each member's latest wording
        latest = {v.person.person_id: v for v in entries}
        entries = sorted(latest.values(), key=lambda v: (v.written_at, v.id))
    return [FamilyWords.of(v) for v in entries]


async def child_views(info: Info, family_id: str, meeting_id: str | None = None) -> list[FamilyWords]:
    return [
        FamilyWords.of(v)
        for v in await _voices(info).load(family_id)
        if v.kind is VoiceKind.CHILD_VIEW and (meeting_id is None or v.meeting_id == meeting_id)
    ]


async def meeting_notes(info: Info, family_id: str, meeting_id: str) -> list[FamilyWords]:
    return [
        FamilyWords.of(v)
        for v in await _voices(info).load(family_id)
        if v.kind is VoiceKind.NOTE and v.meeting_id == meeting_id
    ]


async def language_needs(info: Info, family_id: str) -> list[LanguageNeedView]:
    from hub.plan.repository import current_member_ids

    ctx = info.context
    access = await plan_access(info).load(family_id)
    if not access.can_read:
        return []
    async with ctx.services.sessions() as session:
        members = (await current_member_ids(session, [family_id])).get(family_id, set())
        found = await language.language_needs(session, members)
    return [found[p] for p in sorted(found)]


async def family_language_needs(info: Info, family_id: str) -> list[LanguageNeed]:
    return [LanguageNeed.of(n) for n in await language_needs(info, family_id)]


async def interpreter_needs(info: Info, family_id: str, participants: list[str]) -> list[LanguageNeed]:
    from hub.plan.repository import current_member_ids

    needs = await language_needs(info, family_id)
    async with info.context.services.sessions() as session:
        members = (await current_member_ids(session, [family_id])).get(family_id, set())
    return [LanguageNeed.of(n) for n in language.needs_at_meeting(needs, participants, members)]


FamilyWordsResult = Annotated[
    FamilyWords | Errors | PlanConflictError,
    strawberry.union(
        "FamilyWordsResult",
        description="The words as saved, or an expected error (PlanInputError, PlanNotFoundError, "
        "PlanForbiddenError, PlanConflictError).",
    ),
]
LanguageNeedResult = Annotated[
    LanguageNeed | Errors,
    strawberry.union(
        "LanguageNeedResult",
        description="The need as saved, or an expected error (PlanInputError, PlanNotFoundError, "
        "PlanForbiddenError).",
    ),
]


@strawberry.input(
    description="A goal in the writer's own words (a family member), beside the team's wording."
)
class WriteGoalWordingInput:
    goal_id: strawberry.ID = strawberry.field(description="The goal (PlanGoal.id).")
    wording: str = strawberry.field(
        description="The goal in the member's own words (up to 2,000 characters)."
    )
    expected_version: int = strawberry.field(description="The plan version the client saw.")
    shared_with_parents: bool = strawberry.field(
        default=False, description="From 15: let my parents read it (otherwise they do not)."
    )


@strawberry.input(description="A family member's own note on a goal, or on a meeting's decisions (name one).")
class AddFamilyNoteInput:
    goal_id: strawberry.ID | None = strawberry.field(default=None, description="The goal (PlanGoal.id).")
    meeting_id: strawberry.ID | None = strawberry.field(
        default=None, description="The meeting whose decisions the note is about (PlanMeeting.id)."
    )
    text: str = strawberry.field(description="The note (up to 2,000 characters).")
    shared_with_parents: bool = strawberry.field(
        default=False, description="From 15: let my parents read it (otherwise they do not)."
    )


@strawberry.input(
    description="A child's view (10-17): written by the young person, or recorded by the team as the child's."
)
class RecordChildViewInput:
    member_id: strawberry.ID = strawberry.field(description="The child (FamilyMember.id).")
    view: str = strawberry.field(description="The child's view in their words (up to 2,000 characters).")
    goal_id: strawberry.ID | None = strawberry.field(
        default=None, description="The goal it is about, if any."
    )
    meeting_id: strawberry.ID | None = strawberry.field(
        default=None, description="The meeting it was given at, if any."
    )
    shared_with_parents: bool = strawberry.field(
        default=False, description="From 15: the young person lets their parents read it."
    )


@strawberry.input(description="A score the member answered themselves (WHO5, ORS; SDQ self-report 11-17).")
class RecordSelfReportInput:
    member_id: strawberry.ID = strawberry.field(description="The member answering: the viewer themselves.")
    instrument: InstrumentType = strawberry.field(description="WHO5, ORS or SDQ (SELF).")  # type: ignore[valid-type]
    score: float = strawberry.field(description="The score on the instrument's scale.")
    measured_on: date = strawberry.field(description="The day it was answered (not in the future).")
    respondent: SdqRespondentType | None = strawberry.field(  # type: ignore[valid-type]
        default=None, description="SDQ only: SELF."
    )


@strawberry.input(description="A member's language and interpreter needs (the family's team sets them).")
class SetLanguageNeedInput:
    member_id: strawberry.ID = strawberry.field(description="The member (FamilyMember.id).")
    language: str = strawberry.field(description="ISO 639 code, e.g. 'ar', 'so', 'da'.")
    interpreter_needed: bool = strawberry.field(description="An interpreter is needed.")
    interpreter_for: list[MeetingKindType] = strawberry.field(  # type: ignore[valid-type]
        default_factory=list, description="Which kinds of meeting; empty: every meeting."
    )


@strawberry.type
class VoiceMutation:
    @strawberry.mutation(description="Write a goal in your own words, beside the team's wording (versioned).")
    async def write_goal_wording(
        self,
        info: Info,
        input: Annotated[WriteGoalWordingInput, strawberry.argument(description="The words.")],
    ) -> FamilyWordsResult:
        return await saved(
            info,
            lambda sessions, who: voice.write_goal_wording(
                sessions,
                who,
                goal_id=str(input.goal_id),
                wording=input.wording,
                expected_version=input.expected_version,
                shared_with_parents=input.shared_with_parents,
            ),
            FamilyWords.of,
        )

    @strawberry.mutation(description="Add your own progress note to a goal, marked as the family's.")
    async def add_family_note(
        self, info: Info, input: Annotated[AddFamilyNoteInput, strawberry.argument(description="The note.")]
    ) -> FamilyWordsResult:
        return await saved(
            info,
            lambda sessions, who: voice.add_family_note(
                sessions,
                who,
                goal_id=str(input.goal_id) if input.goal_id else None,
                meeting_id=str(input.meeting_id) if input.meeting_id else None,
                note=input.text,
                shared_with_parents=input.shared_with_parents,
            ),
            FamilyWords.of,
        )

    @strawberry.mutation(description="Record a child's view (10-17), by the young person or by the team.")
    async def record_child_view(
        self, info: Info, input: Annotated[RecordChildViewInput, strawberry.argument(description="The view.")]
    ) -> FamilyWordsResult:
        return await saved(
            info,
            lambda sessions, who: voice.record_child_view(
                sessions,
                who,
                person_id=str(input.member_id),
                view=input.view,
                goal_id=str(input.goal_id) if input.goal_id else None,
                meeting_id=str(input.meeting_id) if input.meeting_id else None,
                shared_with_parents=input.shared_with_parents,
            ),
            FamilyWords.of,
        )

    @strawberry.mutation(description="From 15: let your parents read your words, or stop it (your own say).")
    async def share_with_parents(
        self,
        info: Info,
        entry_id: Annotated[strawberry.ID, strawberry.argument(description="FamilyWords.id")],
        shared: Annotated[bool, strawberry.argument(description="true: share; false: stop sharing.")],
    ) -> FamilyWordsResult:
        return await saved(
            info,
            lambda sessions, who: voice.share_with_parents(
                sessions, who, entry_id=str(entry_id), shared=shared
            ),
            FamilyWords.of,
        )

    @strawberry.mutation(description="Record a score you answered yourself, marked as self-reported.")
    async def record_self_report(
        self,
        info: Info,
        input: Annotated[RecordSelfReportInput, strawberry.argument(description="The score.")],
    ) -> MeasurementResult:
        return await appended(
            info,
            lambda sessions, who: measurements.record_measurement(
                sessions,
                who,
                person_id=str(input.member_id),
                instrument=input.instrument,
                score=input.score,
                measured_on=input.measured_on,
                respondent=input.respondent,
                self_report=True,
            ),
            WellbeingMeasurement.of,
        )

    @strawberry.mutation(description="Set a member's language and interpreter needs (the family's team).")
    async def set_language_need(
        self, info: Info, input: Annotated[SetLanguageNeedInput, strawberry.argument(description="The need.")]
    ) -> LanguageNeedResult:
        return await appended(
            info,
            lambda sessions, who: language.set_language_need(
                sessions,
                who,
                person_id=str(input.member_id),
                language=input.language,
                interpreter_needed=input.interpreter_needed,
                interpreter_for=list(input.interpreter_for),
            ),
            LanguageNeed.of,
        )
