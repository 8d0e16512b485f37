"""The world generator: determinism, plausible families, valid fictitious CPR numbers, department coverage."""

from __future__ import annotations

import random
import time
from collections import Counter
from collections.abc import Mapping
from datetime import date
from typing import Any

import pytest

from hub.cpr import age_on, birth_date
from hub.domain import HOUSING_AREAS, Department, FamilyStatus, MemberRole
from hub.world import WORLD_TODAY, World, generate_world
from hub.world.cprs import CprAllocator, passes_modulus_11
from hub.world.names import DANISH, ORIGINS


@pytest.fixture(scope="module")
def world() -> World:
    return generate_world(400, seed=5)


def test_same_inputs_give_the_same_world() -> None:
    assert generate_world(60, seed=9) == generate_world(60, seed=9)


def test_the_global_random_state_does_not_matter() -> None:
    random.seed(1)
    first = generate_world(20, seed=9)
    random.seed(2)
    random.random()
    assert generate_world(20, seed=9) == first


def test_different_seeds_give_different_worlds() -> None:
    first, second = generate_world(30, seed=1), generate_world(30, seed=2)
    assert [p.cpr for p in first.persons()] != [p.cpr for p in second.persons()]
    assert first.department_records != second.department_records


def test_a_bigger_world_starts_with_the_smaller_one() -> None:
    small, big = generate_world(10, seed=4), generate_world(20, seed=4)
    assert big.families[:10] == small.families


def test_today_moves_ages_but_stays_deterministic() -> None:
    later = date(2027, 6, 1)
    assert generate_world(10, seed=3, today=later) == generate_world(10, seed=3, today=later)
    assert generate_world(10, seed=3, today=later).today == later


def test_cpr_numbers_are_valid_fictitious_unique_and_match_birth_dates(world: World) -> None:
    persons = world.persons()
    cprs = [p.cpr for p in persons]
    assert len(set(cprs)) == len(cprs)
    for person in persons:
        assert len(person.cpr) == 10
        assert person.cpr.isdigit()
        assert birth_date(person.cpr) == person.birth_date
        assert person.cpr[6] == "9"  # the fictitious serial block
        assert not passes_modulus_11(person.cpr)
        assert person.birth_date <= world.today


def test_sex_parity_is_consistent_with_names(world: World) -> None:
    # Family names are per origin, first names per sex: the CPR's last digit (odd = male) must agree
    # with the pool the first name came from for names that only exist in one pool.
    male_only = {n for o in ORIGINS for n in o.male} - {n for o in ORIGINS for n in o.female}
    female_only = {n for o in ORIGINS for n in o.female} - {n for o in ORIGINS for n in o.male}
    for person in world.persons():
        if person.first_name in male_only:
            assert int(person.cpr[-1]) % 2 == 1
        elif person.first_name in female_only:
            assert int(person.cpr[-1]) % 2 == 0


def test_families_are_plausible(world: World) -> None:
    for family in world.families:
        assert 2 <= len(family.members) <= 7
        assert family.housing_area in HOUSING_AREAS[family.district]
        parents = [m for m in family.members if m.member_role is MemberRole.PARENT]
        children = [m for m in family.members if m.member_role is MemberRole.CHILD]
        assert 1 <= len(parents) <= 2
        assert children
        assert family.referred_on <= world.today
        if family.status in (FamilyStatus.ACTIVE, FamilyStatus.CLOSED):
            assert family.enrolled_on is not None
            assert family.referred_on <= family.enrolled_on <= world.today
        else:
            assert family.enrolled_on is None
        for parent in parents:
            assert age_on(parent.birth_date, world.today) >= 18
        for child in children:
            age = age_on(child.birth_date, world.today)
            if age < 18:
                assert child.custody_holders
                assert set(child.custody_holders) <= {p.cpr for p in parents}
            else:
                assert child.custody_holders == ()
            for parent in parents:
                if child.custody_holders and parent.cpr == child.custody_holders[0]:
                    assert age_on(parent.birth_date, world.today) - age >= 17
        assert [m.key for m in family.members] == [
            f"{family.key}-M{i}" for i in range(1, len(family.members) + 1)
        ]


