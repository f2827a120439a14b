"""Shared fixtures: the CLI runner, a tiny curriculum on disk, writers of bad modules, the room
in-process and as `bsc serve` with a browser."""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy
from click.testing import CliRunner

from live.db import Database, sqlite_url, upgrade

from .helpers import FIXTURES, POSTGRES, Server, launch_chromium, shots_folder


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def mini(tmp_path: Path) -> Path:
    """A copy of the small fixture curriculum, free to edit."""
    target = tmp_path / "mini"
    shutil.copytree(FIXTURES / "mini", target)
    return target


@pytest.fixture
def write_module(tmp_path: Path) -> Callable[[str, str], Path]:
    """Write a module file from its text; returns its path."""

    def write(text: str, name: str = "module.md") -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return write


# -- databases ---------------------------------------------------------------------------------
@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path: Any) -> Iterator[Database]:
    """A migrated, empty database: SQLite in a file, or a schema of its own in PostgreSQL."""
    if request.param == "sqlite":
        db = Database(sqlite_url(tmp_path))
        upgrade(db.engine)
        yield db
        db.engine.dispose()
        return
    schema = f"bsc_test_{uuid.uuid4().hex[:12]}"
    admin = sqlalchemy.create_engine(POSTGRES, connect_args={"connect_timeout": 3})
    try:
        with admin.begin() as connection:
            connection.execute(sqlalchemy.text(f'CREATE SCHEMA "{schema}"'))
    except sqlalchemy.exc.OperationalError as error:
        admin.dispose()
        pytest.skip(f"no PostgreSQL answers at {POSTGRES} ({str(error).splitlines()[0]})")
    db = Database(POSTGRES, schema=schema)
    try:
        upgrade(db.engine)
        yield db
    finally:
        db.engine.dispose()
        with admin.begin() as connection:
            connection.execute(sqlalchemy.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


# -- the live room ----------------------------------------------------------------------------
@pytest.fixture
def app(tmp_path: Path):
    """The application on a fresh SQLite database, with the fixture curriculum."""
    from facilitator.app import create_app
    from live.sockets import broadcast, limits

    # Rate limits and owed broadcasts are kept per process by id, and each fresh database
    # numbers its rows from 1 again: an earlier test's phone must not spend this one's
    # allowance, nor its unsent roster reach this one's team 1.
    limits.reset()
    broadcast.forget_owed()

    return create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "DATA_DIR": str(tmp_path / "data"),
            "CURRICULUM": str(FIXTURES / "mini"),
            "ASYNC_MODE": "threading",
            "FLUSH_IN_BACKGROUND": False,
            "PUBLIC_URL": "http://10.0.0.5:5000",
        }
    )


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def faculty_client(app):
    """A browser signed in as faculty."""
    from facilitator.auth import set_password
    from live.context import database

    with app.app_context(), database().transaction() as db:
        set_password(db, "lead@example.org", "correct horse battery", "Lead")
    web = app.test_client()
    page = web.get("/login")
    token = _csrf(page.get_data(as_text=True))
    reply = web.post(
        "/login",
        data={"email": "lead@example.org", "password": "correct horse battery", "csrf": token, "next": ""},
    )
    assert reply.status_code == 303, reply.get_data(as_text=True)
    return web


def _csrf(page: str) -> str:
    import re

    match = re.search(r'name="csrf" value="([^"]+)"', page)
    assert match, page
    return match.group(1)


@pytest.fixture
def csrf():
    return _csrf


@pytest.fixture
def room(app):
    """A learning session made from the fixture curriculum's LS1, with two teams."""
    from live.context import curricula, database
    from live.room.sessions import add_team, create_session

    with app.app_context(), database().transaction() as db:
        curriculum = curricula()["mini"]
        made = create_session(db, curriculum, curriculum.session("ls1"))
        add_team(db, made, "Riverside Clinic", "Riverside Health")
        add_team(db, made, "Hilltop Practice")
        return {"id": made.id, "code": made.join_code}


@pytest.fixture
def join_phone(app, room):
    """Join the room from a new phone (a test client with its own cookies)."""
    from live.context import database
    from live.models import Team

    def join(team: str, name: str, role: str = "Data lead"):
        with app.app_context(), database().transaction() as db:
            from sqlalchemy import select

            found = db.execute(select(Team.id, Team.code).where(Team.name == team)).first()
        team_id, code = found if found else (None, "")
        phone = app.test_client()
        page = phone.get(f"/j/{room['code']}")
        reply = phone.post(
            f"/j/{room['code']}",
            data={
                "team": str(team_id) if team_id else "new",
                "new_team": team if not team_id else "",
                "team_code": code,
                "name": name,
                "role": role,
                "csrf": _csrf(page.get_data(as_text=True)),
            },
        )
        assert reply.status_code == 303, reply.get_data(as_text=True)
        return phone

    return join


# -- the room in a real browser ----------------------------------------------------------------
@pytest.fixture
def running(tmp_path: Path) -> Iterator[Server]:
    """`bsc serve` on the mini curriculum, stopped after the test."""
    server = Server(tmp_path)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def server(running: Server) -> dict[str, str]:
    """The running server's base URL, faculty sign-in link and join link."""
    return running.info


@pytest.fixture
def browser() -> Iterator[Any]:
    """Debian's Chromium driven by Playwright (skipped where Playwright is missing)."""
    playwright = pytest.importorskip("playwright.sync_api")
    with playwright.sync_playwright() as p:
        chromium = launch_chromium(p)
        yield chromium
        chromium.close()


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    """The folder for screenshots: $BSC_SCREENSHOTS, else the test's temporary folder."""
    return shots_folder(tmp_path / "shots")
