"""How ingestion, the section cache and pub/sub plug into the composition root (hub/app.py).

    install_ingestion(services)   services.extras["pubsub"], ["ingestion"], ["section_cache"] (idempotent)
    ingestion_routes()            POST /webhooks/{department}
    start_ingestion / stop_ingestion   from the app's lifespan

Nothing here handles data; it only builds and starts collaborators.
"""

from __future__ import annotations

from starlette.routing import BaseRoute, Route

from hub.ingestion.cache import SectionCache
from hub.ingestion.service import IngestionService
from hub.ingestion.webhook import make_webhook
from hub.ingestion.wire import connector_parsers
from hub.pubsub import PubSub, build_pubsub
from hub.services import Services

PUBSUB = "pubsub"
INGESTION = "ingestion"
SECTION_CACHE = "section_cache"


def install_ingestion(services: Services, *, pubsub: PubSub | None = None) -> None:
    extras = services.extras
    if PUBSUB not in extras:
        extras[PUBSUB] = pubsub or build_pubsub(services.settings)
    if INGESTION not in extras:
        extras[INGESTION] = IngestionService(
            services.sessions,
            services.vault,
            extras[PUBSUB],
            parsers=connector_parsers(),
            clock=services.clock,
            max_batch=services.settings.max_push_batch,
            registry=services.metrics,
        )
    if SECTION_CACHE not in extras:
        extras[SECTION_CACHE] = SectionCache(
            services.sessions,
            services.settings.cache_ttl,
            max_entries=services.settings.section_cache_max_entries,
            pubsub=extras[PUBSUB],
            max_stale_s=services.settings.stale_max_age,
        )


def ingestion_routes() -> list[BaseRoute]:
    return [Route("/webhooks/{department}", make_webhook(), methods=["POST"])]


async def start_ingestion(services: Services) -> None:
    pubsub: PubSub = services.extras[PUBSUB]
    await pubsub.start()
    cache: SectionCache | None = services.extras.get(SECTION_CACHE)
    if cache is not None:
        await cache.start()


async def stop_ingestion(services: Services) -> None:
    cache: SectionCache | None = services.extras.get(SECTION_CACHE)
    if cache is not None:
        await cache.aclose()
    pubsub: PubSub | None = services.extras.get(PUBSUB)
    if pubsub is not None:
        await pubsub.aclose()
