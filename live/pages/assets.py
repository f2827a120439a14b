"""What a phone downloads, kept small for a venue's slow network.

Scripts and styles are gzipped once, with Zopfli (gzip that any browser reads, 3 to 4% smaller
than gzip -9, at a cost paid once per file), held in memory, read again when the file changes, and
served under versioned URLs (`app.css?v=<digest>`): a phone downloads each once and, while the
file is unchanged, never asks again (cached for a year, `immutable`). Pages are gzipped as
they go out. The form token in a gzipped page is masked afresh on every page
(live/pages/forms.py), so compression gives nothing away about it (BREACH).
"""

from __future__ import annotations

import gzip
import hashlib
import mimetypes
from dataclasses import dataclass
from pathlib import Path

import rjsmin
import zopfli.gzip
from flask import Response, abort, request
from werkzeug.security import safe_join
from werkzeug.wrappers import Response as BaseResponse

STATIC = Path(__file__).resolve().parent.parent / "static" / "live"
YEAR = 365 * 86400
TEXT = ("text/", "application/javascript", "application/json", "image/svg+xml")
SMALLEST = 1024  # below this, gzip saves less than its own header costs on a slow link


@dataclass(frozen=True)
class Asset:
    body: bytes
    gzipped: bytes | None  # None for types that do not compress (images)
    digest: str
    mimetype: str
    stamp: tuple[int, ...]  # the files' mtimes and sizes when read


# Scripts a page loads together, sent as one file: one request instead of four (each costs
# its headers and, on a slow network, a round trip), and gzip finds more to share.
BUNDLES = {
    "phone.bundle.js": ("common.js", "polls.js", "workspace.js", "phone.js"),
}

_assets: dict[str, Asset] = {}


def _paths(filename: str) -> list[Path] | None:
    names = BUNDLES.get(filename, (filename,))
    paths = []
    for name in names:
        found = safe_join(str(STATIC), name)
        if found is None or not Path(found).is_file():
            return None
        paths.append(Path(found))
    return paths


def asset(filename: str) -> Asset | None:
    """A static file (or bundle), read and compressed once (again when it changes); None if
    there is none."""
    paths = _paths(filename)
    if paths is None:
        return None
    stamp = tuple(s for p in paths for s in (p.stat().st_mtime_ns, p.stat().st_size))
    cached = _assets.get(filename)
    if cached is not None and cached.stamp == stamp:
        return cached
    # Every file starts with "use strict": the first one holds for the bundle, as for each file.
    body = b";\n".join(p.read_bytes() for p in paths)
    if filename.endswith(".js") and not filename.startswith("vendor/"):  # ours: comments go
        body = rjsmin.jsmin(body.decode("utf-8")).encode("utf-8")
    mimetype = mimetypes.guess_type(filename)[0] or "application/octet-stream"
    squeeze = mimetype.startswith(TEXT) and len(body) >= SMALLEST
    made = Asset(
        body=body,
        gzipped=zopfli.gzip.compress(body) if squeeze else None,
        digest=hashlib.sha256(body).hexdigest()[:12],
        mimetype=mimetype,
        stamp=stamp,
    )
    _assets[filename] = made
    return made


def version(filename: str) -> str:
    """The version that goes into a static file's URL (its content's digest)."""
    found = asset(filename)
    return found.digest if found else ""


def accepts_gzip() -> bool:
    return request.accept_encodings["gzip"] > 0


def serve(filename: str) -> BaseResponse:
    """A static file: gzipped if the browser takes it; cached for a year if the URL carries its
    current version, otherwise checked again each time (by its ETag)."""
    found = asset(filename)
    if found is None:
        abort(404)
    squeezed = found.gzipped is not None and accepts_gzip()
    response = Response(found.gzipped if squeezed else found.body, mimetype=found.mimetype)
    if squeezed:
        response.headers["Content-Encoding"] = "gzip"
    response.headers["Vary"] = "Accept-Encoding"
    response.set_etag(found.digest + ("-gz" if squeezed else ""))
    if request.args.get("v") == found.digest:
        response.headers["Cache-Control"] = f"public, max-age={YEAR}, immutable"
    else:
        response.headers["Cache-Control"] = "no-cache"
    return response.make_conditional(request)


def compress(response: Response) -> Response:
    """Gzip a page (HTML or JSON) on its way out, if the browser takes it and it is worth it."""
    if (
        response.direct_passthrough
        or response.status_code < 200
        or response.status_code in (204, 304)
        or "Content-Encoding" in response.headers
        or not (response.mimetype or "").startswith(("text/html", "application/json"))
        or not accepts_gzip()
    ):
        return response
    body = response.get_data()
    if len(body) < SMALLEST:
        return response
    response.set_data(gzip.compress(body, 6))
    response.headers["Content-Encoding"] = "gzip"
    response.vary.add("Accept-Encoding")
    return response
