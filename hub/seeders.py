"""Registers every concern's demo-data seeder with `hub.seed.SEEDERS`, in the order they must run.

A concern adds one import line here; its module appends `(name, seeder)` to `hub.seed.SEEDERS` on import.
The outcome and closure seeders are appended explicitly, last: they need every other concern's rows.
"""

from hub.auth import seed as auth_seed  # noqa: F401 - first: users, assignments, caseloads (ctx.users)
from hub.consent import seed as consent_seed  # noqa: F401 - consents and statutory bases (needs users)
from hub.enrolment import seed as enrolment_seed  # noqa: F401 - enrolment history, snapshots (needs users)
from hub.enrolment.closure_seed import seed_closures
from hub.outcomes.seed import seed_outcomes
from hub.plan import seed as plan_seed  # noqa: F401 - plans, meetings, measurements (needs users, teams)
from hub.seed import SEEDERS

# Then outcome snapshots (need the enrolment's closing dates and the plan's measurements, and the consents
# as they stood before closing ended them).
if ("outcomes", seed_outcomes) not in SEEDERS:
    SEEDERS.append(("outcomes", seed_outcomes))
# Last: closed families as closing leaves them (needs the enrolment's closed_on and the plan's meetings).
if ("closures", seed_closures) not in SEEDERS:
    SEEDERS.append(("closures", seed_closures))
