"""The enrolment concern end to end: GraphQL and the exports on a seeded hub with the five real mock departments.

Eligibility yes / no / unknown (departments down through the mock's fault API), the enrolment CONFLICT with
the waitlist, the CSV and SVG exports with their authentication, and the steering group's schema walk: every
field reachable from Query, asked with a STEERING_GROUP token, gives nothing personal.
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    get_named_type,
    is_leaf_type,
)
from sqlalchemy import select, update

from hub.audit.models import entries_table
from hub.cpr import age_on
from hub.days import local_day
from hub.domain import Department, FamilyStatus
from hub.persistence.models import Family, Person
from schema import build_schema
from tests.support.stack import Stack, running_stack

ASSESS = """mutation($id: ID!) { assessEligibility(familyId: $id) { outcome criteria { criterion answer explanation
  housingArea namedArea departmentsWithOpenCases departmentsUnavailable departmentsWithoutBasis membersAssessed } } }"""
ENROL = "mutation($id: ID!) { enrolFamily(familyId: $id) { family { id status } capacity { activeFamilies capacity } snapshotMembers } }"
RECORD_CONSENT = "mutation($input: RecordConsentInput!) { recordConsent(input: $input) { id } }"
REPORT = """query($d: District) { steeringReport(district: $d) { scope capacity { capacity activeFamilies { display } }
  outcomes { indicator persons { display } atEnrolmentPct { display value suppression } nowPct { display } }
  wellbeing { instrument persons { display } meanChange { display } } quarters { quarter enrolled { display } } } }"""


@pytest.fixture
async def stack(tmp_path: Path) -> AsyncIterator[Stack]:
    async with running_stack(
        tmp_path, families=14, seed=7, max_query_tokens=100_000, max_query_depth=30
    ) as s:
        yield s


def by_status(stack: Stack, status: FamilyStatus) -> list[str]:
    return [f.key for f in stack.world.families if f.status is status]


async def assess(stack: Stack, fid: str) -> dict[str, Any]:
    body = await stack.graphql(ASSESS, {"id": fid}, token=stack.token("tovholder"))
    assert "errors" not in body, body
    return body["data"]["assessEligibility"]


async def reconsent(stack: Stack, fid: str) -> None:
    """Record a new consent for every member (closing ended the old ones): from 15 their own, else their
    custody holders'."""
    family = next(f for f in stack.world.families if f.key == fid)
    ids = stack.seeded.person_ids
    for person in family.members:
        own = age_on(person.birth_date, stack.seeded.today) >= 15 or not person.custody_holders
        grantors = [ids[person.cpr]] if own else [ids[c] for c in person.custody_holders]
        body = await stack.graphql(
            RECORD_CONSENT,
            {
                "input": {
                    "subjectId": ids[person.cpr],
                    "grantorIds": grantors,
                    "departments": [d.value for d in Department],
                    "categories": ["CASE"],
                    "collectedVia": "PAPER",
                    "evidenceRef": "J-igen",
                    "childView": None if own else "Barnet vil gerne have hjælp",
                }
            },
            token=stack.token("tovholder"),
        )
        assert "errors" not in body, body


async def test_eligibility_yes_no_and_unknown_with_a_department_down(stack: Stack) -> None:
    answers = {fid: await assess(stack, fid) for fid in by_status(stack, FamilyStatus.ACTIVE)}
    eligible = [fid for fid, a in answers.items() if a["outcome"] == "ELIGIBLE"]
    assert eligible, answers
    fid = eligible[0]
    housing, open_cases = answers[fid]["criteria"]
    assert (housing["criterion"], housing["answer"], housing["namedArea"]) == ("HOUSING_AREA", "YES", True)
    assert open_cases["answer"] == "YES"
    assert len(open_cases["departmentsWithOpenCases"]) >= 2
    # Every department but one down: never NO, UNKNOWN with the unavailable departments as evidence.
    for department in Department:
        if department is not Department.SOF:
            await stack.set_faults(department, error_rate=1.0, error_status=503)
    down = await assess(stack, fid)
    await stack.clear_faults()
    assert down["outcome"] == "UNKNOWN"
    assert set(down["criteria"][1]["departmentsUnavailable"]) >= {"BIF", "BUF", "KFF"} - set(
        down["criteria"][1]["departmentsWithOpenCases"]
    )
    assert down["criteria"][1]["departmentsUnavailable"]
    # Not in a named housing area: NO, whatever the departments say.
    async with stack.services.sessions() as session, session.begin():
        await session.execute(update(Family).where(Family.id == fid).values(housing_area="Nordvest"))
    no = await assess(stack, fid)
    assert no["outcome"] == "NOT_ELIGIBLE"
    assert no["criteria"][0]["answer"] == "NO"
    # A referred family has not consented yet: its departments cannot be asked, so UNKNOWN, never NO.
    referred = by_status(stack, FamilyStatus.REFERRED)
    if referred:
        fresh = await assess(stack, referred[0])
        assert fresh["outcome"] in ("UNKNOWN", "NOT_ELIGIBLE")
        if fresh["criteria"][0]["answer"] == "YES":
            assert fresh["outcome"] == "UNKNOWN"
            assert fresh["criteria"][1]["departmentsWithoutBasis"] == [d.value for d in Department]


