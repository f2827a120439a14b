"""Spanish: the phone, the take-home plan, the worksheets and the Safe Starts LS1 handout."""

from __future__ import annotations

import functools
import io
import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from pypdf import PdfReader

from curriculum.i18n import (
    KEYWORDS,
    TRANSLATIONS,
    gettext_for,
    keyed,
    localized_definitions,
    script_strings,
    session_words,
    word_key,
)
from curriculum.loader import in_language, load
from curriculum.problems import Problems
from curriculum.translate import is_translation, translation_path

from .helpers import Downloads

ROOT = Path(__file__).resolve().parent.parent
CATALOG = TRANSLATIONS / "es" / "LC_MESSAGES"
ES = gettext_for("es")


@functools.cache
def extracted() -> set[tuple[str, str | None]]:
    """Every string the code, templates and scripts mark for translation (as tools/i18n finds)."""
    with (ROOT / "babel.cfg").open() as config:
        method_map, options_map = parse_mapping_cfg(config)  # type: ignore[no-untyped-call]
    keywords = {**DEFAULT_KEYWORDS, **dict.fromkeys(KEYWORDS)}
    skip = (".venv", "tests", "bench", "node_modules", ".git")
    found = set()
    for _file, _line, message, _comments, context in extract_from_dir(
        str(ROOT),
        method_map,
        options_map,
        keywords=keywords,
        directory_filter=lambda d: not any(part in Path(d).parts for part in skip),
    ):
        found.add((message if isinstance(message, str) else message[0], context))
    return found


def test_the_spanish_catalog_translates_every_string_and_is_compiled() -> None:
    with (CATALOG / "messages.po").open("rb") as source:
        catalog = read_po(source, locale="es")
    translated = {(m.id, m.context): m.string for m in catalog if m.id and m.string and not m.fuzzy}
    missing = sorted(str(key[0]) for key in extracted() if key not in translated)
    assert not missing, "tools/i18n, then translate in messages.po:\n" + "\n".join(missing[:30])
    # The compiled catalog the app loads says the same as the one people edit.
    with (CATALOG / "messages.mo").open("rb") as compiled:
        mo = read_mo(compiled)
    assert {(m.id, m.context): m.string for m in mo if m.id} == translated, "run tools/i18n to compile"
    for (msgid, _context), text in translated.items():  # placeholders survive translation
        assert sorted(re.findall(r"%\(\w+\)s|\{\w+\}", str(msgid))) == sorted(
            re.findall(r"%\(\w+\)s|\{\w+\}", str(text))
        ), msgid


def test_worksheets_choices_and_the_scale_are_spanish_from_their_one_definition() -> None:
    sheets, carried, families, _directions, act, scale = localized_definitions("es")
    english = localized_definitions("en")
    assert sheets["pdsa"].title == ES("PDSA worksheet") != english[0]["pdsa"].title
    assert sheets["pdsa"].field("prediction").label == ES("Prediction")
    assert [c.value for c in act] == [c.value for c in english[4]]  # stored values stay
    assert scale[0].name == ES("Intent to participate") != english[5][0].name
    assert carried[0].label == ES("Done")
    assert families[0].label == ES("Outcome")


def test_a_phone_picks_spanish_on_the_join_page_and_keeps_it(
    client: Any, room: dict[str, Any], csrf: Any
) -> None:
    page = client.get(f"/j/{room['code']}?lang=es")
    text = page.get_data(as_text=True)
    assert '<html lang="es">' in text
    assert ES("Join the room") in text
    assert ES("Your name") in text
    assert 'hreflang="en"' in text  # the way back to English
    assert "bsc_lang=es" in page.headers["Set-Cookie"]
    token = csrf(text)
    joined = client.post(
        f"/j/{room['code']}", data={"team": "new", "new_team": "Equipo Sol", "name": "Ana", "csrf": token}
    )
    assert joined.status_code == 303
    phone = client.get(f"/room/{room['code']}").get_data(as_text=True)  # no ?lang: the cookie
    assert '<html lang="es">' in phone
    assert ES("Not me / change team") in phone
    strings = re.search(r'<script type="application/json" id="strings">(.*?)</script>', phone)
    assert strings
    assert json.loads(strings.group(1))[word_key("Connecting…")] == ES("Connecting…")
    assert ES("Connecting…") in phone
    sheets = re.search(r'<script type="application/json" id="worksheets">(.*?)</script>', phone)
    assert sheets
    assert ES("PDSA worksheet") in sheets.group(1).encode().decode("unicode_escape")
    english = client.get(f"/room/{room['code']}?lang=en").get_data(as_text=True)
    assert "Not me / change team" in english


