"""Need-to-know as a table: role × relation × department -> outcome and reason (pure, no database)."""

from __future__ import annotations

from datetime import date

import pytest

from hub.access.facts import AccessFacts
from hub.access.policy import (
    Basis,
    Outcome,
    cpr_visibility,
    family_access,
    full_cpr_visible,
    member_access,
    section_access,
    visible_family_ids,
)
from hub.auth.principal import Principal
from hub.domain import Department, Role
from hub.persistence.models import TeamRole

TODAY = date(2026, 11, 1)
ALL = tuple(Department)

# Who is looked at: (person id, family id).
RELATIONS: dict[str, tuple[str, str]] = {
    "f1_parent": ("P-F1-PARENT", "F1"),
    "f1_grandmother": ("P-F1-GRANDMA", "F1"),
    "f1_child16": ("P-F1-CHILD16", "F1"),
    "f1_child10": ("P-F1-CHILD10", "F1"),
    "f1_adult_child": ("P-F1-ADULTCHILD", "F1"),
    "f2_custody_child": ("P-F2-CHILD", "F2"),  # lives in another household; F1's parent holds custody
    "f5_caseload": ("P-F5-CHILD", "F5"),
    "f5_sibling": ("P-F5-SIB", "F5"),
    "f9_stranger": ("P-F9", "F9"),
}


def _p(
    name: str, role: Role, department: Department | None = None, person_id: str | None = None
) -> Principal:
    return Principal(
        user_id=f"U-{name}", username=name, role=role, department=department, person_id=person_id
    )


PARENT_FACTS = AccessFacts(
    today=TODAY,
    own_person_id="P-F1-PARENT",
    own_birth_date=date(1985, 1, 1),
    own_family_ids=frozenset({"F1"}),
    custody_children={
        "P-F1-CHILD16": date(2010, 3, 15),
        "P-F1-CHILD10": date(2016, 5, 20),
        "P-F1-ADULTCHILD": date(2007, 6, 1),  # a custody record left open past 18: grants nothing
        "P-F2-CHILD": date(2018, 7, 7),
    },
)

VIEWERS: dict[str, tuple[Principal | None, AccessFacts]] = {
    "coordinator": (
        _p("tovholder", Role.COORDINATOR),
        AccessFacts(today=TODAY, assignments={"F1": frozenset({TeamRole.COORDINATOR})}),
    ),
    "makkerpar_sof": (
        _p("sof-kerne", Role.CORE_TEAM, Department.SOF),
        AccessFacts(today=TODAY, assignments={"F1": frozenset({TeamRole.MAKKERPAR, TeamRole.CORE_TEAM})}),
    ),
    "core_team_kff": (
        _p("kff-kerne", Role.CORE_TEAM, Department.KFF),
        AccessFacts(today=TODAY, assignments={"F1": frozenset({TeamRole.CORE_TEAM})}),
    ),
    "unassigned_core_team": (_p("buf-kerne", Role.CORE_TEAM, Department.BUF), AccessFacts(today=TODAY)),
    "caseworker_sof": (
        _p("sof-sagsbehandler", Role.CASEWORKER, Department.SOF),
        AccessFacts(
            today=TODAY,
            caseload={"P-F5-CHILD": frozenset({Department.SOF})},
            caseload_family_ids=frozenset({"F5"}),
        ),
    ),
    "caseworker_without_department": (
        _p("odd", Role.CASEWORKER),
        AccessFacts(today=TODAY, caseload={"P-F5-CHILD": frozenset({Department.SOF})}),
    ),
    "citizen_parent": (_p("borger", Role.CITIZEN, person_id="P-F1-PARENT"), PARENT_FACTS),
    "citizen_16": (
        _p("ung", Role.CITIZEN, person_id="P-F1-CHILD16"),
        AccessFacts(
            today=TODAY,
            own_person_id="P-F1-CHILD16",
            own_birth_date=date(2010, 3, 15),
            own_family_ids=frozenset({"F1"}),
        ),
    ),
    "citizen_10": (
        _p("barn", Role.CITIZEN, person_id="P-F1-CHILD10"),
        AccessFacts(
            today=TODAY,
            own_person_id="P-F1-CHILD10",
            own_birth_date=date(2016, 5, 20),
            own_family_ids=frozenset({"F1"}),
        ),
    ),
    "citizen_without_person": (_p("nobody", Role.CITIZEN), PARENT_FACTS),  # facts of someone else: ignored
    "department_system": (_p("sof-system", Role.DEPARTMENT_SYSTEM, Department.SOF), PARENT_FACTS),
    "steering_group": (_p("styregruppe", Role.STEERING_GROUP), AccessFacts(today=TODAY)),
    "admin": (_p("admin", Role.ADMIN), AccessFacts(today=TODAY)),
    "anonymous": (None, AccessFacts(today=TODAY)),
}

