"""The `bsc` command line: validate and build curricula, run the room, manage faculty."""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

from curriculum.loader import Loaded, load
from curriculum.translate import LANGUAGES

# The options several commands share, defined once.
data_dir_option = click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    envvar="BSC_DATA_DIR",
    help="Where the database and secret key live (default: ./instance; env BSC_DATA_DIR).",
)
session_curriculum_option = click.option(
    "--curriculum",
    type=click.Path(exists=True, path_type=Path),
    help="The curriculum the session came from (default: the bundled library).",
)


def _report(loaded: Loaded) -> None:
    """Print every problem to stderr, then how many there were."""
    for problem in loaded.problems:
        click.echo(str(problem), err=True)
    count = len(loaded.problems)
    click.echo(f"{count} problem{'s' if count != 1 else ''} found.", err=True)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="bsc-learning-session-kit", prog_name="bsc")
def cli() -> None:
    """Run Breakthrough Series Collaborative learning sessions."""


@cli.command()
@click.argument("path", required=False, type=click.Path(path_type=Path))
def validate(path: Path | None) -> None:
    """Check a module, a curriculum or a library (default: the bundled one).

    Prints every problem as file:line: what is wrong (how to fix it), and exits 1 if any.
    """
    loaded = load(path)
    if not loaded.ok:
        _report(loaded)
        sys.exit(1)
    # Curricula of one library share modules: count each file once.
    paths = {m.path for m in loaded.modules} | {m.path for c in loaded.curricula for m in c.modules.values()}
    modules = len(paths)
    sessions = sum(len(c.sessions) for c in loaded.curricula)
    what = [f"{modules} module{'s' if modules != 1 else ''}"]
    if loaded.curricula:
        what.insert(0, f"{len(loaded.curricula)} curricul{'a' if len(loaded.curricula) != 1 else 'um'}")
        what.append(f"{sessions} learning session{'s' if sessions != 1 else ''}")
    click.echo(f"OK: {', '.join(what)}, no problems.")


@cli.command()
@click.argument("path", required=False, type=click.Path(path_type=Path))
@click.option(
    "-o",
    "--output",
    "outdir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("out"),
    show_default=True,
    help="Folder to write into.",
)
@click.option("--join-url", metavar="URL", help="The room's join link: activity slides get its QR code.")
@click.option(
    "--template",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Your own deck template (.pptx with the layouts named in docs/decks.md).",
)
@click.option(
    "--paper",
    type=click.Choice(["letter", "a4"]),
    default="letter",
    show_default=True,
    help="Handout paper size.",
)
@click.option(
    "--lang",
    type=click.Choice(list(LANGUAGES)),
    default="en",
    show_default=True,
    help="Build the participants' handouts in this language (into OUTDIR/<curriculum>/<lang>/).",
)
def build(
    path: Path | None, outdir: Path, join_url: str | None, template: Path | None, paper: str, lang: str
) -> None:
    """Build a deck (.pptx), a handout and a facilitator guide (.pdf) for every learning session.

    PATH is a curriculum, a library of curricula, or one module (built as a preview);
    by default the bundled library. With --lang es, the handouts in Spanish: modules with a
    translation beside them (name.es.md) and the curriculum's es.yaml give the words.
    """
    from exports.decks import DEFAULT_TEMPLATE, DeckOptions, TemplateError
    from facilitator.build import plan, preview_curriculum, run

    if join_url is not None and not join_url.startswith(("http://", "https://")):
        raise click.BadParameter(
            "give the full link, starting with http:// or https://", param_hint="--join-url"
        )
    loaded = load(path, lang=lang)
    if not loaded.ok:
        _report(loaded)
        click.echo("Nothing was built: fix these first (bsc validate checks again).", err=True)
        sys.exit(1)
    curricula = loaded.curricula + [preview_curriculum(m) for m in loaded.modules]
    jobs = plan(curricula, outdir, lang)
    options = DeckOptions(template=template or DEFAULT_TEMPLATE, join_url=join_url)

    def progress(items: list) -> Iterator:  # type: ignore[type-arg]
        with click.progressbar(
            items, label="Building", file=sys.stderr, item_show_func=lambda j: j.label if j else ""
        ) as bar:
            yield from bar

    try:
        written = run(jobs, options, paper, progress)
    except TemplateError as error:
        click.echo(f"bsc build: {error}", err=True)
        sys.exit(2)
    except OSError as error:
        click.echo(f"bsc build: cannot write {error.filename}: {error.strerror}", err=True)
        sys.exit(2)
    for file in written:
        click.echo(str(file))
    click.echo(f"Built {len(written)} files in {outdir}.", err=True)


