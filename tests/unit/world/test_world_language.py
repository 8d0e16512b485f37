"""The demo world's languages and interpreter needs: derived, deterministic, only for immigrant families' adults."""

from __future__ import annotations

from hub.cpr import age_on
from hub.world import generate_world
from hub.world.generator import DEMO_SEED
from hub.world.language import language_needs


def test_language_needs_are_deterministic_and_fit_the_family() -> None:
    world = generate_world(40, DEMO_SEED)
    again = generate_world(40, DEMO_SEED)
    needs = {f.key: language_needs(f, world.today) for f in world.families}
    assert needs == {f.key: language_needs(f, again.today) for f in again.families}
    for family in world.families:
        keys = {n.person_key for n in needs[family.key]}
        if family.origin == "danish":
            assert not keys
        ages = {m.key: age_on(m.birth_date, world.today) for m in family.members}
        assert all(ages[k] >= 18 for k in keys)
    every = [n for found in needs.values() for n in found]
    assert any(n.interpreter_needed for n in every)
    assert any(not n.interpreter_needed for n in every)
    assert {n.language for n in every} - {"da"}
    assert any(n.interpreter_for == () for n in every if n.interpreter_needed)
    assert any(n.interpreter_for for n in every if n.interpreter_needed)
