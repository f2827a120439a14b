"""Load the room with N phones on 127.0.0.1 and print what they would feel.

    .venv/bin/python bench/room_load.py --participants 2000

It starts `bsc serve` (gevent, one process, SQLite in a temporary folder), with --postgres
also two `bsc serve` processes on PostgreSQL joined by Redis (phones alternate between them),
and, in the same run, a bare Flask-SocketIO server (bench/bare_server.py) that only counts
votes and relays broadcasts; with --beside-plans, both once more while the faculty's plans job
renders a session of full teams on the same cores (the bare server's ratio is then taken
beside the same job); then drives each through the same phases with python-socketio's
AsyncClient:

  join      N participants join over HTTP (the real form: the page, then the post; 200 at a
            time) into N/10 teams, then connect
  fan-out   the facilitator opens a poll: time until every phone has it
  burst     every phone votes at once: acknowledgement p50/p95; time until the projector
            shows all N votes; 10% of phones resend their vote with the same client id
  steady    votes change at a steady rate: acknowledgement p50/p95
  reveal    the facilitator reveals results: fan-out p95 to every phone
  audit     votes lost or double-counted, from the facilitator's own results
  restart   the server is stopped and started again: every phone reconnects by itself
            (python-socketio's defaults: 1 s doubling to 5 s between tries, 1 s for the
            handshake) and the time until each has its whole state again is taken

Targets (2 cores shared with this generator): fan-out p95 <= 250 ms and <= 1.5x the bare
server; the burst acknowledged and on the projector within 2 s; nothing lost or counted twice
(issue 3, issue 9); 2,000 joins within 10 s; every phone's state back within 5 s of a restart.
Traffic goes to 127.0.0.1 only, and every phase is bounded in time.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import aiohttp
import socketio

from tests.helpers import serve_command

ROOT = Path(__file__).resolve().parent.parent
CURRICULUM = ROOT / "tests" / "fixtures" / "mini"
PHASE_TIMEOUT = 120.0


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def ms(value: float) -> str:
    return f"{value * 1000:.0f} ms"


@dataclass
class Phone:
    client: socketio.AsyncClient
    index: int
    team: int
    opened_at: float | None = None
    revealed_at: float | None = None
    state_at: float | None = None
    edits_seen: dict[str, float] = field(default_factory=dict)


@dataclass
class Run:
    """One server's figures."""

    name: str
    figures: dict[str, Any] = field(default_factory=dict)


class Target:
    """How the bench talks to one kind of server (ours, or the bare one), on one or several
    processes (phone i talks to process i mod n; the faculty to the last)."""

    poll_id = 1

    def __init__(self, bases: list[str]) -> None:
        self.bases = bases
        self.base = bases[-1]
        self.restart: Callable[[], Awaitable[None]] | None = None  # stop and start the server
        self.plans_session = 0  # a session of full teams whose plans are rendered during the run
        self.job: dict[str, float] = {}  # when the plans job started and ended
        self.follower: asyncio.Task[None] | None = None

    async def start_plans_job(self) -> None:
        raise NotImplementedError

    def follow_job(self, state: Callable[[], Awaitable[dict[str, Any]]]) -> None:
        """Poll the plans job's state in the background until it ends."""

        async def follow() -> None:
            while True:
                got = await state()
                if got["state"] in ("finished", "failed"):
                    self.job["ended"] = time.perf_counter()
                    self.job["failed"] = float(got["state"] == "failed")
                    self.job["teams"] = float(got.get("total", 0))
                    return
                await asyncio.sleep(0.5)

        self.follower = asyncio.create_task(follow())

    def base_for(self, index: int) -> str:
        return self.bases[index % len(self.bases)]

    async def prepare(self, participants: int, teams: int) -> None:
        raise NotImplementedError

    async def phone_auth(self, index: int, team: int) -> tuple[dict[str, Any], dict[str, str]]:
        raise NotImplementedError

    async def staff(self, kind: str) -> socketio.AsyncClient:
        raise NotImplementedError


