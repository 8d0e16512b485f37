"""Alembic environment. Run through `hub.persistence.migrate`, which hands us an open connection."""

from __future__ import annotations

from alembic import context

from hub.persistence.all_models import metadata

config = context.config
connection = config.attributes.get("connection")
if connection is None:  # pragma: no cover - always run through hub.persistence.migrate
    raise RuntimeError("run migrations with `hub migrate`")

context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
