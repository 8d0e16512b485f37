"""The plan's vocabulary and its pure rules: statuses, instruments, score ranges and risk cut-offs.

Pure: no I/O, no imports from the persistence layer. Validation raises `BadUserInput` naming the offending
GraphQL input field; messages never contain a score, a name or a CPR number.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from hub.domain import Department, Role
from hub.errors import BadUserInput


class GoalStatus(StrEnum):
    PLANNED = "PLANNED"
    IN_PROGRESS = "IN_PROGRESS"
    ACHIEVED = "ACHIEVED"
    DROPPED = "DROPPED"


class ActionStatus(StrEnum):
    PLANNED = "PLANNED"
    ACTIVE = "ACTIVE"
    COMPLETED = "COMPLETED"
    CANCELLED = "CANCELLED"


class MeetingStatus(StrEnum):
    SCHEDULED = "SCHEDULED"  # planned, minutes not yet recorded
    HELD = "HELD"  # minutes recorded: they act as the steering plan until the next meeting
    CANCELLED = (
        "CANCELLED"  # called off, with a reason (kept in the plan's history); also when the family closes
    )


class Instrument(StrEnum):
    WHO5 = "WHO5"  # WHO-5 wellbeing index, percentage score 0-100 (raw 0-25 times 4)
    SDQ = "SDQ"  # Strengths and Difficulties Questionnaire, total difficulties 0-40
    ORS = "ORS"  # Outcome Rating Scale, 0-40 (adults and young people 13+)
    CORS = "CORS"  # Child Outcome Rating Scale, 0-40 (children 6-12)


class SdqRespondent(StrEnum):
    PARENT = "PARENT"
    TEACHER = "TEACHER"
    SELF = "SELF"  # self-report, from age 11


class SdqSubscale(StrEnum):
    EMOTIONAL = "EMOTIONAL"
    CONDUCT = "CONDUCT"
    HYPERACTIVITY = "HYPERACTIVITY"
    PEER = "PEER"
    PROSOCIAL = "PROSOCIAL"  # a strength: not part of the total difficulties score


SDQ_DIFFICULTIES = (SdqSubscale.EMOTIONAL, SdqSubscale.CONDUCT, SdqSubscale.HYPERACTIVITY, SdqSubscale.PEER)
SDQ_SELF_REPORT_MIN_AGE = 11


class Entity(StrEnum):
    """What a history entry is about."""

    PLAN = "PLAN"
    GOAL = "GOAL"
    PROGRESS_NOTE = "PROGRESS_NOTE"
    ACTION = "ACTION"
    MEETING = "MEETING"
    MEASUREMENT = "MEASUREMENT"
    TEAM = "TEAM"
    MEMBERSHIP = "MEMBERSHIP"
    FAMILY_VOICE = "FAMILY_VOICE"
    LANGUAGE_NEED = "LANGUAGE_NEED"


class ChangeKind(StrEnum):
    CREATED = "CREATED"
    UPDATED = "UPDATED"
    SCHEDULED = "SCHEDULED"
    MINUTES_RECORDED = "MINUTES_RECORDED"
    RECORDED = "RECORDED"
    ASSIGNED = "ASSIGNED"
    UNASSIGNED = "UNASSIGNED"
    JOINED = "JOINED"
    LEFT = "LEFT"
    MOVED = "MOVED"
    CANCELLED = "CANCELLED"
    CLOSED = "CLOSED"
    LIVE_OPENED = "LIVE_OPENED"  # a follow-up meeting opened live, on the big screen


@dataclass(frozen=True, slots=True)
class ScoreRange:
    low: float
    high: float
    integer: bool
    step: int = 1  # for integer scores: valid scores are multiples of this


SCORE_RANGES: dict[Instrument, ScoreRange] = {
    Instrument.WHO5: ScoreRange(0, 100, integer=True, step=4),
    Instrument.SDQ: ScoreRange(0, 40, integer=True),
    Instrument.ORS: ScoreRange(0, 40, integer=False),
    Instrument.CORS: ScoreRange(0, 40, integer=False),
}
SUBSCALE_RANGE = (0, 10)


def validate_score(instrument: Instrument, score: float) -> float:
    """The score if it is valid for the instrument, else BadUserInput on `score`."""
    rng = SCORE_RANGES[instrument]
    if not math.isfinite(score) or not rng.low <= score <= rng.high:
        raise BadUserInput(
            f"a {instrument.value} score must be between {rng.low:g} and {rng.high:g}", field="score"
        )
    if rng.integer:
        if score != int(score):
            raise BadUserInput(f"a {instrument.value} score is a whole number", field="score")
        if int(score) % rng.step:
            # WHO-5 is reported as a percentage: the raw 0-25 sum times four.
            raise BadUserInput("a WHO5 score is the raw score (0-25) times 4", field="score")
        return float(int(score))
    if round(score, 1) != score:
        raise BadUserInput(f"a {instrument.value} score has at most one decimal", field="score")
    return score


def validate_sdq(
    instrument: Instrument,
    score: float,
    respondent: SdqRespondent | None,
    subscales: Mapping[SdqSubscale, int] | None,
    age: int,
) -> None:
    """SDQ-only inputs: respondent (required), optional subscales that must add up to the total."""
    if instrument is not Instrument.SDQ:
        if respondent is not None:
            raise BadUserInput("a respondent is only recorded for SDQ", field="respondent")
        if subscales:
            raise BadUserInput("subscales are only recorded for SDQ", field="subscales")
        return
    if respondent is None:
        raise BadUserInput("an SDQ measurement names its respondent", field="respondent")
    if respondent is SdqRespondent.SELF and age < SDQ_SELF_REPORT_MIN_AGE:
        raise BadUserInput("the SDQ self-report is for ages 11 and up", field="respondent")
    if not subscales:
        return
    for value in subscales.values():
        if not SUBSCALE_RANGE[0] <= value <= SUBSCALE_RANGE[1]:
            raise BadUserInput("an SDQ subscale score must be between 0 and 10", field="subscales")
    if all(s in subscales for s in SDQ_DIFFICULTIES):
        total = sum(subscales[s] for s in SDQ_DIFFICULTIES)
        if total != int(score):
            raise BadUserInput(
                "the SDQ total must equal the sum of the four difficulty subscales", field="score"
            )


def may_be_responsible(
    *,
    role: Role,
    user_department: Department | None,
    on_team: bool,
    caseload_departments: frozenset[Department],
    action_department: Department,
) -> bool:
    """Whether a worker may be named responsible for an action of `action_department` on a family's plan.

    The family's current core team (coordinator, makkerpar, core team) may; so may the action's department's
    own caseworker for the member the action is about (for a family goal: for a current member), who
    delivers the action in their own system. Nobody else: a plan names the people who work with the family.
    """
    if on_team and role in (Role.COORDINATOR, Role.CORE_TEAM):
        return True
    return (
        role is Role.CASEWORKER
        and user_department is action_department
        and action_department in caseload_departments
    )


def signals_risk(instrument: Instrument, score: float, age: int, respondent: SdqRespondent | None) -> bool:
    """Whether the score lies in the instrument's clinical/risk range.

    WHO-5: 50 or below. ORS: below 25 for adults, below 28 for ages 13-17. CORS: below 32 (the published
    child cut-off). SDQ total: the "high" band and above, by respondent (parent 17+, teacher 16+, self 18+).
    """
    if instrument is Instrument.WHO5:
        return score <= 50
    if instrument is Instrument.ORS:
        return score < (25 if age >= 18 else 28)
    if instrument is Instrument.CORS:
        return score < 32
    threshold = {SdqRespondent.PARENT: 17, SdqRespondent.TEACHER: 16, SdqRespondent.SELF: 18}
    return score >= threshold[respondent or SdqRespondent.PARENT]