A = Outcome.ALLOW
F = Outcome.FORBIDDEN
TEAM_ON_F1 = {r: (A if r.startswith("f1_") else F) for r in RELATIONS}

# viewer -> relation -> outcome for every department (a dict per department where it differs).
SECTION_TABLE: dict[str, dict[str, Outcome | dict[Department, Outcome]]] = {
    "coordinator": dict(TEAM_ON_F1),
    "makkerpar_sof": dict(TEAM_ON_F1),
    "core_team_kff": dict(TEAM_ON_F1),
    "unassigned_core_team": dict.fromkeys(RELATIONS, F),
    "caseworker_sof": {
        **dict.fromkeys(RELATIONS, F),
        "f5_caseload": {d: (A if d is Department.SOF else F) for d in Department},
    },
    "caseworker_without_department": dict.fromkeys(RELATIONS, F),
    "citizen_parent": {
        **dict.fromkeys(RELATIONS, F),
        "f1_parent": A,
        "f1_child16": A,
        "f1_child10": A,
        "f2_custody_child": A,
    },
    "citizen_16": {**dict.fromkeys(RELATIONS, F), "f1_child16": A},
    "citizen_10": dict.fromkeys(RELATIONS, F),
    "citizen_without_person": dict.fromkeys(RELATIONS, F),
    "department_system": dict.fromkeys(RELATIONS, F),
    "steering_group": dict.fromkeys(RELATIONS, F),
    "admin": dict.fromkeys(RELATIONS, F),
    "anonymous": dict.fromkeys(RELATIONS, F),
}

SECTION_CASES = [
    pytest.param(viewer, relation, department, id=f"{viewer}-{relation}-{department.value}")
    for viewer in VIEWERS
    for relation in RELATIONS
    for department in ALL
]


def expected_section(viewer: str, relation: str, department: Department) -> Outcome:
    row = SECTION_TABLE[viewer][relation]
    return row[department] if isinstance(row, dict) else row


@pytest.mark.parametrize(("viewer", "relation", "department"), SECTION_CASES)
def test_section_access(viewer: str, relation: str, department: Department) -> None:
    principal, facts = VIEWERS[viewer]
    person_id, family_id = RELATIONS[relation]
    decision = section_access(principal, facts, person_id, family_id, department)
    assert decision.outcome is expected_section(viewer, relation, department)
    assert decision.reason  # every decision says why
    assert (decision.basis is not None) == decision.allowed


