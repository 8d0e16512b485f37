"""Break-the-glass as tables: who may ask, what a grant opens, and what it never opens (pure, no database)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from hub.access.breakglass.policy import (
    BREAK_GLASS_ROLES,
    JUSTIFICATION_MAX,
    JUSTIFICATION_MIN,
    EmergencyGrant,
    ReasonCode,
    active_grant,
    check_justification,
    covered_departments,
    family_access,
    may_request,
    may_review,
    section_access,
    section_categories,
)
from hub.access.policy import Basis, Outcome
from hub.auth.principal import Principal
from hub.domain import DataCategory, Department, Role

NOW = datetime(2026, 11, 1, 10, 0, tzinfo=UTC)
ALL = frozenset(Department)


def who(role: Role, department: Department | None = None, user_id: str = "U1") -> Principal:
    return Principal(user_id=user_id, username=user_id, role=role, department=department)


COORDINATOR = who(Role.COORDINATOR)
CORE_SOF = who(Role.CORE_TEAM, Department.SOF)
CASE_BUF = who(Role.CASEWORKER, Department.BUF)
CASE_NONE = who(Role.CASEWORKER, None)
CITIZEN = who(Role.CITIZEN)
STEERING = who(Role.STEERING_GROUP)
ADMIN = who(Role.ADMIN)
SYSTEM = who(Role.DEPARTMENT_SYSTEM, Department.SOF)


def grant(
    principal: Principal,
    *,
    family: str = "F1",
    start: datetime = NOW - timedelta(hours=1),
    hours: float = 4,
    revoked: datetime | None = None,
    grant_id: str = "G1",
) -> EmergencyGrant:
    return EmergencyGrant(
        id=grant_id,
        user_id=principal.user_id,
        family_id=family,
        reason=ReasonCode.CHILD_SAFETY,
        departments=covered_departments(principal),
        granted_at=start,
        expires_at=start + timedelta(hours=hours),
        revoked_at=revoked,
    )


# role -> (may ask when not yet seeing the family, departments a grant covers)
ROLE_TABLE: list[tuple[str, Principal | None, bool, frozenset[Department]]] = [
    ("coordinator", COORDINATOR, True, ALL),
    ("core_team", CORE_SOF, True, ALL),
    ("caseworker", CASE_BUF, True, frozenset({Department.BUF})),
    ("caseworker_without_department", CASE_NONE, False, frozenset()),
    ("citizen", CITIZEN, False, frozenset()),
    ("steering_group", STEERING, False, frozenset()),
    ("admin", ADMIN, False, frozenset()),
    ("department_system", SYSTEM, False, frozenset()),
    ("nobody", None, False, frozenset()),
]


@pytest.mark.parametrize(
    ("name", "principal", "may", "departments"), ROLE_TABLE, ids=[r[0] for r in ROLE_TABLE]
)
def test_who_may_ask_and_what_their_role_covers(
    name: str, principal: Principal | None, may: bool, departments: frozenset[Department]
) -> None:
    assert may_request(principal, already_visible=False).allowed is may
    assert covered_departments(principal) == departments
    # Nobody who already sees the family needs (or gets) emergency access.
    assert not may_request(principal, already_visible=True).allowed


def test_the_role_set_is_exactly_the_workers() -> None:
    assert frozenset({Role.COORDINATOR, Role.CORE_TEAM, Role.CASEWORKER}) == BREAK_GLASS_ROLES
    assert may_request(CORE_SOF, already_visible=True).reason == "already_has_access"
    assert may_request(CITIZEN, already_visible=False).reason == "role_may_not_break_glass"
    assert may_request(CASE_NONE, already_visible=False).reason == "no_department"


JUSTIFICATIONS: list[tuple[str, str, str, bool, str | None]] = [
    ("ok", "CHILD_SAFETY", "x" * JUSTIFICATION_MIN, True, None),
    ("longest", "OTHER_URGENT", "x" * JUSTIFICATION_MAX, True, None),
    ("too_short", "CHILD_SAFETY", "x" * (JUSTIFICATION_MIN - 1), False, "justification"),
    ("blank_padding_does_not_count", "CHILD_SAFETY", " " * 40 + "short", False, "justification"),
    ("too_long", "CHILD_SAFETY", "x" * (JUSTIFICATION_MAX + 1), False, "justification"),
    ("empty", "CHILD_SAFETY", "", False, "justification"),
    ("unknown_reason", "BORED", "x" * 40, False, "reasonCode"),
]


@pytest.mark.parametrize(
    ("name", "reason", "text", "ok", "field"), JUSTIFICATIONS, ids=[j[0] for j in JUSTIFICATIONS]
)
def test_a_reason_code_and_a_bounded_justification(
    name: str, reason: str, text: str, ok: bool, field: str | None
) -> None:
    checked = check_justification(reason, text)
    assert checked.allowed is ok
    assert checked.field == field


# (name, grant factory, now, in force?)
TIMES: list[tuple[str, EmergencyGrant, datetime, bool]] = [
    ("in_force", grant(CASE_BUF), NOW, True),
    ("at_grant_moment", grant(CASE_BUF, start=NOW), NOW, True),
    ("before_granted", grant(CASE_BUF, start=NOW + timedelta(seconds=1)), NOW, False),
    ("last_second", grant(CASE_BUF, start=NOW - timedelta(hours=4) + timedelta(seconds=1)), NOW, True),
    ("expired_exactly", grant(CASE_BUF, start=NOW - timedelta(hours=4)), NOW, False),
    ("expired", grant(CASE_BUF, start=NOW - timedelta(hours=5)), NOW, False),
    ("revoked", grant(CASE_BUF, revoked=NOW - timedelta(minutes=1)), NOW, False),
    ("revoked_later", grant(CASE_BUF, revoked=NOW + timedelta(minutes=1)), NOW, True),
]


@pytest.mark.parametrize(("name", "g", "now", "active"), TIMES, ids=[t[0] for t in TIMES])
def test_a_grant_is_in_force_for_a_bounded_time_at_the_injected_now(
    name: str, g: EmergencyGrant, now: datetime, active: bool
) -> None:
    assert g.active_at(now) is active
    found = active_grant(CASE_BUF, [g], "F1", now)
    assert (found is not None) is active
    assert family_access(found).outcome is (Outcome.ALLOW if active else Outcome.NOT_FOUND)


def test_a_grant_is_the_grantees_and_that_familys_only() -> None:
    g = grant(CASE_BUF)
    assert active_grant(CASE_BUF, [g], "F1", NOW) == g
    assert active_grant(CASE_BUF, [g], "F2", NOW) is None
    assert active_grant(who(Role.CASEWORKER, Department.BUF, "U2"), [g], "F1", NOW) is None
    # A role that may not break glass never uses a grant, even one made out to its user id.
    assert active_grant(who(Role.CITIZEN, None, "U1"), [g], "F1", NOW) is None
    later = grant(CASE_BUF, start=NOW - timedelta(minutes=5), grant_id="G2")
    assert active_grant(CASE_BUF, [g, later], "F1", NOW) == later


# (name, viewer, department, outcome, reason, basis)
SECTIONS: list[tuple[str, Principal, Department, Outcome, str, Basis | None]] = [
    ("caseworker_own", CASE_BUF, Department.BUF, Outcome.ALLOW, "break_glass", Basis.OWN_DEPARTMENT),
    *[
        (
            f"caseworker_{d.value}",
            CASE_BUF,
            d,
            Outcome.FORBIDDEN,
            "break_glass_department_not_covered",
            None,
        )
        for d in Department
        if d is not Department.BUF
    ],
    *[
        (f"core_team_{d.value}", CORE_SOF, d, Outcome.ALLOW, "break_glass", Basis.HFI_TEAM)
        for d in Department
    ],
    *[
        (f"coordinator_{d.value}", COORDINATOR, d, Outcome.ALLOW, "break_glass", Basis.HFI_TEAM)
        for d in Department
    ],
]


@pytest.mark.parametrize(
    ("name", "viewer", "department", "outcome", "reason", "basis"), SECTIONS, ids=[s[0] for s in SECTIONS]
)
def test_sections_under_a_grant_never_beyond_the_roles_departments(  # noqa: PLR0917 - one table row
    name: str, viewer: Principal, department: Department, outcome: Outcome, reason: str, basis: Basis | None
) -> None:
    decision = section_access(viewer, grant(viewer), department)
    assert (decision.outcome, decision.reason, decision.basis) == (outcome, reason, basis)


def test_without_a_grant_nothing_opens() -> None:
    for viewer in (CASE_BUF, CORE_SOF, COORDINATOR):
        for department in Department:
            assert section_access(viewer, None, department).outcome is Outcome.FORBIDDEN


def test_a_grant_never_opens_more_than_it_names() -> None:
    narrowed = EmergencyGrant(
        "G",
        CORE_SOF.user_id,
        "F1",
        ReasonCode.OTHER_URGENT,
        frozenset({Department.SOF}),
        NOW,
        NOW + timedelta(1),
    )
    assert section_access(CORE_SOF, narrowed, Department.SOF).allowed
    assert not section_access(CORE_SOF, narrowed, Department.BIF).allowed


# (name, department, consent allowed the section, health basis, allowed, categories, reason)
CATEGORIES: list[tuple[str, Department, bool, bool, bool, frozenset[DataCategory], str]] = [
    ("case_no_health", Department.BUF, True, False, True, frozenset({DataCategory.CASE}), "ok"),
    ("case_and_health", Department.BUF, True, True, True, frozenset(DataCategory), "ok"),
    ("no_basis", Department.BUF, False, True, False, frozenset(), "no_basis"),
    (
        "health_dept_without_health_basis",
        Department.SUF,
        True,
        False,
        False,
        frozenset(),
        "break_glass_needs_health_basis",
    ),
    ("health_dept_with_health_basis", Department.SUF, True, True, True, frozenset(DataCategory), "ok"),
    ("social_without_health", Department.SOF, True, False, True, frozenset({DataCategory.CASE}), "ok"),
]


@pytest.mark.parametrize(
    ("name", "department", "case", "health", "allowed", "categories", "reason"),
    CATEGORIES,
    ids=[c[0] for c in CATEGORIES],
)
def test_never_health_without_a_health_basis(  # noqa: PLR0917 - one table row
    name: str,
    department: Department,
    case: bool,
    health: bool,
    allowed: bool,
    categories: frozenset[DataCategory],
    reason: str,
) -> None:
    shown = section_categories(department, case_allowed=case, health_basis=health)
    assert (shown.allowed, shown.categories, shown.reason) == (allowed, categories, reason)


@pytest.mark.parametrize(
    ("principal", "may"),
    [
        (ADMIN, True),
        (COORDINATOR, False),
        (CASE_BUF, False),
        (CITIZEN, False),
        (STEERING, False),
        (None, False),
    ],
)
def test_only_administrators_review(principal: Principal | None, may: bool) -> None:
    assert may_review(principal) is may


def test_audit_marks_carry_the_grant_id_and_reason_code_only() -> None:
    g = grant(CASE_BUF)
    assert g.purpose == "EMERGENCY_ACCESS:G1"
    assert g.audit_reason == "break_glass:CHILD_SAFETY"
