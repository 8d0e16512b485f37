"""Five mock department systems (SOF, BIF, BUF, KFF, SUF) as aiohttp services over one generated world.

Each has its own REST style, identifiers, credentials, OpenAPI document, faults on demand and request
statistics; see connectors/mock/README.md. These are test and demo doubles: they must never serve or log
anything but the world's fictitious people.
"""

from connectors.mock.app import create_department_app
from connectors.mock.faults import FaultConfig, InvalidFaults
from connectors.mock.runner import (
    DEFAULT_PORTS,
    RunningDepartments,
    default_urls,
    running_departments,
    serve_departments,
)

__all__ = [
    "DEFAULT_PORTS",
    "FaultConfig",
    "InvalidFaults",
    "RunningDepartments",
    "create_department_app",
    "default_urls",
    "running_departments",
    "serve_departments",
]