def _lan_address() -> str | None:
    """This machine's address on the local network (what phones in the room can reach)."""
    import socket

    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        probe.connect(("10.255.255.255", 1))  # no packet is sent: this only picks a route
        address = str(probe.getsockname()[0])
    except OSError:
        return None
    finally:
        probe.close()
    return None if address.startswith("127.") else address


def _terminal_qr(data: str) -> str:
    """A QR code drawn with block characters, readable from a phone held to the screen."""
    import io

    import qrcode

    code = qrcode.QRCode(border=2)
    code.add_data(data)
    out = io.StringIO()
    code.print_ascii(out=out, invert=True)
    return out.getvalue()


@cli.command()
# Phones reach the laptop over the venue network, so listening on every interface is the point.
@click.option("--host", default="0.0.0.0", show_default=True, help="Address to listen on.")  # noqa: S104
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535))
@click.option(
    "--public-url",
    metavar="URL",
    help="The address phones use (default: this machine's LAN address and the port).",
)
@click.option(
    "--curriculum",
    type=click.Path(exists=True, path_type=Path),
    help="A curriculum or library (default: the bundled library).",
)
@data_dir_option
@click.option(
    "--session",
    "session_key",
    metavar="CURRICULUM:SESSION",
    help="Open this learning session if none is open yet, such as safe-starts:ls1.",
)
def serve(
    host: str,
    port: int,
    public_url: str | None,
    curriculum: Path | None,
    data_dir: Path | None,
    session_key: str | None,
) -> None:
    """Run the room: the facilitator console, the projector and the phones' pages."""
    from curriculum.problems import Invalid
    from facilitator.app import create_app
    from facilitator.auth import create_login_link, ensure_facilitator
    from live.room.serving import current_or_new_session

    if public_url is None:
        address = _lan_address()
        if address is None:
            click.echo(
                "No network found: phones cannot reach this machine. Use --public-url "
                "once it is on the venue network.",
                err=True,
            )
            address = "127.0.0.1"
        public_url = f"http://{address}:{port}"
    if not public_url.startswith(("http://", "https://")):
        raise click.BadParameter(
            "give the full address, such as http://192.168.1.20:5000", param_hint="--public-url"
        )
    settings: dict[str, object] = {"PUBLIC_URL": public_url.rstrip("/")}
    if curriculum is not None:
        settings["CURRICULUM"] = str(curriculum)
    if data_dir is not None:
        settings["DATA_DIR"] = str(data_dir)
    try:
        app = create_app(settings)
    except ValueError as error:
        raise click.ClickException(str(error)) from error
    with app.app_context():
        from live.context import join_url, transaction

        try:
            with transaction() as db:
                token = create_login_link(db, ensure_facilitator(db))
                room = current_or_new_session(db, session_key)
                code, title = room.join_code, room.title
        except Invalid as refused:
            raise click.ClickException(refused.message) from refused
        link = join_url(code)
    base = public_url.rstrip("/")
    click.echo(f"Facilitator console (one-time sign-in link): {base}/login/{token}")
    click.echo(f"Session: {title}")
    click.echo(f"Join URL for phones: {link}   (code {code})")
    click.echo(_terminal_qr(link))
    from live.reminders import Smtp

    smtp = Smtp.from_config(app.config)
    if smtp is None:
        click.echo("E-mail reminders: off (no SMTP server: set BSC_SMTP_HOST to send them).", err=True)
    else:
        from live.sockets import socketio

        by = ", sent by bsc worker (REDIS_URL)" if app.config.get("REDIS_URL") else ""
        click.echo(f"E-mail reminders: on, through {smtp.describe()}{by}.", err=True)
        socketio.start_background_task(_remind_forever, app, smtp)
    serve_forever(
        app, host, port, lambda: click.echo(f"Listening on {host}:{port}. Stop with Ctrl+C.", err=True)
    )


def _remind_forever(app: Any, smtp: Any) -> None:
    """Check for reminders due, every REMINDER_EVERY seconds, for as long as the server runs."""
    from live.context import database
    from live.reminders import send_due
    from live.sockets import socketio

    while True:
        try:
            today, url = datetime.now(UTC).date(), str(app.config["PUBLIC_URL"])
            if app.config.get("REDIS_URL"):  # the workers send them
                from facilitator.jobs import job_settings, queue_reminders

                queue_reminders(job_settings(app.config), today.isoformat(), url)
            else:
                with app.app_context():
                    send_due(database(), smtp, today, url)
        except Exception:
            logging.getLogger(__name__).exception("reminder check failed")
        socketio.sleep(int(app.config["REMINDER_EVERY"]))


