"""Long renders (PDFs, zips) run off the gevent loop, so the room keeps moving meanwhile."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


def off_loop(work: Callable[..., T], *args: Any) -> T:
    """Run `work` in gevent's thread pool when serving under gevent; else just run it."""
    try:
        from gevent import monkey
    except ImportError:  # pragma: no cover - gevent is a dependency
        return work(*args)
    if not monkey.is_module_patched("socket"):
        return work(*args)
    import gevent

    result: T = gevent.get_hub().threadpool.apply(work, args)
    return result
