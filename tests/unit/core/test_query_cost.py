"""The query cost limit (schema/cost.py): list sizes multiply, connections pass their page size to their edges,
fragments are costed once, and the README's and the bench's operations stay well below the default ceiling."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from graphql import OperationDefinitionNode, TypeInfo, ValidationContext, parse

from bench import queries as bench_queries
from hub.settings import Settings
from schema import build_schema
from schema.cost import MAX_PAGE, operation_cost

SCHEMA = build_schema(Settings())
README = (Path(__file__).resolve().parents[3] / "README.md").read_text()
README_OPERATIONS = re.findall(r"```graphql\n(.*?)```", README, flags=re.DOTALL)
BENCH_OPERATIONS = [bench_queries.FAMILY_QUERY, bench_queries.LIST_QUERY]


def cost(document: str, list_size: int = 10) -> int:
    schema = SCHEMA._schema
    parsed = parse(document)
    context = ValidationContext(schema, parsed, TypeInfo(schema), lambda error: None)
    operations = [d for d in parsed.definitions if isinstance(d, OperationDefinitionNode)]
    return sum(operation_cost(context, op, list_size, 10**12) for op in operations)


def test_scalars_cost_nothing_and_objects_one() -> None:
    assert cost("{ me { username } }") == 1
    assert cost('{ family(id: "F1") { name status } }') == 1
    assert cost('{ family(id: "F1") { summary { headline } } }') == 2


def test_a_list_without_a_size_argument_costs_the_default_size() -> None:
    assert cost('{ family(id: "F1") { members { name } } }', list_size=10) == 1 + 10
    assert cost('{ family(id: "F1") { members { name } } }', list_size=3) == 1 + 3
    nested = '{ family(id: "F1") { members { social { record { measures { kind } } } } } }'
    # family 1 + 10 members × (1 + social (1 + record (1 + 10 measures)))
    assert cost(nested) == 1 + 10 * (1 + 1 + 1 + 10)


def test_a_connection_passes_its_page_size_to_its_edges() -> None:
    assert cost("{ families(first: 5) { edges { node { name } } } }") == 1 + 5 * (1 + 1)
    assert cost("{ families(first: 5) { edges { node { members { name } } } } }") == 1 + 5 * (1 + 1 + 10)
    # Left out: the argument's default (20); a variable: what the server clamps it to.
    assert cost("{ families { edges { node { name } } } }") == 1 + 20 * 2
    assert cost("query($n: Int!) { families(first: $n) { edges { node { name } } } }") == 1 + MAX_PAGE * 2


def test_fragments_cost_what_they_select_and_do_not_explode() -> None:
    inline = '{ family(id: "F1") { members { social { status } } } }'
    spread = 'query { family(id: "F1") { ...F } } fragment F on Family { members { social { status } } }'
    assert cost(spread) == cost(inline) == 1 + 10 * 2
    # Forty fragments, each spreading the next twice: 2^40 walks without memoisation.
    chain = [f"fragment F{i} on Query {{ ...F{i + 1} ...F{i + 1} }}" for i in range(40)]
    chain.append("fragment F40 on Query { me { username } }")
    assert cost("query { ...F0 } " + " ".join(chain)) == 2**40


@pytest.mark.parametrize("document", README_OPERATIONS + BENCH_OPERATIONS)
def test_the_readme_and_bench_operations_are_well_below_the_default(document: str) -> None:
    assert cost(document, Settings().query_cost_list_size) * 4 < Settings().max_query_cost


async def test_over_the_ceiling_is_query_too_complex_with_the_cost() -> None:
    schema = build_schema(Settings(max_query_cost=100))
    document = '{ family(id: "F1") { members { social { record { measures { kind } } } } } }'
    result = await schema.execute(document)
    assert result.errors is not None
    [error] = result.errors
    assert error.extensions == {"code": "QUERY_TOO_COMPLEX", "cost": 131, "maxCost": 100}
    assert result.data is None


async def test_under_the_ceiling_runs() -> None:
    schema = build_schema(Settings(max_query_cost=131))
    document = '{ family(id: "F1") { members { social { record { measures { kind } } } } } }'
    result = await schema.execute(document)
    assert not any(
        e.extensions and e.extensions.get("code") == "QUERY_TOO_COMPLEX" for e in result.errors or []
    )


SECTIONS = (
    "social { record { measures { kind } } } employment { record { targetGroup } } "
    "childAndYouth { record { absence { quarter } } } leisure { record { memberships { activity } } } "
    "health { record { services { name } referrals { to } } }"
)


def test_twenty_whole_families_fit_a_hundred_do_not() -> None:
    twenty = cost("{ families(first: 20) { edges { node { members { " + SECTIONS + " } } } } }")
    assert twenty < Settings().max_query_cost
    assert (
        cost("{ families(first: 100) { edges { node { members { " + SECTIONS + " } } } } }") == 5 * twenty - 4
    )


async def test_a_hostile_page_size_is_refused() -> None:
    result = await SCHEMA.execute(
        "{ families(first: 100) { edges { node { members { " + SECTIONS + " } } } } }"
    )
    assert result.errors is not None
    assert result.errors[0].extensions is not None
    assert result.errors[0].extensions["code"] == "QUERY_TOO_COMPLEX"
    assert result.errors[0].extensions["cost"] > Settings().max_query_cost