def serve_forever(app: Any, host: str, port: int, listening: Any = None) -> None:
    """Serve with gevent's WSGI server, every connection with TCP_NODELAY; `listening` is
    called once the port is bound and taking connections (so "Listening on" is true when it
    is printed: scripts and tests wait for it).

    A reply that follows another message (the state, then its ack) would otherwise wait for
    the phone's delayed TCP acknowledgement, 40 ms each time (Nagle's algorithm).
    """
    from gevent import pywsgi

    class Handler(pywsgi.WSGIHandler):  # type: ignore[misc]
        def handle(self) -> None:
            with contextlib.suppress(OSError):  # not TCP (a Unix socket): nothing to set
                self.socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            super().handle()

    server = pywsgi.WSGIServer((host, port), app, handler_class=Handler, log=None)
    server.start()  # binds the port: a port in use fails here, before anything says it listens
    if listening is not None:
        listening()
    server.serve_forever()


@cli.command("remind")
@data_dir_option
@click.option(
    "--today", type=click.DateTime(["%Y-%m-%d"]), help="Send what is due on this day (default: today)."
)
@click.option("--public-url", metavar="URL", envvar="BSC_PUBLIC_URL", help="The room's address, for links.")
def remind(data_dir: Path | None, today: datetime | None, public_url: str | None) -> None:
    """Send the e-mail reminders due today, once (each server process also checks every 15
    minutes; this is for cron). Needs BSC_SMTP_HOST; a reminder another process sent is skipped."""
    from live.context import database
    from live.reminders import Smtp, send_due

    app = _app(None, data_dir)
    smtp = Smtp.from_config(app.config)
    if smtp is None:
        click.echo("No SMTP server configured (BSC_SMTP_HOST): no reminders sent.")
        return
    day = today.date() if today else datetime.now(UTC).date()
    with app.app_context():
        sent = send_due(database(), smtp, day, (public_url or str(app.config["PUBLIC_URL"])).rstrip("/"))
    click.echo(
        f"Sent {sent} reminder{'s' if sent != 1 else ''} for {day.isoformat()} through {smtp.describe()}."
    )


def _app(curriculum: Path | None, data_dir: Path | None) -> Any:
    """The room's application, on its data folder, for a command that reads the room."""
    from facilitator.app import create_app

    settings: dict[str, object] = {}
    if data_dir is not None:
        settings["DATA_DIR"] = str(data_dir)
    if curriculum is not None:
        settings["CURRICULUM"] = str(curriculum)
    try:
        return create_app(settings)
    except ValueError as error:
        raise click.ClickException(str(error)) from error


def _room(session_id: int | None) -> Any:
    """A learning session by its number, or the newest (inside an app context)."""
    from sqlalchemy import select

    from live.context import db
    from live.models import LearningSession

    query = select(LearningSession).order_by(LearningSession.created_at.desc(), LearningSession.id.desc())
    room = db().get(LearningSession, session_id) if session_id else db().scalar(query)
    if room is None:
        raise click.ClickException("no such session: bsc serve makes one, the console lists them")
    return room


@cli.command("results")
@click.option("--session", "session_id", type=int, help="The session's number (default: the newest).")
@click.option(
    "-o",
    "--output",
    "output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The deck to write (default: <code>-results.pptx).",
)
@click.option(
    "--template",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Your own deck template (.pptx with the layouts named in docs/decks.md).",
)
@session_curriculum_option
@data_dir_option
def results(
    session_id: int | None,
    output: Path | None,
    template: Path | None,
    curriculum: Path | None,
    data_dir: Path | None,
) -> None:
    """Write a learning session's results as a deck with native charts: every poll, the word
    cloud, approved answers, top questions, each team's rating, commitments and dots."""
    from exports.decks import DEFAULT_TEMPLATE, TemplateError
    from exports.results_deck import build_results_deck
    from facilitator.build import write_atomically
    from live.results import session_results

    app = _app(curriculum, data_dir)
    with app.app_context():
        from live.context import db

        room = _room(session_id)
        found, code = session_results(db(), room.id), room.join_code
    try:
        data = build_results_deck(found, template or DEFAULT_TEMPLATE)
    except TemplateError as error:
        raise click.ClickException(str(error)) from error
    target = output or Path(f"{code}-results.pptx")
    write_atomically(target, data)
    click.echo(str(target))


