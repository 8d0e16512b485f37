"""The consent policy: may this viewer see this member's data from this department, in this category, now?

A pure function of facts (no I/O, no clock): `decide(viewer, subject, department, category, purpose, now,
consents, statutory_bases)` returns a `ConsentDecision` with the basis (consent id, statutory basis id,
"own_department", "own_data", "custody") and a machine-readable reason. Callers load the facts once per
request (hub/consent/facts.py) and ask here before any connector call; nothing here may fetch or cache data.

The rules (DOMAIN.md §4, where silent: what a data-protection officer signs off):
- Workers (coordinator, core team, caseworker):
  1. Own department: a worker's own department's data about a person in their own caseload needs no
     cross-department consent (no disclosure between administrations happens).
  2. Consent: the family's core team (coordinator, core-team roles) is the grantee of an HFI-coordination
     consent; a caseworker outside the team never is.
  3. Statutory basis (e.g. a report of concern): allows workers; the citizen cannot withdraw it.
- Citizens see their own data, and their children's while holding custody and the child is under 18. From 15
  the young person decides what of their data the hub shows to their parents (DOMAIN §4): a custody holder
  sees a 15-17-year-old's section only while the young person's OWN consent (granted by them, SELF) covers
  that department and category (`young_persons_say`), so the young person's withdrawal hides it from the
  parents at once; and never the young person's HEALTH.
- Any other role: no person data.

Deny beats permit: a withdrawal is the citizen's latest word on the scope it covers. A withdrawn consent
therefore stops every consent covering the same (department, category) that was recorded before the
withdrawal, not only itself; a consent recorded after the withdrawal (a fresh, informed decision) permits
again. Expired and superseded consents neither permit nor deny. Statutory bases are not affected by a
citizen's withdrawal.

Period and age: days are Copenhagen calendar days; `valid_until` is the last day in force. A consent given by
custody holders stops at the child's 18th birthday (checked here even though recording caps the period), and
does not cover HEALTH once the child is 15.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from hub.auth.principal import Principal
from hub.consent.vocabulary import (
    CUSTODY_AGE,
    OWN_CONSENT_AGE,
    BasisKind,
    ConsentStatus,
    EffectiveState,
    GrantorCapacity,
    Purpose,
)
from hub.cpr import age_on
from hub.days import local_day
from hub.domain import DataCategory, Department, Role

WORKER_ROLES = frozenset({Role.COORDINATOR, Role.CORE_TEAM, Role.CASEWORKER})
GRANTEE_ROLES = frozenset({Role.COORDINATOR, Role.CORE_TEAM})  # the team's roles, never named staff


@dataclass(frozen=True, slots=True)
class Grantor:
    person_id: str
    capacity: GrantorCapacity


@dataclass(frozen=True, slots=True)
class ConsentFacts:
    id: str
    subject_id: str
    family_id: str
    grantors: tuple[Grantor, ...]
    departments: frozenset[Department]
    categories: frozenset[DataCategory]
    purpose: Purpose
    valid_from: date
    valid_until: date  # inclusive
    status: ConsentStatus  # as stored: ACTIVE, WITHDRAWN or SUPERSEDED
    recorded_at: datetime
    withdrawn_at: datetime | None = None
    superseded_by: str | None = None
    superseded_at: datetime | None = None

    @property
    def given_by_custody_holders(self) -> bool:
        return any(g.capacity is GrantorCapacity.CUSTODY_HOLDER for g in self.grantors)


@dataclass(frozen=True, slots=True)
class StatutoryFacts:
    id: str
    subject_id: str
    statute_reference: str
    departments: frozenset[Department]
    categories: frozenset[DataCategory]
    valid_from: date
    valid_until: date  # inclusive
    ended_at: datetime | None = None  # ended early: not in force from this moment on

    def in_force(self, now: datetime) -> bool:
        today = local_day(now)
        return self.valid_from <= today <= self.valid_until and (self.ended_at is None or now < self.ended_at)


@dataclass(frozen=True, slots=True)
class SubjectFacts:
    """The member whose data is asked for."""

    person_id: str
    birth_date: date
    family_id: str
    custody_holder_ids: frozenset[str] = frozenset()
    # (worker user id, department) pairs holding this person's case: the own-department exception.
    caseworkers: frozenset[tuple[str, Department]] = frozenset()


@dataclass(frozen=True, slots=True)
class ConsentDecision:
    allowed: bool
    basis: str | None  # consent id, statutory basis id, "own_department", "own_data", "custody", or None
    reason: str  # machine-readable: "consent", "statutory_basis", "no_consent", "consent_withdrawn", ...
    kind: BasisKind | None = None


def consent_status(consent: ConsentFacts, subject_birth_date: date, now: datetime) -> ConsentStatus:
    """The status at `now`: withdrawal and supersession count from their moment, expiry by date."""
    return _status(consent, subject_birth_date, now, local_day(now))


def _status(consent: ConsentFacts, subject_birth_date: date, now: datetime, today: date) -> ConsentStatus:
    if consent.withdrawn_at is not None and consent.withdrawn_at <= now:
        return ConsentStatus.WITHDRAWN
    if consent.superseded_by is not None and (consent.superseded_at is None or consent.superseded_at <= now):
        return ConsentStatus.SUPERSEDED
    if today > consent.valid_until:
        return ConsentStatus.EXPIRED
    if consent.given_by_custody_holders and age_on(subject_birth_date, today) >= CUSTODY_AGE:
        return ConsentStatus.EXPIRED
    return ConsentStatus.ACTIVE


def _in_scope(
    consent: ConsentFacts,
    subject: SubjectFacts,
    department: Department,
    category: DataCategory,
    purpose: Purpose,
) -> bool:
    return (
        consent.subject_id == subject.person_id
        and consent.family_id == subject.family_id
        and consent.purpose is purpose
        and department in consent.departments
        and category in consent.categories
    )


@dataclass(frozen=True, slots=True)
class ScopeResolution:
    """What the consents say about one (subject, department, category, purpose) at one moment."""

    state: EffectiveState
    consent: ConsentFacts | None  # the consent that permits, or the latest that explains the state
    reason: str


def resolve_consents(  # noqa: PLR0911, PLR0917 - one return per documented state; the policy's signature
    subject: SubjectFacts,
    department: Department,
    category: DataCategory,
    purpose: Purpose,
    now: datetime,
    consents: Iterable[ConsentFacts],
) -> ScopeResolution:
    """Whether a consent lifts confidentiality for this scope towards the core team (statute aside)."""
    today = local_day(now)
    covering = [c for c in consents if _in_scope(c, subject, department, category, purpose)]
    if not covering:
        return ScopeResolution(EffectiveState.NONE, None, "no_consent")
    statuses = {c.id: _status(c, subject.birth_date, now, today) for c in covering}
    withdrawals = [
        c.withdrawn_at for c in covering if statuses[c.id] is ConsentStatus.WITHDRAWN and c.withdrawn_at
    ]
    last_withdrawal = max(withdrawals) if withdrawals else None
    health_barred = category is DataCategory.HEALTH and age_on(subject.birth_date, today) >= OWN_CONSENT_AGE
    usable = [
        c
        for c in covering
        if statuses[c.id] is ConsentStatus.ACTIVE
        and c.valid_from <= today
        and (last_withdrawal is None or c.recorded_at > last_withdrawal)
        and not (health_barred and c.given_by_custody_holders)
    ]
    if usable:
        best = max(usable, key=lambda c: (c.recorded_at, c.id))
        return ScopeResolution(EffectiveState.ACTIVE, best, "consent")
    latest = max(covering, key=lambda c: (c.recorded_at, c.id))
    if last_withdrawal is not None:
        withdrawn = max(
            (c for c in covering if statuses[c.id] is ConsentStatus.WITHDRAWN),
            key=lambda c: c.withdrawn_at or now,
        )
        return ScopeResolution(EffectiveState.WITHDRAWN, withdrawn, "consent_withdrawn")
    if health_barred and any(statuses[c.id] is ConsentStatus.ACTIVE for c in covering):
        return ScopeResolution(EffectiveState.NONE, latest, "health_needs_young_persons_own_consent")
    if any(statuses[c.id] is ConsentStatus.ACTIVE for c in covering):
        return ScopeResolution(EffectiveState.NONE, latest, "consent_not_yet_in_force")
    expired = [c for c in covering if statuses[c.id] is ConsentStatus.EXPIRED]
    if expired:
        return ScopeResolution(
            EffectiveState.EXPIRED, max(expired, key=lambda c: c.valid_until), "consent_expired"
        )
    return ScopeResolution(EffectiveState.NONE, latest, "consent_superseded")


def statutory_basis_for(
    subject: SubjectFacts,
    department: Department,
    category: DataCategory,
    now: datetime,
    statutory_bases: Iterable[StatutoryFacts],
) -> StatutoryFacts | None:
    matching = [
        b
        for b in statutory_bases
        if b.subject_id == subject.person_id
        and department in b.departments
        and category in b.categories
        and b.in_force(now)
    ]
    return max(matching, key=lambda b: (b.valid_until, b.id)) if matching else None


def decide(  # noqa: PLR0911, PLR0917 - the policy's documented signature; one return per rule
    viewer: Principal,
    subject: SubjectFacts,
    department: Department,
    category: DataCategory,
    purpose: Purpose,
    now: datetime,
    consents: Iterable[ConsentFacts],
    statutory_bases: Iterable[StatutoryFacts],
) -> ConsentDecision:
    """May `viewer` see `subject`'s `category` data from `department` for `purpose` at `now`?"""
    if viewer.role is Role.CITIZEN:
        return _decide_citizen(viewer, subject, department, category, purpose, now, consents)
    if viewer.role not in WORKER_ROLES:
        return ConsentDecision(False, None, "role_has_no_person_data")
    if viewer.department is department and (viewer.user_id, department) in subject.caseworkers:
        return ConsentDecision(True, "own_department", "own_department", BasisKind.OWN_DEPARTMENT)
    resolution: ScopeResolution | None = None
    if viewer.role in GRANTEE_ROLES:
        resolution = resolve_consents(subject, department, category, purpose, now, consents)
        if resolution.state is EffectiveState.ACTIVE and resolution.consent is not None:
            return ConsentDecision(True, resolution.consent.id, "consent", BasisKind.CONSENT)
    statute = statutory_basis_for(subject, department, category, now, statutory_bases)
    if statute is not None:
        return ConsentDecision(True, statute.id, "statutory_basis", BasisKind.STATUTE)
    if resolution is None:
        return ConsentDecision(False, None, "not_a_grantee")
    return ConsentDecision(False, None, resolution.reason)


