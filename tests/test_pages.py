"""HTTP pages: joining, faculty sign-in, escaping, page weight, the QR image."""

from __future__ import annotations

import re
from typing import Any

from click.testing import CliRunner

from facilitator.cli import cli

from .helpers import Downloads


def test_the_join_page_lists_teams_and_roles(client: Any, room: dict[str, Any]) -> None:
    page = client.get(f"/j/{room['code']}").get_data(as_text=True)
    assert "Riverside Clinic" in page
    assert "Hilltop Practice" in page
    assert "Data lead" in page
    assert 'for="name"' in page  # every field has a label


def test_every_phone_gets_its_own_form_token_and_the_join_page_as_it_is_now(
    app: Any, room: dict[str, Any], csrf: Any
) -> None:
    """A join storm renders the blank form once: each phone still gets a token of its own
    (a copy of another phone's page would fail its post), and a team added since shows."""
    from live.context import database
    from live.models import Team

    ana, ben = app.test_client(), app.test_client()
    tokens = [csrf(phone.get(f"/j/{room['code']}").get_data(as_text=True)) for phone in (ana, ben)]
    assert tokens[0] != tokens[1]
    with app.app_context(), database().transaction() as db:
        from sqlalchemy import select

        code = db.scalar(select(Team.code).where(Team.name == "Hilltop Practice"))
    form = {"team": "earlier", "team_code": code, "role": "Data lead"}
    assert ana.post(f"/j/{room['code']}", data={**form, "name": "Ana", "csrf": tokens[1]}).status_code == 400
    for phone, token, name in ((ana, tokens[0], "Ana"), (ben, tokens[1], "Ben")):
        reply = phone.post(f"/j/{room['code']}", data={**form, "name": name, "csrf": token})
        assert reply.status_code == 303, reply.get_data(as_text=True)

    assert "Lakeside School" not in app.test_client().get(f"/j/{room['code']}").get_data(as_text=True)
    with app.app_context(), database().transaction() as db:
        from live.models import LearningSession
        from live.room.sessions import add_team

        made = db.get(LearningSession, room["id"])
        assert made is not None
        add_team(db, made, "Lakeside School", by_faculty=True)
    later = app.test_client().get(f"/j/{room['code']}").get_data(as_text=True)
    assert "Lakeside School" in later
    spanish = app.test_client().get(f"/j/{room['code']}?lang=es").get_data(as_text=True)
    assert "Su equipo" in spanish
    assert "Your team" not in spanish


def test_a_typed_code_in_any_case_finds_the_session(client: Any, room: dict[str, Any]) -> None:
    reply = client.get(f"/j?code={room['code'].lower()}")
    assert reply.status_code == 302
    assert reply.location.endswith(f"/j/{room['code']}")
    assert client.get("/j/NOPE1").status_code == 404


def test_a_bad_join_form_is_shown_again_with_the_reason(client: Any, room: dict[str, Any], csrf: Any) -> None:
    token = csrf(client.get(f"/j/{room['code']}").get_data(as_text=True))
    reply = client.post(
        f"/j/{room['code']}", data={"team": "new", "new_team": "", "name": "Ana", "csrf": token}
    )
    assert reply.status_code == 400
    assert "pick your team, or type the name of a new one" in reply.get_data(as_text=True)
    reply = client.post(
        f"/j/{room['code']}", data={"team": "new", "new_team": "Team X", "name": "", "csrf": token}
    )
    assert reply.status_code == 400
    assert "your name is empty" in reply.get_data(as_text=True)
    assert 'value="Team X"' in reply.get_data(as_text=True)  # what they typed is kept


def test_a_join_without_the_form_token_is_refused(client: Any, room: dict[str, Any]) -> None:
    reply = client.post(f"/j/{room['code']}", data={"team": "new", "new_team": "T", "name": "Ana"})
    assert reply.status_code == 400