async def test_enrolment_past_the_cap_is_a_conflict_and_the_family_is_waitlisted(
    stack: Stack, tmp_path: Path
) -> None:
    active = by_status(stack, FamilyStatus.ACTIVE)
    stack.services.settings.capacity = len(active)  # the programme is full
    candidates = [fid for fid in active if (await assess(stack, fid))["outcome"] == "ELIGIBLE"]
    fid = candidates[0]
    closed = await stack.graphql(
        'mutation($id: ID!) { closeFamily(input: {familyId: $id, reason: "Mål nået", handedOverTo: SOF}) '
        "{ closedOn handedOverTo family { status } capacity { activeFamilies freePlaces } } }",
        {"id": fid},
        token=stack.token("tovholder"),
    )
    assert closed["data"]["closeFamily"]["handedOverTo"] == "SOF"
    assert closed["data"]["closeFamily"]["capacity"]["freePlaces"] == 1
    # Re-open: closing ended the consents, so the family is asked again; then a new assessment, then the
    # freed place, unless a family referred earlier waits for it.
    await reconsent(stack, fid)
    await assess(stack, fid)
    families = {f.key: f for f in stack.world.families}
    ahead = [
        w
        for w in by_status(stack, FamilyStatus.WAITLISTED)
        if (families[w].referred_on, w) < (families[fid].referred_on, fid)
    ]
    body = await stack.graphql(ENROL, {"id": fid}, token=stack.token("tovholder"))
    if ahead:
        assert body["errors"][0]["extensions"]["reason"] == "FAMILIES_AHEAD"
    else:
        assert body["data"]["enrolFamily"]["family"]["status"] == "ACTIVE"
        assert body["data"]["enrolFamily"]["snapshotMembers"] > 0
        # The family's distinct contact points that day are kept with the enrolment (the steering report).
        from hub.enrolment.contact_points import contact_points
        from hub.enrolment.models import EnrolmentEvent, EventKind

        async with stack.services.sessions() as session:
            stored = await session.scalar(
                select(EnrolmentEvent.contact_points)
                .where(EnrolmentEvent.family_id == fid, EnrolmentEvent.kind == EventKind.ENROLLED)
                .order_by(EnrolmentEvent.occurred_at.desc())
                .limit(1)
            )
            counted = await contact_points(session, [fid], local_day(stack.services.clock()))
        assert stored == counted[fid] > 0
    # Full now: the next eligible family is refused with CONFLICT and waitlisted.
    other = candidates[1]
    await stack.graphql(
        'mutation($id: ID!) { closeFamily(input: {familyId: $id, reason: "Test"}) { closedOn } }',
        {"id": other},
        token=stack.token("tovholder"),
    )
    stack.services.settings.capacity = len(active) - 1
    await reconsent(stack, other)
    await assess(stack, other)
    refused = await stack.graphql(ENROL, {"id": other}, token=stack.token("tovholder"))
    error = refused["errors"][0]
    assert error["extensions"]["code"] == "CONFLICT"
    assert error["extensions"]["waitlisted"] is True
    assert error["extensions"]["reason"] == "PROGRAMME_FULL"
    assert "waitlist" in error["message"]
    waitlist = await stack.graphql(
        "{ enrolmentWaitlist { position family { id status } } }", token=stack.token("tovholder")
    )
    entries = waitlist["data"]["enrolmentWaitlist"]
    assert other in [e["family"]["id"] for e in entries]
    assert [e["position"] for e in entries] == list(range(1, len(entries) + 1))
    forbidden = await stack.graphql(ENROL, {"id": other}, token=stack.token("styregruppe"))
    assert forbidden["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_steering_report_over_graphql_for_the_steering_group_only(stack: Stack) -> None:
    body = await stack.graphql(REPORT, {"d": None}, token=stack.token("styregruppe"))
    assert "errors" not in body, body
    report = body["data"]["steeringReport"]
    assert report["scope"] == "ALL"
    assert report["capacity"]["capacity"] == 35
    assert {o["indicator"] for o in report["outcomes"]} == {"CASH_BENEFIT", "HIGH_ABSENCE", "LEISURE_ACTIVE"}
    north = await stack.graphql(REPORT, {"d": "NORREBRO"}, token=stack.token("styregruppe"))
    assert north["data"]["steeringReport"]["scope"] == "NORREBRO"
    for username in ("sof-kerne", "sof-sagsbehandler", "admin", "borger-F00001-1"):
        denied = await stack.graphql(REPORT, {"d": None}, token=stack.token(username))
        assert denied["data"] is None
        assert denied["errors"][0]["extensions"]["code"] == "FORBIDDEN", username
    async with stack.services.sessions() as session:
        reads = (
            await session.execute(
                select(entries_table.c.action, entries_table.c.purpose).where(
                    entries_table.c.reason == "aggregate_report"
                )
            )
        ).all()
    assert reads
    assert {r.purpose for r in reads} == {"HFI_EVALUATION"}


async def test_csv_and_svg_exports_with_the_same_bearer_token(stack: Stack) -> None:
    steer = {"Authorization": f"Bearer {stack.token('styregruppe')}"}
    csv_response = await stack.client.get("/reports/steering.csv", headers=steer)
    assert csv_response.status_code == 200, csv_response.text
    assert csv_response.headers["content-type"].startswith("text/csv")
    assert csv_response.headers["cache-control"] == "no-store"
    lines = csv_response.text.splitlines()
    assert lines[0] == "section,scope,figure,period,measure,value"
    assert any(line.startswith("outcome,ALL,CASH_BENEFIT,enrolment_vs_now,persons,") for line in lines)
    assert any(line.startswith("capacity,ALL,places,") and line.endswith(",35") for line in lines)
    north = await stack.client.get("/reports/steering.csv?district=norrebro", headers=steer)
    assert {line.split(",")[1] for line in north.text.splitlines()[1:]} <= {"NORREBRO", "ALL"}
    svg = await stack.client.get("/reports/steering.svg", headers=steer)
    assert svg.status_code == 200
    assert svg.headers["content-type"].startswith("image/svg+xml")
    root = ElementTree.fromstring(svg.content)  # noqa: S314 - our own renderer's output, not untrusted input
    assert root.tag.endswith("svg")
    assert b"Outcomes at enrolment and now" in svg.content
    coordinator = await stack.client.get(
        "/reports/steering.svg", headers={"Authorization": f"Bearer {stack.token('tovholder')}"}
    )
    assert coordinator.status_code == 200
    anonymous = await stack.client.get("/reports/steering.csv")
    assert anonymous.status_code == 401
    assert anonymous.json()["error"]["code"] == "UNAUTHENTICATED"
    bad = await stack.client.get("/reports/steering.svg", headers={"Authorization": "Bearer not-a-token"})
    assert bad.status_code == 401
    for username in ("sof-kerne", "admin", "borger-F00001-1"):
        denied = await stack.client.get(
            "/reports/steering.csv", headers={"Authorization": f"Bearer {stack.token(username)}"}
        )
        assert denied.status_code == 403, username
        assert denied.json()["error"]["code"] == "FORBIDDEN"
    wrong = await stack.client.get("/reports/steering.csv?district=AMAGER", headers=steer)
    assert wrong.status_code == 400
    async with stack.services.sessions() as session:
        exports = (
            await session.execute(
                select(entries_table.c.decision, entries_table.c.reason, entries_table.c.actor_role).where(
                    entries_table.c.action == "EXPORT"
                )
            )
        ).all()
    granted = [e for e in exports if e.decision == "GRANTED"]
    assert {e.reason for e in granted} == {"steering_report_csv", "steering_report_svg"}
    assert len(granted) == 4
    assert sum(1 for e in exports if e.decision == "DENIED") == 3


# --- the steering group's schema walk -------------------------------------------------------------------

PERSON_KEYS = {"cpr", "firstName", "lastName", "birthDate", "name", "personId", "memberId", "subjectId"}
MAX_DEPTH = 5


class EnumValue(str):
    """An enum value: written bare in the query, not as a string."""

    __slots__ = ()


def _value(schema: GraphQLSchema, t: GraphQLInputType, ids: dict[str, str]) -> Any:
    if isinstance(t, GraphQLNonNull):
        return _value(schema, t.of_type, ids)
    if isinstance(t, GraphQLList):
        return [_value(schema, t.of_type, ids)]
    if isinstance(t, GraphQLEnumType):
        return EnumValue(next(iter(t.values)))
    if isinstance(t, GraphQLInputObjectType):
        return {
            n: _value(schema, f.type, ids) for n, f in t.fields.items() if isinstance(f.type, GraphQLNonNull)
        }
    return {
        "ID": ids["id"],
        "String": ids["id"],
        "Int": 1,
        "Float": 1.0,
        "Boolean": False,
        "Date": "2026-01-01",
        "DateTime": "2026-01-01T00:00:00+00:00",
    }.get(t.name, ids["id"])  # type: ignore[union-attr]


def _literal(value: Any) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_literal(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_literal(v) for v in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, EnumValue):
        return str(value)
    return json.dumps(value)


def _select(schema: GraphQLSchema, t: GraphQLNamedType, depth: int, ids: dict[str, str]) -> str:
    if is_leaf_type(t):
        return ""
    objects = list(schema.get_possible_types(t)) if not isinstance(t, GraphQLObjectType) else [t]  # type: ignore[arg-type]
    parts = ["__typename"]
    for obj in objects:
        fields = []
        for name, f in obj.fields.items():
            if name.startswith("_"):
                continue
            target = get_named_type(f.type)
            args = {
                a: _value(schema, arg.type, ids)
                for a, arg in f.args.items()
                if isinstance(arg.type, GraphQLNonNull)
            }
            call = name + (
                "(" + ", ".join(f"{a}: {_literal(v)}" for a, v in args.items()) + ")" if args else ""
            )
            if is_leaf_type(target):
                fields.append(call)
            elif depth < MAX_DEPTH:
                fields.append(f"{call} {{ {_select(schema, target, depth + 1, ids)} }}")
        if obj is t:
            parts += fields
        elif fields:
            parts.append(f"... on {obj.name} {{ {' '.join(fields)} }}")
    return " ".join(parts)


async def test_no_personal_field_is_reachable_with_a_steering_token(stack: Stack) -> None:
    schema = build_schema(stack.settings)._schema
    query = schema.query_type
    assert query is not None
    token = stack.token("styregruppe")
    async with stack.services.sessions() as session:
        persons = list(await session.scalars(select(Person)))
        families = list(await session.scalars(select(Family)))
    secrets = {p.id for p in persons} | {p.first_name for p in persons} | {p.last_name for p in persons}
    secrets |= {f.id for f in families} | {f.display_name for f in families}
    secrets |= {m.cpr for m in stack.world.persons()} | {m.cpr[:6] for m in stack.world.persons()}
    family_id, person_id = families[0].id, persons[0].id
    answered: dict[str, bool] = {}
    for name, f in query.fields.items():
        if name.startswith("_"):
            continue
        for ids in ({"id": family_id}, {"id": person_id}):
            args = {
                a: _value(schema, arg.type, ids)
                for a, arg in f.args.items()
                if isinstance(arg.type, GraphQLNonNull)
            }
            call = name + (
                "(" + ", ".join(f"{a}: {_literal(v)}" for a, v in args.items()) + ")" if args else ""
            )
            target = get_named_type(f.type)
            text = (
                f"{{ {call} {{ {_select(schema, target, 1, ids)} }} }}"
                if not is_leaf_type(target)
                else f"{{ {call} }}"
            )
            body = await stack.graphql(text, token=token)
            errors = body.get("errors") or []
            assert all(e["extensions"]["code"] != "BAD_USER_INPUT" for e in errors), (name, errors[:1])
            data = json.dumps(body.get("data"), ensure_ascii=False)
            leaked = {s for s in secrets if s and re.search(rf"(?<![\w-]){re.escape(s)}(?![\w-])", data)}
            assert not leaked, f"{name}: personal values reachable with a steering token"
            _no_person_keys(body.get("data"), name)
            answered[name] = bool((body.get("data") or {}).get(name))
    # The aggregates answer; nothing that names a family or person does.
    assert answered["steeringReport"]
    assert answered["programmeCapacity"]
    assert answered["me"]
    assert not answered["enrolmentWaitlist"]
    assert not answered["family"]


def _no_person_keys(value: Any, where: str) -> None:
    if isinstance(value, list):
        for item in value:
            _no_person_keys(item, where)
    elif isinstance(value, dict):
        for key, child in value.items():
            assert not (key in PERSON_KEYS and child not in (None, [], "")), f"{where}: {key} answered"
            _no_person_keys(child, where)
