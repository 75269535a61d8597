"""Alembic environment: runs migrations on the engine zhizhi hands over."""

from __future__ import annotations

from alembic import context

from zhizhi.store.tables import Base

config = context.config
target_metadata = Base.metadata
engine = config.attributes["engine"]

with engine.begin() as connection:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    context.run_migrations()
