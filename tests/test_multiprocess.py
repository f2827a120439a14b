"""Two `bsc serve` processes on one PostgreSQL database, joined by the Redis message queue."""

from __future__ import annotations

import asyncio
import re
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy

from .helpers import FIXTURES, POSTGRES

pytestmark = pytest.mark.slow
REDIS = ("127.0.0.1", 6379)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def schema() -> Iterator[str]:
    try:
        with socket.create_connection(REDIS, timeout=2):
            pass
    except OSError as error:
        pytest.skip(f"no Redis answers at {REDIS[0]}:{REDIS[1]} ({error})")
    name = f"bsc_mp_{uuid.uuid4().hex[:10]}"
    admin = sqlalchemy.create_engine(POSTGRES, connect_args={"connect_timeout": 3})
    try:
        with admin.begin() as connection:
            connection.execute(sqlalchemy.text(f'CREATE SCHEMA "{name}"'))
    except sqlalchemy.exc.OperationalError as error:
        pytest.skip(f"no PostgreSQL answers at {POSTGRES} ({str(error).splitlines()[0]})")
    yield name
    with admin.begin() as connection:
        connection.execute(sqlalchemy.text(f'DROP SCHEMA "{name}" CASCADE'))
    admin.dispose()


def serve(tmp: Path, name: str, schema: str, channel: str) -> tuple[subprocess.Popen[bytes], dict[str, str]]:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = tmp / f"{name}.log"
    env = {
        "PATH": "/usr/bin:/bin",
        "DATABASE_URL": f"{POSTGRES}?options=-csearch_path%3D{schema}",
        "REDIS_URL": f"redis://{REDIS[0]}:{REDIS[1]}/0",
        "BSC_SOCKETIO_CHANNEL": channel,
        "BSC_SECRET_KEY": "shared-by-every-process",
    }
    with log.open("w") as out:  # the child keeps its own copy of the descriptor
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "facilitator",
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--public-url",
                base,
                "--curriculum",
                str(FIXTURES / "mini"),
                "--data-dir",
                str(tmp / name),
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=env,
        )
    deadline = time.monotonic() + 40
    while time.monotonic() < deadline:
        text = log.read_text()
        if "Listening on" in text:
            login = re.search(r"sign-in link\): (\S+)", text)
            code = re.search(r"\(code (\w+)\)", text)
            assert login, text
            assert code, text
            return process, {"base": base, "login": login.group(1), "code": code.group(1)}
        if process.poll() is not None:
            pytest.fail(f"{name} exited:\n{text}")
        time.sleep(0.2)
    process.kill()
    pytest.fail(f"{name} did not start:\n{log.read_text()}")


async def scenario(a: dict[str, str], b: dict[str, str]) -> dict[str, Any]:
    import aiohttp
    import socketio

    assert a["code"] == b["code"], "both processes serve the same session"
    code = a["code"]
    # The facilitator signs in on process B; a phone joins on process A.
    jar = aiohttp.CookieJar(unsafe=True)
    async with aiohttp.ClientSession(cookie_jar=jar) as http:
        async with http.get(b["login"]) as reply:
            assert reply.status == 200
        faculty_cookie = "; ".join(f"{c.key}={c.value}" for c in jar)
    phone_jar = aiohttp.CookieJar(unsafe=True)
    async with aiohttp.ClientSession(cookie_jar=phone_jar) as http:
        async with http.get(f"{a['base']}/j/{code}") as reply:
            csrf = re.search(r'name="csrf" value="([^"]+)"', await reply.text())
        assert csrf
        form = {"team": "new", "new_team": "Riverside Clinic", "name": "Ana", "csrf": csrf.group(1)}
        async with http.post(f"{a['base']}/j/{code}", data=form, allow_redirects=False) as reply:
            assert reply.status == 303
            token = reply.cookies[f"bsc_{code}"].value

    got: dict[str, Any] = {"room": [], "results": []}
    console = socketio.AsyncClient(reconnection=False)
    phone = socketio.AsyncClient(reconnection=False)
    states: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    console.on("state", states.put_nowait)
    console.on("poll_results", lambda m: got["results"].append(m))
    phone.on("room", lambda m: got["room"].append(m))
    await console.connect(
        b["base"],
        transports=["websocket"],
        auth={"kind": "console", "code": code},
        headers={"Cookie": faculty_cookie},
        wait_timeout=20,
    )
    await phone.connect(
        a["base"],
        transports=["websocket"],
        auth={"kind": "participant", "code": code, "token": token},
        wait_timeout=20,
    )
    state = await asyncio.wait_for(states.get(), 10)
    poll = next(x["id"] for x in state["activities"] if x["kind"] == "poll")
    assert (await console.call("open_activity", {"activity_id": poll}, timeout=10))["ok"]
    for _ in range(100):
        if any((m.get("activity") or {}).get("state") == "open" for m in got["room"]):
            break
        await asyncio.sleep(0.05)
    reply = await phone.call(
        "cast_vote", {"client_id": "multi-proc-01", "activity_id": poll, "value": 2}, timeout=10
    )
    for _ in range(100):
        if any(m["results"]["count"] == 1 for m in got["results"]):
            break
        await asyncio.sleep(0.05)
    await phone.disconnect()
    await console.disconnect()
    return {"vote": reply, **got}


def test_a_phone_on_one_process_and_the_console_on_another_see_each_other(
    schema: str, tmp_path: Path
) -> None:
    channel = f"bsc-test-{uuid.uuid4().hex[:8]}"
    first, a = serve(tmp_path, "a", schema, channel)
    try:
        second, b = serve(tmp_path, "b", schema, channel)
        try:
            got = asyncio.run(scenario(a, b))
        finally:
            second.terminate()
            second.wait(timeout=10)
    finally:
        first.terminate()
        first.wait(timeout=10)
    assert got["vote"]["ok"] is True
    assert any((m.get("activity") or {}).get("state") == "open" for m in got["room"]), (
        "the console's action on process B reached the phone on process A"
    )
    assert any(m["results"]["count"] == 1 for m in got["results"]), (
        "the phone's vote on process A reached the console on process B"
    )
