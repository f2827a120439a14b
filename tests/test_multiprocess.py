"""Two `bsc serve` processes on one PostgreSQL database, joined by the Redis message queue."""

from __future__ import annotations

import asyncio
import re
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy

from .helpers import FIXTURES, POSTGRES, free_port, serve_command

pytestmark = pytest.mark.slow
REDIS = ("127.0.0.1", 6379)


async def faculty_cookie(login: str) -> str:
    """Sign in with the one-time link; the cookie header a console sends."""
    import aiohttp

    jar = aiohttp.CookieJar(unsafe=True)
    async with aiohttp.ClientSession(cookie_jar=jar) as http, http.get(login) as reply:
        assert reply.status == 200
    return "; ".join(f"{c.key}={c.value}" for c in jar)


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


def serve(
    tmp: Path, name: str, schema: str, channel: str, pool: int = 10
) -> tuple[subprocess.Popen[bytes], dict[str, str]]:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = tmp / f"{name}.log"
    env = {
        "PATH": "/usr/bin:/bin",
        "DATABASE_URL": f"{POSTGRES}?options=-csearch_path%3D{schema}",
        "REDIS_URL": f"redis://{REDIS[0]}:{REDIS[1]}/0",
        "BSC_SOCKETIO_CHANNEL": channel,
        "BSC_SECRET_KEY": "shared-by-every-process",
        "BSC_DB_POOL_SIZE": str(pool),
        "BSC_DB_POOL_OVERFLOW": "0",
    }
    with log.open("w") as out:  # the child keeps its own copy of the descriptor
        process = subprocess.Popen(
            serve_command(port, FIXTURES / "mini", tmp / name),
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
    cookie = await faculty_cookie(b["login"])
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
        headers={"Cookie": cookie},
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


async def storm(a: dict[str, str], b: dict[str, str], phones: int) -> dict[str, Any]:
    """`phones` join at once, half on each process, then all vote at once."""
    import aiohttp
    import socketio

    code = a["code"]
    cookie = await faculty_cookie(b["login"])
    console = socketio.AsyncClient(reconnection=False)
    states: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    counts: list[int] = []
    console.on("state", states.put_nowait)
    console.on("poll_results", lambda m: counts.append(m["results"]["count"]))
    await console.connect(
        b["base"],
        transports=["websocket"],
        auth={"kind": "console", "code": code},
        headers={"Cookie": cookie},
        wait_timeout=20,
    )
    state = await asyncio.wait_for(states.get(), 10)
    poll = next(x["id"] for x in state["activities"] if x["kind"] == "poll")
    for n in range(4):
        assert (await console.call("add_team", {"name": f"Team {n}"}, timeout=10))["ok"]
    assert (await console.call("request_state", {}, timeout=10))["ok"]
    await asyncio.sleep(0.5)
    fresh = await asyncio.wait_for(states.get(), 10)
    while not states.empty():  # the newest state: every team added
        fresh = states.get_nowait()
    teams = {t["name"]: (t["id"], t["code"]) for t in fresh["presence"]["teams"]}

    statuses: list[int] = []

    async def join(n: int) -> str:
        base = (a, b)[n % 2]["base"]
        team_id, team_code = teams[f"Team {n % 4}"]
        async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
            async with http.get(f"{base}/j/{code}") as reply:
                csrf = re.search(r'name="csrf" value="([^"]+)"', await reply.text())
            assert csrf
            form = {
                "team": str(team_id),
                "team_code": team_code,
                "name": f"Person {n}",
                "csrf": csrf.group(1),
            }
            async with http.post(f"{base}/j/{code}", data=form, allow_redirects=False) as reply:
                statuses.append(reply.status)
                return reply.cookies[f"bsc_{code}"].value if reply.status == 303 else ""

    tokens = await asyncio.gather(*(join(n) for n in range(phones)))
    clients = []
    for n, token in enumerate(tokens):
        client = socketio.AsyncClient(reconnection=False)
        await client.connect(
            (a, b)[n % 2]["base"],
            transports=["websocket"],
            auth={"kind": "participant", "code": code, "token": token},
            wait_timeout=20,
        )
        clients.append(client)
    assert (await console.call("open_activity", {"activity_id": poll}, timeout=10))["ok"]
    await asyncio.sleep(0.5)
    replies = await asyncio.gather(
        *(
            c.call(
                "cast_vote", {"client_id": f"storm-{n:04d}", "activity_id": poll, "value": n % 3}, timeout=30
            )
            for n, c in enumerate(clients)
        )
    )
    for _ in range(100):
        if counts and counts[-1] == phones:
            break
        await asyncio.sleep(0.1)
    for client in clients:
        await client.disconnect()
    await console.disconnect()
    return {"statuses": statuses, "replies": replies, "counted": counts[-1] if counts else 0}


def test_two_processes_with_small_pools_take_a_join_storm_and_a_burst_without_an_error(
    schema: str, tmp_path: Path
) -> None:
    """Each process may hold only 2 PostgreSQL connections: 80 phones joining at once and then
    voting at once wait for a connection; none is refused, none gets a 500."""
    channel = f"bsc-test-{uuid.uuid4().hex[:8]}"
    first, a = serve(tmp_path, "a", schema, channel, pool=2)
    try:
        second, b = serve(tmp_path, "b", schema, channel, pool=2)
        try:
            got = asyncio.run(storm(a, b, 80))
        finally:
            second.terminate()
            second.wait(timeout=10)
    finally:
        first.terminate()
        first.wait(timeout=10)
    assert got["statuses"] == [303] * 80, "every join went through"
    assert [r["ok"] for r in got["replies"]] == [True] * 80, [r for r in got["replies"] if not r["ok"]][:3]
    assert got["counted"] == 80, "the console on one process counted every vote of both"
