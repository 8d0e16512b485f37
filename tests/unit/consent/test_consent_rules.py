"""Recording rules: who may grant, scope and period, with the field each error names."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from hub.consent.rules import (
    ConsentRequest,
    SubjectForRules,
    add_months,
    default_until,
    majority_cap,
    validate_consent,
)
from hub.consent.vocabulary import Channel, GrantorCapacity
from hub.domain import DataCategory, Department
from hub.errors import BadUserInput

TODAY = date(2026, 11, 24)
JOINT = frozenset({"P-mother", "P-father"})
CHILD_8 = SubjectForRules("P-child", date(2018, 3, 1), JOINT)
CHILD_12 = SubjectForRules("P-tween", date(2014, 6, 1), JOINT)
YOUTH_16 = SubjectForRules("P-youth", date(2010, 2, 1), JOINT)
ADULT = SubjectForRules("P-adult", date(1985, 5, 1), frozenset())


def request(subject: SubjectForRules, *grantors: str, **changes: object) -> ConsentRequest:
    base = ConsentRequest(
        subject_id=subject.person_id,
        grantor_ids=grantors,
        departments=frozenset({Department.SOF, Department.BUF}),
        categories=frozenset({DataCategory.CASE}),
        collected_via=Channel.PAPER,
        evidence_ref="J-2026-0001",
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def rejected(req: ConsentRequest, subject: SubjectForRules) -> tuple[str, str]:
    with pytest.raises(BadUserInput) as caught:
        validate_consent(req, subject, TODAY)
    return caught.value.extensions["field"], caught.value.message


def test_adult_consents_alone_with_a_default_period_of_12_months() -> None:
    valid = validate_consent(request(ADULT, "P-adult"), ADULT, TODAY)
    assert valid.grantors == (("P-adult", GrantorCapacity.SELF),)
    assert (valid.valid_from, valid.valid_until) == (TODAY, date(2027, 11, 23))
    assert not valid.capped_at_majority


def test_joint_custody_needs_both_custody_holders() -> None:
    valid = validate_consent(request(CHILD_8, "P-mother", "P-father"), CHILD_8, TODAY)
    assert valid.grantors == (
        ("P-father", GrantorCapacity.CUSTODY_HOLDER),
        ("P-mother", GrantorCapacity.CUSTODY_HOLDER),
    )
    field, message = rejected(request(CHILD_8, "P-mother"), CHILD_8)
    assert field == "grantors"
    assert "both custody holders" in message


def test_sole_custody_needs_the_one_holder() -> None:
    sole = replace(CHILD_8, custody_holder_ids=frozenset({"P-mother"}))
    assert validate_consent(request(sole, "P-mother"), sole, TODAY).grantors == (
        ("P-mother", GrantorCapacity.CUSTODY_HOLDER),
    )


@pytest.mark.parametrize(
    ("subject", "grantors", "field", "fragment"),
    [
        (CHILD_8, ("P-mother", "P-stepfather"), "grantors", "does not hold custody"),
        (CHILD_8, ("P-child",), "grantors", "under 15"),
        (replace(CHILD_8, custody_holder_ids=frozenset()), ("P-mother",), "grantors", "no custody holder"),
        (CHILD_8, (), "grantors", "at least one grantor"),
        (CHILD_8, ("P-mother", "P-mother"), "grantors", "more than once"),
        (YOUTH_16, ("P-mother",), "grantors", "from 15"),
        (YOUTH_16, ("P-youth", "P-mother"), "grantors", "from 15"),
        (ADULT, ("P-someone",), "grantors", "from 15"),
    ],
)
def test_grantor_errors(
    subject: SubjectForRules, grantors: tuple[str, ...], field: str, fragment: str
) -> None:
    got_field, message = rejected(request(subject, *grantors, child_view="ok"), subject)
    assert got_field == field
    assert fragment in message


def test_a_parent_cannot_give_health_consent_for_a_15_plus_year_old() -> None:
    req = request(YOUTH_16, "P-mother", categories=frozenset({DataCategory.CASE, DataCategory.HEALTH}))
    field, message = rejected(req, YOUTH_16)
    assert field == "categories"
    assert "health" in message
    own = request(YOUTH_16, "P-youth", categories=frozenset({DataCategory.HEALTH}))
    assert validate_consent(own, YOUTH_16, TODAY).grantors == (("P-youth", GrantorCapacity.SELF),)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"departments": frozenset()}, "departments"),
        ({"categories": frozenset()}, "categories"),
        ({"evidence_ref": "  "}, "evidenceRef"),
        ({"evidence_ref": "x" * 201}, "evidenceRef"),
        ({"valid_from": date(2026, 12, 1), "valid_until": date(2026, 11, 30)}, "validUntil"),
        ({"valid_from": date(2025, 1, 1), "valid_until": date(2025, 12, 31)}, "validUntil"),
        ({"valid_until": date(2029, 1, 1)}, "validUntil"),
        ({"valid_from": date(2028, 1, 1)}, "validFrom"),
    ],
)
def test_scope_and_period_errors(changes: dict[str, object], field: str) -> None:
    assert rejected(request(ADULT, "P-adult", **changes), ADULT)[0] == field


def test_the_childs_view_is_recorded_from_10_to_14() -> None:
    assert rejected(request(CHILD_12, "P-mother", "P-father"), CHILD_12)[0] == "childView"
    valid = validate_consent(
        request(CHILD_12, "P-mother", "P-father", child_view="Agrees; wants the school told less"),
        CHILD_12,
        TODAY,
    )
    assert valid.child_view is not None
    assert validate_consent(request(CHILD_8, "P-mother", "P-father"), CHILD_8, TODAY).child_view is None


def test_majority_cap_and_month_arithmetic() -> None:
    assert majority_cap(date(2010, 3, 15)) == date(2028, 3, 14)
    # Born 29 February: 18 on 1 March in a common year, so the cap is 28 February.
    assert majority_cap(date(2008, 2, 29)) == date(2026, 2, 28)
    assert majority_cap(date(2008, 3, 1)) == date(2026, 2, 28)
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert default_until(date(2026, 2, 28)) == date(2027, 2, 27)


def test_a_parents_consent_never_runs_past_the_day_before_18() -> None:
    # Parents consent only under 15 and for at most 24 months, so recording keeps their consent below 18;
    # the cap in the rules and the policy's age check (test_consent_policy) are the backstops.
    fourteen = SubjectForRules("P-14", date(2012, 11, 25), JOINT)
    req = request(fourteen, "P-mother", "P-father", child_view="ok", valid_until=date(2028, 11, 24))
    valid = validate_consent(req, fourteen, TODAY)
    assert valid.valid_until == date(2028, 11, 24) < majority_cap(fourteen.birth_date)
