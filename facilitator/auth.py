"""Faculty sign-in: passwords (stored hashed) and one-time links printed by `bsc serve`."""

from __future__ import annotations

import functools
import secrets
from collections.abc import Callable
from datetime import timedelta
from typing import Any, TypeVar

from flask import redirect, request, session, url_for
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from live.context import faculty_id
from live.models import Facilitator, FacultySession, LoginLink, now
from live.pages.forms import check_csrf, csrf_token
from live.room.sessions import hash_token

__all__ = ["check_csrf", "csrf_token"]  # re-exported for the console

F = TypeVar("F", bound=Callable[..., Any])
LINK_HOURS = 12
SIGN_IN_HOURS = 14  # a long learning-session day; then sign in again
MIN_PASSWORD = 10


class AuthError(ValueError):
    """A faculty account could not be made or changed; the message says why."""


def set_password(db: Session, email: str, password: str, name: str = "") -> Facilitator:
    """Create a faculty account, or change its password."""
    email = email.strip().lower()
    if "@" not in email or len(email) > 254:
        raise AuthError(f"'{email}' is not an email address")
    if len(password) < MIN_PASSWORD:
        raise AuthError(f"the password needs at least {MIN_PASSWORD} characters")
    facilitator = db.scalar(select(Facilitator).where(Facilitator.email == email))
    if facilitator is None:
        facilitator = Facilitator(email=email, name=name or email.split("@")[0])
        db.add(facilitator)
    facilitator.password_hash = generate_password_hash(password)
    db.flush()
    return facilitator


def ensure_facilitator(db: Session, email: str = "faculty@localhost") -> Facilitator:
    """The first faculty account, made (without a password) when there is none."""
    first = db.scalar(select(Facilitator).order_by(Facilitator.id))
    if first is None:
        first = Facilitator(email=email, name="Faculty")
        db.add(first)
        db.flush()
    return first


def check_password(db: Session, email: str, password: str) -> Facilitator | None:
    """The facilitator these credentials belong to, or None."""
    facilitator = db.scalar(select(Facilitator).where(Facilitator.email == email.strip().lower()))
    if facilitator is None or not facilitator.password_hash:
        check_password_hash(generate_password_hash("x"), password)  # same time either way
        return None
    return facilitator if check_password_hash(facilitator.password_hash, password) else None


def create_login_link(db: Session, facilitator: Facilitator) -> str:
    """A secret for a one-time sign-in link; only its hash is stored."""
    token = secrets.token_urlsafe(24)
    db.add(
        LoginLink(
            facilitator_id=facilitator.id,
            token_hash=hash_token(token),
            expires_at=now() + timedelta(hours=LINK_HOURS),
        )
    )
    db.flush()
    return token


def use_login_link(db: Session, token: str) -> Facilitator | None:
    """The facilitator of an unused, unexpired link (which is then used up), or None."""
    link = db.scalar(select(LoginLink).where(LoginLink.token_hash == hash_token(token)))
    if link is None or link.used_at is not None:
        return None
    expires = link.expires_at if link.expires_at.tzinfo else link.expires_at.replace(tzinfo=now().tzinfo)
    if expires < now():
        return None
    link.used_at = now()
    db.flush()
    return db.get(Facilitator, link.facilitator_id)


def sign_in(db: Session, facilitator: Facilitator) -> None:
    """Sign this browser in: a sign-in kept on the server (a long day), its token in the cookie."""
    token = secrets.token_urlsafe(32)
    db.add(
        FacultySession(
            facilitator_id=facilitator.id,
            token_hash=hash_token(token),
            expires_at=now() + timedelta(hours=SIGN_IN_HOURS),
        )
    )
    db.flush()
    session.clear()
    session["faculty"] = token
    session["facilitator_name"] = facilitator.name
    session.permanent = True


def sign_out(db: Session) -> None:
    """End this browser's sign-in on the server too: a copied cookie no longer opens the console."""
    token = session.get("faculty")
    if isinstance(token, str):
        signed = db.scalar(select(FacultySession).where(FacultySession.token_hash == hash_token(token)))
        if signed is not None and signed.revoked_at is None:
            signed.revoked_at = now()
            db.flush()
    session.clear()


def faculty_only(view: F) -> F:
    """A view only a signed-in facilitator may see; others go to the sign-in page."""

    @functools.wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if faculty_id() is None:
            return redirect(url_for("console.login", next=request.path))
        return view(*args, **kwargs)

    return wrapped  # type: ignore[return-value]
