"""The `bsc` command line: validate and build curricula (and, later, run the room)."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import click

from curriculum.loader import Loaded, load


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
    modules = len(loaded.modules) + sum(len(c.modules) for c in loaded.curricula)
    sessions = sum(len(c.sessions) for c in loaded.curricula)
    what = [f"{modules} module{'s' if modules != 1 else ''}"]
    if loaded.curricula:
        what.insert(0, f"{len(loaded.curricula)} curricul{'a' if len(loaded.curricula) != 1 else 'um'}")
        what.append(f"{sessions} learning session{'s' if sessions != 1 else ''}")
    click.echo(f"OK: {', '.join(what)}, no problems.")


@cli.command()
@click.argument("path", required=False, type=click.Path(path_type=Path))
@click.option("-o", "--output", "outdir", type=click.Path(file_okay=False, path_type=Path),
              default=Path("out"), show_default=True, help="Folder to write into.")
@click.option("--join-url", metavar="URL", help="The room's join link: activity slides get its QR code.")
@click.option("--template", type=click.Path(dir_okay=False, path_type=Path),
              help="Your own deck template (.pptx with the layouts named in docs/decks.md).")
@click.option("--paper", type=click.Choice(["letter", "a4"]), default="letter", show_default=True,
              help="Handout paper size.")
def build(path: Path | None, outdir: Path, join_url: str | None, template: Path | None,
          paper: str) -> None:
    """Build a deck (.pptx) and a handout (.pdf) for every learning session.

    PATH is a curriculum, a library of curricula, or one module (built as a preview);
    by default the bundled library.
    """
    from exports.decks import DEFAULT_TEMPLATE, DeckOptions, TemplateError
    from facilitator.build import plan, preview_curriculum, run

    if join_url is not None and not join_url.startswith(("http://", "https://")):
        raise click.BadParameter("give the full link, starting with http:// or https://",
                                 param_hint="--join-url")
    loaded = load(path)
    if not loaded.ok:
        _report(loaded)
        click.echo("Nothing was built: fix these first (bsc validate checks again).", err=True)
        sys.exit(1)
    curricula = loaded.curricula + [preview_curriculum(m) for m in loaded.modules]
    jobs = plan(curricula, outdir)
    options = DeckOptions(template=template or DEFAULT_TEMPLATE, join_url=join_url)

    def progress(items: list) -> Iterator:  # type: ignore[type-arg]
        with click.progressbar(items, label="Building", file=sys.stderr,
                               item_show_func=lambda j: j.label if j else "") as bar:
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
        click.echo(f"bsc: unexpected error: {error!r}. Please report it; "
                   "run again with BSC_DEBUG=1 to see where it happened.", err=True)
        sys.exit(3)
