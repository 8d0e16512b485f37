"""How the enrolment concern plugs into the composition root: one `EnrolmentService` per `Services`.

`enrolment_service(services)` builds it on first use and keeps it in `services.extras["enrolment"]`; the
section cache (`services.extras["section_cache"]`, installed by ingestion) is used when present. Holds no
data of its own.
"""

from __future__ import annotations

from hub.enrolment.observe import Sources
from hub.enrolment.service import EnrolmentService
from hub.services import Services

ENROLMENT = "enrolment"
SECTION_CACHE = "section_cache"


def enrolment_service(services: Services) -> EnrolmentService:
    existing = services.extras.get(ENROLMENT)
    if isinstance(existing, EnrolmentService):
        return existing
    service = EnrolmentService(
        services.sessions,
        services.vault,
        services.settings,
        Sources(services.sessions, services.connectors, services.extras.get(SECTION_CACHE)),
    )
    services.extras[ENROLMENT] = service
    return service