def test_a_spanish_phone_is_refused_in_spanish_and_an_english_one_in_english(
    app: Any, join_phone: Any, room: dict[str, Any], faculty_client: Any, csrf: Any
) -> None:
    from html import unescape

    from live import protocol

    from .helpers import connect, edit, last, vote

    poll = last(connect(app, faculty_client, room["code"], "console"), protocol.STATE)["activities"][0]["id"]
    spanish_web, english_web = join_phone("Riverside Clinic", "Ana"), join_phone("Riverside Clinic", "Ben")
    spanish_web.get(f"/room/{room['code']}?lang=es")  # the phone picks Spanish: its cookie says so
    spanish, english = connect(app, spanish_web, room["code"]), connect(app, english_web, room["code"])

    assert (
        vote(spanish, poll, 0, "es-vote-0001")["error"]
        == ES("this poll is not open")
        != "this poll is not open"
    )
    assert vote(english, poll, 0, "en-vote-0001")["error"] == "this poll is not open"
    # A refusal with its parameters: the field's label and the kind of character are words of
    # the catalog too, the character's code is not.
    said = edit(spanish, "aim_what", "gnp\u202eexe", 0, "es-edit-0001")
    assert said["code"] == "bad_payload"
    assert said["error"] == (
        f"{ES('What will we improve?')} contiene {ES('a hidden text-direction mark')} (U+202E); "
        "vuelva a escribirlo sin ese carácter"
    )
    too_long = edit(spanish, "aim_what", "x" * 5000, 0, "es-edit-0002")
    assert too_long["error"] == ES("that is longer than {limit} characters").format(limit=4000), too_long
    assert (
        edit(english, "aim_what", "x" * 5000, 0, "en-edit-0001")["error"]
        == "that is longer than 4000 characters"
    )
    slow = [spanish.emit(protocol.REQUEST_STATE, {}, callback=True) for _ in range(60)][-1]
    assert slow["code"] == "slow_down"
    assert slow["error"] == ES("that was a lot at once: wait a moment, then try again")

    # The join form, refused in Spanish with the names filled in and what was typed kept.
    newcomer = app.test_client()
    page = newcomer.get(f"/j/{room['code']}?lang=es").get_data(as_text=True)
    refused = newcomer.post(
        f"/j/{room['code']}",
        data={"team": "new", "new_team": "Riverside Clinic", "name": "Carla", "csrf": csrf(page)},
    )
    assert refused.status_code == 400
    text = unescape(refused.get_data(as_text=True))
    assert ES("there is already a team called '{name}'").format(name="Riverside Clinic") in text
    assert 'value="Carla"' in text


def test_the_phones_scripts_get_every_string_they_show_in_spanish() -> None:
    strings = script_strings("es")
    shown = {message for message, context in extracted() if context is None}
    scripts = (ROOT / "live" / "static" / "live").glob("*.js")
    in_scripts = {m for path in scripts for m in re.findall(r'\bt\("((?:[^"\\]|\\.)*)"', path.read_text())}
    assert in_scripts
    assert in_scripts <= shown
    for message in in_scripts:
        assert message in strings, message
        assert strings[message] != message or message.strip(" .…") == "", message


def test_the_phone_finds_a_translation_under_the_key_the_server_filed_it_under() -> None:
    """Pages carry translations under word_key(English); common.js computes the same key
    (run here in Node), for accents, emoji and the empty string alike."""
    node = shutil.which("node")
    if node is None:
        pytest.skip("Node is installed by .ci/run")
    script = (ROOT / "live" / "static" / "live" / "common.js").read_text()
    found = re.search(r"function key\(text\) \{.*?\n  \}\n", script, re.DOTALL)
    assert found, "common.js has its key function"
    texts = ["Connecting…", "Sesión de aprendizaje 1", "🙂 ok", "", "Choose all that apply", "a" * 500]
    program = found.group(0) + f"console.log(JSON.stringify({json.dumps(texts)}.map(key)));"
    ran = subprocess.run([node, "-e", program], capture_output=True, text=True, timeout=30, check=True)
    assert json.loads(ran.stdout) == [word_key(text) for text in texts]
    assert len({word_key(text) for text in texts}) == len(texts)


