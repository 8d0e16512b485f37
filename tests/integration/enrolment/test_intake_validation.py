"""Referral intake: every validation rule is BAD_USER_INPUT naming its field, with no CPR number, and writes nothing."""

from __future__ import annotations

from typing import Any

from tests.integration.enrolment.intake_support import (
    CHILD,
    FATHER,
    GRANDMOTHER,
    MOTHER,
    _ten_days_ago,
    assert_no_cpr,
    counts,
    error_of,
    member,
    refer,
    referral,
)
from tests.support.stack import Stack

INVALID: list[tuple[str, dict[str, Any], str]] = [
    ("blank housing area", referral(housingArea="   "), "housingArea"),
    ("housing area too long", referral(housingArea="x" * 65), "housingArea"),
    ("blank referral source", referral(referralSource=""), "referralSource"),
    ("referred in the future", referral(referredOn="2999-01-01"), "referredOn"),
    ("no members", referral(members=[]), "members"),
    (
        "13 members",
        referral(members=[member(f"0101{80 + i:02d}-2{i:03d}", "A", "B", "PARENT") for i in range(13)]),
        "members",
    ),
    ("not a CPR number", referral(members=[member("120389-201", "A", "B", "PARENT")]), "members[0].cpr"),
    (
        "impossible birth date",
        referral(members=[member(MOTHER, "A", "B", "PARENT"), member("310289-2014", "C", "B", "PARENT")]),
        "members[1].cpr",
    ),
    ("blank first name", referral(members=[member(MOTHER, " ", "B", "PARENT")]), "members[0].firstName"),
    (
        "last name too long",
        referral(members=[member(MOTHER, "A", "B" * 81, "PARENT")]),
        "members[0].lastName",
    ),
    ("no adult", referral(members=[member(CHILD, "A", "B", "CHILD", [])]), "members"),
    (
        "a child as PARENT",
        referral(members=[member(MOTHER, "A", "B", "PARENT"), member(CHILD, "C", "B", "PARENT")]),
        "members[1].memberRole",
    ),
    (
        "duplicate CPR",
        referral(members=[member(MOTHER, "A", "B", "PARENT"), member("1203892014", "C", "B", "OTHER_ADULT")]),
        "members[1].cpr",
    ),
    (
        "child without custody",
        referral(members=[member(MOTHER, "A", "B", "PARENT"), member(CHILD, "C", "B", "CHILD")]),
        "members[1].custodyHolders",
    ),
    (
        "custody by a child",
        referral(
            members=[
                member(MOTHER, "A", "B", "PARENT"),
                member(CHILD, "C", "B", "CHILD", [2]),
                member("010120-4321", "D", "B", "CHILD", [0]),
            ]
        ),
        "members[1].custodyHolders",
    ),
    (
        "custody holder out of range",
        referral(members=[member(MOTHER, "A", "B", "PARENT"), member(CHILD, "C", "B", "CHILD", [5])]),
        "members[1].custodyHolders",
    ),
    (
        "custody listed twice",
        referral(members=[member(MOTHER, "A", "B", "PARENT"), member(CHILD, "C", "B", "CHILD", [0, 0])]),
        "members[1].custodyHolders",
    ),
    (
        "custody for an adult",
        referral(members=[member(MOTHER, "A", "B", "PARENT", [0]), member(FATHER, "C", "B", "PARENT")]),
        "members[0].custodyHolders",
    ),
    ("born after the referral", referral(referredOn="2014-01-01"), "members[2].cpr"),
]


async def test_each_invalid_referral_is_bad_user_input_naming_the_field_and_writes_nothing(
    stack: Stack,
) -> None:
    before = await counts(stack)
    for name, data, field in INVALID:
        error = error_of(await refer(stack, data))
        assert error["extensions"]["code"] == "BAD_USER_INPUT", (name, error)
        assert error["extensions"]["field"] == field, (name, error)
        assert_no_cpr(error, MOTHER, FATHER, CHILD, "120389-201", "310289-2014", "010120-4321")
    assert await counts(stack) == before
    # A referral date in the past is fine, and the memberships start on it; housing outside the named
    # areas is accepted (eligibility judges it), as is a lone OTHER_ADULT holding custody.
    body = await refer(
        stack,
        referral(
            referredOn=_ten_days_ago(),
            housingArea="Nordvest",
            district="BISPEBJERG",
            members=[
                member(GRANDMOTHER, "Fatima", "Yousef", "OTHER_ADULT"),
                member(CHILD, "Sara", "Haddad", "CHILD", [0]),
            ],
        ),
    )
    assert body["data"]["referFamily"]["name"] == "Familien Yousef", body
    assert body["data"]["referFamily"]["referredOn"] == _ten_days_ago()
