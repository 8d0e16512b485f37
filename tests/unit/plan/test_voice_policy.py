"""The family's voice policy as tables: who reads whose words, who writes, which self-reports (DOMAIN §4)."""

from __future__ import annotations

import pytest

from hub.plan.domain import Instrument
from hub.plan.voice_policy import (
    VoiceViewer,
    may_read,
    may_record_child_view,
    may_write_own,
    self_report_allowed,
)

TEAM = VoiceViewer(team=True)
MOR = VoiceViewer(team=False, person_id="P-MOR", custody_children=frozenset({"P-TEEN", "P-BARN"}))
FAR_NO_CUSTODY = VoiceViewer(team=False, person_id="P-FAR")
TEEN = VoiceViewer(team=False, person_id="P-TEEN")
OUTSIDER = VoiceViewer(team=False, person_id=None)


@pytest.mark.parametrize(
    ("viewer", "owner", "age", "shared", "allowed", "reason"),
    [
        (TEAM, "P-TEEN", 16, False, True, "team"),
        (TEEN, "P-TEEN", 16, False, True, "own"),
        (MOR, "P-FAR", 43, False, True, "adult_words"),
        (MOR, "P-BARN", 12, False, True, "custody"),
        (MOR, "P-BARN", 14, False, True, "custody"),
        # From 15 the young person decides (the 15-year rule of hub/consent/policy.py).
        (MOR, "P-TEEN", 15, False, False, "young_person_decides"),
        (MOR, "P-TEEN", 17, False, False, "young_person_decides"),
        (MOR, "P-TEEN", 16, True, True, "young_persons_consent"),
        (FAR_NO_CUSTODY, "P-TEEN", 16, True, False, "not_custody_holder"),
        (FAR_NO_CUSTODY, "P-BARN", 12, False, False, "not_custody_holder"),
        (TEEN, "P-BARN", 12, False, False, "not_custody_holder"),
        (MOR, "P-TEEN", 18, False, True, "adult_words"),
        (OUTSIDER, "P-MOR", 41, False, False, "not_family"),
    ],
)
def test_who_reads_whose_words(  # noqa: PLR0917 - one parameter per table column
    viewer: VoiceViewer, owner: str, age: int, shared: bool, allowed: bool, reason: str
) -> None:
    decision = may_read(viewer, owner, age, shared_with_parents=shared)
    assert (decision.allowed, decision.reason) == (allowed, reason)


@pytest.mark.parametrize(
    ("writer", "owner", "allowed"),
    [("P-MOR", "P-MOR", True), ("P-MOR", "P-TEEN", False), (None, "P-MOR", False)],
)
def test_a_member_writes_only_in_their_own_voice(writer: str | None, owner: str, allowed: bool) -> None:
    assert may_write_own(writer, owner).allowed is allowed


@pytest.mark.parametrize(
    ("team", "age", "allowed", "reason"),
    [
        (True, 9, False, "child_under_10"),
        (True, 10, True, "child_view"),
        (True, 17, True, "child_view"),
        (True, 18, False, "adult_writes_own_words"),
        (False, 12, False, "team_only"),
    ],
)
def test_the_team_records_a_childs_view_from_10(team: bool, age: int, allowed: bool, reason: str) -> None:
    decision = may_record_child_view(team, age)
    assert (decision.allowed, decision.reason) == (allowed, reason)


@pytest.mark.parametrize(
    ("instrument", "age", "allowed"),
    [
        (Instrument.WHO5, 40, True),
        (Instrument.ORS, 16, True),
        (Instrument.SDQ, 10, False),
        (Instrument.SDQ, 11, True),
        (Instrument.SDQ, 17, True),
        (Instrument.SDQ, 18, False),
        (Instrument.CORS, 11, False),
    ],
)
def test_self_reports(instrument: Instrument, age: int, allowed: bool) -> None:
    assert self_report_allowed(instrument, age).allowed is allowed
