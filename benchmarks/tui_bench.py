"""How fast is the terminal UI on a big document and a big project? Prints figures.

1. Opening: a generated 10,000-paragraph document — the app from start to its first
   screen, and switching to the document inside the app (database load + first page).
2. Scrolling: time to compute and draw one page of the reader, over many page-downs
   and single-paragraph moves.
3. Tagging at 1,000,000 codings: what `Project.tag` costs (one transaction and one
   event, committed with synchronous=FULL), what the screen's whole tag action costs
   before redrawing, and a bare sqlite3 INSERT of the same row with its COMMIT on the
   same file in the same run.
4. Search: a typo'd query over the big document.

No figure is asserted; the numbers are for people. The database is bulk-filled with
seeded random codings straight through SQLite to keep setup quick; every timed call goes
through the real library.

Usage: python benchmarks/tui_bench.py [--paragraphs N] [--codings N] [--seed N]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("XDG_STATE_HOME", tempfile.mkdtemp(prefix="qcode-bench-state-"))

from qcode import Project  # noqa: E402
from qcode.core.ids import new_guid, now  # noqa: E402
from qcode.core.model import Block, compose  # noqa: E402
from qcode.core.search import search  # noqa: E402
from qcode.exchange.formats import read_codebook  # noqa: E402
from qcode.tui import QcodeApp  # noqa: E402
from qcode.tui.session import Session  # noqa: E402
from qcode.tui.widgets.reader import Reader  # noqa: E402

CODEBOOK = ROOT / "codebooks" / "ngos-power-ministries.yaml"
WORDS = (
    'the', 'regional', 'police', 'chief', 'agreed', 'to', 'meet', 'us', 'only', 'after', 'a',
    'long', 'wait', 'while', 'foreign', 'funding', 'made', 'the', 'difference', 'for', 'our',
    'training', 'programme', 'and', 'after', 'the', 'law', 'we', 'had', 'to', 're-register',
    'and', 'answer', 'endless', 'inspections', 'personal', 'relations', 'with', 'officials',
    'open', 'doors', 'younger', 'activists', 'prefer', 'cooperation', 'to', 'open',
    'denunciation',
)
SIZE = (160, 45)


def ms(seconds: float) -> str:
    return f"{seconds * 1000:8.2f} ms"


def summary(label: str, samples: list[float]) -> None:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    print(f"  {label:<46} median {ms(statistics.median(samples))}   p95 {ms(p95)}"
          f"   (n={len(samples)})")


def generated_document(paragraphs: int, rng: random.Random) -> list[Block]:
    blocks: list[Block] = []
    for n in range(1, paragraphs + 1):
        if n % 50 == 1:
            blocks.append(Block("heading", f"Part {n // 50 + 1}: " + " ".join(
                rng.choices(WORDS, k=6))))
        text = " ".join(rng.choices(WORDS, k=rng.randint(15, 160))).capitalize() + "."
        speaker = "Q" if n % 2 else "Respondent"
        blocks.append(Block("paragraph", text, label=f"§{n}", speaker=speaker))
    return blocks


def build(path: Path, paragraphs: int, seed: int) -> Project:
    rng = random.Random(seed)
    project = Project.create(path, name="benchmark")
    project.load_codebook(read_codebook(CODEBOOK), coder="alice")
    project.add_document(compose("big-interview", generated_document(paragraphs, rng)),
                         coder="alice")
    return project


def fill_codings(project: Project, total: int, seed: int) -> None:
    """``total`` distinct codings by four coders (seeded), through the bulk path."""
    rng = random.Random(seed)
    coders = ("alice", "bob", "carol", "dave")
    paragraph_ids = [r[0] for r in project.conn.execute("SELECT id FROM paragraphs")]
    code_ids = [c.id for c in project.codes() if c.codable]
    space = len(paragraph_ids) * len(code_ids) * len(coders)
    if total > space * 0.9:
        raise SystemExit(f"--codings {total} needs more paragraphs (room for {space})")
    # Leave alice's codings of the first code free, so every timed tag adds a row.
    free_code = code_ids[0]
    chosen: set[tuple[int, int, int]] = set()
    while len(chosen) < total:
        triple = (rng.randrange(len(coders)), rng.choice(paragraph_ids), rng.choice(code_ids))
        if not (triple[2] == free_code and triple[0] == 0):
            chosen.add(triple)
    for index, coder in enumerate(coders):
        project.tag_many([(p, c) for k, p, c in chosen if k == index], coder=coder,
                         summary=f"{coder}'s codings")


async def first_screen(project: Project) -> float:
    """Seconds from creating the app to its first fully drawn screen."""
    app = QcodeApp(project, "alice", remember=False)
    started = time.perf_counter()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        if app.session.view is not None:
            draw(app.screen.query_one(Reader))
        return time.perf_counter() - started


async def open_app(project: Project) -> tuple[float, float, list[float], list[float]]:
    """(app start to first screen, switch into the document, page times, move times)."""
    app = QcodeApp(project, "alice", remember=False)
    started = time.perf_counter()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        reader = app.screen.query_one(Reader)
        draw(reader)
        first_screen = time.perf_counter() - started

        document = app.session.documents[0].document.id
        app.session.view = None
        reader.show_document(None)
        switched = time.perf_counter()
        app.session.open_document(document)
        reader.show_document(None)
        draw(reader)
        switch = time.perf_counter() - switched

        pages = []
        for _ in range(300):
            begin = time.perf_counter()
            reader.action_page(1)
            draw(reader)
            pages.append(time.perf_counter() - begin)
        moves = []
        for _ in range(300):
            begin = time.perf_counter()
            reader.action_cursor(1)
            draw(reader)
            moves.append(time.perf_counter() - begin)
        begin = time.perf_counter()
        reader.action_edge(1)
        draw(reader)
        moves.append(time.perf_counter() - begin)
    return first_screen, switch, pages, moves


def draw(reader: Reader) -> None:
    """Render every line of the reader, as a screen refresh would."""
    for y in range(reader.size.height):
        reader.render_line(y)


def time_calls(call: Callable[[int], object], runs: int) -> list[float]:
    samples = []
    for n in range(runs):
        begin = time.perf_counter()
        call(n)
        samples.append(time.perf_counter() - begin)
    return samples


def tagging(project: Project, runs: int) -> None:
    conn = project.conn
    paragraph_ids = [r[0] for r in conn.execute("SELECT id FROM paragraphs ORDER BY id")]
    free_code = conn.execute(
        "SELECT id FROM codes WHERE codable = 1 ORDER BY id LIMIT 1").fetchone()[0]
    second_code = conn.execute(
        "SELECT id FROM codes WHERE codable = 1 ORDER BY id LIMIT 1 OFFSET 1").fetchone()[0]
    codings = conn.execute("SELECT COUNT(*) FROM codings").fetchone()[0]
    print(f"\nTagging one paragraph, {codings:,} codings in the project "
          f"(synchronous=FULL: each commit waits for the disk)")

    library = time_calls(
        lambda n: project.tag([paragraph_ids[n]], [free_code], coder="alice"), runs)

    session = Session(project, "alice")
    session.open_document(session.documents[0].document.id)
    code = session.codes[free_code]
    screen = time_calls(
        lambda n: session.toggle([paragraph_ids[runs + n]], code), runs)
    session.close()

    bare_conn = sqlite3.connect(project.path, isolation_level=None)
    bare_conn.execute("PRAGMA journal_mode = WAL")
    bare_conn.execute("PRAGMA synchronous = FULL")
    coder_id = project.coder_id("alice")

    def bare(n: int) -> None:
        bare_conn.execute("BEGIN IMMEDIATE")
        bare_conn.execute(
            "INSERT INTO codings (guid, paragraph_id, code_id, coder_id, memo, created_at) "
            "VALUES (?, ?, ?, ?, NULL, ?)",
            (new_guid(), paragraph_ids[2 * runs + n], free_code, coder_id, now()))
        bare_conn.execute("COMMIT")

    raw = time_calls(bare, runs)
    bare_conn.close()
    untag = time_calls(
        lambda n: project.untag([paragraph_ids[n]], [free_code], coder="alice"), runs)
    ten = time_calls(lambda n: project.tag(paragraph_ids[10 * n:10 * n + 10], [second_code],
                                           coder="alice"), max(runs // 5, 5))
    summary("Project.tag (one coding + one event)", library)
    summary("Session.toggle (a key press, before redraw)", screen)
    summary("Project.untag", untag)
    summary("Project.tag, ten paragraphs at once", ten)
    summary("bare sqlite3 INSERT + COMMIT, same row", raw)
    ratio = statistics.median(library) / statistics.median(raw)
    print(f"  Project.tag / bare INSERT: {ratio:.1f}×")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--paragraphs", type=int, default=10_000)
    parser.add_argument("--codings", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--seed", type=int, default=2009)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="qcode-tui-bench-") as folder:
        path = Path(folder) / "bench.db"
        begin = time.perf_counter()
        project = build(path, args.paragraphs, args.seed)
        print(f"built a {args.paragraphs:,}-paragraph document in "
              f"{time.perf_counter() - begin:.1f} s")

        with Project.create(Path(folder) / "empty.db") as empty:
            baseline = asyncio.run(first_screen(empty))
        first, switch, pages, moves = asyncio.run(open_app(project))
        print(f"\nOpening the {args.paragraphs:,}-paragraph document "
              f"(terminal {SIZE[0]}×{SIZE[1]})")
        print(f"  {'app start, empty project (Textual itself)':<46} {ms(baseline)}")
        print(f"  {'app start to first screen (headless)':<46} {ms(first)}")
        print(f"  {'switch to the document: load + first page':<46} {ms(switch)}")
        print("\nScrolling (compute and draw every line of the reader)")
        summary("page down", pages)
        summary("next paragraph (j), then End", moves)

        begin = time.perf_counter()
        hits = search(project, "regonal polise")
        print(f"\nSearch 'regonal polise' over {args.paragraphs:,} paragraphs: "
              f"{len(hits)} hits in {ms(time.perf_counter() - begin).strip()} (cold)")
        begin = time.perf_counter()
        search(project, "personel relatons")
        print(f"Search 'personel relatons': {ms(time.perf_counter() - begin).strip()} (warm)")

        begin = time.perf_counter()
        fill_codings(project, args.codings, args.seed)
        print(f"\nbulk-filled {args.codings:,} codings in {time.perf_counter() - begin:.1f} s")
        print(f"  {'app start to first screen, with these codings':<46} "
              f"{ms(asyncio.run(first_screen(project)))}")
        tagging(project, args.runs)
        project.close()


if __name__ == "__main__":
    main()
