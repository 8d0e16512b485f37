"""Wellbeing measurements per member over time (WHO-5, SDQ, ORS, CORS): validated, recorded, logged.

A measurement is an append (no version). Scores are validated per instrument (hub.plan.domain); the audit
event names the HEALTH category, since wellbeing scores are health data. Never log a score.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub.access.visibility import FAMILY_MEMBER
from hub.cpr import age_on
from hub.errors import BadUserInput
from hub.persistence.models import Membership, Person
from hub.plan import repository, voice_policy
from hub.plan.domain import (
    ChangeKind,
    Entity,
    Instrument,
    SdqRespondent,
    SdqSubscale,
    validate_score,
    validate_sdq,
)
from hub.plan.edits import open_edit, text
from hub.plan.history import Actor
from hub.plan.models import Measurement
from hub.plan.views import MeasurementView

NOTE_MAX = 2_000
ORS_MIN_AGE = 13  # ORS from 13; the child version CORS below


async def _current_family(sessions: async_sessionmaker[AsyncSession], person_id: str) -> str:
    async with sessions() as session:
        family_id = await session.scalar(
            select(Membership.family_id).where(
                Membership.person_id == person_id, Membership.left_on.is_(None)
            )
        )
    if family_id is None:
        raise FAMILY_MEMBER.error()
    return family_id


async def record_measurement(
    sessions: async_sessionmaker[AsyncSession],
    actor: Actor,
    *,
    person_id: str,
    instrument: Instrument,
    score: float,
    measured_on: date,
    respondent: SdqRespondent | None = None,
    subscales: Mapping[SdqSubscale, int] | None = None,
    note: str = "",
    self_report: bool = False,
) -> MeasurementView:
    """Record a measurement: by the family's team, or (`self_report`) by the member about themselves."""
    if self_report:
        own = voice_policy.may_write_own(actor.principal.person_id, person_id)
        if not own.allowed:
            raise BadUserInput("a self-reported score is the member's own", field="memberId")
    clean_score = validate_score(instrument, score)
    clean_note = text(note, "note", max_len=NOTE_MAX, required=False)
    if measured_on > actor.today:
        raise BadUserInput("a measurement cannot be dated in the future", field="measuredOn")
    family_id = await _current_family(sessions, person_id)
    async with open_edit(
        sessions, actor, family_id, hidden_as=FAMILY_MEMBER, person_id=person_id, family_voice=self_report
    ) as edit:
        born = await edit.session.scalar(select(Person.birth_date).where(Person.id == person_id))
        if born is None:  # pragma: no cover - a membership always has its person
            raise FAMILY_MEMBER.error()
        if measured_on < born:
            raise BadUserInput("a measurement cannot be dated before the member was born", field="measuredOn")
        age = age_on(born, measured_on)
        if instrument is Instrument.ORS and age < ORS_MIN_AGE:
            raise BadUserInput("ORS is for ages 13 and up; use CORS for children", field="instrument")
        if instrument is Instrument.CORS and age >= ORS_MIN_AGE:
            raise BadUserInput("CORS is for children under 13; use ORS", field="instrument")
        if self_report:
            allowed = voice_policy.self_report_allowed(instrument, age)
            if not allowed.allowed:
                raise BadUserInput("this instrument is not self-reported at this age", field="instrument")
            if instrument is Instrument.SDQ and respondent is not SdqRespondent.SELF:
                raise BadUserInput("a self-reported SDQ is answered by the child (SELF)", field="respondent")
        validate_sdq(instrument, clean_score, respondent, subscales, age)
        row = Measurement(
            family_id=family_id,
            person_id=person_id,
            instrument=instrument,
            score=clean_score,
            respondent=respondent.value if respondent else None,
            subscales={k.value: int(v) for k, v in subscales.items()} if subscales else None,
            measured_on=measured_on,
            recorded_by=actor.principal.user_id,
            recorded_at=actor.now,
            note=clean_note,
            self_reported_by=person_id if self_report else None,
        )
        edit.session.add(row)
        await edit.session.flush()
        await edit.log(
            entity=Entity.MEASUREMENT,
            entity_id=row.id,
            change=ChangeKind.RECORDED,
            summary=f"{instrument.value} {'self-report' if self_report else 'measurement'} recorded for "
            f"{measured_on.isoformat()}",
            # The score itself stays out of the timeline: it is health data, shown only where it is allowed.
            diff={"instrument": instrument.value, "measured_on": measured_on.isoformat()},
            person_id=person_id,
            categories=("HEALTH",),
        )
        people = await repository.persons(edit.session, [person_id])
        who = await repository.workers(edit.session, [actor.principal.user_id])
        return repository.measurement_view(row, people[person_id], who)
