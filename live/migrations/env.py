"""Alembic's environment: run migrations on the engine the application hands over."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from live.models import Base

config = context.config
target_metadata = Base.metadata


def run() -> None:
    given = config.attributes.get("connection")
    if given is not None:  # live/db.py's upgrade on PostgreSQL: the connection holding the lock
        migrate(given)
        return
    engine = config.attributes.get("engine")
    if engine is None:  # `alembic` run by hand: -x url=...
        from live.db import make_engine

        engine = make_engine(context.get_x_argument(as_dictionary=True)["url"])
    with engine.connect() as connection:
        migrate(connection)


def migrate(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


run()
