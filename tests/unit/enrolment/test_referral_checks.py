"""The pure referral checks (hub/enrolment/referral.py): cleaning, defaults, age boundaries, custody."""

from __future__ import annotations

from datetime import date

import pytest

from hub.domain import District, MemberRole
from hub.enrolment.referral import Referral, ReferredMember, check_referral
from hub.errors import BadUserInput

TODAY = date(2026, 11, 1)
PARENT = ReferredMember("120389-2014", "  Amina ", "Al   Haddad", MemberRole.PARENT)


def referral(*members: ReferredMember, referred_on: date | None = None) -> Referral:
    return Referral(District.NORREBRO, " Mjølnerparken ", "Skolen", members or (PARENT,), referred_on)


def test_cleans_text_defaults_to_today_and_takes_the_birth_date_from_the_cpr() -> None:
    checked = check_referral(referral(), TODAY)
    assert checked.referred_on == TODAY
    assert checked.housing_area == "Mjølnerparken"
    only = checked.members[0]
    assert (only.cpr, only.first_name, only.last_name) == ("1203892014", "Amina", "Al Haddad")
    assert only.birth_date == date(1989, 3, 12)
    assert checked.display_member is only


@pytest.mark.parametrize(
    ("born_cpr", "role", "field"),
    [
        ("021108-4321", MemberRole.OTHER_ADULT, "members[1].memberRole"),  # 17 the day before 18
        ("011108-4321", MemberRole.OTHER_ADULT, None),  # 18 today: an adult
        ("011108-4321", MemberRole.CHILD, None),  # 18 today: a CHILD needs no custody
        ("021108-4321", MemberRole.CHILD, "members[1].custodyHolders"),  # 17: custody required
    ],
)
def test_adulthood_is_decided_on_the_referral_date(
    born_cpr: str, role: MemberRole, field: str | None
) -> None:
    second = ReferredMember(born_cpr, "Sara", "Haddad", role)
    if field is None:
        check_referral(referral(PARENT, second), TODAY)
        return
    with pytest.raises(BadUserInput) as raised:
        check_referral(referral(PARENT, second), TODAY)
    assert raised.value.extensions["field"] == field
    assert born_cpr not in raised.value.message
    assert born_cpr.replace("-", "") not in raised.value.message


def test_three_custody_holders_are_too_many_and_joint_custody_is_fine() -> None:
    adults = [ReferredMember(f"0101{70 + i}-1{i:03d}", "A", "B", MemberRole.PARENT) for i in range(3)]
    child = ReferredMember("010120-4321", "C", "B", MemberRole.CHILD, (0, 1, 2))
    with pytest.raises(BadUserInput) as raised:
        check_referral(referral(*adults, child), TODAY)
    assert raised.value.extensions["field"] == "members[3].custodyHolders"
    joint = ReferredMember("010120-4321", "C", "B", MemberRole.CHILD, (0, 1))
    assert check_referral(referral(*adults, joint), TODAY).members[3].custody_holders == (0, 1)
