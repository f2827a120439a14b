"""A participant's way back after the room: a personal link, devices it signs in, signing a
device out, and the faculty revoking a link."""

from __future__ import annotations

import io
import re
from typing import Any

from pypdf import PdfReader

from live import protocol

from .helpers import connect, decode_qr


def _link(page: str) -> str:
    found = re.search(r'value="(http://[^"]+/r/[^"]+)"', page)
    assert found, "the phone shows its personal link"
    return found.group(1)


def test_a_personal_link_opens_the_workspace_on_another_device_until_signed_out_or_revoked(
    app: Any, join_phone: Any, room: dict[str, Any], faculty_client: Any, csrf: Any
) -> None:
    from live.context import database
    from live.models import LearningSession

    phone = join_phone("Riverside Clinic", "Ana")
    assert f"/room/{room['code']}/my-link" in phone.get(f"/room/{room['code']}").get_data(as_text=True)
    link = _link(phone.get(f"/room/{room['code']}/my-link").get_data(as_text=True))
    assert link.startswith("http://10.0.0.5:5000/r/")  # at the public address
    assert _link(phone.get(f"/room/{room['code']}/my-link").get_data(as_text=True)) == link  # the same again

    laptop = app.test_client()
    opened = laptop.get(link.removeprefix("http://10.0.0.5:5000"))
    assert opened.status_code == 303
    assert opened.headers["Location"].endswith(f"/room/{room['code']}")
    cookie = opened.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "Max-Age=20736000" in cookie  # 240 days: through the collaborative
    again = laptop.get(f"/room/{room['code']}").get_data(as_text=True)
    assert 'id="me-name">Ana<' in again  # the same person, not a new one
    for device in (phone, laptop):  # the join link (scanned again) goes straight to the room
        back = device.get(f"/j/{room['code']}")
        assert back.status_code == 302
        assert back.headers["Location"].endswith(f"/room/{room['code']}")
    socket = connect(app, laptop, room["code"])  # and the room's socket takes the device too
    socket.emit(protocol.REQUEST_STATE, {}, callback=True)
    assert any(m["name"] == protocol.STATE for m in socket.get_received())

    # The plan downloaded on the phone carries the link as its QR code.
    plan = phone.get(f"/room/{room['code']}/plan.pdf")
    assert len(PdfReader(io.BytesIO(plan.data)).pages) >= 1
    assert decode_qr(_page_png(plan.data)) == link

    # Signing the laptop out: it no longer opens the room; the link still signs in afresh.
    signed_out = laptop.post(f"/room/{room['code']}/signout", data={"csrf": csrf(again)})
    assert signed_out.status_code == 303
    stale = app.test_client()
    stale.set_cookie(f"bsc_{room['code']}", _cookie_value(cookie))
    assert stale.get(f"/room/{room['code']}").status_code == 302  # back to the join page
    assert app.test_client().get(link.removeprefix("http://10.0.0.5:5000")).status_code == 303

    # The faculty revoke it: the link and the devices it signed in stop; the phone that joined stays.
    with app.app_context(), database().transaction() as db:
        made = db.get(LearningSession, room["id"])
        assert made is not None
        ana = next(p for p in made.participants if p.display_name == "Ana")
        team, collaborative = ana.team_id, made.collaborative_id
    other = app.test_client()
    assert other.get(link.removeprefix("http://10.0.0.5:5000")).status_code == 303
    team_page = faculty_client.get(f"/console/collaboratives/{collaborative}/teams/{team}").get_data(
        as_text=True
    )
    revoke = re.search(r'action="([^"]+/revoke)"', team_page)
    assert revoke
    assert faculty_client.post(revoke.group(1), data={"csrf": csrf(team_page)}).status_code == 303
    assert app.test_client().get(link.removeprefix("http://10.0.0.5:5000")).status_code == 404
    assert other.get(f"/room/{room['code']}").status_code == 302
    assert phone.get(f"/room/{room['code']}").status_code == 200
    assert _link(phone.get(f"/room/{room['code']}/my-link").get_data(as_text=True)) != link  # a new one


def _cookie_value(header: str) -> str:
    return header.split(";", 1)[0].split("=", 1)[1]


def _page_png(pdf: bytes) -> bytes:
    import subprocess
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "plan.pdf"
        source.write_bytes(pdf)
        subprocess.run(
            ["pdftoppm", "-f", "1", "-l", "1", "-r", "150", "-png", str(source), f"{folder}/p"], check=True
        )
        return next(Path(folder).glob("p*.png")).read_bytes()
