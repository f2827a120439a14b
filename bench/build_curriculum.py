"""Build the whole bundled library and print the time and the slide and page counts.

    .venv/bin/python bench/build_curriculum.py [--repeat 3] [--join-url URL]

Targets (issue 2, on the 2-core machine): all decks under 3 s, all handouts under 10 s.
"""

from __future__ import annotations

import argparse
import io
import os
import platform
import statistics
import time

from pptx import Presentation
from pypdf import PdfReader

from curriculum.loader import load
from exports.decks import DeckOptions, build_deck
from exports.handouts import render_handout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--join-url", default="http://192.168.1.20:5000/j/K7Q2")
    args = parser.parse_args()

    started = time.perf_counter()
    loaded = load()
    load_seconds = time.perf_counter() - started
    if not loaded.ok:
        raise SystemExit("the bundled library has problems: run bsc validate")
    sessions = [(c, s) for c in loaded.curricula for s in c.sessions]
    module_files = {m.path for c in loaded.curricula for m in c.modules.values()}
    options = DeckOptions(join_url=args.join_url)

    deck_times, handout_times = [], []
    decks: list[bytes] = []
    handouts: list[bytes] = []
    for _ in range(args.repeat):
        started = time.perf_counter()
        decks = [build_deck(c, s, options) for c, s in sessions]
        deck_times.append(time.perf_counter() - started)
        started = time.perf_counter()
        handouts = [render_handout(c, s, paper="letter", join_url=args.join_url) for c, s in sessions]
        handout_times.append(time.perf_counter() - started)

    slides = [len(Presentation(io.BytesIO(d)).slides) for d in decks]
    pages = [len(PdfReader(io.BytesIO(h)).pages) for h in handouts]
    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}"
    )
    print(
        f"library: {len(loaded.curricula)} curricula, {len(sessions)} learning sessions, "
        f"{len(module_files)} modules (loaded in {load_seconds:.2f} s)"
    )
    print(
        f"decks:    {len(decks)} files, {sum(slides)} slides ({', '.join(map(str, slides))}); "
        f"all in {statistics.median(deck_times):.2f} s (median of {args.repeat}, "
        f"min {min(deck_times):.2f} s)"
    )
    print(
        f"handouts: {len(handouts)} files, {sum(pages)} pages ({', '.join(map(str, pages))}); "
        f"all in {statistics.median(handout_times):.2f} s (median of {args.repeat}, "
        f"min {min(handout_times):.2f} s)"
    )


if __name__ == "__main__":
    main()
