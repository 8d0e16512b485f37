"""Imports every concern's CLI module so that its commands register in `hub.cli.COMMANDS` (one line each)."""

from hub.audit import cli as audit_cli  # noqa: F401 - registers `hub audit`
from hub.auth import cli as auth_cli  # noqa: F401 - registers `hub token`
from hub.auth import staffing_cli  # noqa: F401 - registers `hub assignments`, `hub caseloads`
from hub.documents import cli as documents_cli  # noqa: F401 - registers `hub documents`
from hub.outcomes import cli as outcomes_cli  # noqa: F401 - registers `hub outcomes`
from hub.readmodel import cli as readmodel_cli  # noqa: F401 - registers `hub readmodel`
from hub.world import cli as world_cli  # noqa: F401 - registers `hub candidates`
