"""The scale benchmark: a study made the way researchers make one, every figure a user
meets, each beside bare sqlite3 doing the same work as plainly as it can be written.

    .venv/bin/python benchmarks/run.py                 # 1,000 interviews x 200 paragraphs
    .venv/bin/python benchmarks/run.py --small         # seconds; what CI runs
    .venv/bin/python benchmarks/run.py --json out.json

Honest by construction:
- the project is built by qcode itself: `qcode import` of the transcripts, then the
  codings through Project.tag_many (a coder's batch of documents per event, as a merge
  or auto-coding makes them). No ANALYZE, no raw inserts: statistics exist only where
  qcode gathered them.
- commands are timed as processes, from start to exit (`qcode tag`, `qcode documents`,
  `qcode report frequencies`, `qcode agree`), beside `python -c pass`; the terminal UI
  from process start to its first painted screen, for the coder with the most codings;
  search cold (a new process's first search) and warm, over a vocabulary of tens of
  thousands of words; auto-coding every hit of a word (preview, one event, its undo).
- every figure is the median of several runs, with the 99th percentile, and the peak
  memory (RSS) of the process that did the work; every result is checked against what
  bare sqlite3 computes from the same data (the "right" column; whether a figure
  meets its target is for the reader to compare with the "target" column).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("XDG_STATE_HOME", tempfile.mkdtemp(prefix="qcode-bench-state-"))

from benchmarks.bare import BareStudy  # noqa: E402
from benchmarks.synth import Study  # noqa: E402
from qcode import Project  # noqa: E402

Result = dict[str, Any]
# The console script users run (installed by `make setup`), else the module.
_SCRIPT = Path(sys.executable).with_name("qcode")
QCODE = [str(_SCRIPT)] if _SCRIPT.exists() else [sys.executable, "-m", "qcode"]
# Processes run as users run them: with bytecode caches (this sandbox sets
# PYTHONDONTWRITEBYTECODE, which would make every start recompile what changed).
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def in_child(step: Callable[..., Result], *args: Any) -> Result:
    """Run ``step`` in a forked process, so that the peak memory it reports is its own
    (and that of any process it ran)."""
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)

    def target() -> None:
        try:
            result = step(*args)
        except Exception as exc:  # reported as a failed row, not a crash of the run
            result = {"error": f"{type(exc).__name__}: {exc}", "correct": False}
        # A step that timed processes reports their peak; one that worked here, its own.
        if "peak_mb" not in result:
            result["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        send.send(result)

    child = context.Process(target=target)
    child.start()
    result: Result = receive.recv()
    child.join()
    return result


def stats(samples: list[float]) -> dict[str, float]:
    """Median and 99th percentile of ``samples``."""
    ordered = sorted(samples)
    return {"value": statistics.median(ordered),
            "p99": ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]}


def repeat(call: Callable[[], Any], runs: int) -> tuple[dict[str, float], Any]:
    """Median/p99 seconds of ``runs`` calls, and the last result."""
    samples, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = call()
        samples.append(time.perf_counter() - start)
    return stats(samples), result


def run_once(args: list[str]) -> tuple[float, float, str]:
    """Run ``args``: wall seconds from start to exit, its peak RSS (MB), its stdout."""
    start = time.perf_counter()
    child = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=ENV)
    captured: dict[str, bytes] = {}
    readers = [threading.Thread(target=lambda n=name, f=stream: captured.__setitem__(
        n, f.read())) for name, stream in (("out", child.stdout), ("err", child.stderr))]
    for reader in readers:
        reader.start()
    _pid, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - start
    for reader in readers:
        reader.join()
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode:
        raise RuntimeError(f"{' '.join(args[-6:])}: exit {child.returncode}: "
                           f"{captured['err'].decode(errors='replace')[-500:]}")
    return seconds, usage.ru_maxrss / 1024, captured["out"].decode()


def process(args: list[str], runs: int) -> tuple[dict[str, float], float, str]:
    """Median/p99 wall seconds of ``runs`` runs of ``args``, the largest peak RSS (MB),
    and the last run's standard output."""
    samples, peak, out = [], 0.0, ""
    for _ in range(runs):
        seconds, rss, out = run_once(args)
        samples.append(seconds)
        peak = max(peak, rss)
    return stats(samples), peak, out


# -- steps ------------------------------------------------------------------------------


