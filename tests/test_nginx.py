"""The room behind nginx terminating TLS, with docs/nginx.conf as written: pages over https,
Secure cookies, proxy headers trusted, and the phones' WebSocket through the proxy."""

from __future__ import annotations

import asyncio
import http.cookiejar
import os
import re
import shutil
import ssl
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .helpers import Server, free_port

ROOT = Path(__file__).resolve().parent.parent

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("nginx") is None, reason="nginx is not installed (tools/setup test)"),
]


def _config(folder: Path, http_port: int, tls_port: int, upstream: int) -> Path:
    """docs/nginx.conf with the test's ports and certificate, inside the blocks nginx needs."""
    site = (ROOT / "docs" / "nginx.conf").read_text()
    for old, new in (
        ("listen 80;", f"listen 127.0.0.1:{http_port};"),
        ("listen 443 ssl http2;", f"listen 127.0.0.1:{tls_port} ssl http2;"),
        ("/etc/letsencrypt/live/bsc.example.org/fullchain.pem", str(folder / "cert.pem")),
        ("/etc/letsencrypt/live/bsc.example.org/privkey.pem", str(folder / "key.pem")),
        ("server 127.0.0.1:5000;", f"server 127.0.0.1:{upstream};"),
    ):
        assert old in site, old
        site = site.replace(old, new)
    (folder / "site.conf").write_text(site)
    temp = folder / "temp"
    temp.mkdir()
    main = f"""
{"user root;" if os.geteuid() == 0 else ""}
worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/error.log;
events {{ worker_connections 256; }}
http {{
    access_log {folder}/access.log;
    client_body_temp_path {temp}/body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
    include {folder}/site.conf;
}}
"""
    (folder / "nginx.conf").write_text(main)
    return folder / "nginx.conf"


@pytest.fixture
def proxied(tmp_path: Path) -> Iterator[dict[str, Any]]:
    """`bsc serve` behind nginx on https://127.0.0.1:<port>, with a self-signed certificate."""
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
         "-keyout", str(tmp_path / "key.pem"), "-out", str(tmp_path / "cert.pem")],
        check=True,
        capture_output=True,
    )  # fmt: skip
    http_port, tls_port = free_port(), free_port()
    public = f"https://127.0.0.1:{tls_port}"
    server = Server(tmp_path, public_url=public, env={"BSC_PROXY_FIX": "1"})
    info = server.start()
    conf = _config(tmp_path, http_port, tls_port, server.port)
    nginx = subprocess.Popen(
        ["nginx", "-p", str(tmp_path), "-c", str(conf), "-g", "daemon off;"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                _fetch(_opener(), f"{public}/healthz")
                break
            except OSError:
                assert nginx.poll() is None, (tmp_path / "error.log").read_text()
                time.sleep(0.2)
        yield {"public": public, "http": f"http://127.0.0.1:{http_port}", "info": info, "folder": tmp_path}
    finally:
        nginx.terminate()
        nginx.wait(timeout=10)
        server.stop()


def _context() -> ssl.SSLContext:
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE  # the test's own self-signed certificate
    return context


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def _opener(jar: http.cookiejar.CookieJar | None = None) -> urllib.request.OpenerDirector:
    return urllib.request.build_opener(
        urllib.request.HTTPSHandler(context=_context()),
        urllib.request.HTTPCookieProcessor(jar or http.cookiejar.CookieJar()),
        _NoRedirect(),
    )


class Reply:
    """A response, read whole and closed (no socket is left open behind the test)."""

    def __init__(self, status: int, headers: Any, body: bytes) -> None:
        self.status, self.headers, self.body = status, headers, body


def _fetch(opener: urllib.request.OpenerDirector, url: str, data: bytes | None = None) -> Reply:
    try:
        response = opener.open(url, data=data, timeout=10)
    except urllib.error.HTTPError as refused:  # a 3xx, answered as is
        response = refused
    with response:
        return Reply(response.status, response.headers, response.read())


def test_the_room_works_behind_nginx_over_tls(proxied: dict[str, Any]) -> None:
    public = proxied["public"]
    health = _fetch(_opener(), f"{public}/healthz")
    assert health.status == 200
    plain = _fetch(_opener(), f"{proxied['http']}/healthz")
    assert plain.status == 301
    assert plain.headers["Location"].startswith("https://")

    # Faculty sign in at the public address: the sign-in cookie travels over TLS only.
    login = proxied["info"]["login"]
    assert login.startswith(f"{public}/login/")
    signed_in = _fetch(_opener(), login)
    assert signed_in.status in (302, 303)
    assert "Secure" in signed_in.headers["Set-Cookie"]

    # A phone joins through the proxy: its rejoin cookie is Secure too.
    join = proxied["info"]["join"]
    assert join.startswith(f"{public}/j/")
    jar = http.cookiejar.CookieJar()
    phone = _opener(jar)
    page = _fetch(phone, join).body.decode()
    token = re.search(r'name="csrf" value="([^"]+)"', page)
    assert token
    form = urllib.parse.urlencode(
        {"team": "new", "new_team": "Riverside Clinic", "name": "Ana", "role": "", "csrf": token.group(1)}
    ).encode()
    joined = _fetch(phone, join, form)
    assert joined.status == 303, joined.body[:500]
    assert joined.headers["Location"].startswith("/room/") or joined.headers["Location"].startswith(public)
    cookies = joined.headers.get_all("Set-Cookie") or []
    rejoin = next(c for c in cookies if re.match(r"bsc_[A-Z0-9]+=", c))
    assert "; Secure" in rejoin
    pair = rejoin.split(";", 1)[0]
    code = pair.split("=", 1)[0].removeprefix("bsc_")

    # The phone's Socket.IO over a WebSocket through nginx: the room's state comes back.
    state = asyncio.run(_socket_state(public, code, pair))
    assert state["me"]["name"] == "Ana"
    assert state["me"]["team"]["name"] == "Riverside Clinic"
    upgraded = (proxied["folder"] / "access.log").read_text()
    assert re.search(r'"GET /socket\.io/\?[^"]*transport=websocket[^"]*" 101 ', upgraded), upgraded[-2000:]


async def _socket_state(public: str, code: str, cookie: str) -> dict[str, Any]:
    import aiohttp
    import socketio

    got: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
    connector = aiohttp.TCPConnector(ssl=_context())
    async with aiohttp.ClientSession(connector=connector) as session:
        client = socketio.AsyncClient(http_session=session, ssl_verify=False)

        @client.on("state")  # type: ignore[untyped-decorator]
        async def on_state(data: dict[str, Any]) -> None:
            if not got.done():
                got.set_result(data)

        await client.connect(
            public,
            headers={"Cookie": cookie},
            auth={"kind": "participant", "code": code},
            transports=["websocket"],
        )
        try:
            return await asyncio.wait_for(got, 15)
        finally:
            await client.disconnect()
