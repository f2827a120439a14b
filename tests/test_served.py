"""`bsc serve` itself, over real sockets: how fast a phone's writes are answered, and how a
room comes back after the server restarts with every phone reconnecting at once."""

from __future__ import annotations

import asyncio
import re
import statistics
import time
from typing import Any

import pytest

from .helpers import Server

pytestmark = pytest.mark.slow


async def join_over_http(base: str, code: str, team: str, names: list[str]) -> list[str]:
    """Join these people into one new team through the real form; their rejoin tokens."""
    import aiohttp

    tokens = []
    team_code = ""
    for n, name in enumerate(names):
        async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
            async with http.get(f"{base}/j/{code}") as reply:
                page = await reply.text()
            csrf = re.search(r'name="csrf" value="([^"]+)"', page)
            assert csrf, page
            form = {"name": name, "csrf": csrf.group(1)}
            if n == 0:
                form.update(team="new", new_team=team)
            else:
                team_id = re.search(rf'value="(\d+)"[^>]*>\s*<span>{re.escape(team)}<', page)
                assert team_id, page
                form.update(team=team_id.group(1), team_code=team_code)
            async with http.post(f"{base}/j/{code}", data=form, allow_redirects=False) as reply:
                assert reply.status == 303, await reply.text()
                tokens.append(reply.cookies[f"bsc_{code}"].value)
            if n == 0:
                async with http.get(f"{base}/room/{code}") as reply:
                    found = re.search(r'id="team-code">(\w+)<', await reply.text())
                assert found
                team_code = found.group(1)
    return tokens


async def phone(base: str, code: str, token: str, **options: Any) -> tuple[Any, asyncio.Queue[Any]]:
    """A phone's socket (python-socketio), and the states it receives."""
    import socketio

    client = socketio.AsyncClient(**options)
    states: asyncio.Queue[Any] = asyncio.Queue()
    client.on("state", states.put_nowait)
    await client.connect(
        base,
        transports=["websocket"],
        auth={"kind": "participant", "code": code, "token": token},
        wait_timeout=10,
    )
    return client, states


def test_replies_that_follow_a_message_are_not_held_back(running: Server) -> None:
    """A save is answered with the team's update and then the ack, `request_state` with the
    state and then the ack: with Nagle's algorithm on, each second write waited for the
    phone's delayed TCP acknowledgement (40 ms), and the phone's outbox paid it on every save."""
    info = running.info
    code = info["join"].rsplit("/", 1)[1]

    async def scenario() -> tuple[list[float], list[float], list[float]]:
        ana_token, ben_token = await join_over_http(info["base"], code, "Riverside Clinic", ["Ana", "Ben"])
        client, states = await phone(info["base"], code, ana_token)
        teammate, _ = await phone(info["base"], code, ben_token)
        state = await asyncio.wait_for(states.get(), 10)
        version = 0
        saves, resyncs, pings = [], [], []
        for n in range(15):  # three events every 0.25 s: within the rate limit
            begun = time.perf_counter()
            reply = await client.call(
                "edit_field",
                {
                    "client_id": f"save-{n:04d}",
                    "item_id": None,
                    "name": "aim_what",
                    "value": f"Aim draft {n}",
                    "base_version": version,
                },
                timeout=10,
            )
            saves.append(time.perf_counter() - begun)
            assert reply["ok"], reply
            version = reply["version"]
            begun = time.perf_counter()
            await client.call("request_state", {}, timeout=10)
            resyncs.append(time.perf_counter() - begun)
            begun = time.perf_counter()
            await client.call("no_such_event", {}, timeout=10)  # answered with one small write
            pings.append(time.perf_counter() - begun)
            await asyncio.sleep(0.25)
        assert state["me"]["name"] == "Ana"
        await client.disconnect()
        await teammate.disconnect()
        return saves, resyncs, pings

    saves, resyncs, pings = asyncio.run(scenario())
    save, resync, ping = (statistics.median(x) for x in (saves, resyncs, pings))
    bound = max(2 * ping, 0.02)
    trip = f"a bare round trip {ping * 1000:.0f} ms"
    assert save < bound, f"a save's ack took {save * 1000:.0f} ms (p50), {trip}"
    assert resync < bound, f"the state's ack took {resync * 1000:.0f} ms (p50), {trip}"


def test_after_a_restart_every_phone_has_the_room_again_whatever_its_timeout(running: Server) -> None:
    """Every phone reconnects at once when the server comes back, and python-socketio's clients
    give up on a handshake after a second and try again: they must all get their state (the
    handshake is answered at once, the states follow in rounds). bench/room_load.py measures
    the same storm with 2,000 phones."""
    info = running.info
    code = info["join"].rsplit("/", 1)[1]
    teams, size = 15, 10

    async def scenario() -> tuple[float, int]:
        joined = await asyncio.gather(
            *(
                join_over_http(info["base"], code, f"Team {t:02d}", [f"P{t}-{n}" for n in range(size)])
                for t in range(teams)
            )
        )
        tokens = [token for team in joined for token in team]
        phones = []
        for token in tokens:
            client, states = await phone(
                info["base"], code, token, reconnection_delay=0.5, reconnection_delay_max=2
            )
            await asyncio.wait_for(states.get(), 10)
            phones.append((client, states))
        await asyncio.to_thread(running.stop)
        await asyncio.sleep(1)
        await asyncio.to_thread(running.start)
        listening = time.perf_counter()

        async def resynced(states: asyncio.Queue[Any]) -> float:
            state = await asyncio.wait_for(states.get(), 30)
            assert state["me"]["team"]["name"].startswith("Team ")
            return time.perf_counter() - listening

        times = await asyncio.gather(*(resynced(states) for _, states in phones), return_exceptions=True)
        done = [t for t in times if isinstance(t, float)]
        for client, _ in phones:
            await client.disconnect()
        return max(done, default=float("inf")), len(done)

    slowest, resynced_count = asyncio.run(scenario())
    assert resynced_count == teams * size, f"only {resynced_count} of {teams * size} phones got the room back"
    assert slowest < 10, f"the last phone had the room again {slowest:.1f} s after the restart"
