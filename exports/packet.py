"""The faculty packet: every team's take-home PDF and calendar file in one zip."""

from __future__ import annotations

import io
import multiprocessing
import re
import unicodedata
import zipfile
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed

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


def _files(plan: TeamPlan, paper: str) -> tuple[bytes, bytes]:
    return render_takehome(plan, paper), commitments_ics(plan)


def render_plans(plans: list[TeamPlan], paper: str = "letter", workers: int = 1) -> list[tuple[bytes, bytes]]:
    """Every team's (PDF, calendar) pair; with workers > 1, rendered in that many processes."""
    if workers <= 1 or len(plans) < 2:
        return [_files(plan, paper) for plan in plans]
    # fork: the workers inherit the loaded fonts and templates (a command line or a benchmark;
    # the server renders in one thread off its event loop instead).
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        return list(pool.map(_files, plans, [paper] * len(plans)))


def render_plans_as_they_come(
    plans: list[TeamPlan], paper: str = "letter", workers: int = 1
) -> Iterator[tuple[int, tuple[bytes, bytes]]]:
    """Every team's (PDF, calendar) pair with its index in `plans`, each as soon as it is made
    (a job counts them for the console's progress)."""
    if workers <= 1 or len(plans) < 2:
        for index, plan in enumerate(plans):
            yield index, _files(plan, paper)
        return
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        futures = {pool.submit(_files, plan, paper): index for index, plan in enumerate(plans)}
        for future in as_completed(futures):
            yield futures[future], future.result()


def plans_zip(plans: list[TeamPlan], paper: str = "letter", workers: int = 1) -> bytes:
    """A zip with a folder per team: plan.pdf and commitments.ics."""
    out = io.BytesIO()
    files = render_plans(plans, paper, workers)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for (pdf, ics), name in zip(files, unique_slugs([p.team for p in plans]), strict=True):
            archive.writestr(f"{name}/plan.pdf", pdf)
            archive.writestr(f"{name}/commitments.ics", ics)
    return out.getvalue()
