"""The consent policy, table-driven: every role × consent state × department × category, then the rules."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from hub.auth.principal import Principal
from hub.consent.policy import (
    ConsentFacts,
    Grantor,
    StatutoryFacts,
    SubjectFacts,
    consent_status,
    decide,
    effective_state,
)
from hub.consent.vocabulary import BasisKind, ConsentStatus, EffectiveState, GrantorCapacity, Purpose
from hub.days import local_day
from hub.domain import DataCategory, Department, Role

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
FAMILY = "F1"
ADULT = SubjectFacts(person_id="P-adult", birth_date=date(1985, 5, 1), family_id=FAMILY)
CHILD_12 = SubjectFacts(
    person_id="P-child",
    birth_date=date(2014, 6, 1),
    family_id=FAMILY,
    custody_holder_ids=frozenset({"P-mother", "P-father"}),
)
YOUTH_16 = SubjectFacts(
    person_id="P-youth",
    birth_date=date(2010, 2, 1),
    family_id=FAMILY,
    custody_holder_ids=frozenset({"P-mother", "P-father"}),
)
ALL_DEPARTMENTS = frozenset(Department)
ALL_CATEGORIES = frozenset(DataCategory)


def consent(
    subject: SubjectFacts,
    *,
    cid: str = "C1",
    grantors: tuple[Grantor, ...] | None = None,
    departments: frozenset[Department] = ALL_DEPARTMENTS,
    categories: frozenset[DataCategory] = ALL_CATEGORIES,
    valid_from: date = date(2026, 1, 1),
    valid_until: date = date(2026, 12, 31),
    recorded_at: datetime = datetime(2026, 1, 1, 9, tzinfo=UTC),
    status: ConsentStatus = ConsentStatus.ACTIVE,
    withdrawn_at: datetime | None = None,
    superseded_by: str | None = None,
    superseded_at: datetime | None = None,
) -> ConsentFacts:
    return ConsentFacts(
        id=cid,
        subject_id=subject.person_id,
        family_id=subject.family_id,
        grantors=grantors or (Grantor(subject.person_id, GrantorCapacity.SELF),),
        departments=departments,
        categories=categories,
        purpose=Purpose.HFI_COORDINATION,
        valid_from=valid_from,
        valid_until=valid_until,
        status=status,
        recorded_at=recorded_at,
        withdrawn_at=withdrawn_at,
        superseded_by=superseded_by,
        superseded_at=superseded_at,
    )


def principal(role: Role, department: Department | None = None, person_id: str | None = None) -> Principal:
    return Principal(
        user_id=f"U-{role.value}-{department or ''}",
        username=role.value.lower(),
        role=role,
        department=department,
        person_id=person_id,
    )


# --- the table ------------------------------------------------------------------------------------

STATES: dict[str, tuple[ConsentFacts, ...]] = {
    "none": (),
    "active": (consent(ADULT),),
    "expired": (consent(ADULT, valid_until=date(2026, 11, 23)),),
    "withdrawn": (
        consent(ADULT, status=ConsentStatus.WITHDRAWN, withdrawn_at=datetime(2026, 6, 1, tzinfo=UTC)),
    ),
    # Superseded by a consent that is no longer in the list (e.g. replaced, then that one lapsed elsewhere).
    "superseded": (
        consent(
            ADULT,
            status=ConsentStatus.SUPERSEDED,
            superseded_by="C2",
            superseded_at=datetime(2026, 6, 1, tzinfo=UTC),
        ),
    ),
}
DENIAL_REASON = {
    "none": "no_consent",
    "expired": "consent_expired",
    "withdrawn": "consent_withdrawn",
    "superseded": "consent_superseded",
}
CASEWORKER_DEPARTMENT = Department.BUF
ROLES: dict[str, Principal] = {
    "coordinator": principal(Role.COORDINATOR, Department.SOF),
    "core_team": principal(Role.CORE_TEAM, Department.BIF),
    "caseworker": principal(Role.CASEWORKER, CASEWORKER_DEPARTMENT),
    "citizen_self": principal(Role.CITIZEN, person_id=ADULT.person_id),
    "citizen_other": principal(Role.CITIZEN, person_id="P-someone-else"),
    "department_system": principal(Role.DEPARTMENT_SYSTEM, Department.SOF),
    "steering_group": principal(Role.STEERING_GROUP),
    "admin": principal(Role.ADMIN),
}
# The caseworker holds the subject's case in their own department (BUF): the own-department exception.
SUBJECT = replace(ADULT, caseworkers=frozenset({(ROLES["caseworker"].user_id, CASEWORKER_DEPARTMENT)}))


def expected(role: str, state: str, department: Department) -> tuple[bool, str]:
    if role in ("coordinator", "core_team"):
        return (True, "consent") if state == "active" else (False, DENIAL_REASON[state])
    if role == "caseworker":
        # Never a grantee of the team's consent; only their own department's data of their own caseload.
        return (True, "own_department") if department is CASEWORKER_DEPARTMENT else (False, "not_a_grantee")
    if role == "citizen_self":
        return True, "own_data"
    if role == "citizen_other":
        return False, "not_own_data"
    return False, "role_has_no_person_data"


@pytest.mark.parametrize("category", list(DataCategory))
@pytest.mark.parametrize("department", list(Department))
@pytest.mark.parametrize("state", list(STATES))
@pytest.mark.parametrize("role", list(ROLES))
def test_every_role_state_department_and_category(
    role: str, state: str, department: Department, category: DataCategory
) -> None:
    decision = decide(
        ROLES[role], SUBJECT, department, category, Purpose.HFI_COORDINATION, NOW, STATES[state], ()
    )
    assert (decision.allowed, decision.reason) == expected(role, state, department)
    if decision.allowed and decision.reason == "consent":
        assert decision.basis == "C1"
        assert decision.kind is BasisKind.CONSENT
    if not decision.allowed:
        assert decision.basis is None


# --- scope ----------------------------------------------------------------------------------------

CORE = ROLES["core_team"]


def core_decides(
    subject: SubjectFacts,
    department: Department,
    category: DataCategory,
    consents: tuple[ConsentFacts, ...],
    statutory: tuple[StatutoryFacts, ...] = (),
    *,
    now: datetime = NOW,
) -> tuple[bool, str]:
    d = decide(CORE, subject, department, category, Purpose.HFI_COORDINATION, now, consents, statutory)
    return d.allowed, d.reason


def test_health_must_be_named_explicitly() -> None:
    case_only = (consent(ADULT, categories=frozenset({DataCategory.CASE})),)
    assert core_decides(ADULT, Department.SUF, DataCategory.CASE, case_only) == (True, "consent")
    assert core_decides(ADULT, Department.SUF, DataCategory.HEALTH, case_only) == (False, "no_consent")


def test_a_department_not_named_is_not_covered() -> None:
    only_sof = (consent(ADULT, departments=frozenset({Department.SOF})),)
    assert core_decides(ADULT, Department.SOF, DataCategory.CASE, only_sof)[0]
    assert core_decides(ADULT, Department.BIF, DataCategory.CASE, only_sof) == (False, "no_consent")


def test_a_consent_in_another_family_or_for_another_person_does_not_count() -> None:
    moved = (replace(consent(ADULT), family_id="F-other"),)
    assert core_decides(ADULT, Department.SOF, DataCategory.CASE, moved) == (False, "no_consent")
    someone_else = (replace(consent(ADULT), subject_id="P-other"),)
    assert core_decides(ADULT, Department.SOF, DataCategory.CASE, someone_else) == (False, "no_consent")


def test_a_consent_not_yet_in_force_does_not_permit() -> None:
    future = (consent(ADULT, valid_from=date(2026, 12, 1), valid_until=date(2027, 11, 30)),)
    assert core_decides(ADULT, Department.SOF, DataCategory.CASE, future) == (
        False,
        "consent_not_yet_in_force",
    )


def test_the_last_day_is_included_and_days_are_copenhagen_days() -> None:
    last_day = (consent(ADULT, valid_until=date(2026, 11, 24)),)
    assert core_decides(ADULT, Department.SOF, DataCategory.CASE, last_day)[0]
    # 23:30 UTC on the 24th is already the 25th in Copenhagen (UTC+1 in November).
    late = datetime(2026, 11, 24, 23, 30, tzinfo=UTC)
    assert local_day(late) == date(2026, 11, 25)
    assert core_decides(ADULT, Department.SOF, DataCategory.CASE, last_day, now=late) == (
        False,
        "consent_expired",
    )


# --- withdrawal and supersession ------------------------------------------------------------------


def test_withdrawal_works_from_its_moment_not_backwards() -> None:
    at = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
    withdrawn = (consent(ADULT, status=ConsentStatus.WITHDRAWN, withdrawn_at=at),)
    before = at - timedelta(seconds=1)
    assert core_decides(ADULT, Department.SOF, DataCategory.CASE, withdrawn, now=before) == (True, "consent")
    assert core_decides(ADULT, Department.SOF, DataCategory.CASE, withdrawn, now=at) == (
        False,
        "consent_withdrawn",
    )


def test_deny_beats_permit_for_consents_recorded_before_the_withdrawal() -> None:
    older = consent(ADULT, cid="C-old", recorded_at=datetime(2026, 1, 1, tzinfo=UTC))
    withdrawn = consent(
        ADULT,
        cid="C-withdrawn",
        departments=frozenset({Department.SOF}),
        recorded_at=datetime(2026, 2, 1, tzinfo=UTC),
        status=ConsentStatus.WITHDRAWN,
        withdrawn_at=datetime(2026, 3, 1, tzinfo=UTC),
    )
    # The withdrawal is the citizen's latest word on SOF: the older, broader consent no longer permits SOF ...
    assert core_decides(ADULT, Department.SOF, DataCategory.CASE, (older, withdrawn)) == (
        False,
        "consent_withdrawn",
    )
    # ... but still permits what the withdrawn consent did not cover.
    assert core_decides(ADULT, Department.BIF, DataCategory.CASE, (older, withdrawn)) == (True, "consent")
    # A consent given after the withdrawal is a fresh decision and permits again.
    fresh = consent(ADULT, cid="C-fresh", recorded_at=datetime(2026, 4, 1, tzinfo=UTC))
    d = decide(
        CORE,
        ADULT,
        Department.SOF,
        DataCategory.CASE,
        Purpose.HFI_COORDINATION,
        NOW,
        (older, withdrawn, fresh),
        (),
    )
    assert (d.allowed, d.basis) == (True, "C-fresh")


def test_superseded_consent_gives_way_to_its_replacement() -> None:
    old = consent(
        ADULT,
        cid="C-old",
        status=ConsentStatus.SUPERSEDED,
        superseded_by="C-new",
        superseded_at=datetime(2026, 6, 1, tzinfo=UTC),
    )
    new = consent(
        ADULT,
        cid="C-new",
        departments=frozenset({Department.SOF}),
        recorded_at=datetime(2026, 6, 1, tzinfo=UTC),
    )
    d = decide(CORE, ADULT, Department.SOF, DataCategory.CASE, Purpose.HFI_COORDINATION, NOW, (old, new), ())
    assert (d.allowed, d.basis) == (True, "C-new")
    # The replacement dropped BIF: the superseded consent does not keep it alive.
    assert core_decides(ADULT, Department.BIF, DataCategory.CASE, (old, new)) == (False, "consent_superseded")


# --- minors ---------------------------------------------------------------------------------------

PARENTS = (
    Grantor("P-father", GrantorCapacity.CUSTODY_HOLDER),
    Grantor("P-mother", GrantorCapacity.CUSTODY_HOLDER),
)


def test_custody_holders_consent_covers_a_child_under_15_including_health() -> None:
    by_parents = (consent(CHILD_12, grantors=PARENTS),)
    assert core_decides(CHILD_12, Department.BUF, DataCategory.CASE, by_parents) == (True, "consent")
    assert core_decides(CHILD_12, Department.BUF, DataCategory.HEALTH, by_parents) == (True, "consent")


def test_from_15_a_parents_consent_does_not_cover_health_but_the_young_persons_own_does() -> None:
    by_parents = (consent(YOUTH_16, grantors=PARENTS),)
    assert core_decides(YOUTH_16, Department.SOF, DataCategory.CASE, by_parents) == (True, "consent")
    assert core_decides(YOUTH_16, Department.SUF, DataCategory.HEALTH, by_parents) == (
        False,
        "health_needs_young_persons_own_consent",
    )
    own = (*by_parents, consent(YOUTH_16, cid="C-own", recorded_at=datetime(2026, 5, 1, tzinfo=UTC)))
    assert core_decides(YOUTH_16, Department.SUF, DataCategory.HEALTH, own) == (True, "consent")


def test_a_parents_consent_expires_at_18_even_if_its_period_runs_on() -> None:
    turning = SubjectFacts("P-turning", date(2008, 11, 25), FAMILY, frozenset({"P-mother"}))
    by_parent = (consent(turning, grantors=(Grantor("P-mother", GrantorCapacity.CUSTODY_HOLDER),)),)
    day_before = datetime(2026, 11, 24, 12, tzinfo=UTC)
    birthday = datetime(2026, 11, 25, 12, tzinfo=UTC)
    assert core_decides(turning, Department.SOF, DataCategory.CASE, by_parent, now=day_before)[0]
    assert core_decides(turning, Department.SOF, DataCategory.CASE, by_parent, now=birthday) == (
        False,
        "consent_expired",
    )
    assert consent_status(by_parent[0], turning.birth_date, birthday) is ConsentStatus.EXPIRED
    # The young person's own consent (given at 17) carries on past 18.
    own = (consent(turning, cid="C-own"),)
    assert core_decides(turning, Department.SOF, DataCategory.CASE, own, now=birthday) == (True, "consent")


def test_citizen_sees_own_and_custody_childrens_data_but_not_a_15_plus_childs_health() -> None:
    mother = principal(Role.CITIZEN, person_id="P-mother")
    hfi = Purpose.HFI_COORDINATION
    assert decide(mother, CHILD_12, Department.SUF, DataCategory.HEALTH, hfi, NOW, (), ()).reason == "custody"
    own = consent(YOUTH_16, departments=frozenset({Department.SOF}))
    assert decide(mother, YOUTH_16, Department.SOF, DataCategory.CASE, hfi, NOW, (own,), ()).allowed
    health = decide(mother, YOUTH_16, Department.SUF, DataCategory.HEALTH, hfi, NOW, (), ())
    assert (health.allowed, health.reason) == (False, "young_person_decides_own_health")
    adult_child = replace(YOUTH_16, birth_date=date(2008, 1, 1))
    assert decide(mother, adult_child, Department.SOF, DataCategory.CASE, hfi, NOW, (), ()).reason == (
        "child_is_adult"
    )


# --- a young person's own say from 15 (DOMAIN §4) -------------------------------------------------------

WITHDRAWN_AT = datetime(2026, 10, 1, 9, tzinfo=UTC)
YOUTH_SELF = (Grantor("P-youth", GrantorCapacity.SELF),)
BY_PARENTS = (
    Grantor("P-mother", GrantorCapacity.CUSTODY_HOLDER),
    Grantor("P-father", GrantorCapacity.CUSTODY_HOLDER),
)
CHILD_CASES = [
    # (subject, consents, department, category) -> (allowed, reason) for the father
    ("12: custody alone", CHILD_12, (), Department.BUF, DataCategory.CASE, (True, "custody")),
    (
        "16: no consent of hers",
        YOUTH_16,
        (),
        Department.BUF,
        DataCategory.CASE,
        (False, "young_person_decides"),
    ),
    (
        "16: her own consent",
        YOUTH_16,
        (consent(YOUTH_16, grantors=YOUTH_SELF),),
        Department.BUF,
        DataCategory.CASE,
        (True, "young_persons_consent"),
    ),
    (
        "16: her consent, another department",
        YOUTH_16,
        (consent(YOUTH_16, grantors=YOUTH_SELF, departments=frozenset({Department.SOF})),),
        Department.KFF,
        DataCategory.CASE,
        (False, "young_person_decides"),
    ),
    (
        "16: the parents' own consent is not hers",
        YOUTH_16,
        (consent(YOUTH_16, grantors=BY_PARENTS),),
        Department.BUF,
        DataCategory.CASE,
        (False, "young_person_decides"),
    ),
    (
        "16: she withdrew",
        YOUTH_16,
        (consent(YOUTH_16, grantors=YOUTH_SELF, status=ConsentStatus.WITHDRAWN, withdrawn_at=WITHDRAWN_AT),),
        Department.KFF,
        DataCategory.CASE,
        (False, "young_person_withdrew"),
    ),
    (
        "16: health never, even on her consent",
        YOUTH_16,
        (consent(YOUTH_16, grantors=YOUTH_SELF),),
        Department.SUF,
        DataCategory.HEALTH,
        (False, "young_person_decides_own_health"),
    ),
]


@pytest.mark.parametrize("case", CHILD_CASES, ids=[c[0] for c in CHILD_CASES])
def test_from_15_the_young_person_decides_what_the_parents_see(case: tuple[object, ...]) -> None:
    _name, subject, consents, department, category, expected = case
    father = principal(Role.CITIZEN, person_id="P-father")
    decision = decide(father, subject, department, category, Purpose.HFI_COORDINATION, NOW, consents, ())
    assert (decision.allowed, decision.reason) == expected


# --- statutory bases and own department -----------------------------------------------------------


def statute(subject: SubjectFacts, *, until: date = date(2027, 3, 1)) -> StatutoryFacts:
    return StatutoryFacts(
        id="S1",
        subject_id=subject.person_id,
        statute_reference="Barnets lov § 133",
        departments=frozenset({Department.SOF}),
        categories=frozenset({DataCategory.CASE}),
        valid_from=date(2026, 9, 1),
        valid_until=until,
    )


def test_statutory_basis_allows_workers_even_after_a_withdrawal() -> None:
    withdrawn = (
        consent(
            CHILD_12,
            grantors=PARENTS,
            status=ConsentStatus.WITHDRAWN,
            withdrawn_at=datetime(2026, 10, 1, tzinfo=UTC),
        ),
    )
    d = decide(
        CORE,
        CHILD_12,
        Department.SOF,
        DataCategory.CASE,
        Purpose.HFI_COORDINATION,
        NOW,
        withdrawn,
        (statute(CHILD_12),),
    )
    assert (d.allowed, d.basis, d.reason, d.kind) == (True, "S1", "statutory_basis", BasisKind.STATUTE)
    # Only what it names: not BIF, not HEALTH, not after its period.
    assert (
        core_decides(CHILD_12, Department.BIF, DataCategory.CASE, withdrawn, (statute(CHILD_12),))[0] is False
    )
    assert (
        core_decides(CHILD_12, Department.SOF, DataCategory.HEALTH, withdrawn, (statute(CHILD_12),))[0]
        is False
    )
    lapsed = (statute(CHILD_12, until=date(2026, 11, 1)),)
    assert core_decides(CHILD_12, Department.SOF, DataCategory.CASE, withdrawn, lapsed) == (
        False,
        "consent_withdrawn",
    )
    caseworker = decide(
        ROLES["caseworker"],
        CHILD_12,
        Department.SOF,
        DataCategory.CASE,
        Purpose.HFI_COORDINATION,
        NOW,
        (),
        (statute(CHILD_12),),
    )
    assert caseworker.allowed


def test_own_department_needs_the_caseload_not_just_the_department() -> None:
    sof_core = principal(Role.CORE_TEAM, Department.SOF)
    hfi = Purpose.HFI_COORDINATION
    assert decide(sof_core, ADULT, Department.SOF, DataCategory.CASE, hfi, NOW, (), ()).reason == "no_consent"
    in_caseload = replace(ADULT, caseworkers=frozenset({(sof_core.user_id, Department.SOF)}))
    d = decide(sof_core, in_caseload, Department.SOF, DataCategory.HEALTH, hfi, NOW, (), ())
    assert (d.allowed, d.basis, d.kind) == (True, "own_department", BasisKind.OWN_DEPARTMENT)
    assert decide(sof_core, in_caseload, Department.BUF, DataCategory.CASE, hfi, NOW, (), ()).allowed is False


def test_effective_state_shows_statutory_to_workers_only() -> None:
    bases = (statute(CHILD_12),)
    worker = effective_state(CHILD_12, Department.SOF, NOW, (), bases, include_statutory=True)
    citizen = effective_state(CHILD_12, Department.SOF, NOW, (), bases, include_statutory=False)
    assert (worker.state, citizen.state) == (EffectiveState.STATUTORY, EffectiveState.NONE)
