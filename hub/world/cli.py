"""`hub candidates [--families 40] [--seed 2026]`: the demo world's families the departments know but nobody has
referred yet, each as a ready `referFamily` input (JSON, one family a line), for trying intake end to end.

Every person is fictitious (the world generator's CPR numbers, names and dates). The world is the one `make run`
seeded into this database (its recorded anchor), so the departments' mocks know exactly these people.
"""

from __future__ import annotations

import argparse
import json
from datetime import date

from hub.command import Command
from hub.settings import Settings
from hub.world import generate_world
from hub.world.anchor import recorded_anchor, resolve_anchor
from hub.world.generator import DEMO_FAMILIES, DEMO_SEED


def _configure(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--families", type=int, default=DEMO_FAMILIES, help=f"families in the world (default {DEMO_FAMILIES})"
    )
    p.add_argument("--seed", type=int, default=DEMO_SEED, help=f"the world's seed (default {DEMO_SEED})")
    p.add_argument("--anchor", type=date.fromisoformat, help="the world's today (default: as seeded)")


def _run(args: argparse.Namespace, settings: Settings) -> int:
    recorded = recorded_anchor(
        settings.var_dir, settings.database_url, families=args.families, seed=args.seed
    )
    anchor = resolve_anchor(args.anchor, settings.world_anchor, recorded, date.today())  # as `make run` seeds
    world = generate_world(args.families, args.seed, anchor)
    for family in world.candidates:
        index = {m.cpr: i for i, m in enumerate(family.members)}
        members = [
            {
                "cpr": m.cpr,
                "firstName": m.first_name,
                "lastName": m.last_name,
                "memberRole": m.member_role.value,
                "custodyHolders": [index[c] for c in m.custody_holders if c in index],
            }
            for m in family.members
        ]
        refer = {
            "district": family.district.value,
            "housingArea": family.housing_area,
            "referralSource": family.referral_source,
            "members": members,
        }
        print(json.dumps(refer, ensure_ascii=False))
    return 0


COMMANDS = (
    Command(
        "candidates",
        "the demo world's not-yet-referred families, each as a referFamily input (fictitious people)",
        _configure,
        _run,
    ),
)