class Ours(Target):
    """`bsc serve`: real joins, rejoin tokens, the faculty console."""

    def __init__(self, bases: list[str], login: str, code: str, join_at_once: int = 200) -> None:
        super().__init__(bases)
        self.login, self.code = login, code
        self.join_at_once = join_at_once
        self.faculty_cookie = ""
        self.tokens: list[str] = []
        self.poll_id = 0
        self.join_seconds = 0.0  # the phones' joins alone, without the faculty's set-up

    async def start_plans_job(self) -> None:
        """The faculty press All teams' plans (zip) for the other session; its progress is
        followed in the background until it ends."""
        headers = {"Cookie": self.faculty_cookie}
        async with aiohttp.ClientSession(headers=headers) as http:
            async with http.get(f"{self.base}/console/{self.plans_session}") as reply:
                csrf = re.search(r'name="csrf" value="([^"]+)"', await reply.text())
            assert csrf, "no form token on the console"
            self.job["started"] = time.perf_counter()
            url = f"{self.base}/console/{self.plans_session}/plans"
            async with http.post(url, data={"csrf": csrf.group(1)}, allow_redirects=False) as reply:
                assert reply.status == 303, await reply.text()
                state_url = urljoin(self.base, reply.headers["Location"]) + ".json"

        async def state() -> dict[str, Any]:
            try:
                async with aiohttp.ClientSession(headers=headers) as http:
                    url = f"{self.base}{state_url}" if state_url.startswith("/") else state_url
                    async with http.get(url) as got:
                        found: dict[str, Any] = await got.json()
                        return found
            except (aiohttp.ClientError, ValueError):
                return {"state": "running"}  # the server is restarting; the job is not

        self.follow_job(state)

    async def prepare(self, participants: int, teams: int) -> None:
        jar = aiohttp.CookieJar(unsafe=True)  # the server is an IP address
        async with aiohttp.ClientSession(cookie_jar=jar) as http:
            async with http.get(self.login) as reply:
                assert reply.status == 200, await reply.text()
            self.faculty_cookie = "; ".join(f"{c.key}={c.value}" for c in jar)
        console = await self.staff("console")
        state = await self._state(console)
        self.poll_id = next(a["id"] for a in state["activities"] if a["kind"] == "poll")
        for n in range(teams):
            reply = await console.call(
                "add_team", {"name": f"Team {n + 1:03d}", "organisation": f"Org {n + 1}"}
            )
            assert reply["ok"], reply
        # Phone i joins team i mod teams, by its code (as the table card gives it).
        teams_now = (await self._state(console))["presence"]["teams"]
        # (the collaborative's other teams, such as a plans session's, are not this room's)
        codes = sorted((t["id"], t["code"]) for t in teams_now if t["name"].startswith("Team "))
        assert len(codes) == teams, len(codes)
        await console.disconnect()
        self.tokens = [""] * participants
        limit = asyncio.Semaphore(self.join_at_once)

        async def join(index: int) -> None:
            base = self.base_for(index)
            async with limit, aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
                async with http.get(f"{base}/j/{self.code}") as reply:
                    csrf = re.search(r'name="csrf" value="([^"]+)"', await reply.text())
                assert csrf
                form = {
                    "team": "earlier",  # past 30 teams the page asks for the team's code alone
                    "team_code": codes[index % teams][1],
                    "name": f"Person {index}",
                    "role": "Data lead",
                    "csrf": csrf.group(1),
                }
                async with http.post(f"{base}/j/{self.code}", data=form, allow_redirects=False) as reply:
                    assert reply.status == 303, await reply.text()
                    self.tokens[index] = reply.cookies[f"bsc_{self.code}"].value

        started = time.perf_counter()
        await asyncio.gather(*(join(i) for i in range(participants)))
        self.join_seconds = time.perf_counter() - started

    async def _state(self, client: socketio.AsyncClient) -> dict[str, Any]:
        got: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()

        def arrived(state: dict[str, Any]) -> None:
            if not got.done():
                got.set_result(state)

        client.on("state", arrived)
        await client.call("request_state", {})
        return await asyncio.wait_for(got, 10)

    async def phone_auth(self, index: int, team: int) -> tuple[dict[str, Any], dict[str, str]]:
        return {"kind": "participant", "code": self.code, "token": self.tokens[index]}, {}

    async def staff(self, kind: str) -> socketio.AsyncClient:
        client = socketio.AsyncClient(reconnection=False)
        await client.connect(
            self.base,
            transports=["websocket"],
            auth={"kind": kind, "code": self.code},
            headers={"Cookie": self.faculty_cookie},
            wait_timeout=20,
        )
        return client


