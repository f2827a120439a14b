"""Rate limits: no phone may flood the room.

Each connection and each participant (all their connections together) has a token bucket:
a burst is fine, a steady stream past the rate is refused with `slow_down` until it eases.
The buckets live in this process (several processes each keep their own).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from live.protocol import Refused

PER_CONNECTION = (10.0, 30.0)  # events a second, and the burst allowed
PER_PARTICIPANT = (15.0, 45.0)
SLOW_DOWN = Refused("that was a lot at once: wait a moment, then try again", "slow_down")


@dataclass
class Bucket:
    """Tokens refill at `rate` a second up to `burst`; an event takes one."""

    rate: float
    burst: float
    tokens: float = 0.0
    at: float = field(default_factory=time.monotonic)

    def __post_init__(self) -> None:
        self.tokens = self.burst

    def take(self) -> bool:
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.at) * self.rate)
        self.at = now
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True


_buckets: dict[str, Bucket] = {}


def allow(sid: str, participant_id: int | None) -> None:
    """Count one event of this connection (and participant), or refuse it with `slow_down`."""
    keys = [(f"c{sid}", PER_CONNECTION)]
    if participant_id is not None:
        keys.append((f"p{participant_id}", PER_PARTICIPANT))
    for key, (rate, burst) in keys:
        bucket = _buckets.get(key)
        if bucket is None:
            bucket = _buckets[key] = Bucket(rate, burst)
        if not bucket.take():
            raise SLOW_DOWN


def reset() -> None:
    """Forget every bucket (a test's fresh database numbers its participants from 1 again)."""
    _buckets.clear()


def forget(sid: str) -> None:
    """A connection closed: its bucket goes (a participant's stays while they may come back)."""
    _buckets.pop(f"c{sid}", None)
