"""Need-to-know as SQL: the families a viewer may know exist, as a query the database filters lists by.

`visible_family_ids_query(principal, today)` selects exactly the ids for which `policy.family_access` allows,
role by role (DOMAIN.md §3, hub/access/policy.py):
- COORDINATOR, CORE_TEAM: families with a current team assignment of the viewer (any team role);
- CASEWORKER (with a department): the current families of the persons in their own department's caseload;
- CITIZEN: their own current family, only if they are 15 or older on `today`;
- anyone else (steering group, admin, department systems, no viewer): nothing.
Lists and searches filter by it (hub/family/repository.py, as a correlated EXISTS) and count by it, so a
10,000-family scope never travels to Python and back as an id list.

`searchable_person_ids_query(principal)` says whose names a search may match within those families: None
(every current member's) except for a CASEWORKER, whose search matches only their own caseload persons, so a
search cannot tell them who else is in a caseload person's family (policy: `not_caseload_person`).

This module builds queries only; it never runs one and never decides about a single family (the pure policy
does). A test checks, on generated worlds and both backends, that this query and the policy agree for every
seeded user; change them together.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Select, false, select

from hub.access.facts import current
from hub.access.policy import OWN_DATA_AGE, TEAM_ROLES
from hub.auth.principal import Principal
from hub.domain import Role
from hub.persistence.models import CaseloadEntry, Membership, Person, TeamAssignment


def latest_birth_date(age: int, today: date) -> date:
    """The latest birth date of someone at least `age` years old on `today`, as hub.cpr.age_on counts age."""
    try:
        return today.replace(year=today.year - age)
    except ValueError:  # today is 29 February and that year has none: born 28 February is already `age`
        return date(today.year - age, 2, 28)


def visible_family_ids_query(principal: Principal | None, today: date) -> Select[str]:
    """One column, `family_id`: every family the viewer may know exists (duplicates possible)."""
    if principal is None:
        return _nothing()
    if principal.role in TEAM_ROLES:
        return select(TeamAssignment.family_id).where(
            TeamAssignment.user_id == principal.user_id,
            current(TeamAssignment.since, TeamAssignment.until, today),
        )
    if principal.role is Role.CASEWORKER and principal.department is not None:
        return (
            select(Membership.family_id)
            .join(CaseloadEntry, CaseloadEntry.person_id == Membership.person_id)
            .where(
                CaseloadEntry.user_id == principal.user_id,
                # Only the viewer's own department's caseload counts (as in hub/access/facts.py).
                CaseloadEntry.department == principal.department,
                Membership.left_on.is_(None),
            )
        )
    if principal.role is Role.CITIZEN and principal.person_id is not None:
        return (
            select(Membership.family_id)
            .join(Person, Person.id == Membership.person_id)
            .where(
                Membership.person_id == principal.person_id,
                Membership.left_on.is_(None),
                # Under 15 a citizen sees nothing through the hub (policy: citizen_under_15).
                Person.birth_date <= latest_birth_date(OWN_DATA_AGE, today),
            )
        )
    return _nothing()


def searchable_person_ids_query(principal: Principal | None) -> Select[str] | None:
    """The persons whose names a family search may match; None: every current member of a visible family."""
    if principal is not None and principal.role is Role.CASEWORKER:
        return select(CaseloadEntry.person_id).where(
            CaseloadEntry.user_id == principal.user_id, CaseloadEntry.department == principal.department
        )
    return None


def _nothing() -> Select[str]:
    # A real table, so the query can still be correlated against `families` without capturing it.
    return select(TeamAssignment.family_id).where(false())