@cli.command("export")
@click.option("--session", "session_id", type=int, help="The session's number (default: the newest).")
@click.option(
    "--all",
    "everything",
    is_flag=True,
    help="Write the whole collaborative instead, as one backup file for bsc import (-o FILE.json).",
)
@click.option(
    "--collaborative",
    "collaboratives",
    multiple=True,
    metavar="ID",
    help="With --all: only this collaborative (its curriculum id; may be given again). Default: all.",
)
@click.option(
    "-o",
    "--output",
    "outdir",
    type=click.Path(path_type=Path),
    help="Folder to write the plans into (default: out), or with --all the backup file.",
)
@click.option("--paper", type=click.Choice(["letter", "a4"]), default="letter", show_default=True)
@session_curriculum_option
@data_dir_option
@click.option(
    "--public-url", metavar="URL", default="", help="Printed as each plan's QR code back to the room."
)
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=os.cpu_count() or 1,
    show_default=True,
    help="Processes rendering PDFs at once.",
)
def export(
    session_id: int | None,
    everything: bool,
    collaboratives: tuple[str, ...],
    outdir: Path | None,
    paper: str,
    curriculum: Path | None,
    data_dir: Path | None,
    public_url: str,
    workers: int,
) -> None:
    """Write every team's take-home PDF and calendar file: OUTDIR/<code>/<team>/plan.pdf;
    or with --all, every row of the collaborative as one backup file (docs/running-a-room.md)."""
    if everything:
        _export_backup(outdir, collaboratives, data_dir)
        return
    if collaboratives:
        raise click.UsageError("--collaborative goes with --all")
    outdir = outdir or Path("out")
    if outdir.exists() and not outdir.is_dir():
        raise click.UsageError(f"{outdir} is a file; the plans go into a folder (-o FOLDER)")

    from exports.packet import plan_cache, render_plans, unique_slugs
    from facilitator.build import write_atomically
    from live.workspaces.plans import session_plans

    app = _app(curriculum, data_dir)
    with app.app_context():
        from live.context import curricula, db

        room = _room(session_id)
        link = f"{public_url.rstrip('/')}/room/{room.join_code}" if public_url else ""
        plans = session_plans(db(), room, curricula().get(room.collaborative.curriculum_id), link)
        code = room.join_code
    names = unique_slugs([p.team for p in plans])
    cache = plan_cache(app.config["DATA_DIR"])  # unchanged plans are not rendered again
    for (pdf, ics), name in zip(render_plans(plans, paper, workers, cache), names, strict=True):
        folder = outdir / code / name
        write_atomically(folder / "plan.pdf", pdf)
        write_atomically(folder / "commitments.ics", ics)
        click.echo(str(folder))
    click.echo(f"Wrote the plans of {len(plans)} teams to {outdir / code}.", err=True)


def _export_backup(target: Path | None, collaboratives: tuple[str, ...], data_dir: Path | None) -> None:
    from sqlalchemy import select

    from facilitator.build import write_atomically
    from live.backup import dumps, export_backup
    from live.models import Collaborative

    app = _with_database(data_dir)
    with app.app_context():
        from live.context import db

        known = set(db().scalars(select(Collaborative.curriculum_id)))
        unknown = sorted(set(collaboratives) - known)
        if unknown:
            raise click.ClickException(
                f"no collaborative {', '.join(unknown)} here; there are: {', '.join(sorted(known)) or 'none'}"
            )
        document = export_backup(db(), list(collaboratives) or None)
    target = target or Path(f"bsc-backup-{document['exported_at'][:10]}.json")
    if target.is_dir():
        raise click.UsageError(f"{target} is a folder; give the backup's file name (-o FILE.json)")
    write_atomically(target, dumps(document))
    teams = len(document["tables"]["team"]["rows"])
    click.echo(
        f"Wrote {', '.join(document['collaboratives']) or 'no collaborative'} "
        f"({len(document['tables']['learning_session']['rows'])} sessions, {teams} teams, "
        f"{len(document['tables']['participant']['rows'])} participants) to {target}.",
        err=True,
    )
    click.echo(str(target))


