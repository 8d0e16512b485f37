"""Need-to-know for caseworkers, end to end through GraphQL (issue #26): a caseworker sees the persons on their
caseload, and of their families only what the policy table allows (hub/access/policy.py): that the family
exists, its list fields and its member count, never another member's name, birth date, age or CPR."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select

from hub.persistence.models import CaseloadEntry, Family, Membership, Person, User
from tests.support.stack import Stack

FAMILY = """query($id: ID!) { family(id: $id) {
  id name status summary { members children } members { id name firstName lastName birthDate age cpr role }
} }"""
MEMBER = "query($id: ID!) { familyMember(id: $id) { id name age cpr } }"


async def _caseload_family(stack: Stack, username: str) -> tuple[str, set[str], set[str]]:
    """A family with a member on the caseworker's caseload and at least one who is not: (id, caseload, all)."""
    async with stack.services.sessions() as session:
        user_id = await session.scalar(select(User.id).where(User.username == username))
        caseload = set(
            await session.scalars(select(CaseloadEntry.person_id).where(CaseloadEntry.user_id == user_id))
        )
        rows = (
            await session.execute(
                select(Membership.family_id, Membership.person_id).where(Membership.left_on.is_(None))
            )
        ).all()
    members: dict[str, set[str]] = defaultdict(set)
    for family_id, person_id in rows:
        members[family_id].add(person_id)
    family_id = next(f for f, ps in sorted(members.items()) if ps & caseload and ps - caseload)
    return family_id, members[family_id] & caseload, members[family_id]


async def test_a_caseworker_sees_their_caseload_persons_not_the_rest_of_the_family(stack: Stack) -> None:
    family_id, mine, everyone = await _caseload_family(stack, "sof-sagsbehandler")
    token = stack.token("sof-sagsbehandler")
    body = await stack.graphql(FAMILY, {"id": family_id}, token=token)
    assert "errors" not in body, body
    family = body["data"]["family"]
    assert family["id"] == family_id  # the family exists for them
    assert family["summary"]["members"] == len(everyone)  # and how many it has
    shown = {m["id"] for m in family["members"]}
    assert shown == mine  # but only their own caseload persons by name, age and CPR
    for member in family["members"]:
        assert "X" not in member["cpr"]  # their own caseload: the full CPR (they act in SOF's system on it)
    for other in everyone - mine:
        answer = await stack.graphql(MEMBER, {"id": other}, token=token)
        assert (answer.get("data") or {}).get("familyMember") is None
        assert answer["errors"][0]["extensions"]["code"] == "NOT_FOUND"


async def test_the_coordinator_and_the_citizen_views_are_unchanged(stack: Stack) -> None:
    family_id, _mine, everyone = await _caseload_family(stack, "sof-sagsbehandler")
    body = await stack.graphql(FAMILY, {"id": family_id}, token=stack.token("tovholder"))
    assert {m["id"] for m in body["data"]["family"]["members"]} == everyone


SEARCH = (
    "query($q: String!) { families(first: 100, filter: {search: $q}) { totalCount edges { node { id } } } }"
)


async def test_a_caseworkers_search_matches_only_their_caseload_persons_names(stack: Stack) -> None:
    family_id, mine, everyone = await _caseload_family(stack, "sof-sagsbehandler")
    async with stack.services.sessions() as session:
        names = {p.id: (p.first_name, p.last_name) for p in await session.scalars(select(Person))}
        family_name = await session.scalar(select(Family.display_name).where(Family.id == family_id))
    assert family_name is not None
    seen = " ".join([family_name.lower(), *(f"{f} {n}".lower() for p, (f, n) in names.items() if p in mine)])
    # A first name of another member that nothing the caseworker may see contains.
    hidden = next(names[p][0] for p in sorted(everyone - mine) if names[p][0].lower() not in seen)
    token = stack.token("sof-sagsbehandler")
    found = await stack.graphql(SEARCH, {"q": hidden}, token=token)
    assert family_id not in {e["node"]["id"] for e in found["data"]["families"]["edges"]}
    coordinator = await stack.graphql(SEARCH, {"q": hidden}, token=stack.token("tovholder"))
    assert family_id in {e["node"]["id"] for e in coordinator["data"]["families"]["edges"]}
    own = await stack.graphql(SEARCH, {"q": names[sorted(mine)[0]][0]}, token=token)
    assert family_id in {e["node"]["id"] for e in own["data"]["families"]["edges"]}