def test_status_mix_is_mostly_active(world: World) -> None:
    statuses = Counter(f.status for f in world.families)
    assert statuses[FamilyStatus.ACTIVE] > len(world.families) * 0.55
    for status in FamilyStatus:
        assert statuses[status] > 0
    assert len({f.referral_source for f in world.families}) >= 5


def test_names_mix_danish_and_international(world: World) -> None:
    danish = sum(1 for f in world.families if f.members[0].last_name in DANISH.surnames)
    assert 0.15 * len(world.families) < danish < 0.6 * len(world.families)


def _open_cases(department: Department, record: Mapping[str, Any]) -> int:
    key = {
        Department.SOF: "antalAabneSager",
        Department.BIF: "OpenCaseCount",
        Department.BUF: "openCases",
        Department.KFF: "open_cases",
    }.get(department)
    if key is None:
        return int(record["extension"][0]["valueInteger"])
    return int(record[key])


def test_most_families_have_open_cases_in_two_departments(world: World) -> None:
    spanning = 0
    for family in world.families:
        departments = {
            d
            for d in Department
            for m in family.members
            if m.cpr in world.department_records[d] and _open_cases(d, world.department_records[d][m.cpr]) > 0
        }
        spanning += len(departments) >= 2
    assert spanning >= 0.8 * len(world.families)


def test_not_everyone_is_in_every_department(world: World) -> None:
    persons = world.everyone()
    for department in Department:
        share = len(world.department_records[department]) / len(persons)
        assert 0.1 < share < 0.9, department
    everywhere = [p for p in persons if all(p.cpr in world.department_records[d] for d in Department)]
    assert len(everywhere) < 0.05 * len(persons)
    known = {p.cpr for p in persons}
    for department in Department:
        assert set(world.department_records[department]) <= known


def test_department_records_fit_ages(world: World) -> None:
    ages = {p.cpr: age_on(p.birth_date, world.today) for p in world.everyone()}
    assert all(ages[c] < 18 for c in world.department_records[Department.BUF])
    assert all(ages[c] >= 14 for c in world.department_records[Department.BIF])
    assert all(ages[c] >= 3 for c in world.department_records[Department.KFF])
    for cpr, record in world.department_records[Department.BUF].items():
        if record["healthVisits"]:
            assert ages[cpr] <= 6


def test_cpr_allocator_never_repeats_and_keeps_sex_parity() -> None:
    allocator = CprAllocator()
    born = date(2015, 3, 1)
    males = [allocator.allocate(born, male=True) for _ in range(200)]
    females = [allocator.allocate(born, male=False) for _ in range(200)]
    assert len(set(males + females)) == 400
    assert all(int(c[-1]) % 2 == 1 for c in males)
    assert all(int(c[-1]) % 2 == 0 for c in females)
    assert all(birth_date(c) == born for c in males + females)


def test_cpr_allocator_refuses_years_it_cannot_encode() -> None:
    with pytest.raises(ValueError, match="birth year"):
        CprAllocator().allocate(date(1930, 1, 1), male=True)


def test_ten_thousand_families_without_a_runaway_cost() -> None:
    # A guard against an accidentally quadratic generator, generous enough for a loaded machine (#21); how fast
    # it is belongs in `make bench`.
    started = time.perf_counter()
    world = generate_world(10_000, seed=WORLD_TODAY.year)
    elapsed = time.perf_counter() - started
    assert 35_000 <= len(world.persons()) <= 50_000
    assert elapsed < 120, f"generation took {elapsed:.1f}s"


def test_candidates_are_known_to_two_departments_and_not_in_the_programme() -> None:
    world = generate_world(40, seed=2026)
    assert len(world.candidates) == 40 // 8
    programme = {p.cpr for p in world.persons()}
    cprs = [p.cpr for p in world.everyone()]
    assert len(set(cprs)) == len(cprs)
    for family in world.candidates:
        assert family.status is FamilyStatus.REFERRED
        assert all(p.cpr not in programme for p in family.members)
        assert family.housing_area in HOUSING_AREAS[family.district]
        open_in = {
            d
            for d in Department
            for m in family.members
            if m.cpr in world.department_records[d] and _open_cases(d, world.department_records[d][m.cpr]) > 0
        }
        assert len(open_in) >= 2, family.key