def _decide_citizen(  # noqa: PLR0911, PLR0917 - one return per rule; the facts passed on from `decide`
    viewer: Principal,
    subject: SubjectFacts,
    department: Department,
    category: DataCategory,
    purpose: Purpose,
    now: datetime,
    consents: Iterable[ConsentFacts],
) -> ConsentDecision:
    if viewer.person_id is None:
        return ConsentDecision(False, None, "not_own_data")
    if viewer.person_id == subject.person_id:
        return ConsentDecision(True, "own_data", "own_data", BasisKind.OWN_DATA)
    if viewer.person_id in subject.custody_holder_ids:
        age = age_on(subject.birth_date, local_day(now))
        if age >= CUSTODY_AGE:
            return ConsentDecision(False, None, "child_is_adult")
        if category is DataCategory.HEALTH and age >= OWN_CONSENT_AGE:
            return ConsentDecision(False, None, "young_person_decides_own_health")
        if age >= OWN_CONSENT_AGE:
            return young_persons_say(subject, department, category, purpose, now, consents)
        return ConsentDecision(True, "custody", "custody", BasisKind.CUSTODY)
    return ConsentDecision(False, None, "not_own_data")


def young_persons_say(  # noqa: PLR0917 - the policy's documented signature
    subject: SubjectFacts,
    department: Department,
    category: DataCategory,
    purpose: Purpose,
    now: datetime,
    consents: Iterable[ConsentFacts],
) -> ConsentDecision:
    """May a custody holder see a 15-17-year-old's `department` data? Only on the young person's own consent.

    Only consents the young person granted themselves count (a parent cannot consent to their own view); the
    usual rules then apply to them (period, withdrawal from its moment, deny beats permit).
    """
    own = [
        c
        for c in consents
        if any(g.person_id == subject.person_id and g.capacity is GrantorCapacity.SELF for g in c.grantors)
    ]
    resolution = resolve_consents(subject, department, category, purpose, now, own)
    if resolution.state is EffectiveState.ACTIVE and resolution.consent is not None:
        return ConsentDecision(True, resolution.consent.id, "young_persons_consent", BasisKind.CUSTODY)
    if resolution.state is EffectiveState.WITHDRAWN:
        return ConsentDecision(False, None, "young_person_withdrew")
    return ConsentDecision(False, None, "young_person_decides")


def effective_state(
    subject: SubjectFacts,
    department: Department,
    now: datetime,
    consents: Iterable[ConsentFacts],
    statutory_bases: Iterable[StatutoryFacts],
    *,
    include_statutory: bool,
    category: DataCategory = DataCategory.CASE,
) -> ScopeResolution:
    """The member × department state listed by `familyConsents` (statutory bases for workers only)."""
    resolution = resolve_consents(subject, department, category, Purpose.HFI_COORDINATION, now, consents)
    if (
        resolution.state is not EffectiveState.ACTIVE
        and include_statutory
        and statutory_basis_for(subject, department, category, now, statutory_bases) is not None
    ):
        return ScopeResolution(EffectiveState.STATUTORY, resolution.consent, "statutory_basis")
    return resolution
