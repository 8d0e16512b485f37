"""Need-to-know costs what the request touches: the coordinator on every family never loads their whole scope.

`family(id)`, `familyMember(id)` and `_entities` read the viewer's team assignments for the families asked
about only; `families` filters and counts by the scope inside the database (no id list sent back in).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event, select

from hub.access import policy
from hub.access.facts import load_facts
from hub.auth.principal import Principal
from hub.domain import District
from hub.persistence.models import Family, User
from hub.seed import person_id_for
from tests.support.stack import Stack

LIST = (
    "query($d: District!, $after: String) { families(first: 5, after: $after, filter: {district: $d}) "
    "{ edges { node { id } } pageInfo { hasNextPage endCursor } totalCount } }"
)


@contextmanager
def statements(stack: Stack) -> Iterator[list[tuple[str, Any]]]:
    seen: list[tuple[str, Any]] = []
    engine = stack.services.engine.sync_engine

    def on(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_args: Any) -> None:
        seen.append((" ".join(statement.split()), parameters))

    event.listen(engine, "before_cursor_execute", on)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", on)


def assignment_reads(seen: list[tuple[str, Any]]) -> list[str]:
    """Reads of team assignments (the facts query, or the read model's per-family load), not the scope's EXISTS."""
    return [
        s
        for s, _p in seen
        if s.startswith(
            (
                "SELECT team_assignments.family_id, team_assignments.team_role",
                "SELECT team_assignments.family_id, team_assignments.user_id",
            )
        )
    ]


async def test_family_and_member_read_only_their_own_family_facts(stack: Stack) -> None:
    token = stack.token("tovholder")
    family = stack.world.families[3]
    with statements(stack) as seen:
        body = await stack.graphql(
            "query($id: ID!) { family(id: $id) { id members { id cpr } } }", {"id": family.key}, token=token
        )
    assert body["data"]["family"]["id"] == family.key
    reads = assignment_reads(seen)
    assert len(reads) == 1
    assert "team_assignments.family_id IN" in reads[0]
    member = person_id_for(family.members[0].key)
    with statements(stack) as seen:
        body = await stack.graphql(
            "query($id: ID!) { familyMember(id: $id) { id } }", {"id": member}, token=token
        )
    assert body["data"]["familyMember"]["id"] == member
    # The read model already holds this family's team from the first request: no second read at all.
    reads = assignment_reads(seen)
    assert len(reads) <= 1
    assert all("team_assignments.family_id IN" in r for r in reads)


async def test_entities_decide_visibility_in_one_batch(stack: Stack) -> None:
    keys = [f.key for f in stack.world.families[:6]]
    query = "query($r: [_Any!]!) { _entities(representations: $r) { ... on Family { id } } }"
    reps = [{"__typename": "Family", "id": k} for k in keys]
    with statements(stack) as seen:
        body = await stack.graphql(query, {"r": reps}, token=stack.token("tovholder"))
    assert [e["id"] for e in body["data"]["_entities"]] == keys
    assert len(assignment_reads(seen)) == 1


async def test_the_list_filters_and_counts_by_the_scope_in_the_database(stack: Stack) -> None:
    async with stack.services.sessions() as session:
        districts = dict((await session.execute(select(Family.id, Family.district))).all())
        users = {u.username: u for u in await session.scalars(select(User))}
    district = max(District, key=lambda d: sum(v is d for v in districts.values()))
    today = stack.services.clock().date()
    for username in ("tovholder", "sof-kerne", "bif-sagsbehandler", "styregruppe"):
        u = users[username]
        who = Principal(u.id, u.username, u.role, u.department, u.unit, u.person_id)
        async with stack.services.sessions() as session:
            facts = await load_facts(session, who, today)
        expected = sorted(
            f for f, d in districts.items() if d is district and policy.family_access(who, facts, f).allowed
        )
        listed: list[str] = []
        after = None
        with statements(stack) as seen:
            while True:
                body = await stack.graphql(
                    LIST, {"d": district.name, "after": after}, token=stack.token(username)
                )
                page = body["data"]["families"]
                assert page["totalCount"] == len(expected), username
                listed += [e["node"]["id"] for e in page["edges"]]
                if not page["pageInfo"]["hasNextPage"]:
                    break
                after = page["pageInfo"]["endCursor"]
        assert listed == expected, username
        assert assignment_reads(seen) == []  # the scope never leaves the database
        assert max(len(p or ()) for _s, p in seen) < 20  # no id list as bound parameters
    assert expected == []  # the steering group sees no family