@cli.command("import")
@click.argument("backup", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@data_dir_option
def import_(backup: Path, data_dir: Path | None) -> None:
    """Load a backup written by bsc export --all into this data folder (or DATABASE_URL):
    rows already here are kept or updated, new ones added; a file that cannot be read whole
    is refused and nothing of it is imported."""
    from live.backup import BackupError, import_backup

    app = _with_database(data_dir)
    with app.app_context():
        from live.context import transaction

        try:
            with transaction() as db:
                counts = import_backup(db, backup.read_bytes())
        except BackupError as error:
            raise click.ClickException(f"{backup}: {error} (nothing was imported)") from error
    added = sum(c.added for c in counts.values())
    changed = sum(c.changed for c in counts.values())
    for name, count in counts.items():
        if count.added or count.changed:
            click.echo(
                f"  {name}: {count.added} added, {count.changed} changed, {count.same} already here", err=True
            )
    click.echo(
        f"Imported {backup}: {added} rows added, {changed} changed."
        if added or changed
        else f"Imported {backup}: nothing new."
    )


@cli.command("worker")
@click.option("--burst", is_flag=True, help="Run the jobs waiting, then stop (for cron or a test).")
@data_dir_option
def worker(burst: bool, data_dir: Path | None) -> None:
    """Run the room's heavy jobs (every team's plans) from the Redis queue that the server
    processes share (REDIS_URL). Run one or more beside the servers; without Redis, each
    server runs its jobs in a process of its own and needs no worker."""
    from redis import Redis
    from redis.exceptions import ConnectionError as RedisDown
    from rq import Worker

    from facilitator.jobs import QUEUE

    if data_dir is not None:  # the jobs it runs open the room from the environment, like it
        os.environ["BSC_DATA_DIR"] = str(data_dir)
    app = _with_database(data_dir)
    url = app.config.get("REDIS_URL")
    if not url:
        raise click.ClickException("no REDIS_URL: without Redis, bsc serve runs its jobs itself")
    queue = str(app.config.get("JOB_QUEUE") or QUEUE)
    try:
        connection = Redis.from_url(url)
        connection.ping()
    except RedisDown as error:
        raise click.ClickException(f"Redis does not answer at {url}: {error}") from error
    click.echo(f"Running jobs from the queue {queue!r} on {url}.", err=True)
    Worker([queue], connection=connection).work(burst=burst, logging_level="WARNING")


@cli.group()
def faculty() -> None:
    """Faculty accounts: set a password, or print a one-time sign-in link."""


def _with_database(data_dir: Path | None):  # type: ignore[no-untyped-def]
    from facilitator.app import create_app

    settings: dict[str, object] = {"LOAD_CURRICULUM": False}
    if data_dir is not None:
        settings["DATA_DIR"] = str(data_dir)
    return create_app(settings)


@faculty.command("add")
@click.argument("email")
@click.option("--name", default="", help="How the console greets them.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input (scripts).")
@data_dir_option
def faculty_add(email: str, name: str, password_stdin: bool, data_dir: Path | None) -> None:
    """Create a faculty account or set its password (stored hashed)."""
    from facilitator.auth import AuthError, set_password

    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    app = _with_database(data_dir)
    with app.app_context():
        from live.context import transaction

        try:
            with transaction() as db:
                set_password(db, email, password, name)
        except AuthError as error:
            raise click.ClickException(str(error)) from error
    click.echo(f"Faculty account {email.strip().lower()} is ready.")


@faculty.command("link")
@click.argument("email", required=False)
@click.option("--public-url", metavar="URL", default="http://127.0.0.1:5000", show_default=True)
@data_dir_option
def faculty_link(email: str | None, public_url: str, data_dir: Path | None) -> None:
    """Print a one-time sign-in link (valid 12 hours) for a faculty account."""
    from sqlalchemy import select

    from facilitator.auth import create_login_link, ensure_facilitator
    from live.models import Facilitator

    app = _with_database(data_dir)
    with app.app_context():
        from live.context import transaction

        with transaction() as db:
            if email:
                who = db.scalar(select(Facilitator).where(Facilitator.email == email.strip().lower()))
                if who is None:
                    raise click.ClickException(f"no faculty account {email}; make it with bsc faculty add")
            else:
                who = ensure_facilitator(db)
            token = create_login_link(db, who)
    click.echo(f"{public_url.rstrip('/')}/login/{token}")


def main() -> None:
    """Entry point of the `bsc` console script: errors are one clear line, never a traceback."""
    try:
        cli(prog_name="bsc", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(130)
    except click.ClickException as error:
        error.show()
        sys.exit(error.exit_code)
    except SystemExit:
        raise
    except Exception as error:
        if os.environ.get("BSC_DEBUG"):
            raise
        click.echo(
            f"bsc: unexpected error: {error!r}. Please report it; "
            "run again with BSC_DEBUG=1 to see where it happened.",
            err=True,
        )
        sys.exit(3)
