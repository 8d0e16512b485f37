"""Wires the read model into the services (`services.extras["readmodel"]`) and the app's lifespan."""

from __future__ import annotations

from hub.auth.directory import UserDirectory
from hub.pubsub import PubSub
from hub.readmodel.changes import install_sink
from hub.readmodel.model import ReadModel, ReadModelBounds
from hub.services import Services

READMODEL = "readmodel"  # services.extras key


def install_readmodel(services: Services) -> ReadModel | None:
    """Build the read model once (idempotent); None when `HUB_READMODEL_ENABLED` is off."""
    existing: ReadModel | None = services.extras.get(READMODEL)
    if existing is not None or not services.settings.readmodel_enabled:
        return existing
    settings = services.settings
    model = ReadModel(
        services.engine,
        services.sessions,
        services.vault,
        ReadModelBounds(
            max_users=settings.readmodel_max_users,
            max_families=settings.readmodel_max_families,
            max_persons=settings.readmodel_max_persons,
        ),
    )
    install_sink(services.sessions, model)
    services.extras[READMODEL] = model
    users = getattr(services.extras.get("authenticate"), "users", None)
    if isinstance(users, UserDirectory) and users.readmodel is None:
        users.readmodel = model  # the directory then keeps users until they change, not for a TTL
    return model


def readmodel_of(services: Services) -> ReadModel | None:
    found: ReadModel | None = services.extras.get(READMODEL)
    return found


async def start_readmodel(services: Services, pubsub: PubSub) -> None:
    model = readmodel_of(services)
    if model is not None:
        await model.start(pubsub)


async def stop_readmodel(services: Services) -> None:
    model = readmodel_of(services)
    if model is not None:
        await model.aclose()
