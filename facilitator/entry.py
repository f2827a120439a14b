"""The `bsc` console script. `bsc serve` needs gevent's monkey patching before any other import."""

from __future__ import annotations

import sys


def main() -> None:
    """Patch the standard library for gevent when serving, then run the command line."""
    if len(sys.argv) > 1 and sys.argv[1] == "serve":
        from gevent import monkey

        monkey.patch_all()
    from facilitator.cli import main as run

    run()
