"""A referral as the coordinator types it, and the pure checks that turn it into one the hub can store.

`check_referral(referral, today)` validates everything that needs no database: district, housing area,
referral source, referral date, 1-12 members with CPR number (normalised; the birth date comes from it),
names and member role, at least one adult, no CPR number twice, and the custody of every child under 18
(held by one or two of the referral's adults, named by index). A failure is BAD_USER_INPUT naming the input
field (`members[2].cpr`, 0-based, as the client sent it).

Never echoes a CPR number, a name or any other input value in a message: messages name the field and the
rule only. No I/O, no clock (the caller passes `today`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from hub import cpr as cprs
from hub.domain import District, MemberRole
from hub.errors import BadUserInput

MAX_MEMBERS = 12
HOUSING_AREA_MAX = 64  # families.housing_area
REFERRAL_SOURCE_MAX = 120  # families.referral_source
NAME_MAX = 80  # persons.first_name / last_name
ADULT_AGE = 18
MAX_CUSTODY_HOLDERS = 2  # forældremyndighed: one holder, or two under joint custody
ADULT_ROLES = frozenset({MemberRole.PARENT, MemberRole.OTHER_ADULT})


@dataclass(frozen=True, slots=True)
class ReferredMember:
    """One person of a referral. `custody_holders`: for a CHILD under 18, indexes of the adults who hold
    custody, into the referral's `members`."""

    cpr: str
    first_name: str
    last_name: str
    member_role: MemberRole
    custody_holders: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class Referral:
    district: District
    housing_area: str
    referral_source: str
    members: tuple[ReferredMember, ...]
    referred_on: date | None = None  # None: today


@dataclass(frozen=True, slots=True)
class CheckedMember:
    index: int  # position in the input, for error fields
    cpr: str  # 10 digits, normalised
    first_name: str
    last_name: str
    member_role: MemberRole
    birth_date: date
    custody_holders: tuple[int, ...]  # indexes of adult members (only for a child under 18)

    @property
    def field(self) -> str:
        return f"members[{self.index}]"


@dataclass(frozen=True, slots=True)
class CheckedReferral:
    district: District
    housing_area: str
    referral_source: str
    referred_on: date
    members: tuple[CheckedMember, ...]

    @property
    def display_member(self) -> CheckedMember:
        """The member the family is named after: its first parent (else its first member), as in the seed."""
        parents = [m for m in self.members if m.member_role is MemberRole.PARENT]
        return (parents or list(self.members))[0]


def _text(value: str, field: str, *, max_len: int, what: str) -> str:
    """Trimmed, inner whitespace collapsed; 1..max_len printable characters, else BAD_USER_INPUT."""
    cleaned = " ".join(value.split())
    if not cleaned:
        raise BadUserInput(f"{what} is required", field=field)
    if len(cleaned) > max_len:
        raise BadUserInput(f"{what} is longer than {max_len} characters", field=field)
    if not cleaned.isprintable():
        raise BadUserInput(f"{what} contains control characters", field=field)
    return cleaned


def _district(value: District | str) -> District:
    try:
        return District(value)
    except ValueError as exc:
        raise BadUserInput("unknown district", field="district") from exc


def _referred_on(value: date | None, today: date) -> date:
    if value is None:
        return today
    if value > today:
        raise BadUserInput("a family cannot be referred in the future", field="referredOn")
    return value