def test_what_participants_type_is_escaped_on_every_page(
    app: Any, client: Any, room: dict[str, Any], csrf: Any, faculty_client: Any
) -> None:
    evil = '<script>alert("x")</script>'
    token = csrf(client.get(f"/j/{room['code']}").get_data(as_text=True))
    reply = client.post(
        f"/j/{room['code']}",
        data={
            "team": "new",
            "new_team": evil,
            "name": f"<b>{evil}",
            "organisation": "<img src=x onerror=alert(1)>",
            "csrf": token,
        },
    )
    assert reply.status_code == 303
    for page in (
        client.get(f"/room/{room['code']}"),
        app.test_client().get(f"/j/{room['code']}"),
        faculty_client.get("/console"),
    ):
        html = page.get_data(as_text=True)
        assert "<script>alert" not in html
        assert "<img src=x" not in html
    phone = client.get(f"/room/{room['code']}").get_data(as_text=True)
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in phone
    assert "script-src 'self'" in client.get(f"/room/{room['code']}").headers["Content-Security-Policy"]


def test_a_phone_downloads_under_50_kb_compressed_from_the_join_page_to_the_room_and_once_only(
    app: Any, join_phone: Any, room: dict[str, Any]
) -> None:
    """On a venue's slow network every kilobyte is felt: the join page, the phone page and what
    they load travel gzipped, and each script or style is fetched once, then kept."""
    downloads = Downloads()
    downloads.load(app.test_client(), f"/j/{room['code']}")
    phone = join_phone("Riverside Clinic", "Ana")
    html = downloads.load(phone, f"/room/{room['code']}")
    assert any("socket.io.min.js" in a for a in downloads.fetched)
    assert "initial-state" in html, "the room comes with the page"
    assert downloads.total <= 50 * 1024, f"{downloads.total} bytes: {downloads.fetched}"


def test_the_phone_downloads_only_its_own_styles_and_none_it_uses_are_left_out(
    app: Any, join_phone: Any, room: dict[str, Any], faculty_client: Any
) -> None:
    """screens.css holds the projector's and the console's own rules; the phone's pages never
    load it, so no class the phone's pages or scripts use may be styled there alone."""
    from live.pages.assets import BUNDLES, STATIC

    phone = join_phone("Riverside Clinic", "Ana")
    for page in (
        app.test_client().get(f"/j/{room['code']}"),
        phone.get(f"/room/{room['code']}"),
        phone.get(f"/room/{room['code']}/my-link"),
    ):
        html = page.get_data(as_text=True)
        assert "app.css" in html
        assert "screens.css" not in html
    for page in (
        faculty_client.get(f"/projector/{room['code']}"),
        faculty_client.get(f"/console/{room['id']}"),
    ):
        assert "screens.css" in page.get_data(as_text=True)

    templates = STATIC.parent.parent / "templates" / "live"
    used: set[str] = set()  # every class the phone's pages and scripts may put on an element
    for name in ("base.html", "join.html", "waiting.html", "phone.html", "link.html", "code.html"):
        for attribute in re.findall(r'class="([^"]*)"', (templates / name).read_text()):
            used |= set(re.findall(r"[a-z][\w-]*", attribute))
    for name in (*BUNDLES["phone.bundle.js"], "join.js"):
        script = (STATIC / name).read_text()
        for literal in re.findall(r'"([^"\n]*)"|\'([^\'\n]*)\'', script):
            used |= set(re.findall(r"[a-z][\w-]*", "".join(literal)))
    screens = re.sub(r"/\*.*?\*/", "", (STATIC / "screens.css").read_text(), flags=re.DOTALL)
    selectors = [s.strip() for group in re.findall(r"([^{}]+)\{", screens) for s in group.split(",")]
    selectors = [s for s in selectors if not s.startswith(("@", "from", "to"))]
    assert any(s.startswith(".stage") for s in selectors)  # the projector's rules are there
    # A selector a phone's element could match: each of its classes is one the phone uses.
    missed = [s for s in selectors if set(re.findall(r"\.([a-z][\w-]*)", s)) <= used]
    assert missed == [], "styled only in screens.css, which phones do not load"


