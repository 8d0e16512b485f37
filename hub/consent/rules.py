"""The rules a consent must satisfy when it is recorded: who may grant it, its scope and its period.

Pure: `validate_consent(request, subject, today)` returns the consent as it will be stored (grantors with
their capacity, the period with defaults and the 18-year cap applied) or raises `BadUserInput` naming the
input field.
Messages name the rule, never a CPR number, name or health detail.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

from hub.consent.vocabulary import (
    CHILD_VIEW_AGE,
    CUSTODY_AGE,
    DEFAULT_PERIOD_MONTHS,
    MAX_PERIOD_MONTHS,
    OWN_CONSENT_AGE,
    Channel,
    GrantorCapacity,
    Purpose,
)
from hub.cpr import age_on
from hub.domain import DataCategory, Department
from hub.errors import BadUserInput

MAX_REFERENCE_LENGTH = 200


@dataclass(frozen=True, slots=True)
class ConsentRequest:
    subject_id: str
    grantor_ids: tuple[str, ...]
    departments: frozenset[Department]
    categories: frozenset[DataCategory]
    collected_via: Channel
    evidence_ref: str
    purpose: Purpose = Purpose.HFI_COORDINATION
    valid_from: date | None = None
    valid_until: date | None = None  # inclusive; default: 12 months
    child_view: str | None = None


@dataclass(frozen=True, slots=True)
class SubjectForRules:
    person_id: str
    birth_date: date
    custody_holder_ids: frozenset[str]  # current holders (Custody rows with no end)


@dataclass(frozen=True, slots=True)
class ValidConsent:
    grantors: tuple[tuple[str, GrantorCapacity], ...]
    valid_from: date
    valid_until: date
    capped_at_majority: bool
    child_view: str | None
    evidence_ref: str


def add_months(day: date, months: int) -> date:
    """The same day `months` later, clamped to the month's last day (31 Jan + 1 month = 28/29 Feb)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def default_until(valid_from: date) -> date:
    return add_months(valid_from, DEFAULT_PERIOD_MONTHS) - timedelta(days=1)


def majority_cap(birth_date: date) -> date:
    """The last day a custody holders' consent can be in force: the day before the 18th birthday."""
    # A child born on 29 February turns 18 on 1 March in a common year (Danish practice).
    return add_months(birth_date - timedelta(days=1), CUSTODY_AGE * 12)


def validate_consent(request: ConsentRequest, subject: SubjectForRules, today: date) -> ValidConsent:
    if request.subject_id != subject.person_id:  # pragma: no cover - the service loads the subject by this id
        raise BadUserInput("the consent's subject does not match", field="subjectId")
    if not request.departments:
        raise BadUserInput("a consent must name at least one department", field="departments")
    if not request.categories:
        raise BadUserInput("a consent must name at least one data category", field="categories")
    if request.purpose is not Purpose.HFI_COORDINATION:  # pragma: no cover - the only purpose the enum allows
        raise BadUserInput("unsupported purpose", field="purpose")
    evidence = request.evidence_ref.strip()
    if not evidence:
        raise BadUserInput(
            "an evidence reference (journal or document number) is required", field="evidenceRef"
        )
    if len(evidence) > MAX_REFERENCE_LENGTH:
        raise BadUserInput("the evidence reference is too long", field="evidenceRef")
    grantors = _grantors(request, subject, today)
    valid_from, valid_until, capped = _period(request, subject, today, grantors)
    child_view = (request.child_view or "").strip() or None
    age = age_on(subject.birth_date, today)
    if CHILD_VIEW_AGE <= age < OWN_CONSENT_AGE and child_view is None:
        raise BadUserInput(
            "the child's own view must be recorded for a child aged 10 to 14", field="childView"
        )
    return ValidConsent(grantors, valid_from, valid_until, capped, child_view, evidence)


def _grantors(
    request: ConsentRequest, subject: SubjectForRules, today: date
) -> tuple[tuple[str, GrantorCapacity], ...]:
    ids = request.grantor_ids
    if not ids:
        raise BadUserInput("a consent needs at least one grantor", field="grantors")
    if len(set(ids)) != len(ids):
        raise BadUserInput("a grantor is listed more than once", field="grantors")
    age = age_on(subject.birth_date, today)
    if age >= OWN_CONSENT_AGE:
        others = [g for g in ids if g != subject.person_id]
        if (
            others
            and DataCategory.HEALTH in request.categories
            and any(g in subject.custody_holder_ids for g in others)
        ):
            raise BadUserInput(
                "from 15 only the young person can consent to their own health data", field="categories"
            )
        if others or subject.person_id not in ids:
            raise BadUserInput("from 15 a person consents to their own data themselves", field="grantors")
        return ((subject.person_id, GrantorCapacity.SELF),)
    if subject.person_id in ids:
        raise BadUserInput("under 15 the custody holders consent, not the child", field="grantors")
    if not subject.custody_holder_ids:
        raise BadUserInput(
            "no custody holder is registered for this child; record custody first", field="grantors"
        )
    strangers = [g for g in ids if g not in subject.custody_holder_ids]
    if strangers:
        raise BadUserInput(
            "a grantor does not hold custody of the child", field="grantors", personIds=strangers
        )
    missing = sorted(subject.custody_holder_ids - set(ids))
    if missing:
        raise BadUserInput(
            "under joint custody both custody holders must consent",
            field="grantors",
            missingPersonIds=missing,
        )
    return tuple((g, GrantorCapacity.CUSTODY_HOLDER) for g in sorted(ids))


def _period(
    request: ConsentRequest,
    subject: SubjectForRules,
    today: date,
    grantors: tuple[tuple[str, GrantorCapacity], ...],
) -> tuple[date, date, bool]:
    valid_from = request.valid_from or today
    valid_until = request.valid_until or default_until(valid_from)
    if valid_until < valid_from:
        raise BadUserInput("the consent's period ends before it starts", field="validUntil")
    if valid_until < today:
        raise BadUserInput("the consent's period has already ended", field="validUntil")
    if valid_until > add_months(valid_from, MAX_PERIOD_MONTHS):
        raise BadUserInput(
            "a consent can be given for at most 24 months; re-consent at review", field="validUntil"
        )
    if valid_from > add_months(today, DEFAULT_PERIOD_MONTHS):
        raise BadUserInput("a consent cannot start more than 12 months ahead", field="validFrom")
    capped = False
    if any(capacity is GrantorCapacity.CUSTODY_HOLDER for _g, capacity in grantors):
        cap = majority_cap(subject.birth_date)
        if valid_until > cap:
            valid_until, capped = cap, True
        if valid_until < valid_from:
            raise BadUserInput("the child turns 18 before the consent would start", field="validFrom")
    return valid_from, valid_until, capped
