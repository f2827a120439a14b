"""A second client of the room, in Node with socket.io-client from npm, written from
docs/protocol.md alone: joining, a vote, a workspace edit, a dot, and the facilitator's
open, reveal and timer, against `bsc serve`."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from .helpers import Server

pytestmark = pytest.mark.slow

NODE = Path(__file__).parent / "node"


def test_a_client_written_from_the_protocol_document_runs_the_room(running: Server) -> None:
    node = shutil.which("node")
    assert node, "Node.js runs this test (tools/setup test installs it)"
    assert (NODE / "node_modules" / "socket.io-client").is_dir(), "tools/setup test installs socket.io-client"
    info = running.info
    done = subprocess.run(
        [node, str(NODE / "protocol_client.mjs"), info["base"], info["login"], info["join"]],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr + done.stdout
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["vote"]["value"] == 1
    assert seen["edit"]["value"] == "Screen every child"
    assert list(seen["dots"].values()) == [1]
    assert seen["results"]["count"] == 1
