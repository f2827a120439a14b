"""What the room's code needs from the running application: the database, curricula, links.

One database session per request or Socket.IO event (as flaskr's `get_db`): `db()` opens it
on first use and the application closes it when the request or event ends. Writes go through
`transaction()`, which commits that same session once, or rolls it back.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import current_app, g
from flask import session as cookie_session
from sqlalchemy import select
from sqlalchemy.orm import Session

from curriculum.model import Curriculum
from live.db import Database, committed
from live.models import FacultySession, now


def database() -> Database:
    """The application's database."""
    found: Database = current_app.extensions["bsc.db"]
    return found


def db() -> Session:
    """The database session of this request or event."""
    if "db" not in g:
        g.db = database().session()
    session: Session = g.db
    return session


@contextmanager
def transaction() -> Iterator[Session]:
    """This request's session, committed once at the end, or rolled back on any error."""
    with committed(db()) as session:
        yield session


def close_db(_error: BaseException | None = None) -> None:
    """End the request's or event's database session (registered on the application)."""
    session = g.pop("db", None)
    if session is not None:
        session.close()


def faculty_id() -> int | None:
    """The signed-in facilitator of this browser, if its sign-in still counts (not signed out,
    not expired): the cookie only carries a token, the server keeps the sign-in."""
    token = cookie_session.get("faculty")
    if not isinstance(token, str) or len(token) > 100:
        return None
    if "faculty_id" not in g:
        g.faculty_id = db().scalar(
            select(FacultySession.facilitator_id).where(
                FacultySession.token_hash == hashlib.sha256(token.encode()).hexdigest(),
                FacultySession.revoked_at.is_(None),
                FacultySession.expires_at > now(),
            )
        )
    found: int | None = g.faculty_id
    return found


def curricula() -> dict[str, Curriculum]:
    """The curricula this server offers, by id."""
    found: dict[str, Curriculum] = current_app.extensions["bsc.curricula"]
    return found


def public_url() -> str:
    """The address phones reach this server at (never localhost unless told so)."""
    return str(current_app.config["PUBLIC_URL"]).rstrip("/")


def join_url(code: str) -> str:
    """The link a QR code on the projector leads to."""
    return f"{public_url()}/j/{code}"


def config(key: str) -> Any:
    """A configuration value."""
    return current_app.config[key]