def step_import(paths: list[Path], db: Path, bare: BareStudy) -> Result:
    """`qcode import` of every transcript, as a process (read, check, write)."""
    figures, peak, _out = process(
        [*QCODE, "-p", str(db), "import", *map(str, paths), "--coder", "importer"], 1)
    with Project.open(db, readonly=True) as project:
        paragraphs = project.status()["paragraphs"]
    seconds = figures["value"]
    floor = bare.import_seconds
    return {"value": paragraphs / seconds, "unit": "paragraphs/s", "peak_mb": peak,
            "bare": bare.paragraphs / floor, "correct": paragraphs == bare.paragraphs}


def step_codings(db: Path, study: Study, bare: BareStudy) -> Result:
    """The study's codings through the bulk path (Project.tag_many), a coder's batch of
    documents per event."""
    with Project.open(db) as project:
        batches = study.batches(project)  # drawn untimed, as the bare copy's are
        start = time.perf_counter()
        added = sum(project.tag_many(pairs, coder=coder, summary=summary).changed
                    for coder, summary, pairs in batches)
        seconds = time.perf_counter() - start
        counted = project.status()["codings"]
    return {"value": added / seconds, "unit": "codings/s",
            "bare": bare.codings / bare.codings_seconds,
            "correct": counted == added == bare.codings}


def step_tag(db: Path, runs: int) -> Result:
    """`qcode tag` as a shell script calls it, beside `python -c pass`."""
    with Project.open(db, readonly=True) as project:
        doc = project.documents()[0].document
        code = next(c for c in project.codes() if c.codable)
        have = {r[0] for r in project.conn.execute(
            "SELECT p.ordinal FROM codings c JOIN paragraphs p ON p.id = c.paragraph_id "
            "WHERE p.document_id = ? AND c.code_id = ?", (doc.id, code.id))}
        free = [o for o in range(1, project.paragraph_count(doc.id) + 1) if o not in have]
    samples, peak = [], 0.0
    for ordinal in free[:runs]:
        seconds, rss, _out = run_once(
            [*QCODE, "-p", str(db), "tag", doc.name, str(ordinal), code.guid, "--coder",
             "script"])
        samples.append(seconds)
        peak = max(peak, rss)
    python, _peak, _out = process([sys.executable, "-c", "pass"], runs)
    with Project.open(db, readonly=True) as project:
        tagged = len(project.conn.execute(
            "SELECT 1 FROM codings c JOIN coders k ON k.id = c.coder_id "
            "WHERE k.name = 'script'").fetchall())
    return {**stats(samples), "unit": "s", "bare": python["value"],
            "correct": tagged == len(samples), "peak_mb": peak}


def heaviest_coder(db: Path) -> str:
    with Project.open(db, readonly=True) as project:
        return str(project.conn.execute(
            "SELECT k.name FROM codings c JOIN coders k ON k.id = c.coder_id "
            "GROUP BY k.name ORDER BY COUNT(*) DESC LIMIT 1").fetchone()[0])


def step_documents(db: Path, bare: BareStudy, runs: int) -> Result:
    """`qcode documents --json` for the coder with the most codings."""
    coder = heaviest_coder(db)
    figures, peak, out = process(
        [*QCODE, "-p", str(db), "documents", "--coder", coder, "--json"], runs)
    listed = {d["name"]: d["codings"] for d in json.loads(out)}
    floor, expected = bare.documents_progress(coder)
    return {**figures, "unit": "s", "bare": floor, "peak_mb": peak,
            "correct": listed == expected}


def step_tui(db: Path, bare: BareStudy, runs: int) -> Result:
    """The terminal UI, from process start to its first painted screen, for the coder
    with the most codings: the child notes the moment its first frame is drawn (on the
    system-wide monotonic clock, which ``time.perf_counter`` reads on Linux) and the time
    is counted from just before the process is started; what the app does after that
    frame (a big project's counts, read by a worker) is not part of the figure."""
    coder = heaviest_coder(db)
    script = (
        "import asyncio, os, time\n"
        "from qcode import Project\n"
        "from qcode.tui.app import QcodeApp\n"
        "async def main():\n"
        f"    project = Project.open({str(db)!r})\n"
        f"    app = QcodeApp(project, {coder!r}, remember=False)\n"
        "    display = app._display\n"
        "    def first(screen, renderable):\n"
        "        display(screen, renderable)\n"
        "        if hasattr(renderable, 'render_segments'):  # the bytes a terminal gets\n"
        "            renderable.render_segments(app.console)\n"
        "        print(time.perf_counter(), app.session.view is not None, flush=True)\n"
        "        os._exit(0)\n"
        "    app._display = first\n"
        "    async with app.run_test(size=(100, 30)) as pilot:\n"
        "        await pilot.pause()\n"
        "asyncio.run(main())\n"
    )
    samples, peak, out = [], 0.0, ""
    for _ in range(runs):
        start = time.perf_counter()
        _seconds, rss, out = run_once([sys.executable, "-c", script])
        samples.append(float(out.split()[0]) - start)
        peak = max(peak, rss)
    return {**stats(samples), "unit": "s", "bare": bare.first_screen_seconds(),
            "peak_mb": peak, "correct": out.split()[1:] == ["True"]}


