"""Form tokens: every form post carries the token of the browser session that showed the form.

The token is written into each page masked with fresh random bytes (as Django and Rails do):
pages are gzipped, and a secret that reads the same in every page would leak, a byte at a
time, to someone who can make the browser send guesses and watch the compressed size (BREACH).
"""

from __future__ import annotations

import base64
import binascii
import secrets

from flask import abort, request, session


def _secret() -> bytes:
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(24)
    return str(session["csrf"]).encode()


def csrf_token() -> str:
    """The form token of this browser session, masked afresh for this page."""
    secret = _secret()
    mask = secrets.token_bytes(len(secret))
    return base64.urlsafe_b64encode(mask + bytes(a ^ b for a, b in zip(mask, secret, strict=True))).decode()


def _unmasked(sent: str) -> bytes:
    try:
        raw = base64.urlsafe_b64decode(sent.encode("ascii"))
    except (binascii.Error, UnicodeEncodeError, ValueError):
        return b""
    half = len(raw) // 2
    if not half or len(raw) != 2 * half:
        return b""
    return bytes(a ^ b for a, b in zip(raw[:half], raw[half:], strict=True))


EXPIRED = "This form has expired. Go back, reload the page and send it again."


def csrf_ok() -> bool:
    """Whether a form post carries this browser session's token."""
    sent = request.form.get("csrf", "")
    known = session.get("csrf")
    if not sent or len(sent) > 200 or not isinstance(known, str):
        return False
    return secrets.compare_digest(_unmasked(sent), known.encode())


def check_csrf() -> None:
    """Refuse a form post that does not carry this session's token."""
    if not csrf_ok():
        abort(400, EXPIRED)
