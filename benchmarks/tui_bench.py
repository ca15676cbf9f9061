"""How long from a key to the screen that shows what it did? Prints p50/p99 figures.

Two projects, both made the way researchers make them — transcripts read and added
with :meth:`Project.add_document`, codings through :meth:`Project.tag_many`, coder by
coder (``benchmarks/synth.py``); no raw SQL, no ANALYZE:

1. one interview of 10,000 paragraphs (60,000 codings by three coders);
2. a project of 200,000 paragraphs: 100 interviews of 2,000 (600,000 codings).

For each, at 80×24 and at 160×45, the coding screen is driven by keys through Textual's
Pilot and every sample is timed from the key press until the key has been handled and
the whole screen repainted and turned into terminal output (a full repaint: an upper
bound, as Textual repaints only what changed; Textual's frame pacing adds at most a
sixtieth of a second on a real terminal):

- ``j``: next paragraph;
- ``space``: read on (within a long answer, then the next one);
- a tag: key 1, which toggles a code on the current paragraph — a committed
  transaction (synchronous=FULL) and the redraw of chips, counts and marks;
- ``f``: opening the filter list; then Enter on a theme (a parent code: its sub-codes'
  paragraphs, rolled up as reports do) until the filtered reader is drawn; ``F``;
- ``/``: opening the search dialog; then a typo'd query from the search (off the UI
  thread, as the dialog runs it, without the 0.2 s typing pause) until its hits are
  drawn.

Targets (issue 13): p99 under 50 ms for keys, under 300 ms for search and filter.

Usage: python benchmarks/tui_bench.py [--small] [--runs N]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("XDG_STATE_HOME", tempfile.mkdtemp(prefix="qcode-bench-state-"))

from textual import events  # noqa: E402
from textual.pilot import Pilot  # noqa: E402

from benchmarks.synth import Study  # noqa: E402
from qcode import Project  # noqa: E402
from qcode.ingest import read_document  # noqa: E402
from qcode.tui import QcodeApp  # noqa: E402
from qcode.tui.modals.search import SearchModal  # noqa: E402
from qcode.tui.widgets.reader import Reader  # noqa: E402

SIZES = ((80, 24), (160, 45))
KEY_TARGET, SEARCH_TARGET = 0.050, 0.300
QUERIES = ("regonal polise", "persnal relatons", "foriegn fundng", "inspectons",
           "trainig programe", "cooperaton denunciaton")


def percentiles(samples: list[float]) -> tuple[float, float]:
    """(p50, p99) in milliseconds."""
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    return statistics.median(ordered) * 1000, p99 * 1000


@dataclass(frozen=True)
class Figure:
    """One line of the table: wall-clock time from the key to its frame, and the CPU
    time the process spent on it (what a busy machine cannot inflate)."""

    what: str
    samples: list[tuple[float, float]]
    target: float

    def line(self) -> str:
        wall = percentiles([w for w, _cpu in self.samples])
        cpu = percentiles([c for _w, c in self.samples])
        verdict = "ok" if wall[1] < self.target * 1000 else "OVER"
        return (f"  {self.what:<36} {wall[0]:6.1f} {wall[1]:6.1f}   {cpu[0]:6.1f} {cpu[1]:6.1f}"
                f"   {len(self.samples):>4}  {self.target * 1000:4.0f} {verdict}")


HEADER = (f"  {'':<36} {'wall ms':>13}   {'CPU ms':>13}   {'n':>4}  target\n"
          f"  {'':<36} {'p50':>6} {'p99':>6}   {'p50':>6} {'p99':>6}")


def build(folder: Path, study: Study, name: str) -> Project:
    """Write the study's transcripts, add them one by one, then apply its codings
    (or open the project a previous run built in ``folder``)."""
    path = folder / f"{name}.db"
    if path.exists():
        print(f"reusing {path}")
        return Project.open(path)
    begin = time.perf_counter()
    project = Project.create(folder / f"{name}.db.partial", name=name)
    project.load_codebook(study.codebook(), coder="coder1")
    for transcript in study.write_transcripts(folder / name):
        project.add_document(read_document(transcript), coder="coder1")
    shutil.rmtree(folder / name)
    codings = study.code(project)
    project.close()
    (folder / f"{name}.db.partial").rename(path)
    project = Project.open(path)
    print(f"built {name}: {study.total_paragraphs:,} paragraphs in {study.interviews:,} "
          f"documents, {codings:,} codings, in {time.perf_counter() - begin:.0f} s")
    return project


class Frames:
    """When the app put a frame on the (headless) terminal: each update is turned into
    the bytes a terminal would get, as the app does on a real one."""

    def __init__(self, app: QcodeApp) -> None:
        self.app = app
        self.times: list[float] = []
        console = app.console

        def display(screen: Any, renderable: Any) -> None:
            if renderable is None:
                return  # nothing changed: Textual writes nothing to the terminal
            if hasattr(renderable, "render_segments"):
                renderable.render_segments(console)
            self.times.append(time.perf_counter())

        app._display = display  # type: ignore[method-assign]

    def quiet(self) -> bool:
        """Nothing left to do: every message handled, nothing waiting to be drawn."""
        app = self.app
        screen = app.screen
        if (screen._dirty_widgets or screen._layout_required or screen._repaint_required
                or screen._scroll_required or not app._message_queue.empty()):
            return False
        return all(node._message_queue.empty() for node in screen.walk_children(
            with_self=True))

    async def first_since(self, begin: float) -> float:
        """Seconds from ``begin`` to the first frame drawn after it."""
        deadline = time.perf_counter() + 5
        while time.perf_counter() < deadline:
            await asyncio.sleep(0.0005)
            later = [t for t in self.times[-20:] if t >= begin]
            if later:
                return later[0] - begin
        raise TimeoutError("no frame")

    async def drawn_since(self, begin: float) -> float:
        """Seconds from ``begin`` to the frame that shows the screen as it now is: the
        last one drawn once every message is handled and nothing is left to draw."""
        deadline = time.perf_counter() + 5
        while time.perf_counter() < deadline:
            await asyncio.sleep(0.0005)
            if self.times and self.times[-1] >= begin and self.quiet():
                return self.times[-1] - begin
        raise TimeoutError("no frame")

    async def idle(self) -> None:
        """Wait until the app is quiet (the previous key fully drawn)."""
        while not self.quiet():
            await asyncio.sleep(0.001)


async def timed(frames: Frames, act: Callable[[], Awaitable[None]]) -> tuple[float, float]:
    """(wall seconds to the frame, CPU seconds of the process meanwhile)."""
    await frames.idle()
    begin, cpu = time.perf_counter(), time.process_time()
    await act()
    wall = await frames.drawn_since(begin)
    return wall, time.process_time() - cpu


CHARS = {"space": " ", "enter": "\r", "slash": "/", "escape": "\x1b", "home": None}


async def press(pilot: Pilot[Any], frames: Frames, key: str) -> tuple[float, float]:
    """One key, sent as the terminal driver sends it, timed to the frame that shows
    its effect. (Pilot.press waits for the whole process to look idle, sleeping in
    steps: that measures the machine's load more than the app.)"""
    app = pilot.app

    async def act() -> None:
        event = events.Key(key, CHARS.get(key, key if len(key) == 1 else None))
        event.set_sender(app)
        assert app._driver is not None
        app._driver.send_message(event)

    return await timed(frames, act)


async def searched(frames: Frames, modal: SearchModal, query: str) -> tuple[float, float]:
    """From starting the search to the first frame showing its hits (the dialog puts
    the hits that fit on screen first, the rest a frame later)."""
    shown: list[float] = []
    show = modal._show

    def showing(text: str, hits: list[Any]) -> None:
        show(text, hits)
        shown.append(time.perf_counter())

    modal._show = showing  # type: ignore[method-assign]
    await frames.idle()
    begin, cpu = time.perf_counter(), time.process_time()
    modal.run_search(query)
    await frames.app.workers.wait_for_complete()
    while not shown:
        await asyncio.sleep(0.0005)
    wall = shown[0] - begin + await frames.first_since(shown[0])
    used = time.process_time() - cpu
    modal._show = show  # type: ignore[method-assign]
    assert modal.hits, query
    await frames.idle()
    return wall, used


async def drive(project: Project, size: tuple[int, int], runs: int, document: int,
                theme: str) -> list[Figure]:
    """Every figure for one project at one terminal size."""
    app = QcodeApp(project, "coder1", remember=False)
    async with app.run_test(size=size) as pilot:
        frames = Frames(app)
        await pilot.pause()
        # A big project's counts are read by a worker after the first screen: the keys
        # are timed once it is done, as a coder meets them a second after opening.
        await app.workers.wait_for_complete()
        await pilot.pause()
        screen = app.screen
        app.session.open_document(document)
        reader = screen.query_one(Reader)
        reader.show_document(None)
        await pilot.pause()
        moves = [await press(pilot, frames, "j") for _ in range(runs)]
        await press(pilot, frames, "home")
        reading = [await press(pilot, frames, "space") for _ in range(runs)]
        tags = [await press(pilot, frames, "1") for _ in range(runs)]
        opening, filtering, clearing = [], [], []
        for _ in range(max(runs // 10, 5)):
            opening.append(await press(pilot, frames, "f"))
            for char in theme:
                await press(pilot, frames, char)
            filtering.append(await press(pilot, frames, "enter"))
            assert reader.filter is not None and reader.filter.sub_codes
            clearing.append(await press(pilot, frames, "F"))
        dialog, searching = [], []
        for n in range(max(runs // 10, 5)):
            dialog.append(await press(pilot, frames, "slash"))
            modal = app.screen
            assert isinstance(modal, SearchModal)

            searching.append(await searched(frames, modal, QUERIES[n % len(QUERIES)]))
            await press(pilot, frames, "escape")
            await pilot.pause()
    return [
        Figure("j (next paragraph)", moves, KEY_TARGET),
        Figure("space (read on)", reading, KEY_TARGET),
        Figure("tag (key 1: commit + redraw)", tags, KEY_TARGET),
        Figure("f (open the filter list)", opening, KEY_TARGET),
        Figure("filter by a theme (Enter -> drawn)", filtering, SEARCH_TARGET),
        Figure("F (show all again)", clearing, KEY_TARGET),
        Figure("/ (open the search dialog)", dialog, KEY_TARGET),
        Figure("search: typo'd query -> hits drawn", searching, SEARCH_TARGET),
    ]


def report(project: Project, label: str, runs: int) -> None:
    summaries = project.documents()
    middle = summaries[len(summaries) // 2].document
    themes = [code.name for code in project.codes()
              if any(c.parent_id == code.id for c in project.codes())]
    for size in SIZES:
        print(f"\n{label}, terminal {size[0]}×{size[1]} (document {middle.name}, "
              f"{summaries[len(summaries) // 2].paragraphs:,} paragraphs)")
        print(HEADER)
        for figure in asyncio.run(drive(project, size, runs, middle.id, themes[1])):
            print(figure.line())


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--small", action="store_true",
                        help="a tenth of the size, for a quick look")
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--keep", type=Path, default=None,
                        help="build the projects in this folder, or reuse them from it")
    args = parser.parse_args()
    scale = 10 if args.small else 1
    one = Study(interviews=1, paragraphs=10_000 // scale, codes=40, coders=3,
                codings=60_000 // scale)
    many = Study(interviews=100, paragraphs=2_000 // scale, codes=40, coders=3,
                 codings=600_000 // scale)
    suffix = "-small" if args.small else ""
    with tempfile.TemporaryDirectory(prefix="qcode-tui-bench-") as scratch:
        folder = args.keep or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        with build(folder, one, "one-long-interview" + suffix) as project:
            report(project, f"One document of {one.total_paragraphs:,} paragraphs",
                   args.runs)
        with build(folder, many, "a-big-project" + suffix) as project:
            report(project, f"A project of {many.total_paragraphs:,} paragraphs", args.runs)


if __name__ == "__main__":
    main()