class Bare(Target):
    """bench/bare_server.py: the same events with no database, checks or state. Beside the
    plans job, the same job runs from a data folder of its own, started as the console starts
    it, so that the bare server meets the same load on the cores."""

    poll_id = 1
    plans_data: Path | None = None

    async def start_plans_job(self) -> None:
        from facilitator.jobs import FolderStore, start

        assert self.plans_data is not None
        settings = {"DATA_DIR": str(self.plans_data), "CURRICULUM": str(CURRICULUM)}
        self.job["started"] = time.perf_counter()
        job = start(
            "plans",
            "bench",
            settings,
            {"session_id": self.plans_session, "public_url": self.base, "paper": "letter"},
            unit="teams",
        )
        store = FolderStore(str(self.plans_data))

        async def state() -> dict[str, Any]:
            found = await asyncio.to_thread(store.load, job.id)
            return found.public() if found is not None else {"state": "running"}

        self.follow_job(state)

    async def prepare(self, participants: int, teams: int) -> None:
        return None

    async def phone_auth(self, index: int, team: int) -> tuple[dict[str, Any], dict[str, str]]:
        return {"kind": "participant", "voter": index, "team": team}, {}

    async def staff(self, kind: str) -> socketio.AsyncClient:
        client = socketio.AsyncClient(reconnection=False)
        await client.connect(self.base, transports=["websocket"], auth={"kind": kind}, wait_timeout=20)
        return client


