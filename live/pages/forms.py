"""Form tokens: every form post carries the token of the browser session that showed the form."""

from __future__ import annotations

import secrets

from flask import abort, request, session


def csrf_token() -> str:
    """The form token of this browser session."""
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(24)
    return str(session["csrf"])


def check_csrf() -> None:
    """Refuse a form post that does not carry this session's token."""
    sent = request.form.get("csrf", "")
    if not sent or not secrets.compare_digest(sent, str(session.get("csrf", ""))):
        abort(400, "This form has expired. Go back, reload the page and send it again.")
