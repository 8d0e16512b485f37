"""Registers every concern's demo-data seeder with `hub.seed.SEEDERS`, in the order they must run.

A concern adds one import line here; its module appends `(name, seeder)` to `hub.seed.SEEDERS` on import.
"""

from hub.auth import seed as auth_seed  # noqa: F401 - first: users, assignments, caseloads (ctx.users)
from hub.consent import seed as consent_seed  # noqa: F401 - consents and statutory bases (needs users)
from hub.enrolment import seed as enrolment_seed  # noqa: F401 - enrolment history, snapshots (needs users)
from hub.plan import seed as plan_seed  # noqa: F401 - plans, meetings, measurements (needs users, teams)