def test_two_texts_under_one_key_are_both_left_in_english_never_swapped() -> None:
    everything = dict(script_strings("es"))
    for curriculum in load().curricula:
        for session in curriculum.sessions:
            everything |= session_words(curriculum, session.session, "es")
    assert keyed(everything) == {word_key(e): s for e, s in everything.items()}  # no two meet today
    # Two texts that meet (found by a search over "t0", "t1", ...) are both left out.
    first, second = "t439599", "t622382"
    assert word_key(first) == word_key(second)
    assert keyed({first: "uno", second: "dos", "Connected": "Conectado"}) == {
        word_key("Connected"): "Conectado"
    }


def test_the_take_home_plan_prints_its_own_words_in_spanish() -> None:
    from exports.plans import FilledSheet, TeamPlan
    from exports.takehome import render_takehome

    plan = TeamPlan(
        collaborative="Safe Starts",
        session="Sesión de aprendizaje 1",
        team="Equipo Sol",
        organisation="Clínica del Río",
        members=("Ana",),
        date="2027-03-09",
        sheets=(FilledSheet("aim", {"aim_statement": "Para junio, 80% de tamizajes"}, ()),),
    )
    pdf = PdfReader(io.BytesIO(render_takehome(plan, lang="es")))
    text = " ".join(" ".join((p.extract_text() or "").split()) for p in pdf.pages)
    assert "martes 9 de marzo de 2027" in text
    assert localized_definitions("es")[0]["pdsa"].title in text
    assert ES("Nothing recorded yet.") in text
    assert "Nothing recorded yet." not in text
    assert "Para junio, 80% de tamizajes" in text  # what the team typed, as typed
    assert f"Página 1 de {len(pdf.pages)}" in text  # the page footer too
    assert "Page 1 of" not in text


@functools.cache
def safe_starts_es() -> tuple[Any, set[str]]:
    english = next(c for c in load().curricula if c.id == "safe-starts")
    missing: set[str] = set()
    problems = Problems()
    spanish = in_language(english, "es", problems, missing)
    assert not problems, list(problems)
    return spanish, missing


def test_the_safe_starts_curriculum_is_wholly_translated() -> None:
    spanish, missing = safe_starts_es()
    assert not missing, sorted(missing)[:20]
    for module in spanish.session("ls1").modules:
        assert is_translation(module.path), f"{module.id} has no Spanish beside it"
        assert module.path == translation_path(module.path.with_name(f"{module.id}.md"), "es")