def _member(index: int, raw: ReferredMember, referred_on: date) -> CheckedMember:
    field = f"members[{index}]"
    try:
        number = cprs.normalize(raw.cpr)
    except cprs.InvalidCPR as exc:
        # The message is our own: InvalidCPR never carries the value, and neither does this.
        raise BadUserInput(
            f"member {index}: not a CPR number (expected DDMMYY-SSSS)", field=f"{field}.cpr"
        ) from exc
    born = cprs.birth_date(number)
    if born > referred_on:
        raise BadUserInput(
            f"member {index}: the CPR number's birth date is after the referral date", field=f"{field}.cpr"
        )
    try:
        role = MemberRole(raw.member_role)
    except ValueError as exc:
        raise BadUserInput(f"member {index}: unknown member role", field=f"{field}.memberRole") from exc
    adult = cprs.age_on(born, referred_on) >= ADULT_AGE
    if role in ADULT_ROLES and not adult:
        raise BadUserInput(
            f"member {index}: a member under {ADULT_AGE} is referred as a CHILD", field=f"{field}.memberRole"
        )
    return CheckedMember(
        index=index,
        cpr=number,
        first_name=_text(raw.first_name, f"{field}.firstName", max_len=NAME_MAX, what="the first name"),
        last_name=_text(raw.last_name, f"{field}.lastName", max_len=NAME_MAX, what="the last name"),
        member_role=role,
        birth_date=born,
        custody_holders=tuple(raw.custody_holders),
    )


def is_adult(member: CheckedMember, on: date) -> bool:
    return member.member_role in ADULT_ROLES and cprs.age_on(member.birth_date, on) >= ADULT_AGE


def needs_custody(member: CheckedMember, on: date) -> bool:
    return member.member_role is MemberRole.CHILD and cprs.age_on(member.birth_date, on) < ADULT_AGE


def _check_custody(members: Sequence[CheckedMember], on: date) -> None:
    for member in members:
        field = f"{member.field}.custodyHolders"
        holders = member.custody_holders
        if not needs_custody(member, on):
            if holders:
                raise BadUserInput(
                    f"member {member.index}: custody is recorded for children under {ADULT_AGE} only",
                    field=field,
                )
            continue
        if not holders:
            raise BadUserInput(
                f"member {member.index}: name the adult member(s) holding custody of the child", field=field
            )
        if len(set(holders)) != len(holders):
            raise BadUserInput(f"member {member.index}: a custody holder is listed twice", field=field)
        if len(holders) > MAX_CUSTODY_HOLDERS:
            raise BadUserInput(
                f"member {member.index}: at most {MAX_CUSTODY_HOLDERS} custody holders", field=field
            )
        for holder in holders:
            if not 0 <= holder < len(members) or holder == member.index:
                raise BadUserInput(
                    f"member {member.index}: custody holder {holder} is not another member of the referral",
                    field=field,
                )
            if not is_adult(members[holder], on):
                raise BadUserInput(
                    f"member {member.index}: custody holder {holder} is not an adult member "
                    f"(PARENT or OTHER_ADULT, {ADULT_AGE} or older)",
                    field=field,
                )


def check_referral(referral: Referral, today: date) -> CheckedReferral:
    """The referral cleaned and checked, or BAD_USER_INPUT on the first field that is wrong."""
    district = _district(referral.district)
    housing_area = _text(
        referral.housing_area, "housingArea", max_len=HOUSING_AREA_MAX, what="the housing area"
    )
    source = _text(
        referral.referral_source, "referralSource", max_len=REFERRAL_SOURCE_MAX, what="the referral source"
    )
    referred_on = _referred_on(referral.referred_on, today)
    if not referral.members:
        raise BadUserInput("a referral names at least one member", field="members")
    if len(referral.members) > MAX_MEMBERS:
        raise BadUserInput(f"a referral names at most {MAX_MEMBERS} members", field="members")
    members = tuple(_member(i, m, referred_on) for i, m in enumerate(referral.members))
    first_seen: dict[str, int] = {}
    for member in members:
        earlier = first_seen.setdefault(member.cpr, member.index)
        if earlier != member.index:
            raise BadUserInput(
                f"member {member.index} has the same CPR number as member {earlier}",
                field=f"{member.field}.cpr",
            )
    if not any(is_adult(m, referred_on) for m in members):
        raise BadUserInput(
            f"a referral names at least one adult (PARENT or OTHER_ADULT, {ADULT_AGE} or older)",
            field="members",
        )
    _check_custody(members, referred_on)
    return CheckedReferral(district, housing_area, source, referred_on, members)
