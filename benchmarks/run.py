"""The scale benchmark: a synthetic study, every measured operation, one table.

Each figure is printed next to the same work done by bare sqlite3 in the same run (the
floor), with the issue's target, and written as JSON. Every step runs in a child
process so its peak memory is its own.

    .venv/bin/python benchmarks/run.py                 # 1,000 interviews x 200 paragraphs
    .venv/bin/python benchmarks/run.py --small         # seconds; what CI runs
    .venv/bin/python benchmarks/run.py --json out.json

Set-up steps (writing transcripts, bulk-loading a million codings) are not timed; the
codings are loaded straight into the tables and bypass the event log (a million undo
records are not what is measured). Every timed call goes through qcode's library.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import random
import resource
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("XDG_STATE_HOME", tempfile.mkdtemp(prefix="qcode-bench-state-"))

from benchmarks.reports_bench import NAIVE  # noqa: E402
from benchmarks.synth import Study  # noqa: E402
from qcode import Project  # noqa: E402
from qcode.core.ids import fold  # noqa: E402
from qcode.core.store.db import connect  # noqa: E402
from qcode.ingest import importer, read_document  # noqa: E402

Result = dict[str, Any]


def in_child(step: Callable[..., Result], *args: Any) -> Result:
    """Run ``step`` in a forked process; return its result plus its peak memory (MB)."""
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)

    def target() -> None:
        try:
            result = step(*args)
        except Exception as exc:  # reported as a failed row, not a crash of the run
            result = {"error": f"{type(exc).__name__}: {exc}"}
        result["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        send.send(result)

    process = context.Process(target=target)
    process.start()
    result: Result = receive.recv()
    process.join()
    return result


def timed(call: Callable[[], Any], repeat: int = 3) -> tuple[float, Any]:
    """Best wall time of ``repeat`` calls, and the last result."""
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = call()
        best = min(best, time.perf_counter() - start)
    return best, result


# -- steps ------------------------------------------------------------------------------


def step_import(paths: list[Path], db: Path, paragraphs: int) -> Result:
    """Import every transcript the way `qcode import` does: read, check, one
    transaction per document."""
    start = time.perf_counter()
    with Project.open(db) as project:
        importer.write(project, importer.prepare(project, paths), coder="importer")
    seconds = time.perf_counter() - start
    # The floor: the same documents and paragraphs into the same schema (indexes and
    # search index included) by plain sqlite3, in one bulk transaction.
    parsed = [read_document(path) for path in paths[: max(1, len(paths) // 5)]]
    count = sum(len(doc.paragraphs) for doc in parsed)
    bare_db = db.with_name("bare-import.db")
    Project.create(bare_db).close()
    bare = sqlite3.connect(bare_db, isolation_level=None)
    begin = time.perf_counter()
    bare.execute("BEGIN")
    for n, doc in enumerate(parsed):
        cursor = bare.execute(
            "INSERT INTO documents (guid, name, sha256, imported_at) VALUES (?, ?, ?, '')",
            (f"G{n}", f"d{n}", f"s{n}"))
        bare.executemany(
            'INSERT INTO paragraphs (document_id, ordinal, label, section, speaker, text, start, '
            '"end", text_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
            [(cursor.lastrowid, p.ordinal, p.label, p.section, p.speaker, p.text, p.start, p.end,
              "") for p in doc.paragraphs])
    bare.execute("INSERT INTO paragraphs_fts (rowid, text) SELECT id, text FROM paragraphs")
    bare.execute("COMMIT")
    bare_rate = count / (time.perf_counter() - begin)
    bare.close()
    raw = sqlite3.connect(db.with_name("raw.db"), isolation_level=None)
    raw.execute('CREATE TABLE p (ordinal, label, speaker, text, start, "end")')
    begin = time.perf_counter()
    raw.execute("BEGIN")
    raw.executemany("INSERT INTO p VALUES (?, ?, ?, ?, ?, ?)",
                    [(p.ordinal, p.label, p.speaker, p.text, p.start, p.end)
                     for doc in parsed for p in doc.paragraphs])
    raw.execute("COMMIT")
    raw_rate = count / (time.perf_counter() - begin)
    raw.close()
    with Project.open(db) as project:
        imported = project.status()["paragraphs"]
    return {"value": paragraphs / seconds, "unit": "paragraphs/s", "bare": bare_rate,
            "raw_insert": raw_rate, "seconds": seconds, "correct": imported == paragraphs}


def step_tag(db: Path, runs: int, seed: int) -> Result:
    """Tag one paragraph at a time (commit + event) at full size; bare: the same row and
    a log row inserted and committed with plain sqlite3 on the same file."""
    rng = random.Random(seed)
    with Project.open(db) as project:
        paragraphs = [r[0] for r in project.conn.execute("SELECT id FROM paragraphs")]
        code = project.codes()[-1].id
        have = {r[0] for r in project.conn.execute(
            "SELECT paragraph_id FROM codings WHERE code_id = ?", (code,))}
        free = [p for p in paragraphs if p not in have]
        chosen = rng.sample(free, min(runs * 2, len(free)))
        samples = []
        for paragraph in chosen[:runs]:
            start = time.perf_counter()
            project.tag([paragraph], [code], coder="benchmark")
            samples.append(time.perf_counter() - start)
        tagged = project.conn.execute(
            "SELECT COUNT(*) FROM codings c JOIN coders k ON k.id = c.coder_id "
            "WHERE k.name = 'benchmark'").fetchone()[0]
        coder = project.find_coder("benchmark").id
    bare = connect(db)
    bare_samples = []
    for paragraph in chosen[runs:]:
        start = time.perf_counter()
        bare.execute("BEGIN IMMEDIATE")
        bare.execute("INSERT INTO codings (guid, paragraph_id, code_id, coder_id, created_at) "
                     "VALUES (hex(randomblob(16)), ?, ?, ?, 'bare')", (paragraph, code, coder))
        bare.execute("INSERT INTO meta (key, value) VALUES (?, 'bare')", (f"bare{paragraph}",))
        bare.execute("COMMIT")
        bare_samples.append(time.perf_counter() - start)
    bare.execute("DELETE FROM codings WHERE created_at = 'bare'")
    bare.execute("DELETE FROM meta WHERE value = 'bare'")
    bare.close()
    ordered = sorted(samples)
    return {"value": statistics.median(samples), "unit": "s",
            "p99": ordered[int(len(ordered) * 0.99)],
            "bare": statistics.median(bare_samples), "correct": tagged == runs}


def step_frequencies(db: Path, by: str | None) -> Result:
    from qcode.reports.frequencies import frequencies

    with Project.open(db, readonly=True) as project:
        seconds, rows = timed(lambda: frequencies(project, by=by))
        bare_seconds, naive = timed(lambda: project.conn.execute(NAIVE).fetchall(), 1)
        if by is None:
            ids = {r[1]: r[0] for r in project.conn.execute("SELECT id, name FROM codes")}
            mine = {ids[r.code]: (r.paragraphs, r.codings) for r in rows}
            theirs = {r[0]: (r[1], r[3]) for r in naive}
            correct = mine == {c: theirs.get(c, (0, 0)) for c in mine}
        else:
            correct = len(rows) > 0
    return {"value": seconds, "unit": "s", "bare": bare_seconds, "correct": correct}


def step_cooccurrence(db: Path) -> Result:
    from qcode.reports.cooccurrence import cooccurrence

    bare_sql = ("SELECT a.code_id, b.code_id, COUNT(DISTINCT a.paragraph_id) FROM codings a "
                "JOIN codings b ON b.paragraph_id = a.paragraph_id AND b.code_id > a.code_id "
                "GROUP BY 1, 2")
    with Project.open(db, readonly=True) as project:
        seconds, matrix = timed(lambda: cooccurrence(project))
        bare_seconds, rows = timed(lambda: project.conn.execute(bare_sql).fetchall(), 1)
    return {"value": seconds, "unit": "s", "bare": bare_seconds,
            "correct": {(a, b): n for a, b, n in rows} == matrix.both_counts,
            "codes": len(matrix.codes)}


def step_search(db: Path) -> Result:
    from qcode.core.search import search

    with Project.open(db) as project:
        search(project, "warmup")
        seconds, hits = timed(lambda: search(project, "regonal polise chef", limit=50))
        bare_seconds, _ = timed(lambda: project.conn.execute(
            "SELECT rowid FROM paragraphs_fts WHERE paragraphs_fts MATCH 'regional police chief' "
            "ORDER BY rank LIMIT 50").fetchall())
    return {"value": seconds, "unit": "s", "bare": bare_seconds,
            "correct": len(hits) == 50 and "region" in fold(hits[0].paragraph.text)}


def step_agreement(db: Path) -> Result:
    from qcode.reports.agreement import agreement

    with Project.open(db, readonly=True) as project:
        seconds, report = timed(lambda: agreement(project), 2)
        bare_seconds, _ = timed(lambda: project.conn.execute(
            "SELECT code_id, paragraph_id, SUM(1 << (coder_id % 60)) FROM codings "
            "GROUP BY code_id, paragraph_id").fetchall(), 1)
    return {"value": seconds, "unit": "s", "bare": bare_seconds,
            "correct": report.overall.alpha.defined, "codes": len(report.codes)}


def step_tui(folder: Path, paragraphs: int) -> Result:
    from benchmarks.tui_bench import build, first_screen

    project = build(folder / "tui.db", paragraphs, 7)
    try:
        seconds = min(asyncio.run(first_screen(project)) for _ in range(2))
    finally:
        project.close()
    bare = sqlite3.connect(folder / "tui.db")
    begin = time.perf_counter()
    bare.execute("SELECT id, label, text FROM paragraphs ORDER BY ordinal LIMIT 60").fetchall()
    bare_seconds = time.perf_counter() - begin
    return {"value": seconds, "unit": "s", "bare": bare_seconds, "correct": seconds > 0}


# -- the run ---------------------------------------------------------------------------


TARGETS = {
    "import": ("import the interviews (read + write)",
               ">= 50,000 paragraphs/s, within 3x of bare"),
    "tag": ("tag one paragraph (commit + event)", "p50 < 2 ms, p99 < 10 ms"),
    "frequencies": ("frequency report, by code", "< 1 s, within 2x of bare"),
    "frequencies_by_document": ("frequency report, by document", "< 1 s"),
    "cooccurrence": ("co-occurrence matrix", "< 2 s"),
    "search": ("search, typo-tolerant, top 50", "< 300 ms"),
    "agreement": ("agreement, all coders x codes", "< 2 s"),
    "tui": ("TUI first paint, {tui:,}-paragraph doc", "< 500 ms (10,000 paragraphs)"),
}


def show(value: float, unit: str) -> str:
    if unit == "paragraphs/s":
        return f"{value:,.0f} p/s"
    return f"{value * 1000:,.1f} ms" if value < 1 else f"{value:,.2f} s"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--interviews", type=int, default=1000)
    parser.add_argument("--paragraphs", type=int, default=200, help="per interview")
    parser.add_argument("--codes", type=int, default=40)
    parser.add_argument("--coders", type=int, default=3)
    parser.add_argument("--codings", type=int, default=1_000_000)
    parser.add_argument("--tui-paragraphs", type=int, default=10_000)
    parser.add_argument("--tag-runs", type=int, default=300)
    parser.add_argument("--small", action="store_true", help="a seconds-long run (CI)")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--seed", type=int, default=2009)
    args = parser.parse_args()
    if args.small:
        args.interviews, args.paragraphs, args.codings = 20, 50, 2000
        args.tui_paragraphs, args.tag_runs = 500, 30
    study = Study(args.interviews, args.paragraphs, args.codes, args.coders, args.codings,
                  args.seed)
    results: dict[str, Result] = {}
    with tempfile.TemporaryDirectory(prefix="qcode-bench-") as tmp:
        folder = Path(tmp)
        started = time.perf_counter()
        paths = study.write_transcripts(folder / "transcripts")
        db = folder / "study.db"
        with Project.create(db, name="synthetic study") as project:
            project.load_codebook(study.codebook(), coder="lead")
        print(f"study: {study.interviews:,} interviews x {study.paragraphs} paragraphs, "
              f"{study.codes} codes, {study.coders} coders, {study.codings:,} codings "
              f"(seed {study.seed}); transcripts written in {time.perf_counter() - started:.1f} s",
              flush=True)
        results["import"] = in_child(step_import, paths, db, study.total_paragraphs)
        conn = sqlite3.connect(db, isolation_level=None)
        begin = time.perf_counter()
        loaded = study.bulk_codings(conn)
        conn.execute("ANALYZE")
        conn.close()
        print(f"set-up: {loaded:,} codings bulk-loaded in {time.perf_counter() - begin:.1f} s",
              flush=True)
        results["tag"] = in_child(step_tag, db, args.tag_runs, args.seed)
        results["frequencies"] = in_child(step_frequencies, db, None)
        results["frequencies_by_document"] = in_child(step_frequencies, db, "document")
        results["cooccurrence"] = in_child(step_cooccurrence, db)
        results["search"] = in_child(step_search, db)
        results["agreement"] = in_child(step_agreement, db)
        results["tui"] = in_child(step_tui, folder, args.tui_paragraphs)
    print()
    print(f"{'what':<42} {'qcode':>14} {'bare sqlite3':>14} {'peak MB':>8}  ok   target")
    for key, (label, target) in TARGETS.items():
        r = results[key]
        label = label.format(tui=args.tui_paragraphs)
        if "error" in r:
            print(f"{label:<42} FAILED: {r['error']}")
            continue
        figure = show(r["value"], r["unit"])
        if key == "tag":
            figure = f"{r['value'] * 1000:.2f}/{r['p99'] * 1000:.2f} ms"
        print(f"{label:<42} {figure:>14} {show(r['bare'], r['unit']):>14} "
              f"{r['peak_mb']:8.0f}  {'yes' if r['correct'] else 'NO ':<4} {target}")
    if args.json:
        args.json.write_text(json.dumps({"study": vars(study), "results": results}, indent=2))
    if not all(r.get("correct") for r in results.values()):
        sys.exit(1)


if __name__ == "__main__":
    main()
