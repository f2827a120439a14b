"""What the room's code needs from the running application: the database, curricula, links."""

from __future__ import annotations

from typing import Any

from flask import current_app

from curriculum.model import Curriculum
from live.db import Database


def database() -> Database:
    """The application's database."""
    db: Database = current_app.extensions["bsc.db"]
    return db


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