@pytest.mark.parametrize(
    ("viewer", "relation", "department", "reason", "basis"),
    [
        ("coordinator", "f1_child10", Department.SUF, "assigned_coordinator", Basis.HFI_TEAM),
        ("makkerpar_sof", "f1_parent", Department.BIF, "assigned_makkerpar", Basis.HFI_TEAM),
        ("core_team_kff", "f1_parent", Department.SOF, "assigned_core_team", Basis.HFI_TEAM),
        ("coordinator", "f9_stranger", Department.SOF, "not_assigned", None),
        ("caseworker_sof", "f5_caseload", Department.SOF, "own_caseload", Basis.OWN_DEPARTMENT),
        ("caseworker_sof", "f5_caseload", Department.BIF, "not_own_department", None),
        ("caseworker_sof", "f5_sibling", Department.SOF, "not_in_caseload", None),
        ("citizen_parent", "f1_parent", Department.SUF, "self", Basis.SELF),
        ("citizen_parent", "f1_child16", Department.SOF, "custody_child", Basis.CUSTODY),
        ("citizen_parent", "f1_adult_child", Department.SOF, "child_now_adult", None),
        ("citizen_parent", "f1_grandmother", Department.SOF, "other_person", None),
        ("citizen_10", "f1_child10", Department.BUF, "citizen_under_15", None),
        ("citizen_without_person", "f1_parent", Department.BUF, "citizen_without_person", None),
        ("admin", "f1_parent", Department.BUF, "role_has_no_person_data", None),
        ("anonymous", "f1_parent", Department.BUF, "unauthenticated", None),
    ],
)
def test_section_reasons(
    viewer: str, relation: str, department: Department, reason: str, basis: Basis
) -> None:
    principal, facts = VIEWERS[viewer]
    decision = section_access(principal, facts, *RELATIONS[relation], department)
    assert (decision.reason, decision.basis) == (reason, basis)


FAMILIES = ("F1", "F2", "F5", "F9")
FAMILY_TABLE: dict[str, set[str]] = {
    "coordinator": {"F1"},
    "makkerpar_sof": {"F1"},
    "core_team_kff": {"F1"},
    "unassigned_core_team": set(),
    "caseworker_sof": {"F5"},
    "caseworker_without_department": set(),
    "citizen_parent": {"F1"},
    "citizen_16": {"F1"},
    "citizen_10": set(),
    "citizen_without_person": set(),
    "department_system": set(),
    "steering_group": set(),
    "admin": set(),
    "anonymous": set(),
}


@pytest.mark.parametrize("viewer", VIEWERS)
@pytest.mark.parametrize("family_id", FAMILIES)
def test_family_access_is_allow_or_not_found_never_forbidden(viewer: str, family_id: str) -> None:
    principal, facts = VIEWERS[viewer]
    decision = family_access(principal, facts, family_id)
    expected = Outcome.ALLOW if family_id in FAMILY_TABLE[viewer] else Outcome.NOT_FOUND
    assert decision.outcome is expected


@pytest.mark.parametrize("viewer", VIEWERS)
def test_lists_hold_exactly_the_visible_families(viewer: str) -> None:
    principal, facts = VIEWERS[viewer]
    assert visible_family_ids(principal, facts) == FAMILY_TABLE[viewer]


@pytest.mark.parametrize(
    ("viewer", "relation", "outcome", "reason"),
    [
        ("citizen_parent", "f2_custody_child", Outcome.ALLOW, "custody_child"),  # child in another household
        ("citizen_parent", "f1_grandmother", Outcome.ALLOW, "own_family"),  # listed, sections FORBIDDEN
        ("citizen_16", "f2_custody_child", Outcome.NOT_FOUND, "not_own_family"),
        ("citizen_10", "f1_parent", Outcome.NOT_FOUND, "citizen_under_15"),
        ("caseworker_sof", "f5_caseload", Outcome.ALLOW, "own_caseload"),
        ("caseworker_sof", "f5_sibling", Outcome.NOT_FOUND, "not_caseload_person"),  # need-to-know (#26)
        ("caseworker_without_department", "f5_caseload", Outcome.NOT_FOUND, "caseworker_without_department"),
        ("caseworker_sof", "f1_parent", Outcome.NOT_FOUND, "not_caseload_family"),
        ("coordinator", "f2_custody_child", Outcome.NOT_FOUND, "not_assigned"),
        ("department_system", "f1_parent", Outcome.NOT_FOUND, "role_has_no_person_data"),
    ],
)
def test_member_access(viewer: str, relation: str, outcome: Outcome, reason: str) -> None:
    principal, facts = VIEWERS[viewer]
    decision = member_access(principal, facts, *RELATIONS[relation])
    assert (decision.outcome, decision.reason) == (outcome, reason)