def test_a_script_is_checked_again_without_its_version_and_not_sent_twice(client: Any) -> None:
    plain = client.get("/static/live/common.js")
    assert plain.headers["Cache-Control"] == "no-cache"
    again = client.get("/static/live/common.js", headers={"If-None-Match": plain.headers["ETag"]})
    assert again.status_code == 304
    assert again.get_data() == b""
    assert client.get("/static/live/../templates/live/base.html").status_code == 404


def test_faculty_sign_in_with_a_password(client: Any, app: Any, csrf: Any) -> None:
    from facilitator.auth import set_password
    from live.context import database

    with app.app_context(), database().transaction() as db:
        set_password(db, "Lead@Example.org", "correct horse battery")
    token = csrf(client.get("/login").get_data(as_text=True))
    wrong = client.post(
        "/login", data={"email": "lead@example.org", "password": "nope nope nope", "csrf": token}
    )
    assert wrong.status_code == 401
    assert "do not match" in wrong.get_data(as_text=True)
    right = client.post(
        "/login",
        data={
            "email": "lead@example.org",
            "password": "correct horse battery",
            "csrf": token,
            "next": "//evil.example/x",
        },
    )
    assert right.status_code == 303
    assert right.location == "/console"  # never sent off-site


def test_a_one_time_link_signs_in_once(client: Any, app: Any) -> None:
    from facilitator.auth import create_login_link, ensure_facilitator
    from live.context import database

    with app.app_context(), database().transaction() as db:
        token = create_login_link(db, ensure_facilitator(db))
    assert client.get(f"/login/{token}").status_code == 303
    assert client.get("/console").status_code == 200
    again = app.test_client().get(f"/login/{token}")
    assert again.status_code == 401
    assert "has been used or has expired" in again.get_data(as_text=True)


def test_faculty_add_sets_a_password_from_a_script(tmp_path: Any, app: Any) -> None:
    runner = CliRunner()
    data = str(tmp_path / "cli-data")
    result = runner.invoke(
        cli,
        ["faculty", "add", "coach@example.org", "--password-stdin", "--data-dir", data],
        input="a long enough password\n",
    )
    assert result.exit_code == 0, result.output
    short = runner.invoke(
        cli, ["faculty", "add", "coach@example.org", "--password-stdin", "--data-dir", data], input="short\n"
    )
    assert short.exit_code == 1
    assert "at least 10 characters" in short.output
    link = runner.invoke(
        cli,
        ["faculty", "link", "coach@example.org", "--data-dir", data, "--public-url", "http://10.1.1.1:5000"],
    )
    assert re.fullmatch(r"http://10\.1\.1\.1:5000/login/\S+\n", link.output)


def test_the_join_qr_code_is_an_svg_image(client: Any, room: dict[str, Any]) -> None:
    # Decoding it is the browser test's job: it reads the projector's QR from a screenshot.
    import xml.etree.ElementTree as ET

    svg = client.get(f"/qr/{room['code']}.svg")
    assert svg.mimetype == "image/svg+xml"
    assert ET.fromstring(svg.get_data()).tag.endswith("svg")


def test_faculty_start_a_session_from_the_curriculum(faculty_client: Any, csrf: Any) -> None:
    index = faculty_client.get("/console").get_data(as_text=True)
    assert 'value="mini:ls1"' in index
    reply = faculty_client.post("/console/sessions", data={"session": "mini:ls1", "csrf": csrf(index)})
    assert reply.status_code == 303
    console = faculty_client.get(reply.location).get_data(as_text=True)
    assert "Getting started" in console
    bad = faculty_client.post("/console/sessions", data={"session": "mini:ls9", "csrf": csrf(index)})
    assert bad.status_code == 400
    assert "Pick a learning session from the list" in bad.get_data(as_text=True)


def test_the_browser_code_parses() -> None:
    import shutil
    import subprocess
    from pathlib import Path

    import pytest

    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed: the browser tests still load every script")
    for script in sorted((Path(__file__).parent.parent / "live" / "static" / "live").glob("*.js")):
        done = subprocess.run([node, "--check", str(script)], capture_output=True, text=True)
        assert done.returncode == 0, f"{script.name}: {done.stderr}"