def step_frequencies(db: Path, bare: BareStudy, runs: int) -> Result:
    """The frequency report in-process (median of runs) and as `qcode report
    frequencies` (process), beside a plain GROUP BY."""
    from qcode.reports.frequencies import frequencies

    with Project.open(db, readonly=True) as project:
        figures, rows = repeat(lambda: frequencies(project), runs)
        mine = {r.path: (r.own_paragraphs, r.own_codings) for r in rows}
    cli, peak, _out = process(
        [*QCODE, "-p", str(db), "report", "frequencies", "--format", "csv"], runs)
    floor, expected = bare.frequencies()
    return {**figures, "unit": "s", "cli": cli["value"], "cli_peak_mb": peak, "bare": floor,
            "correct": mine == expected}


def step_frequencies_by_document(db: Path, bare: BareStudy, runs: int) -> Result:
    from qcode.reports.frequencies import frequencies

    with Project.open(db, readonly=True) as project:
        figures, rows = repeat(lambda: frequencies(project, by="document"), runs)
        mine = {(r.path, r.group): r.own_paragraphs for r in rows if r.own_paragraphs}
    floor, expected = bare.frequencies_by_document()
    return {**figures, "unit": "s", "bare": floor, "correct": mine == expected}


def step_cooccurrence(db: Path, bare: BareStudy, runs: int) -> Result:
    from qcode.reports.cooccurrence import cooccurrence

    with Project.open(db, readonly=True) as project:
        figures, matrix = repeat(lambda: cooccurrence(project), runs)
        names = {r[0]: r[1] for r in project.conn.execute("SELECT id, name FROM codes")}
        mine = {(names[a], names[b]): n for (a, b), n in matrix.both_counts.items()}
    floor, expected = bare.cooccurrence()
    return {**figures, "unit": "s", "bare": floor, "correct": mine == expected}


