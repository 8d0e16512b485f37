"""Who may read and write the family's own words (hub/plan/voice.py): pure functions, table-tested.

The family's voice is member-level plan data with one stricter rule (DOMAIN §4): from 15 a young person
decides what of their own words their parents see. So, for a viewer who may already read the plan:
- the family's team reads every entry (`team`);
- everyone reads their own (`own`);
- an adult's words are read by whoever sees the goal they stand beside (`adult_words`);
- a child's view under 15 is read by the child's custody holders (`custody`), by no other family member;
- a 15-17-year-old's own words reach a custody holder only while the young person shares them
  (`young_persons_consent`), else `young_person_decides`; no other family member reads them.
Writing: a family member writes their own words (never on another's behalf); a worker of the team records a
child's view for a child from 10, marked as the child's; self-reported scores are the member's own, SDQ
self-report from 11.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from hub.consent.vocabulary import CUSTODY_AGE, OWN_CONSENT_AGE
from hub.plan.domain import Instrument

CHILD_VIEW_AGE = 10  # a child's view is recorded from 10 (DOMAIN §4)
SDQ_SELF_AGE = 11


class VoiceKind(StrEnum):
    GOAL_WORDING = "GOAL_WORDING"  # the goal in the family's own words
    NOTE = "NOTE"  # the family's own progress note
    CHILD_VIEW = "CHILD_VIEW"  # a child's view (10+), written by the child or recorded by a worker


@dataclass(frozen=True, slots=True)
class VoiceViewer:
    """The reader: a team worker (`team`), or a family member with their custody children."""

    team: bool
    person_id: str | None = None
    custody_children: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class VoiceDecision:
    allowed: bool
    reason: str


def may_read(  # noqa: PLR0911 - one return per rule, in the documented order
    viewer: VoiceViewer, owner_id: str, owner_age: int, *, shared_with_parents: bool
) -> VoiceDecision:
    """May `viewer` read an entry in `owner_id`'s voice (the owner `owner_age` years old today)?"""
    if viewer.team:
        return VoiceDecision(True, "team")
    if viewer.person_id is None:
        return VoiceDecision(False, "not_family")
    if viewer.person_id == owner_id:
        return VoiceDecision(True, "own")
    if owner_age >= CUSTODY_AGE:
        return VoiceDecision(True, "adult_words")
    if owner_id not in viewer.custody_children:
        return VoiceDecision(False, "not_custody_holder")
    if owner_age < OWN_CONSENT_AGE:
        return VoiceDecision(True, "custody")
    if shared_with_parents:
        return VoiceDecision(True, "young_persons_consent")
    return VoiceDecision(False, "young_person_decides")


def may_write_own(writer_person_id: str | None, owner_id: str) -> VoiceDecision:
    """A family member writes only in their own voice."""
    if writer_person_id is not None and writer_person_id == owner_id:
        return VoiceDecision(True, "own")
    return VoiceDecision(False, "only_own_words")


def may_record_child_view(team: bool, child_age: int) -> VoiceDecision:
    """A team worker records a child's view, marked as the child's, from 10 and until 18."""
    if not team:
        return VoiceDecision(False, "team_only")
    if child_age < CHILD_VIEW_AGE:
        return VoiceDecision(False, "child_under_10")
    if child_age >= CUSTODY_AGE:
        return VoiceDecision(False, "adult_writes_own_words")
    return VoiceDecision(True, "child_view")


def self_report_allowed(instrument: Instrument, age: int) -> VoiceDecision:
    """Self-reported scores a member answers themselves: WHO-5 and ORS (adults and young people), SDQ from 11."""
    if instrument is Instrument.SDQ:
        if age < SDQ_SELF_AGE:
            return VoiceDecision(False, "sdq_self_report_from_11")
        if age >= CUSTODY_AGE:
            return VoiceDecision(False, "sdq_is_for_children")
        return VoiceDecision(True, "sdq_self_report")
    if instrument is Instrument.CORS:
        return VoiceDecision(False, "cors_is_answered_with_a_worker")
    return VoiceDecision(True, "self_report")
