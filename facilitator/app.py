"""The application factory: configuration, database, curricula, Socket.IO and the pages."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import Flask, Response, current_app, make_response, render_template, request
from flask_babel import Babel
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.middleware.proxy_fix import ProxyFix

from curriculum.loader import load
from curriculum.translate import LANGUAGES
from facilitator.i18n import LANG_COOKIE, TRANSLATIONS, known
from live.context import close_db
from live.db import Database, Pool, sqlite_url, upgrade
from live.pages.assets import compress
from live.sockets import SocketEventSessions, load_handlers, socketio


class Defaults:
    """Configuration defaults; deployments override them with BSC_* environment variables."""

    DATA_DIR: str | None = None  # default: the instance folder
    DATABASE_URL: str | None = None  # default: SQLite in the data folder
    # One process's PostgreSQL connections (live/db.py's Pool; BSC_DB_POOL_SIZE and so on):
    # processes x (size + overflow) must stay under the server's max_connections.
    DB_POOL_SIZE = 10
    DB_POOL_OVERFLOW = 5
    DB_POOL_TIMEOUT = 30  # seconds a write waits for a connection before it is answered `busy`
    REDIS_URL: str | None = None  # several server processes share broadcasts through Redis
    SOCKETIO_CHANNEL = "bsc"  # the Redis channel those processes share
    CURRICULUM: str | None = None  # default: the bundled library
    PUBLIC_URL = "http://127.0.0.1:5000"  # `bsc serve` sets the LAN address
    # Reminders by e-mail (live/reminders.py): none are sent until SMTP_HOST is set.
    SMTP_HOST: str | None = None
    SMTP_PORT = 25
    SMTP_FROM = "reminders@localhost"
    SMTP_USER: str | None = None
    SMTP_PASSWORD: str | None = None
    SMTP_STARTTLS = False
    REMINDER_EVERY = 900  # seconds between a server process's checks for reminders due
    ASYNC_MODE = "gevent"
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_HTTPONLY = True
    MAX_CONTENT_LENGTH = 64 * 1024  # forms are small; refuse anything bigger
    REJOIN_DAYS = 3
    PERSONAL_DAYS = 240  # a device signed in by a personal link stays in through the collaborative
    PAPER = "letter"  # take-home PDFs: letter or a4
    PERMANENT_SESSION_LIFETIME = timedelta(hours=14)  # faculty sign in again after a long day
    # Behind a TLS reverse proxy (nginx, Caddy): how many proxies set X-Forwarded-For, -Proto and
    # -Host. 0 trusts none (a laptop in the room); BSC_PROXY_FIX=1 behind one proxy.
    PROXY_FIX = 0
    # Socket.IO messages larger than this close the connection; every payload is far smaller
    # (a workspace field holds 4,000 characters), so a write past a field's own limit is refused
    # with that limit named rather than cut off here.
    MAX_SOCKET_MESSAGE = 1024 * 1024


def _secret_key(data_dir: Path) -> str:
    """A secret kept in the data folder, so sign-ins survive a restart."""
    path = data_dir / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Make the application; `test_config` overrides everything else."""
    app = Flask(__name__, instance_relative_config=True, template_folder="templates", static_folder=None)
    app.config.from_object(Defaults)
    app.config.from_prefixed_env("BSC")
    if os.environ.get("DATABASE_URL"):
        app.config["DATABASE_URL"] = os.environ["DATABASE_URL"]
    if os.environ.get("REDIS_URL"):
        app.config["REDIS_URL"] = os.environ["REDIS_URL"]
    if test_config:
        app.config.update(test_config)
    # Cookies only travel over TLS when the room is reached over TLS.
    if str(app.config["PUBLIC_URL"]).startswith("https://"):
        app.config["SESSION_COOKIE_SECURE"] = True
    if int(app.config["PROXY_FIX"]):
        hops = int(app.config["PROXY_FIX"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]

    data_dir = Path(app.config["DATA_DIR"] or app.instance_path)
    data_dir.mkdir(parents=True, exist_ok=True)
    app.config["DATA_DIR"] = str(data_dir)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _secret_key(data_dir)

    pool = Pool(
        int(app.config["DB_POOL_SIZE"]),
        int(app.config["DB_POOL_OVERFLOW"]),
        float(app.config["DB_POOL_TIMEOUT"]),
    )
    database = Database(app.config["DATABASE_URL"] or sqlite_url(data_dir), pool=pool)
    upgrade(database.engine)
    app.extensions["bsc.db"] = database
    # One database session per request or Socket.IO event, closed when it ends.
    app.teardown_request(close_db)
    app.teardown_appcontext(close_db)

    app.extensions["bsc.curricula"] = {}
    if app.config.get("LOAD_CURRICULUM", True):
        loaded = load(Path(app.config["CURRICULUM"]) if app.config["CURRICULUM"] else None)
        if not loaded.ok:
            problems = "\n".join(str(p) for p in loaded.problems[:20])
            raise ValueError(f"the curriculum has problems (bsc validate lists them all):\n{problems}")
        app.extensions["bsc.curricula"] = {c.id: c for c in loaded.curricula}

    # Before init_app: Flask-SocketIO copies the handlers it holds into each new server, but a
    # handler registered after a server exists goes to that server only.
    load_handlers()
    app.session_interface = SocketEventSessions()
    socketio.init_app(
        app,
        async_mode=app.config["ASYNC_MODE"],
        message_queue=app.config["REDIS_URL"],
        channel=app.config["SOCKETIO_CHANNEL"],
        max_http_buffer_size=app.config["MAX_SOCKET_MESSAGE"],
        ping_interval=20,
        ping_timeout=20,
    )

    from facilitator.actionperiod import blueprint as actionperiod
    from facilitator.console import blueprint as console
    from live.pages.routes import blueprint as room

    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(TRANSLATIONS))
    Babel(app, locale_selector=_language)
    app.context_processor(lambda: {"lang": _language(), "languages": LANGUAGES})
    app.after_request(_remember_language)

    app.register_blueprint(room)
    app.register_blueprint(console)
    app.register_blueprint(actionperiod)
    app.after_request(compress)
    app.register_error_handler(OperationalError, _busy)
    app.register_error_handler(PoolTimeout, _busy)
    return app


def _language() -> str:
    """The page's language: ?lang= (a phone picking one), else the phone's cookie, else English."""
    return known(request.args.get("lang") or request.cookies.get(LANG_COOKIE))


def _remember_language(response: Response) -> Response:
    """A phone that picked a language keeps it, on every page and in its PDFs."""
    picked = request.args.get("lang")
    if picked and known(picked) == picked and request.cookies.get(LANG_COOKIE) != picked:
        response.set_cookie(
            LANG_COOKIE,
            picked,
            max_age=365 * 24 * 3600,
            samesite="Lax",
            secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")),
        )
    return response


def _busy(error: Exception) -> Any:
    """Every database connection stayed taken past the pool's timeout (or the database was
    locked): say so with a 503 the browser can retry, never a bare 500."""
    current_app.logger.warning("a request met a busy database: %s", error)
    response = make_response(render_template("live/busy.html"), 503)
    response.headers["Retry-After"] = "3"
    return response