async def drive(target: Target, name: str, participants: int, rate: int, seconds: float, repeats: int) -> Run:
    run = Run(name)
    teams = max(1, participants // 10)
    started = time.perf_counter()
    await target.prepare(participants, teams)
    if isinstance(target, Ours):
        # The faculty's set-up (signing in, adding the teams) apart from the phones' joins.
        run.figures["join_s"] = target.join_seconds
        run.figures["setup_s"] = time.perf_counter() - started - target.join_seconds

    console = await target.staff("console")
    projector = await target.staff("projector")
    projector_counts: list[tuple[float, int]] = []
    projector.on(
        "poll_results", lambda m: projector_counts.append((time.perf_counter(), m["results"]["count"]))
    )

    phones: list[Phone] = []
    connect_times: list[float] = []
    limit = asyncio.Semaphore(100)

    async def connect(index: int) -> None:
        # Phones reconnect as python-socketio does by default (1 s, doubling up to 5 s, and a
        # second's wait for each handshake): the reconnect storm relies on it.
        client = socketio.AsyncClient()
        phone = Phone(client, index, index % teams)
        client.on("state", lambda _: setattr(phone, "state_at", time.perf_counter()))

        def on_room(shared: dict[str, Any]) -> None:
            activity = shared.get("activity") or {}
            now = time.perf_counter()
            if activity.get("state") == "open" and phone.opened_at is None:
                phone.opened_at = now
            if activity.get("results_visible") and phone.revealed_at is None:
                phone.revealed_at = now

        client.on("room", on_room)
        client.on(
            "workspace_changed",
            lambda m: phone.edits_seen.setdefault(str(m.get("value", "")), time.perf_counter()),
        )
        auth, headers = await target.phone_auth(index, phone.team)
        async with limit:
            begun = time.perf_counter()
            await client.connect(
                target.base_for(index), transports=["websocket"], auth=auth, headers=headers, wait_timeout=60
            )
            connect_times.append(time.perf_counter() - begun)
        phones.append(phone)

    started = time.perf_counter()
    await asyncio.wait_for(asyncio.gather(*(connect(i) for i in range(participants))), PHASE_TIMEOUT)
    run.figures["connect_all_s"] = time.perf_counter() - started
    run.figures["connect_p95"] = pct(connect_times, 95)
    await asyncio.sleep(1.0)
    if target.plans_session:
        await target.start_plans_job()

    async def fan_out(event: str, payload: dict[str, Any], attr: str) -> list[float]:
        sent = time.perf_counter()
        reply = await console.call(event, payload, timeout=30)
        assert reply.get("ok", True), reply
        deadline = time.monotonic() + 30
        while any(getattr(p, attr) is None for p in phones) and time.monotonic() < deadline:
            await asyncio.sleep(0.01)
        missing = sum(getattr(p, attr) is None for p in phones)
        assert not missing, f"{missing} phones never got {event}"
        return [getattr(p, attr) - sent for p in phones]

    # Fan-out is measured over several open/close cycles (the first is a warm-up, not
    # counted): with the generator on the same two cores, one sample is too noisy.
    async def cycles(
        on: tuple[str, dict[str, Any]], off: tuple[str, dict[str, Any]], attr: str
    ) -> list[float]:
        p50s, p95s = [], []
        for k in range(repeats + 1):
            for phone in phones:
                setattr(phone, attr, None)
            times = await fan_out(on[0], on[1], attr)
            if k:
                p50s.append(pct(times, 50))
                p95s.append(pct(times, 95))
            await console.call(off[0], off[1], timeout=30)
            await asyncio.sleep(0.5)
        return [statistics.median(p50s), statistics.median(p95s)]

    poll = {"activity_id": target.poll_id}
    run.figures["open_p50"], run.figures["open_p95"] = await cycles(
        ("open_activity", poll), ("close_activity", poll), "opened_at"
    )
    await console.call("open_activity", poll, timeout=30)

    # Burst: everyone at once; 10% resend the same write (a lost acknowledgement).
    acks: list[float] = []
    expected: dict[int, int] = {}

    async def vote(phone: Phone, choice: int, client_id: str) -> None:
        begun = time.perf_counter()
        reply = await phone.client.call(
            "cast_vote", {"client_id": client_id, "activity_id": target.poll_id, "value": choice}, timeout=60
        )
        assert reply["ok"], reply
        acks.append(time.perf_counter() - begun)
        expected[phone.index] = choice

    projector_counts.clear()
    burst_start = time.perf_counter()
    await asyncio.wait_for(
        asyncio.gather(*(vote(p, p.index % 3, f"burst-{p.index:06d}") for p in phones)), PHASE_TIMEOUT
    )
    burst_acked = time.perf_counter() - burst_start
    retries = [vote(p, p.index % 3, f"burst-{p.index:06d}") for p in phones[: max(1, participants // 10)]]
    await asyncio.gather(*retries)
    deadline = time.monotonic() + 30
    while not any(c >= participants for _, c in projector_counts) and time.monotonic() < deadline:
        await asyncio.sleep(0.01)
    reached = next((t for t, c in projector_counts if c >= participants), None)
    run.figures["burst_ack_p50"], run.figures["burst_ack_p95"] = pct(acks, 50), pct(acks, 95)
    run.figures["burst_all_acked_s"] = burst_acked
    run.figures["burst_on_projector_s"] = (reached - burst_start) if reached else float("nan")

    # Steady: answers change at `rate` votes a second.
    acks.clear()
    steady: list[asyncio.Task[None]] = []
    begun = time.perf_counter()
    n = 0
    while time.perf_counter() - begun < seconds:
        phone = phones[n % len(phones)]
        steady.append(asyncio.create_task(vote(phone, (phone.index + n + 1) % 3, f"steady-{n:07d}")))
        n += 1
        await asyncio.sleep(max(0.0, begun + n / rate - time.perf_counter()))
    await asyncio.wait_for(asyncio.gather(*steady), PHASE_TIMEOUT)
    run.figures["steady_votes"] = n
    run.figures["steady_ack_p50"], run.figures["steady_ack_p95"] = pct(acks, 50), pct(acks, 95)

    run.figures["reveal_p50"], run.figures["reveal_p95"] = await cycles(
        ("show_results", {**poll, "visible": True}),
        ("show_results", {**poll, "visible": False}),
        "revealed_at",
    )

    # Co-editing: a phone saves a workspace field; time until a teammate's phone has it.
    if isinstance(target, Ours):
        by_team: dict[int, list[Phone]] = {}
        for phone in phones:
            by_team.setdefault(phone.team, []).append(phone)
        pairs = [(members[0], members[1]) for members in by_team.values() if len(members) > 1]
        coedits: list[float] = []

        async def coedit(n: int, writer: Phone, reader: Phone) -> None:
            text = f"aim draft {n}"
            sent = time.perf_counter()
            reply = await writer.client.call(
                "edit_field",
                {
                    "client_id": f"coedit-{n:06d}",
                    "item_id": None,
                    "name": "aim_what",
                    "value": text,
                    "base_version": n // len(pairs),
                },
                timeout=30,
            )
            assert reply["ok"], reply
            deadline = time.monotonic() + 10
            while text not in reader.edits_seen and time.monotonic() < deadline:
                await asyncio.sleep(0.002)
            coedits.append(reader.edits_seen.get(text, float("inf")) - sent)

        # Every team saves once every two seconds (phones save a field 1.2 s after typing
        # stops): with 200 teams, 100 saves a second, spread evenly, for three rounds.
        tasks = []
        begun = time.perf_counter()
        for n in range(3 * len(pairs)):
            writer, reader = pairs[n % len(pairs)]
            tasks.append(asyncio.create_task(coedit(n, writer, reader)))
            await asyncio.sleep(max(0.0, begun + (n + 1) * 2.0 / len(pairs) - time.perf_counter()))
        await asyncio.gather(*tasks)
        run.figures["coedit_n"] = len(coedits)
        run.figures["coedit_p50"], run.figures["coedit_p95"] = pct(coedits, 50), pct(coedits, 95)

    if target.plans_session:
        run.figures["measured_s"] = time.perf_counter() - target.job["started"]

    # Audit from the projector's newest results.
    await asyncio.sleep(1.0)
    final = await target_results(console, projector_counts)
    run.figures["counted"] = final
    run.figures["lost"] = max(0, participants - final)
    run.figures["double"] = max(0, final - participants)
    await console.disconnect()
    await projector.disconnect()

    # Reconnect storm: the server restarts; every phone reconnects by itself and must have its
    # whole state again.
    if target.restart is not None:
        for phone in phones:
            phone.state_at = None
        await target.restart()
        listening = time.perf_counter()
        deadline = time.monotonic() + 60
        while any(p.state_at is None for p in phones) and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        back = [p.state_at - listening for p in phones if p.state_at is not None]
        run.figures["storm_back"] = len(back)
        run.figures["storm_in_5s"] = sum(t <= 5 for t in back)
        run.figures["storm_p50"] = pct(back, 50)
        run.figures["storm_all_s"] = max(back) if len(back) == len(phones) else float("nan")
    for phone in phones:
        await phone.client.disconnect()
    if target.follower is not None:
        await asyncio.wait_for(target.follower, 300)
        run.figures["job_s"] = target.job["ended"] - target.job["started"]
        run.figures["job_teams"] = int(target.job["teams"])
        run.figures["job_failed"] = bool(target.job["failed"])
    return run


async def target_results(console: socketio.AsyncClient, counts: list[tuple[float, int]]) -> int:
    return counts[-1][1] if counts else 0


def start(
    command: list[str], log: Path, env: dict[str, str] | None = None
) -> tuple[subprocess.Popen[bytes], str]:
    """Start a server; its process and log once it says it is listening."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("w") as handle:  # the child keeps its own copy of the descriptor
        process = subprocess.Popen(
            command, stdout=handle, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, cwd=ROOT, env=env
        )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        text = log.read_text()
        if "Listening on" in text:
            return process, text
        if process.poll() is not None:
            raise SystemExit(f"server exited:\n{text}")
        time.sleep(0.05)
    process.kill()
    raise SystemExit(f"server did not start:\n{log.read_text()}")


REPEATS = [5]


def report(runs: list[Run], participants: int) -> None:
    """A table: one column per server (ours on one process, on two, and the bare server)."""
    print(f"participants: {participants} in {participants // 10} teams; 2 cores shared with this generator")
    print(f"{'':34}" + "".join(f"{r.name:>18}" for r in runs))

    def row(label: str, show: Callable[[dict[str, Any]], str]) -> None:
        cells = []
        for r in runs:
            try:
                cells.append(show(r.figures))
            except KeyError:
                cells.append("-")
        print(f"{label:34}" + "".join(f"{c:>18}" for c in cells))

    row("faculty set-up (sign-in, teams)", lambda f: f"{f['setup_s']:.1f} s")
    row("join over HTTP (all)", lambda f: f"{f['join_s']:.1f} s")
    row("connect all", lambda f: f"{f['connect_all_s']:.1f} s")
    row("connect p95", lambda f: ms(f["connect_p95"]))
    row(f"poll opens: fan-out p50 ({REPEATS[0]} cycles)", lambda f: ms(f["open_p50"]))
    row("poll opens: fan-out p95", lambda f: ms(f["open_p95"]))
    row("burst: vote ack p50", lambda f: ms(f["burst_ack_p50"]))
    row("burst: vote ack p95", lambda f: ms(f["burst_ack_p95"]))
    row("burst: all acknowledged", lambda f: f"{f['burst_all_acked_s']:.2f} s")
    row("burst: all on projector", lambda f: f"{f['burst_on_projector_s']:.2f} s")
    row("steady: ack p50", lambda f: ms(f["steady_ack_p50"]))
    row("steady: ack p95", lambda f: ms(f["steady_ack_p95"]))
    row("reveal: fan-out p50", lambda f: ms(f["reveal_p50"]))
    row("reveal: fan-out p95", lambda f: ms(f["reveal_p95"]))
    row("co-edit to a teammate p50", lambda f: ms(f["coedit_p50"]))
    row("co-edit to a teammate p95", lambda f: ms(f["coedit_p95"]))
    row("votes counted", lambda f: str(f["counted"]))
    row("lost / double-counted", lambda f: f"{f['lost']} / {f['double']}")
    row("restart: phones with state again", lambda f: f"{f['storm_back']}")
    row("restart: within 5 s of listening", lambda f: f"{f['storm_in_5s']}")
    row("restart: p50 / all", lambda f: f"{f['storm_p50']:.1f} / {f['storm_all_s']:.1f} s")
    row(
        "plans job: teams, time",
        lambda f: f"{f['job_teams']}{' FAILED' if f['job_failed'] else ''}, {f['job_s']:.1f} s",
    )
    row("phases measured while it ran", lambda f: "all" if f["job_s"] > f["measured_s"] else "not all")
    bares = {r.name: r.figures for r in runs if r.name.startswith("bare")}
    for r in runs:
        if r.name.startswith("bare"):
            continue
        # Beside the plans job, the bare server beside the same job is the measure.
        against = "bare + plans job" if r.name == "+ plans job" and "bare + plans job" in bares else "bare"
        f, bare = r.figures, bares[against]
        worst = max(f["open_p95"], f["reveal_p95"])
        ratio = worst / max(bare["open_p95"], bare["reveal_p95"])
        print(f"{r.name}: fan-out p95 (worst of open, reveal) {ms(worst)}, {ratio:.2f}x the {against} server")


class Servers:
    """Server processes the bench starts, stops and restarts (same ports, same data)."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.running: list[tuple[list[str], subprocess.Popen[bytes], Path]] = []

    def start(self, command: list[str], name: str, env: dict[str, str] | None = None) -> str:
        log = self.tmp / f"{name}-{len(self.running)}.log"
        process, text = start(command, log, env)
        self.running.append((command, process, log))
        return text

    def stop_all(self) -> None:
        for _, process, _ in self.running:
            if process.poll() is None:
                process.terminate()
                process.wait(timeout=20)

    async def restart_all(self, env: dict[str, str] | None = None) -> None:
        """Stop every process, then start them again; returns once all listen again."""
        commands = [command for command, _, _ in self.running]
        await asyncio.to_thread(self.stop_all)
        self.running.clear()
        for n, command in enumerate(commands):
            await asyncio.to_thread(self.start, command, f"restart{n}", env)


def seed_plans(data: Path, teams: int) -> int:
    """A learning session of `teams` full teams (bench/takehome.py's workspaces) in the data
    folder, then an empty one for the phones (the newest, which bsc serve opens); the full
    session's id."""
    from bench.takehome import fill
    from facilitator.app import create_app
    from live.context import curricula, database
    from live.room.sessions import add_team, create_session, join
    from live.writes import author_of

    app = create_app({"DATA_DIR": str(data), "CURRICULUM": str(CURRICULUM), "ASYNC_MODE": "threading"})
    with app.app_context(), database().transaction() as db:
        curriculum = next(iter(curricula().values()))
        full = create_session(db, curriculum, curriculum.sessions[0])
        for n in range(teams):
            team = add_team(db, full, f"Full team {n + 1:02d}")
            person, _ = join(db, full, team_id=team.id, display_name="Ana", team_code=team.code)
            db.flush()
            fill(db, author_of(db, person.id), [0])
        db.flush()
        full_id = full.id
    time.sleep(0.01)  # the phones' session is the newer one
    with app.app_context(), database().transaction() as db:
        curriculum = next(iter(curricula().values()))
        create_session(db, curriculum, curriculum.sessions[0])
    return full_id


async def run_ours(
    args: argparse.Namespace, tmp: Path, processes: int, env: dict[str, str] | None, plans: int = 0
) -> Run:
    """`bsc serve` as one process (SQLite), or several on PostgreSQL and Redis (`env`); with
    `plans`, a session of that many full teams whose plans are made while the room is loaded."""
    servers = Servers(tmp)
    ports = [args.port + 2 + n for n in range(processes)] if processes > 1 else [args.port]
    if plans:  # a port of its own: the first run's server may still be letting go of its own
        ports = [args.port + 9]
    plans_session = await asyncio.to_thread(seed_plans, tmp / "data", plans) if plans else 0
    try:
        texts = [
            servers.start(serve_command(port, CURRICULUM, tmp / "data"), f"serve{port}", env)
            for port in ports
        ]
        login = re.search(r"sign-in link\): (\S+)", texts[-1])
        code = re.search(r"\(code (\w+)\)", texts[-1])
        assert login, texts[-1]
        assert code, texts[-1]
        target = Ours(
            [f"http://127.0.0.1:{p}" for p in ports], login.group(1), code.group(1), args.join_at_once
        )
        target.restart = lambda: servers.restart_all(env)
        target.plans_session = plans_session
        name = "bsc serve" if processes == 1 else f"bsc serve x{processes}"
        if plans:
            name = "+ plans job"
        return await drive(target, name, args.participants, args.rate, args.seconds, args.repeat)
    finally:
        servers.stop_all()


async def run_bare(args: argparse.Namespace, tmp: Path, plans: int = 0) -> Run:
    """The bare server; with `plans`, beside the same plans job as `run_ours`'s."""
    servers = Servers(tmp)
    port = args.port + 1
    try:
        servers.start([sys.executable, str(ROOT / "bench" / "bare_server.py"), str(port)], "bare")
        target = Bare([f"http://127.0.0.1:{port}"])
        target.restart = servers.restart_all
        if plans:
            target.plans_data = tmp / "data"
            target.plans_session = await asyncio.to_thread(seed_plans, target.plans_data, plans)
        name = "bare + plans job" if plans else "bare"
        return await drive(target, name, args.participants, args.rate, args.seconds, args.repeat)
    finally:
        servers.stop_all()


def postgres_env(url: str, redis: str, schema: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": f"{url}?options=-csearch_path%3D{schema}",
        "REDIS_URL": redis,
        "BSC_SOCKETIO_CHANNEL": f"bench-{schema}",
        "BSC_SECRET_KEY": "the-same-in-every-process",
    }


async def main_async(args: argparse.Namespace) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, max(soft, 4 * args.participants + 1000)), hard))
    runs: list[Run] = []
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        runs.append(await run_ours(args, tmp / "one", 1, None))
        if args.beside_plans:
            runs.append(await run_ours(args, tmp / "plans", 1, None, args.beside_plans))
        if args.postgres:
            import sqlalchemy

            schema = f"bench_{os.getpid()}"
            admin = sqlalchemy.create_engine(args.postgres)
            with admin.begin() as connection:
                connection.execute(sqlalchemy.text(f'CREATE SCHEMA "{schema}"'))
            try:
                env = postgres_env(args.postgres, args.redis, schema)
                runs.append(await run_ours(args, tmp / "pg", 2, env))
            finally:
                with admin.begin() as connection:
                    connection.execute(sqlalchemy.text(f'DROP SCHEMA "{schema}" CASCADE'))
                admin.dispose()
        runs.append(await run_bare(args, tmp / "bare"))
        if args.beside_plans:
            runs.append(await run_bare(args, tmp / "bare-plans", args.beside_plans))
    report(runs, args.participants)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--participants", type=int, default=2000)
    parser.add_argument("--rate", type=int, default=200, help="votes a second in the steady phase")
    parser.add_argument("--seconds", type=float, default=5.0, help="length of the steady phase")
    parser.add_argument("--port", type=int, default=5810)
    parser.add_argument("--repeat", type=int, default=5, help="fan-out cycles measured (median of their p95)")
    parser.add_argument("--join-at-once", type=int, default=200, help="phones joining at the same time")
    parser.add_argument(
        "--postgres",
        metavar="URL",
        help="also run two processes on this PostgreSQL database (a schema of their own) and Redis",
    )
    parser.add_argument("--redis", metavar="URL", default="redis://127.0.0.1:6379/0")
    parser.add_argument(
        "--beside-plans",
        metavar="TEAMS",
        type=int,
        default=0,
        help="also run bsc serve and the bare server while the plans of TEAMS full teams are made (a job)",
    )
    args = parser.parse_args()
    if not 10 <= args.participants <= 5000:
        parser.error("--participants must be from 10 to 5000")
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    REPEATS[0] = args.repeat
    asyncio.run(main_async(args))


if __name__ == "__main__":
    main()
