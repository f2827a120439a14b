"""Building a curriculum's files: a deck and a handout per learning session, written safely."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from curriculum.model import AgendaItem, Curriculum, LearningSession, Module
from exports.decks import DeckOptions, build_deck, load_template
from exports.guide import render_guide
from exports.handouts import render_handout

PAPERS = ("letter", "a4")


@dataclass(frozen=True)
class Job:
    """One file to make."""

    curriculum: Curriculum
    session: LearningSession
    kind: str  # "deck", "handout" or "guide"
    path: Path
    lang: str = "en"

    @property
    def label(self) -> str:
        return f"{self.curriculum.id}/{self.path.name}"


def preview_curriculum(module: Module) -> Curriculum:
    """A one-module curriculum, so that a module being written can be built on its own."""
    start = 9 * 60
    session = LearningSession(
        session=module.session,
        title=module.title,
        start=start,
        end=start + module.duration,
        agenda=(AgendaItem(start=start, minutes=module.duration, title=module.title, module=module),),
    )
    return Curriculum(
        id=module.id,
        title=module.title,
        topic="",
        aim="",
        phases=(),
        sessions=(session,),
        modules={module.id: module},
        path=module.path.parent,
    )


def plan(curricula: list[Curriculum], outdir: Path, lang: str = "en") -> list[Job]:
    """The files a build makes: OUTDIR/<curriculum id>/<session>.pptx, <session>-handout.pdf
    and <session>-guide.pdf (the facilitator guide). In another language (the curricula given
    in it), the participants' handouts: OUTDIR/<curriculum id>/<lang>/<session>-handout.pdf."""
    jobs = []
    for curriculum in curricula:
        folder = outdir / curriculum.id
        if lang != "en":
            jobs += [
                Job(curriculum, s, "handout", folder / lang / f"{s.slug}-handout.pdf", lang)
                for s in curriculum.sessions
            ]
            continue
        for session in curriculum.sessions:
            jobs.append(Job(curriculum, session, "deck", folder / f"{session.slug}.pptx"))
            jobs.append(Job(curriculum, session, "handout", folder / f"{session.slug}-handout.pdf"))
            jobs.append(Job(curriculum, session, "guide", folder / f"{session.slug}-guide.pdf"))
    return jobs


def make(job: Job, deck: DeckOptions, paper: str) -> bytes:
    """The bytes of one job's file."""
    if job.kind == "deck":
        return build_deck(job.curriculum, job.session, deck)
    if job.kind == "guide":
        return render_guide(job.curriculum, job.session, paper=paper)
    return render_handout(job.curriculum, job.session, paper=paper, join_url=deck.join_url, lang=job.lang)


def write_atomically(path: Path, data: bytes) -> None:
    """Write `data` so that `path` is either absent, the old file, or the whole new file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".partial", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def run(
    jobs: list[Job], deck: DeckOptions, paper: str, progress: Callable[[list[Job]], Iterator[Job]] = iter
) -> list[Path]:
    """Make every job's file; the template is checked before anything is written."""
    if paper not in PAPERS:
        raise ValueError(f"paper must be one of {', '.join(PAPERS)}, not '{paper}'")
    load_template(deck.template)
    written = []
    for job in progress(jobs):
        write_atomically(job.path, make(job, deck, paper))
        written.append(job.path)
    return written