def step_agreement(db: Path, bare: BareStudy, runs: int) -> Result:
    """`qcode agree` for every coder and code: in-process and as a process."""
    from qcode.reports.agreement import agreement

    with Project.open(db, readonly=True) as project:
        figures, report = repeat(lambda: agreement(project), runs)
    cli, peak, _out = process([*QCODE, "-p", str(db), "agree", "--format", "json"],
                              max(1, runs // 2))
    floor = bare.agreement_seconds()
    return {**figures, "unit": "s", "cli": cli["value"], "cli_peak_mb": peak, "bare": floor,
            "correct": report.overall.alpha.defined and len(report.codes) > 0}


def step_search(db: Path, bare: BareStudy, study: Study, runs: int) -> Result:
    """Typo-tolerant search: cold (a new process's first search, after opening the
    project) and warm (the same process again), beside FTS5 matching the words as
    typed correctly."""
    rng = random.Random(study.seed)
    words = study.words()
    # Mid-frequency words, each with one letter changed: what a coder misremembers.
    chosen = [words[rng.randrange(200, 2000)] for _ in range(runs)]
    typos = [w[:2] + ("x" if w[2] != "x" else "y") + w[3:] for w in chosen]
    script = (
        "import sys, time, json\n"
        "start = time.perf_counter()\n"
        "from qcode import Project\n"
        "from qcode.core.search import search\n"
        f"project = Project.open({str(db)!r}, readonly=True)\n"
        "opened = time.perf_counter()\n"
        "hits = search(project, sys.argv[1], limit=50)\n"
        "cold = time.perf_counter() - opened\n"
        "warm = []\n"
        "for _ in range(5):\n"
        "    t = time.perf_counter(); search(project, sys.argv[1], limit=50)\n"
        "    warm.append(time.perf_counter() - t)\n"
        "print(json.dumps([cold, sorted(warm)[2],\n"
        "                  [[h.document, h.paragraph.ordinal] for h in hits]]))\n"
    )
    cold, warm, correct, peak = [], [], True, 0.0
    for typo, word in zip(typos, chosen, strict=True):
        _seconds, rss, out = run_once([sys.executable, "-c", script, typo])
        first, again, hits = json.loads(out)
        cold.append(first)
        warm.append(again)
        peak = max(peak, rss)
        # The word meant is among the first hits (others may be a near spelling of it).
        correct &= bool({tuple(h) for h in hits[:10]} & bare.paragraphs_with(word))
    floor = bare.search_seconds(chosen)
    return {**stats(cold), "warm": statistics.median(warm), "unit": "s", "bare": floor,
            "correct": correct, "peak_mb": peak}


def step_autocode(db: Path, bare: BareStudy, study: Study, runs: int) -> Result:
    """`qcode autocode WORD CODE`: every hit of a mid-frequency word (typos forgiven)
    found and previewed (autocode.plan), applied as one event (tag_many) and undone,
    in-process; the preview also as a process (every hit printed). Beside bare FTS5
    finding every paragraph with the word. Checked: with --exact, exactly the
    paragraphs bare FTS5 finds; each apply adds what its plan says; undo takes it all
    back."""
    from qcode.core import autocode

    rng = random.Random(study.seed + 16)
    words = study.words()
    chosen = [words[rng.randrange(20, 2000)] for _ in range(runs)]
    plans, applies, undos, hits = [], [], [], []
    correct = True
    with Project.open(db) as project:
        code = next(c for c in project.codes() if c.codable)
        path = project.code_path(code)
        before = project.status()["codings"]
        for word in chosen:
            start = time.perf_counter()
            planned = autocode.plan(project, autocode.Request(word, (path,)), coder="auto")
            plans.append(time.perf_counter() - start)
            exact = autocode.plan(project, autocode.Request(word, (path,), exact=True),
                                  coder="auto")
            correct &= ({(f.document, f.paragraph.ordinal) for f in exact.found}
                        == bare.paragraphs_with(word))
            start = time.perf_counter()
            result = autocode.apply(project, planned)
            applies.append(time.perf_counter() - start)
            correct &= result.changed == len(planned.pairs)
            hits.append(planned.paragraphs)
            start = time.perf_counter()
            project.undo(coder="auto")
            undos.append(time.perf_counter() - start)
        correct &= project.status()["codings"] == before
    cli, peak, _out = process([*QCODE, "-p", str(db), "autocode", chosen[0], path,
                               "--preview", "--coder", "auto"], max(1, runs // 2))
    conn = bare.connect()
    floor = []
    for word in chosen:
        start = time.perf_counter()
        conn.execute("SELECT rowid FROM paragraphs_fts WHERE paragraphs_fts MATCH ?",
                     (f'"{word}"',)).fetchall()
        floor.append(time.perf_counter() - start)
    conn.close()
    return {**stats(plans), "apply": statistics.median(applies),
            "undo": statistics.median(undos), "hits": statistics.median(hits),
            "cli": cli["value"], "cli_peak_mb": peak, "unit": "s",
            "bare": statistics.median(floor), "correct": correct}


def step_size(db: Path, bare: BareStudy) -> Result:
    """The project file against the same data in bare SQLite (with its search index)."""
    with Project.open(db, readonly=True) as project:
        project.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    mine = db.stat().st_size
    return {"value": mine / 1e6, "unit": "MB", "bare": bare.size_bytes / 1e6,
            "ratio": mine / bare.size_bytes, "breakdown": breakdown(db),
            "correct": True, "peak_mb": 0.0}


def breakdown(db: Path) -> dict[str, float]:
    """MB per table and index (SQLite's dbstat), the ten largest."""
    conn = sqlite3.connect(db)
    try:
        rows = conn.execute("SELECT name, SUM(pgsize) FROM dbstat GROUP BY name "
                            "ORDER BY 2 DESC LIMIT 10").fetchall()
    except sqlite3.OperationalError:
        return {}
    finally:
        conn.close()
    return {name: round(size / 1e6, 1) for name, size in rows}


# -- the run ---------------------------------------------------------------------------

TARGETS = {
    "import": ("import (qcode import, a process)", ">= 50,000 paragraphs/s; < 300 MB"),
    "codings": ("bulk codings (Project.tag_many)", ">= 100,000 codings/s"),
    "tag": ("qcode tag, one process", "<= 80 ms"),
    "documents": ("qcode documents, heaviest coder", "< 0.3 s"),
    "tui": ("TUI first screen, heaviest coder", "< 0.5 s"),
    "frequencies": ("frequencies in-process (CLI)", "< 0.1 s (< 0.2 s)"),
    "frequencies_by_document": ("frequencies by document", "< 1 s"),
    "cooccurrence": ("co-occurrence matrix", "< 2 s"),
    "agreement": ("agreement in-process (qcode agree)", "< 1 s"),
    "search": ("search: first (warm)", "< 150 ms first"),
    "autocode": ("autocode: preview (apply, undo; CLI)", "one event"),
    "size": ("project size", "<= 1.6x bare"),
}


def show(value: float, unit: str) -> str:
    if unit.endswith("/s"):
        return f"{value:,.0f}/s"
    if unit == "MB":
        return f"{value:,.0f} MB"
    return f"{value * 1000:,.1f} ms" if value < 1 else f"{value:,.2f} s"


def figure(key: str, r: Result) -> str:
    text = show(r["value"], r["unit"])
    if "p99" in r and r["unit"] == "s":
        text += f" p99 {show(r['p99'], 's')}"
    if "cli" in r:
        text += f" ({show(r['cli'], 's')})"
    if "warm" in r:
        text += f" ({show(r['warm'], 's')})"
    if key == "size":
        text += f" = {r['ratio']:.2f}x"
    if key == "autocode":
        text = (f"{show(r['value'], 's')} ({show(r['apply'], 's')}, {show(r['undo'], 's')}; "
                f"{show(r['cli'], 's')})")
    return text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--interviews", type=int, default=1000)
    parser.add_argument("--paragraphs", type=int, default=200, help="per interview")
    parser.add_argument("--codes", type=int, default=40)
    parser.add_argument("--coders", type=int, default=3)
    parser.add_argument("--codings", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=7, help="runs per timed figure")
    parser.add_argument("--small", action="store_true", help="a seconds-long run (CI)")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--keep", type=Path, help="keep the project and bare copy here")
    parser.add_argument("--seed", type=int, default=2009)
    args = parser.parse_args()
    if args.small:
        args.interviews, args.paragraphs, args.codings, args.runs = 20, 50, 2000, 3
    study = Study(args.interviews, args.paragraphs, args.codes, args.coders, args.codings,
                  args.seed, vocabulary=5_000 if args.small else 60_000)
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "qcode")],
                   env=ENV, check=True)
    results: dict[str, Result] = {}
    with tempfile.TemporaryDirectory(prefix="qcode-bench-") as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        paths = study.write_transcripts(folder / "transcripts")
        db = folder / "study.db"
        db.unlink(missing_ok=True)
        with Project.create(db, name="synthetic study") as project:
            project.load_codebook(study.codebook(), coder="lead")
        print(f"study: {study.interviews:,} interviews x {study.paragraphs} paragraphs, "
              f"{study.codes} codes, {study.coders} coders, {study.codings:,} codings "
              f"(seed {study.seed}); transcripts written in "
              f"{time.perf_counter() - started:.1f} s", flush=True)
        bare = BareStudy.build(folder / "bare.db", paths, study)
        print(f"bare sqlite3 copy built ({bare.paragraphs:,} paragraphs, "
              f"{bare.codings:,} codings)", flush=True)
        results["import"] = in_child(step_import, paths, db, bare)
        results["codings"] = in_child(step_codings, db, study, bare)
        results["documents"] = in_child(step_documents, db, bare, args.runs)
        results["tui"] = in_child(step_tui, db, bare, args.runs)
        results["frequencies"] = in_child(step_frequencies, db, bare, args.runs)
        results["frequencies_by_document"] = in_child(step_frequencies_by_document, db, bare, 3)
        results["cooccurrence"] = in_child(step_cooccurrence, db, bare, 3)
        results["agreement"] = in_child(step_agreement, db, bare, args.runs)
        results["search"] = in_child(step_search, db, bare, study, args.runs)
        # Undone after each run: the figures after it see the same codings.
        results["autocode"] = in_child(step_autocode, db, bare, study, args.runs)
        # Last: it adds codings the other figures are checked without.
        results["tag"] = in_child(step_tag, db, args.runs * 3)
        results["size"] = step_size(db, bare)
        if args.keep is None:
            shutil.rmtree(folder / "transcripts", ignore_errors=True)
    print()
    print(f"{'what':<38} {'qcode (median, p99)':>34} {'bare sqlite3':>12} {'peak MB':>8}"
          "  right target")
    for key, (label, target) in TARGETS.items():
        r = results[key]
        print(f"{label:<38} {figure(key, r):>34} {show(r['bare'], r['unit']):>12} "
              f"{r['peak_mb']:8.0f}  {'yes' if r['correct'] else 'NO ':<5} {target}")
    auto = results["autocode"]
    if "hits" in auto:
        print(f"\nautocode: median {auto['hits']:,.0f} paragraphs per word tagged in one event")
    print(f"project size by table (MB): {results['size']['breakdown']}")
    if args.json:
        args.json.write_text(json.dumps({"study": vars(study), "results": results}, indent=2))
    if not all(r.get("correct") for r in results.values()):
        sys.exit(1)


if __name__ == "__main__":
    main()
