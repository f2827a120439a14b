"""The faculty packet: every team's take-home PDF and calendar file in one zip."""

from __future__ import annotations

import contextlib
import functools
import hashlib
import io
import multiprocessing
import os
import pickle
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from datetime import date
from pathlib import Path

from exports.calendar import commitments_ics
from exports.plans import TeamPlan
from exports.takehome import render_takehome


def slug(name: str) -> str:
    """A file-name-safe form of a team's name (no path separators, no dots at the start)."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    text = re.sub(r"[^A-Za-z0-9]+", "-", ascii_name).strip("-").lower()
    return text[:60] or "team"


def unique_slugs(names: list[str]) -> list[str]:
    """Slugs of the names, numbered where two would be the same."""
    taken: set[str] = set()
    out = []
    for name in names:
        base = candidate = slug(name)
        number = 1
        while candidate in taken:  # "Dup", "Dup!" and "Dup 2" must not share a folder
            number += 1
            candidate = f"{base}-{number}"
        taken.add(candidate)
        out.append(candidate)
    return out


def _files(plan: TeamPlan, paper: str, cache: Path | None = None) -> tuple[bytes, bytes]:
    return plan_pdf(plan, paper, cache), commitments_ics(plan)


CACHE_KEEP = 400  # plans kept in a cache folder (a few rooms' worth)


def plan_cache(data_dir: str | Path) -> Path:
    """Where a data folder keeps the plans it has rendered (plan_pdf's cache)."""
    return Path(data_dir) / "cache" / "plans"


@functools.cache
def _renderer() -> str:
    """What else a plan's PDF depends on: the code, templates and translations that draw it."""
    root = Path(__file__).resolve().parent
    files = sorted(
        [
            *root.glob("*.py"),
            *(root / "templates" / "takehome").glob("*"),
            *root.parent.glob("curriculum/**/*.mo"),
        ]
    )
    digest = hashlib.sha256()
    for file in files:
        digest.update(file.name.encode())
        digest.update(file.read_bytes())
    return digest.hexdigest()


def plan_pdf(plan: TeamPlan, paper: str, cache: Path | None = None) -> bytes:
    """A team's take-home PDF; with `cache`, one made today from the very same plan is reused.

    A room's plans take half a minute to render, and faculty make the zip again after a last
    edit: only the teams whose plan changed are rendered again.
    """
    if cache is None:
        return render_takehome(plan, paper)
    key = hashlib.sha256(pickle.dumps((plan, paper, date.today().isoformat(), _renderer()))).hexdigest()
    path = cache / f"{key}.pdf"
    with contextlib.suppress(OSError):
        return path.read_bytes()
    pdf = render_takehome(plan, paper)
    with contextlib.suppress(OSError):  # a cache that cannot be written is no cache, not an error
        cache.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(f".{os.getpid()}.part")
        partial.write_bytes(pdf)
        os.replace(partial, path)
        kept = sorted(cache.glob("*.pdf"), key=lambda p: p.stat().st_mtime)
        for old in kept[:-CACHE_KEEP]:
            old.unlink(missing_ok=True)
    return pdf


def render_plans(
    plans: list[TeamPlan], paper: str = "letter", workers: int = 1, cache: Path | None = None
) -> list[tuple[bytes, bytes]]:
    """Every team's (PDF, calendar) pair; with workers > 1, rendered in that many processes."""
    found = dict(render_plans_as_they_come(plans, paper, workers, cache))
    return [found[index] for index in range(len(plans))]


def render_plans_as_they_come(
    plans: list[TeamPlan], paper: str = "letter", workers: int = 1, cache: Path | None = None
) -> Iterator[tuple[int, tuple[bytes, bytes]]]:
    """Every team's (PDF, calendar) pair with its index in `plans`, each as soon as it is made
    (a job counts them for the console's progress). With workers > 1, in that many processes:
    forked, so they inherit the loaded fonts and templates (a job's process, a command line or
    a benchmark; the server renders one team's plan in a thread off its event loop instead)."""
    if workers <= 1 or len(plans) < 2:
        for index, plan in enumerate(plans):
            yield index, _files(plan, paper, cache)
        return
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        futures = {pool.submit(_files, plan, paper, cache): index for index, plan in enumerate(plans)}
        for future in as_completed(futures):
            yield futures[future], future.result()


def plans_zip(
    plans: list[TeamPlan],
    paper: str = "letter",
    workers: int = 1,
    cache: Path | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> bytes:
    """A zip with a folder per team: plan.pdf and commitments.ics; `progress(done, total)`
    hears of each team as its files are made (a job's page counts them)."""
    out = io.BytesIO()
    names = unique_slugs([p.team for p in plans])
    if progress is not None:
        progress(0, len(plans))
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for done, (index, (pdf, ics)) in enumerate(
            render_plans_as_they_come(plans, paper, workers, cache), 1
        ):
            archive.writestr(f"{names[index]}/plan.pdf", pdf)
            archive.writestr(f"{names[index]}/commitments.ics", ics)
            if progress is not None:
                progress(done, len(plans))
    return out.getvalue()