@pytest.mark.slow
def test_bsc_build_lang_es_prints_the_safe_starts_ls1_handout_in_spanish(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from facilitator.cli import cli

    library = ROOT / "curriculum" / "library" / "safe-starts"
    result = CliRunner().invoke(cli, ["build", str(library), "-o", str(tmp_path), "--lang", "es"])
    assert result.exit_code == 0, result.output
    pdf = PdfReader(str(tmp_path / "safe-starts" / "es" / "ls1-handout.pdf"))
    text = " ".join(" ".join((p.extract_text() or "").split()) for p in pdf.pages)
    spanish, _missing = safe_starts_es()
    session = spanish.session("ls1")
    assert "martes 9 de marzo de 2027" in text
    assert ES("Learning objectives") in text
    assert "Learning objectives" not in text
    assert session.modules[0].objectives[0] in text
    assert spanish.aim.split(",")[0] in text
    assert localized_definitions("es")[0]["pdsa"].title in text
    assert ES("Session evaluation") in text
    for english in ("Learning Session 1", "Our collaborative aim", "Agenda ·", "PDSA worksheet", "Page 2 of"):
        assert english not in text, english
    assert f"Página 2 de {len(pdf.pages)}" in text


@pytest.mark.slow
def test_a_phone_reads_the_room_in_spanish_in_a_real_browser_and_keeps_it_after_a_reload(
    server: dict[str, str], browser: Any, shots: Path
) -> None:
    from .helpers import PHONE

    page = browser.new_context(**PHONE).new_page()
    page.goto(server["join"])
    page.get_by_role("link", name="Español").click()
    page.get_by_label(ES("A team not on the list")).check()
    page.get_by_label(ES("New team's name")).fill("Equipo Sol")
    page.get_by_label(ES("Your name")).fill("Ana")
    page.get_by_label(ES("Your role on the team")).select_option(label=ES("Data lead"))
    page.get_by_role("button", name=ES("Join the room")).click()
    page.wait_for_url(re.compile(r"/room/"))
    page.get_by_text(ES("Connected"), exact=True).wait_for()
    assert page.locator("html").get_attribute("lang") == "es"
    assert page.get_by_text(ES("Today's agenda")).is_visible()
    assert page.get_by_role("button", name=ES("Not me / change team")).is_visible()
    page.screenshot(path=str(shots / "phone-es-360x640.png"))
    page.reload()
    page.get_by_text(ES("Connected"), exact=True).wait_for()
    assert page.get_by_text(ES("Today's agenda")).is_visible()
    assert not page.get_by_text("Today's agenda").count()


def test_a_spanish_phone_gets_the_sessions_own_words_in_spanish(tmp_path: Path, csrf: Any) -> None:
    """The room runs the English curriculum; a phone that reads Spanish carries the session's
    words from the Spanish modules and es.yaml (its title, agenda, polls, driver diagram) and
    shows them over the English (phone.js `inWords`). An English phone carries none."""

    from facilitator.app import create_app
    from live.context import curricula, database
    from live.room.sessions import create_session

    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "DATA_DIR": str(tmp_path / "data"),
            "CURRICULUM": str(ROOT / "curriculum" / "library"),
            "ASYNC_MODE": "threading",
        }
    )
    with app.app_context(), database().transaction() as db:
        english = curricula()["safe-starts"]
        code = create_session(db, english, english.session("ls1")).join_code
    spanish, _missing = safe_starts_es()

    def carried(lang: str, name: str) -> dict[str, Any]:
        phone = app.test_client()
        page = phone.get(f"/j/{code}?lang={lang}").get_data(as_text=True)
        joined = phone.post(
            f"/j/{code}", data={"team": "new", "new_team": name, "name": "Ana", "csrf": csrf(page)}
        )
        assert joined.status_code == 303
        room = phone.get(f"/room/{code}").get_data(as_text=True)
        found = dict(re.findall(r'<script type="application/json" id="([\w-]+)">(.*?)</script>', room))
        return {name: json.loads(text) for name, text in found.items()}

    page = carried("es", "Equipo Sol")
    keyed = page["words"]
    said = {english: keyed[word_key(english)] for english in session_words(english, "ls1", "es")}
    assert len(said) == len(keyed)  # each under its own key
    poll = next(a for a in english.session("ls1").activities if a.kind == "poll" and a.poll_type == "multi")
    there = next(a for a in spanish.session("ls1").activities if a.id == poll.id)
    assert said[poll.prompt] == there.prompt != poll.prompt
    assert [said[o] for o in poll.spec["options"]] == list(there.spec["options"])
    assert said["Choose all that apply"] == ES("Choose all that apply") != "Choose all that apply"
    from curriculum.worksheets import ROLES

    assert all(said[role] == ES(role) != role for role in ROLES)  # who waits at the team's door
    assert said[english.session("ls1").title] == spanish.session("ls1").title
    assert said["Welcome and team introductions"] == "Bienvenida y presentación de los equipos"
    # The driver diagram comes once, whole, in Spanish with the English ids; not in the state.
    assert english.topic_pack is not None
    ours = english.topic_pack.driver_diagram
    theirs = spanish.topic_pack.driver_diagram
    drivers = page["drivers"]
    assert drivers["aim"] == theirs.aim != ours.aim
    assert drivers["primary"][0]["secondary"][0]["changes"][0] == theirs.primary[0].secondary[0].changes[0]
    assert [p["id"] for p in drivers["primary"]] == [p.id for p in ours.primary]
    assert "driver_diagram" not in page["initial-state"]
    assert ours.aim not in json.dumps(page, ensure_ascii=False)  # no English copy beside it
    assert len(json.dumps(keyed)) < 20_000  # only what the phone can show, not every note
    in_english = carried("en", "Team Sun")
    assert in_english["words"] == {}
    assert in_english["drivers"]["aim"] == ours.aim

    # All this fits a slow venue network: the join page, then the room, under 50 KB gzipped.
    downloads = Downloads()
    phone = app.test_client()
    form = downloads.load(phone, f"/j/{code}?lang=es")
    joined = phone.post(
        f"/j/{code}", data={"team": "new", "new_team": "Equipo Luna", "name": "Eva", "csrf": csrf(form)}
    )
    assert joined.status_code == 303
    assert ES("Today's agenda") in downloads.load(phone, f"/room/{code}")
    assert downloads.total <= 50 * 1024, f"{downloads.total} bytes: {downloads.fetched}"
