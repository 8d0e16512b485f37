"""Every schema path that reaches a person's data goes through need-to-know, enumerated from the schema.

The walk starts at Query and follows every field (and every possible type of a union or interface) to the
person-data types below. For each root field on such a path one query selects all its paths at once; it is
run with a token of every kind of user against a seeded world with the five mock departments, and every
object in the answer is checked against the pure policy (hub/access/policy.py) over the viewer's facts from
the database: no family, member, section or CPR number the policy does not allow may appear, and a family
the viewer may not see answers exactly like a family that does not exist.

A new field that reaches person data is picked up automatically. A new type with person fields must be
listed in PERSON_TYPES (and so checked) or in NOT_PERSON_DATA with a reason, or
`test_person_types_are_classified` fails.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pytest
from graphql import (
    GraphQLField,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLUnionType,
    get_named_type,
    is_leaf_type,
    is_required_argument,
)
from sqlalchemy import select

from hub.access.facts import AccessFacts, load_facts
from hub.access.policy import family_access, full_cpr_visible, member_access, section_access
from hub.auth.authenticator import AUTHENTICATE, Authenticator
from hub.auth.principal import Principal
from hub.domain import Department
from hub.persistence.models import Membership
from hub.plan.models import Meeting
from schema import build_schema
from tests.support.stack import Stack

SECTION_TYPES: dict[str, Department] = {
    "SocialSection": Department.SOF,
    "EmploymentSection": Department.BIF,
    "ChildAndYouthSection": Department.BUF,
    "LeisureSection": Department.KFF,
    "HealthSection": Department.SUF,
}
# Types that carry one person's data. Each is checked in the answers (see `Checker.visit`).
PERSON_TYPES = {"FamilyMember", "TimelineEntry", "PlanPerson", "MemberConsents", *SECTION_TYPES}
# Types with person-like fields that are not a family member's data, and why.
NOT_PERSON_DATA = {
    "Viewer": "the viewer's own identity (`me`)",
    "Contact": "a department's contact person: staff, reached only inside a section",
    "ConsentGrantor": "who granted a consent, inside a member's consents (checked there)",
    "FamilyUpdate": "subscription payloads (Subscription is outside this walk; see its own tests)",
    "PlanHistoryEntry": "plan change trail, only under familyPlan (family-level access checked on the root)",
    "FamilyMembership": "a mutation result",
    "Signal": "an early signal names its member by id; computed per member through the gate and the plan's "
    "access (tests/integration/signals), its `member` field re-checks visibility",
    "OutcomeSnapshot": "a member's snapshot, filtered by the plan's access (tests/integration/outcomes)",
    "CaseloadEntryRecord": "an administrator's mutation result: a person id on a caseload, no person data",
    "AgendaItem": "an agenda item names its member by id; built only from sections the gate allowed and the "
    "plan's access (tests/integration/agenda)",
    "WithdrawnConsentMark": "a plan entry's withdrawn consent names its member by id; only on entries the "
    "plan's access shows, and filtered by that access (tests/integration/plan/test_withdrawn_consent_marks.py)",
}
PERSON_FIELDS = {"cpr", "firstName", "lastName", "birthDate", "personId", "memberId"}
FAMILY_ROOTS_ARGS = {"id", "familyId"}
MAX_DEPTH = 8

USERS = (
    "tovholder",
    "sof-kerne",
    "bif-kerne-2",
    "kff-kerne",
    "sof-sagsbehandler",
    "bif-sagsbehandler",
    "borger-F00001-1",
    "borger-F00002-1",
    "sof-system",
    "styregruppe",
    "admin",
)


# --- the walk ---------------------------------------------------------------------------------------


@dataclass
class Node:
    """A selection tree: field (or `... on Type`) -> subtree; `type` is the named type at this node."""

    type: GraphQLNamedType
    children: dict[str, Node] = field(default_factory=dict)


def _possible(schema: GraphQLSchema, t: GraphQLNamedType) -> list[GraphQLObjectType]:
    if isinstance(t, GraphQLUnionType | GraphQLInterfaceType):
        return list(schema.get_possible_types(t))
    return [t] if isinstance(t, GraphQLObjectType) else []


def walk(schema: GraphQLSchema, t: GraphQLNamedType, seen: frozenset[str], depth: int) -> Node | None:
    """The subtree of every path from `t` to a person type (None if there is none)."""
    node = Node(t)
    found = t.name in PERSON_TYPES
    if depth >= MAX_DEPTH:
        return node if found else None
    for obj in _possible(schema, t):
        target = node
        if obj is not t:
            target = Node(obj)
        for name, f in obj.fields.items():
            child_type = get_named_type(f.type)
            if child_type.name in seen or (name.startswith("_") and depth > 0):
                continue
            sub = walk(schema, child_type, seen | {child_type.name}, depth + 1)
            if sub is not None:
                target.children[name] = sub
                found = True
        if obj is not t and target.children:
            node.children[f"... on {obj.name}"] = target
        elif obj is not t and obj.name in PERSON_TYPES:
            node.children[f"... on {obj.name}"] = target
            found = True
    return node if found else None


def person_roots(schema: GraphQLSchema) -> dict[str, Node]:
    query = schema.query_type
    assert query is not None
    roots: dict[str, Node] = {}
    for name, f in query.fields.items():
        sub = walk(schema, get_named_type(f.type), frozenset({"Query", get_named_type(f.type).name}), 1)
        if sub is not None:
            roots[name] = sub
    return roots


def _paths(node: Node, prefix: str) -> Iterator[str]:
    if node.type.name in PERSON_TYPES:
        yield prefix
    for name, child in node.children.items():
        yield from _paths(child, f"{prefix}.{name}")


# --- building the query -----------------------------------------------------------------------------

PROBES = ("__typename", "id", "familyId", "memberId", "personId", "cpr", "department", "status")


def _probe(t: GraphQLNamedType) -> list[str]:
    if not isinstance(t, GraphQLObjectType):
        return ["__typename"]
    out = [
        p
        for p in PROBES
        if p == "__typename" or (p in t.fields and is_leaf_type(get_named_type(t.fields[p].type)))
    ]
    if "record" in t.fields:
        out.append("record { __typename }")
    return out


def selection(node: Node, parent: GraphQLNamedType | None = None) -> str:
    parts = _probe(node.type)
    for name, child in node.children.items():
        if name.startswith("... on "):
            parts.append(f"{name} {{ {selection(child)} }}")
            continue
        f: GraphQLField = node.type.fields[name]  # type: ignore[union-attr]
        required = [a for a, arg in f.args.items() if is_required_argument(arg)]
        if required:
            pytest.fail(
                f"{node.type.name}.{name} needs arguments {required}: teach this test how to reach it"
            )
        parts.append(f"{name} {{ {selection(child)} }}")
    return " ".join(dict.fromkeys(parts))


@dataclass(frozen=True)
class Call:
    root: str
    query: str
    variables: dict[str, Any]
    target_family: str | None  # the family the root field was asked about, if any


def calls(
    schema: GraphQLSchema,
    root: str,
    node: Node,
    families: list[str],
    persons: dict[str, str],
    *,
    meetings: dict[str, str] | None = None,
) -> list[Call]:
    query_type = schema.query_type
    assert query_type is not None
    f = query_type.fields[root]
    required = {a: str(arg.type) for a, arg in f.args.items() if is_required_argument(arg)}
    body = selection(node)
    if not required:
        return [Call(root, f"{{ {root} {{ {body} }} }}", {}, None)]
    decl = ", ".join(f"${a}: {t}" for a, t in required.items())
    use = ", ".join(f"{a}: ${a}" for a in required)
    text = f"query({decl}) {{ {root}({use}) {{ {body} }} }}"
    if root == "_entities":
        reps = [({"__typename": "Family", "id": fid}, fid) for fid in families]
        reps += [({"__typename": "FamilyMember", "id": pid}, fam) for pid, fam in persons.items()]
        return [Call(root, text, {"representations": [rep]}, fam) for rep, fam in reps]
    if set(required) <= FAMILY_ROOTS_ARGS and get_named_type(f.type).name == "FamilyMember":
        return [Call(root, text, dict.fromkeys(required, pid), fam) for pid, fam in persons.items()]
    if set(required) <= FAMILY_ROOTS_ARGS:
        return [Call(root, text, dict.fromkeys(required, fid), fid) for fid in families]
    if set(required) == {"meetingId"}:  # liveMeeting: a follow-up meeting of each family (and none)
        return [Call(root, text, {"meetingId": mid}, fam) for mid, fam in (meetings or {}).items()]
    pytest.fail(f"root field {root} needs arguments {sorted(required)}: teach this test how to call it")
    raise AssertionError


# --- checking the answers ---------------------------------------------------------------------------


@dataclass
class Checker:
    principal: Principal
    facts: AccessFacts
    family_of: dict[str, str]  # person id -> current family id
    seen: dict[str, int] = field(default_factory=dict)

    def visit(self, value: Any, owner: tuple[str, str] | None = None, where: str = "") -> None:
        if isinstance(value, list):
            for item in value:
                self.visit(item, owner, where)
            return
        if not isinstance(value, dict):
            return
        t = value.get("__typename")
        if t is not None:
            self.seen[t] = self.seen.get(t, 0) + 1
            owner = self.check(t, value, owner, where)
        for key, child in value.items():
            self.visit(child, owner, f"{where}.{key}")

    def check(
        self, t: str, value: dict[str, Any], owner: tuple[str, str] | None, where: str
    ) -> tuple[str, str] | None:
        """Assert the policy allows this object; returns the member that owns what lies below it."""
        p, facts = self.principal, self.facts
        if t == "Family":
            assert family_access(p, facts, value["id"]).allowed, f"{where}: family {value['id']} leaked"
        elif t == "FamilyMember":
            owner = (value["id"], value["familyId"])
            assert member_access(p, facts, *owner).allowed, f"{where}: member {owner} leaked"
            cpr = value.get("cpr")
            if cpr is not None and not cpr.endswith("XXXX"):
                assert full_cpr_visible(p, facts, *owner), f"{where}: full CPR of {owner} leaked"
        elif t in SECTION_TYPES:
            assert owner is not None, f"{where}: a section outside a member"
            decision = section_access(p, facts, *owner, SECTION_TYPES[t])
            if value.get("record") is not None:
                assert decision.allowed, f"{where}: {t} of {owner} leaked ({decision.reason})"
            if not decision.allowed:
                assert value["status"] == "FORBIDDEN", f"{where}: {t} of {owner} is {value['status']}"
        elif t == "TimelineEntry" and value.get("memberId"):
            self.check_timeline(value, where)
        elif t in ("PlanPerson", "MemberConsents"):
            person = value.get("id") or value.get("personId")
            assert member_access(p, facts, person, self.family_of[person]).allowed, f"{where}: {t} leaked"
        return owner

    def check_timeline(self, value: dict[str, Any], where: str) -> None:
        member = value["memberId"]
        family = self.family_of[member]
        if value.get("department"):
            # A department update about a member is that member's department data: the section decision.
            decision = section_access(
                self.principal, self.facts, member, family, Department(value["department"])
            )
        else:
            decision = member_access(self.principal, self.facts, member, family)
        assert decision.allowed, f"{where}: timeline entry of {member} leaked ({decision.reason})"


def test_person_types_are_classified() -> None:
    """Any type with person fields reachable without passing a checked person type must be classified."""
    schema = build_schema()._schema
    reachable: set[str] = set()

    def reach(t: GraphQLNamedType) -> None:
        if t.name in reachable or t.name.startswith("__"):
            return
        reachable.add(t.name)
        if t.name in PERSON_TYPES:
            return
        for obj in _possible(schema, t):
            reach(obj)
            for f in obj.fields.values():
                reach(get_named_type(f.type))

    for root in (schema.query_type, schema.mutation_type):
        if root is not None:
            reach(root)
    unclassified = sorted(
        name
        for name in reachable
        if isinstance(schema.type_map[name], GraphQLObjectType)
        and PERSON_FIELDS & set(schema.type_map[name].fields)  # type: ignore[union-attr]
        and name not in PERSON_TYPES
        and name not in NOT_PERSON_DATA
    )
    assert unclassified == [], "classify these types in PERSON_TYPES or NOT_PERSON_DATA"


def test_the_walk_finds_the_known_paths() -> None:
    roots = person_roots(build_schema()._schema)
    paths = {p for name, node in roots.items() for p in _paths(node, name)}
    for expected in (
        "family.members",
        "family.members.social",
        "family.members.health",
        "familyMember",
        "familyMember.childAndYouth",
        "families.edges.node.members.employment",
        "_entities.... on FamilyMember.leisure",
        "liveMeeting.meeting.participants.member",
    ):
        assert expected in paths


async def test_every_person_path_goes_through_need_to_know(stack: Stack) -> None:
    schema = build_schema(stack.settings)._schema
    roots = person_roots(schema)
    assert {"family", "familyMember", "families", "_entities"} <= set(roots)
    today: date = stack.services.clock().date()
    async with stack.services.sessions() as session:
        rows = (
            await session.execute(Membership.__table__.select().where(Membership.left_on.is_(None)))
        ).all()
    family_of = {row.person_id: row.family_id for row in rows}
    families = [*sorted({f.key for f in stack.world.families}), "F99999"]
    # Every member of the first two families (parents, children, other adults) and one of each other family.
    persons = {pid: fam for pid, fam in sorted(family_of.items()) if fam in ("F00001", "F00002")}
    persons |= {min(p for p, f in family_of.items() if f == fam): fam for fam in set(family_of.values())}
    persons["P-NOBODY"] = "F99999"
    async with stack.services.sessions() as session:
        meeting_rows = (
            await session.execute(select(Meeting.id, Meeting.family_id).order_by(Meeting.id))
        ).all()
    meetings = {}
    for mid, fam in meeting_rows:
        if fam not in meetings.values():
            meetings[str(mid)] = str(fam)
    meetings["M-NOBODY"] = "F99999"
    authenticator: Authenticator = stack.services.extras[AUTHENTICATE]
    seen: dict[str, int] = {}
    for username in USERS:
        principal = await authenticator.users.principal_for(username)
        async with stack.services.sessions() as session:
            facts = await load_facts(session, principal, today)
        checker = Checker(principal, facts, family_of, seen)
        token = stack.token(username)
        for root, node in roots.items():
            not_found: set[tuple[str, str]] = set()
            for call in calls(schema, root, node, families, persons, meetings=meetings):
                body = await stack.graphql(call.query, call.variables, token=token)
                checker.visit(body.get("data"), where=f"{username}:{root}{call.variables}")
                visible = (
                    call.target_family is not None
                    and family_access(principal, facts, call.target_family).allowed
                )
                if call.target_family is None or visible:
                    continue
                # Invisible: exactly like a family that does not exist - no data, NOT_FOUND, same message.
                answer = (body.get("data") or {}).get(root)
                assert not answer or answer == [None], f"{username}:{root}{call.variables} answered"
                if root != "_entities":
                    errors = body.get("errors") or []
                    assert errors, f"{username}:{root}{call.variables}: no error for an invisible family"
                    not_found |= {(e["extensions"]["code"], e["message"]) for e in errors}
            if root != "_entities" and not_found:
                assert {code for code, _m in not_found} == {"NOT_FOUND"}, f"{username}:{root}: {not_found}"
                assert len(not_found) == 1, f"{username}:{root}: hidden and missing differ: {not_found}"
    # The walk really reached person data with real department records for someone.
    assert seen.get("FamilyMember", 0) > 0
    assert any(seen.get(t, 0) > 0 for t in SECTION_TYPES)
