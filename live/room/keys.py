"""Personal links: a participant's way back to their team's workspace after the room.

Each participant has one personal link at a time (`/r/<token>`), shown on their phone and
printed as the QR code of the plan they download. Opening it on any device signs that device
in as them for months (a device key in its cookie), at the collaborative's public address.
A participant signs a device out; the faculty revoke a link, which signs out every device it
signed in. The database keeps only hashes: a link's token is derived from its nonce and the
server's secret key, so the phone can show the same link again.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from live.models import Participant, ParticipantKey, now
from live.room.sessions import hash_token


def _link_token(secret: str, nonce: str) -> str:
    digest = hmac.new(secret.encode(), f"link:{nonce}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def personal_link(db: Session, participant: Participant, secret: str) -> str:
    """The participant's personal link token (made the first time it is asked for).

    A link made on another server (a room imported from a laptop) was derived from that
    server's secret: it still opens (its hash is kept), but this server cannot show it again,
    so it shows a link of its own beside it."""
    links = db.scalars(
        select(ParticipantKey).where(
            ParticipantKey.participant_id == participant.id,
            ParticipantKey.kind == "link",
            ParticipantKey.revoked_at.is_(None),
        )
    )
    key = next((k for k in links if hash_token(_link_token(secret, k.nonce)) == k.token_hash), None)
    if key is None:
        nonce = secrets.token_hex(16)
        key = ParticipantKey(
            participant_id=participant.id,
            kind="link",
            nonce=nonce,
            token_hash=hash_token(_link_token(secret, nonce)),
        )
        db.add(key)
        db.flush()
    return _link_token(secret, key.nonce)


def open_link(db: Session, token: str) -> tuple[Participant, str] | None:
    """A device opens a personal link: the participant, and a new device token for its cookie;
    None if the link is unknown, revoked, or its participant removed."""
    if not token or len(token) > 100:
        return None
    link = db.scalar(
        select(ParticipantKey).where(
            ParticipantKey.token_hash == hash_token(token),
            ParticipantKey.kind == "link",
            ParticipantKey.revoked_at.is_(None),
        )
    )
    participant = db.get(Participant, link.participant_id) if link else None
    if link is None or participant is None or participant.removed:
        return None
    device = secrets.token_urlsafe(24)
    db.add(
        ParticipantKey(
            participant_id=participant.id, kind="device", token_hash=hash_token(device), link_id=link.id
        )
    )
    db.flush()
    return participant, device


def device_participant(db: Session, token: str) -> int | None:
    """The participant a device token signs in (not revoked, nor its link), or None."""
    return db.scalar(
        select(ParticipantKey.participant_id).where(
            ParticipantKey.token_hash == hash_token(token),
            ParticipantKey.kind == "device",
            ParticipantKey.revoked_at.is_(None),
        )
    )


def sign_out_device(db: Session, token: str) -> None:
    """This device no longer signs in (a participant's own join token is left alone)."""
    db.execute(
        update(ParticipantKey)
        .where(ParticipantKey.token_hash == hash_token(token), ParticipantKey.kind == "device")
        .values(revoked_at=now())
    )


def revoke_links(db: Session, participant_id: int) -> int:
    """The faculty revoke a participant's personal link: it and every device it signed in stop
    working (a new link is made the next time the phone shows one). The number revoked."""
    result = db.execute(
        update(ParticipantKey)
        .where(ParticipantKey.participant_id == participant_id, ParticipantKey.revoked_at.is_(None))
        .values(revoked_at=now())
    )
    return int(getattr(result, "rowcount", 0) or 0)