def test_a_custody_child_of_18_is_no_longer_shown_to_the_parent() -> None:
    principal, facts = VIEWERS["citizen_parent"]
    assert member_access(principal, facts, "P-F2-CHILD", "F2").outcome is Outcome.ALLOW
    older = AccessFacts(
        today=date(2036, 7, 7),  # the F2 child's 18th birthday
        own_person_id=facts.own_person_id,
        own_birth_date=facts.own_birth_date,
        own_family_ids=facts.own_family_ids,
        custody_children=facts.custody_children,
    )
    assert member_access(principal, older, "P-F2-CHILD", "F2").outcome is Outcome.NOT_FOUND
    assert section_access(principal, older, "P-F2-CHILD", "F2", Department.BUF).reason == "child_now_adult"


def test_a_young_person_sees_their_own_data_from_their_15th_birthday() -> None:
    principal = _p("ung", Role.CITIZEN, person_id="P-Y")
    for today, outcome in ((date(2025, 3, 14), Outcome.FORBIDDEN), (date(2025, 3, 15), Outcome.ALLOW)):
        facts = AccessFacts(
            today=today,
            own_person_id="P-Y",
            own_birth_date=date(2010, 3, 15),
            own_family_ids=frozenset({"F1"}),
        )
        assert section_access(principal, facts, "P-Y", "F1", Department.BUF).outcome is outcome


@pytest.mark.parametrize(
    ("viewer", "relation", "full"),
    [
        ("coordinator", "f1_child10", True),
        ("coordinator", "f9_stranger", False),
        ("makkerpar_sof", "f1_parent", False),
        ("core_team_kff", "f1_parent", False),
        ("caseworker_sof", "f5_caseload", True),
        ("caseworker_sof", "f5_sibling", False),
        ("caseworker_without_department", "f5_caseload", False),
        ("citizen_parent", "f1_parent", False),
        ("citizen_parent", "f1_child10", False),
        ("department_system", "f1_parent", False),
        ("steering_group", "f1_parent", False),
        ("admin", "f1_parent", False),
        ("anonymous", "f1_parent", False),
    ],
)
def test_full_cpr_only_where_the_work_needs_it(viewer: str, relation: str, full: bool) -> None:
    principal, facts = VIEWERS[viewer]
    assert full_cpr_visible(principal, facts, *RELATIONS[relation]) is full


@pytest.mark.parametrize("role", list(Role))
def test_cpr_visibility_by_role(role: Role) -> None:
    expected = role in (Role.COORDINATOR, Role.CASEWORKER)
    assert cpr_visibility(_p("x", role, Department.SOF)) is expected
    assert cpr_visibility(None) is False


def test_every_role_is_covered_by_the_table() -> None:
    covered = {p.role for p, _f in VIEWERS.values() if p is not None}
    assert covered == set(Role)


# A closed family: every team assignment ended; the closing coordinator keeps the family's RECORD.
RECORD_HOLDER = _p("record", Role.COORDINATOR)
RECORD_FACTS = AccessFacts(today=TODAY, assignments={"F1": frozenset({TeamRole.RECORD})})


def test_the_record_holder_of_a_closed_family_sees_the_record_but_shares_nothing_without_new_consent() -> (
    None
):
    assert family_access(RECORD_HOLDER, RECORD_FACTS, "F1").reason == "closed_record"
    assert visible_family_ids(RECORD_HOLDER, RECORD_FACTS) == {"F1"}
    for department in ALL:
        section = section_access(RECORD_HOLDER, RECORD_FACTS, "P-F1-PARENT", "F1", department)
        # Consent only (no statutory basis): closing ended the consents, so only a new one shares data.
        assert (section.reason, section.basis) == ("closed_record", Basis.CLOSED_RECORD)
    assert not full_cpr_visible(RECORD_HOLDER, RECORD_FACTS, "P-F1-PARENT", "F1")
    # A former team member (assignment ended) has no facts about the family at all.
    former = AccessFacts(today=TODAY)
    assert (
        family_access(_p("former", Role.CORE_TEAM, Department.SOF), former, "F1").outcome is Outcome.NOT_FOUND
    )
