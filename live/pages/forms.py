"""Form tokens: every form post carries the token of the browser session that showed the form."""

from __future__ import annotations

import secrets

from flask import abort, request, session


def csrf_token() -> str:
    """The form token of this browser session."""
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(24)
    return str(session["csrf"])


EXPIRED = "This form has expired. Go back, reload the page and send it again."


def csrf_ok() -> bool:
    """Whether a form post carries this browser session's token."""
    sent = request.form.get("csrf", "")
    return bool(sent) and secrets.compare_digest(sent.encode(), str(session.get("csrf", "")).encode())


def check_csrf() -> None:
    """Refuse a form post that does not carry this session's token."""
    if not csrf_ok():
        abort(400, EXPIRED)
