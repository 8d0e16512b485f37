"""The hub's shared vocabulary: departments, roles and statuses every module speaks.

Pure enums and constants only: no I/O, no imports from the rest of the hub.
"""

from __future__ import annotations

from enum import StrEnum


class Department(StrEnum):
    """The five administrations (forvaltninger) around an HFI family."""

    SOF = "SOF"  # Socialforvaltningen: social services, child welfare
    BIF = "BIF"  # Beskæftigelses- og Integrationsforvaltningen: jobcentre, benefits, integration
    BUF = "BUF"  # Børne- og Ungdomsforvaltningen: schools, daycare, PPR, health visitors
    KFF = "KFF"  # Kultur- og Fritidsforvaltningen: culture and leisure
    SUF = "SUF"  # Sundheds- og Omsorgsforvaltningen: health and care


class DataCategory(StrEnum):
    """What kind of data a consent or a field covers. Health must always be named explicitly."""

    CASE = "CASE"  # ordinary case data: that a service exists, its dates, status and contact
    HEALTH = "HEALTH"  # health data (GDPR art. 9): conditions, psychologist, health visitor, screenings


class Role(StrEnum):
    """A hub user's role, stored in the hub's database (not trusted from token claims)."""

    COORDINATOR = "COORDINATOR"  # tovholder
    CORE_TEAM = "CORE_TEAM"  # a worker of one department on the core team (kerneteam)
    CASEWORKER = "CASEWORKER"  # a department's own caseworker outside the team (sagsbehandler)
    CITIZEN = "CITIZEN"  # a family member, identified by CPR
    DEPARTMENT_SYSTEM = "DEPARTMENT_SYSTEM"  # a machine client of one department
    STEERING_GROUP = "STEERING_GROUP"  # aggregates only
    ADMIN = "ADMIN"  # operates the hub, no family data


class MemberRole(StrEnum):
    PARENT = "PARENT"
    CHILD = "CHILD"
    OTHER_ADULT = "OTHER_ADULT"


class District(StrEnum):
    NORREBRO = "NORREBRO"
    BISPEBJERG = "BISPEBJERG"


# The housing areas named in the programme proposal, by district.
HOUSING_AREAS: dict[District, tuple[str, ...]] = {
    District.NORREBRO: ("Mjølnerparken", "Aldersrogade", "Lundtoftegade", "Blågården"),
    District.BISPEBJERG: ("Stærevej", "Bispeparken", "Bispevænget", "Degnegården"),
}


class FamilyStatus(StrEnum):
    REFERRED = "REFERRED"  # referred, not yet assessed
    WAITLISTED = "WAITLISTED"  # eligible, waiting for a place
    ACTIVE = "ACTIVE"  # enrolled and followed
    CLOSED = "CLOSED"  # closed or handed over to ordinary services
