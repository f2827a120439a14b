"""The one URL fetcher WeasyPrint may use: the package's own assets, nothing else."""

from __future__ import annotations

import mimetypes
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

from weasyprint.urls import URLFetcher, URLFetcherResponse

PACKAGE = Path(__file__).resolve().parent
# Folders whose files a PDF may load (stylesheets, images); everything else is refused.
ASSET_ROOTS = (PACKAGE / "templates", PACKAGE / "static")


class AssetRefusedError(ValueError):
    """A URL that is not one of the package's own asset files."""


def asset_url(path: Path) -> str:
    """The file URL of a package asset (a folder's URL ends with a slash, for base URLs)."""
    url = path.resolve().as_uri()
    return url + "/" if path.is_dir() and not url.endswith("/") else url


def asset_path(url: str) -> Path:
    """The package file a URL names; AssetRefusedError for anything else (http, data, other files)."""
    parts = urlsplit(url)
    if parts.scheme.lower() != "file" or parts.netloc not in ("", "localhost"):
        raise AssetRefusedError(f"refused to fetch {url!r}: PDFs load only the package's own assets")
    try:
        path = Path(url2pathname(parts.path)).resolve(strict=True)  # url2pathname unquotes
    except (OSError, RuntimeError) as error:
        raise AssetRefusedError(f"refused to fetch {url!r}: no such asset") from error
    # resolve() has removed any '..' and followed symlinks, so this is the real location.
    if not path.is_file() or not any(path.is_relative_to(root) for root in ASSET_ROOTS):
        raise AssetRefusedError(f"refused to fetch {url!r}: not one of the package's assets")
    return path


class PackageURLFetcher(URLFetcher):  # type: ignore[misc]  # WeasyPrint ships no type hints
    """A WeasyPrint URL fetcher that serves files under exports/templates and exports/static only."""

    def fetch(self, url: str, headers: dict[str, str] | None = None) -> URLFetcherResponse:
        """The asset at `url`, or AssetRefusedError; never touches the network."""
        path = asset_path(url)
        mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, body=path.read_bytes(), headers={"Content-Type": mime})


def package_url_fetcher() -> PackageURLFetcher:
    """A fresh fetcher for one render (WeasyPrint's fetchers keep per-request state)."""
    return PackageURLFetcher()
