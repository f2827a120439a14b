"""The database: engine set-up (SQLite in WAL mode by default), sessions, and migrations."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.orm import Session as DbSession
from sqlalchemy.orm import sessionmaker

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def sqlite_url(data_dir: Path) -> str:
    """The default database: one SQLite file in the data folder, readable by its owner only
    (it holds participants' names and teams' work)."""
    path = (data_dir / "bsc.sqlite3").resolve()
    if not path.exists():
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    return f"sqlite:///{path}"


@dataclass(frozen=True)
class Pool:
    """How many connections one server process may hold, and how long work waits for one.

    Under gevent, thousands of greenlets share them: a greenlet that finds them all taken
    waits (up to `timeout` seconds, then the write is answered `busy` and the phone sends it
    again) instead of opening another. With PostgreSQL, every process's `size + overflow`
    together must stay under the server's `max_connections` (100 by default, 3 of them kept
    for superusers): docs/running-a-room.md shows the sum.
    """

    size: int = 10
    overflow: int = 5
    timeout: float = 30.0


def make_engine(url: str, schema: str | None = None, pool: Pool = Pool()) -> Engine:
    """An engine for `url`; SQLite gets WAL, foreign keys and a busy timeout.

    `schema` puts every table in one PostgreSQL schema (the tests use one per test).
    """
    if url.startswith("sqlite"):
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": 15}, pool_size=20, max_overflow=20
        )

        @event.listens_for(engine, "connect")
        def _pragmas(connection: Any, _record: Any) -> None:
            cursor = connection.cursor()
            # WAL lets the projector read while phones write; NORMAL sync is safe in WAL
            # (a power cut may lose the last commits, never corrupt the file).
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

        return engine
    connect_args = {"options": f"-csearch_path={schema}"} if schema else {}
    return create_engine(
        url,
        pool_size=pool.size,
        max_overflow=pool.overflow,
        pool_timeout=pool.timeout,
        pool_pre_ping=True,
        connect_args=connect_args,
    )


def alembic_config(engine: Engine) -> Config:
    """Alembic's configuration for our migrations, bound to `engine`."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine) -> None:
    """Bring the database schema to the newest migration (creating it on first run).

    On PostgreSQL several server processes may start at once: an advisory lock lets one
    migrate while the others wait. The migrations run on the connection that holds the lock
    (a pool may have only one).
    """
    if engine.dialect.name != "postgresql":
        command.upgrade(alembic_config(engine), "head")
        return
    with engine.connect() as connection:
        connection.execute(text("SELECT pg_advisory_lock(424242)"))
        connection.commit()
        try:
            config = alembic_config(engine)
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
            connection.commit()
        finally:
            connection.rollback()
            connection.execute(text("SELECT pg_advisory_unlock(424242)"))
            connection.commit()


class Database:
    """The engine and a factory of sessions; `with db.transaction() as s:` commits once."""

    def __init__(self, url: str, schema: str | None = None, pool: Pool = Pool()) -> None:
        self.url = url
        self.engine = make_engine(url, schema, pool)
        self.factory = sessionmaker(self.engine, expire_on_commit=False)

    def session(self) -> DbSession:
        """A new session; the caller commits or rolls back."""
        return self.factory()

    @contextmanager
    def transaction(self) -> Iterator[DbSession]:
        """A new session that commits once at the end, or rolls back on any error."""
        with self.factory() as session, committed(session):
            yield session


@contextmanager
def committed(session: DbSession) -> Iterator[DbSession]:
    """Commit `session` once at the end of the block, or roll it back on any error."""
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
