"""Benchmark `qcode agree`: 200,000 paragraphs x 3 coders x 40 codes (the issue's target).

Builds a seeded project with bulk SQLite inserts (no event log: this measures the
report, not the writer), then times :func:`qcode.reports.agreement.agreement` and
prints the figures. Run from the repository root:

    .venv/bin/python benchmarks/agree_bench.py [--paragraphs 200000] [--keep FILE]

The target is under 2 s for all agreement figures (percent agreement, Fleiss' kappa,
Krippendorff's alpha per code and overall) on this machine.
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from qcode.core.ids import new_guid, now, sha256, text_hash  # noqa: E402
from qcode.core.project import Project  # noqa: E402
from qcode.reports.agreement import agreement, disagreements  # noqa: E402

CODERS = ("alice", "bob", "carol")


def build(path: Path, *, paragraphs: int = 200_000, per_document: int = 200, codes: int = 40,
          seed: int = 0) -> dict[str, int]:
    """Create a project at ``path`` with seeded synthetic coding; return row counts.

    Each code has a base rate between 1% and 15%; a paragraph truly carries a code with
    that probability, and each coder applies a true code with probability 0.85 and a
    wrong one with probability 0.02. carol skips one document in ten (missing data);
    alice and bob mark every document reviewed, carol only those she coded.
    """
    rng = random.Random(seed)
    Project.create(path, name="agreement benchmark").close()
    conn = sqlite3.connect(path, isolation_level=None)
    stamp = now()
    conn.execute("BEGIN")
    conn.executemany("INSERT INTO coders (guid, name, created_at) VALUES (?, ?, ?)",
                     [(new_guid(), name, stamp) for name in CODERS])
    coder_ids = [r[0] for r in conn.execute("SELECT id FROM coders ORDER BY id")]
    conn.executemany(
        "INSERT INTO codes (guid, name, position, created_at) VALUES (?, ?, ?, ?)",
        [(new_guid(), f"theme {i + 1:02d}", i, stamp) for i in range(codes)])
    code_ids = [r[0] for r in conn.execute("SELECT id FROM codes ORDER BY id")]
    rates = [rng.uniform(0.01, 0.15) for _ in code_ids]
    n_docs = -(-paragraphs // per_document)
    codings: list[tuple[str, int, int, int, str]] = []
    reviews: list[tuple[int, int, str]] = []
    made = 0
    for d in range(n_docs):
        size = min(per_document, paragraphs - made)
        text = f"document {d}\n" + "\n".join(f"p{i}" for i in range(size))
        cursor = conn.execute(
            "INSERT INTO documents (guid, name, sha256, text, imported_at) VALUES (?, ?, ?, ?, ?)",
            (new_guid(), f"interview-{d:05d}", sha256(text), text, stamp))
        doc_id = int(cursor.lastrowid or 0)
        rows = [(doc_id, i + 1, f"§{i + 1}", f"section {i // 50 + 1}",
                 f"paragraph {i + 1} of interview {d}", 0, 0,
                 text_hash(f"paragraph {i + 1} of interview {d}")) for i in range(size)]
        conn.executemany(
            'INSERT INTO paragraphs (document_id, ordinal, label, section, text, start, "end", '
            "text_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)
        first = conn.execute("SELECT MIN(id) FROM paragraphs WHERE document_id = ?",
                             (doc_id,)).fetchone()[0]
        carol_here = rng.random() >= 0.1
        active = [c for c in coder_ids if c != coder_ids[2] or carol_here]
        reviews += [(doc_id, c, stamp) for c in coder_ids[:2]]
        for p in range(first, first + size):
            for code, rate in zip(code_ids, rates, strict=True):
                truth = rng.random() < rate
                for coder in active:
                    if rng.random() < (0.85 if truth else 0.02):
                        codings.append((new_guid(), p, code, coder, stamp))
        made += size
        if len(codings) > 200_000:
            _flush(conn, codings)
    _flush(conn, codings)
    conn.executemany("INSERT INTO reviews (document_id, coder_id, reviewed_at) VALUES (?, ?, ?)",
                     reviews)
    conn.execute("COMMIT")
    counts = {table: conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
              for table in ("documents", "paragraphs", "codes", "codings", "reviews")}
    conn.execute("ANALYZE")
    conn.close()
    return counts


def _flush(conn: sqlite3.Connection, codings: list[tuple[str, int, int, int, str]]) -> None:
    conn.executemany("INSERT INTO codings (guid, paragraph_id, code_id, coder_id, created_at) "
                     "VALUES (?, ?, ?, ?, ?)", codings)
    codings.clear()


def main() -> None:
    """Build (or reuse with --keep) the project, time the report, print figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--paragraphs", type=int, default=200_000)
    parser.add_argument("--codes", type=int, default=40)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--runs", type=int, default=3, help="timed runs (median is shown)")
    parser.add_argument("--bootstrap", type=int, default=0,
                        help="also time a bootstrap interval for alpha with N resamples")
    parser.add_argument("--keep", type=Path, help="build the project here and keep it "
                        "(reused when it exists)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = args.keep or Path(tmp) / "bench.db"
        if not path.exists():
            started = time.perf_counter()
            counts = build(path, paragraphs=args.paragraphs, codes=args.codes, seed=args.seed)
            print(f"built in {time.perf_counter() - started:.1f} s: "
                  + ", ".join(f"{v:,} {k}" for k, v in counts.items()))
        with Project.open(path, readonly=True) as project:
            times = []
            for _ in range(args.runs):
                started = time.perf_counter()
                report = agreement(project)
                times.append(time.perf_counter() - started)
            print(f"agreement ({len(report.codes)} codes + overall, coders "
                  f"{', '.join(report.coders)}): median {statistics.median(times):.3f} s "
                  f"of {args.runs} runs (min {min(times):.3f} s)")
            overall = report.overall
            print(f"overall over {overall.units:,} (paragraph, code) units: "
                  f"percent {overall.percent.format()}, Fleiss {overall.fleiss.format()}, "
                  f"alpha {overall.alpha.format()}")
            for row in report.codes[:5]:
                print(f"  {row.code}: {row.units:,} paragraphs, percent {row.percent.format()},"
                      f" Fleiss {row.fleiss.format()}, alpha {row.alpha.format()}")
            started = time.perf_counter()
            listed = disagreements(project)
            print(f"disagreements: {len(listed.rows):,} (paragraph, code) pairs listed in "
                  f"{time.perf_counter() - started:.3f} s")
            if args.bootstrap:
                started = time.perf_counter()
                with_ci = agreement(project, bootstrap=args.bootstrap, seed=1)
                found = with_ci.overall.interval
                low_high = found.interval if found else None
                shown = f"[{low_high[0]:.4f}, {low_high[1]:.4f}]" if low_high else "none"
                print(f"bootstrap {args.bootstrap} resamples, all codes + overall: "
                      f"{time.perf_counter() - started:.2f} s; overall alpha 95% interval "
                      f"{shown}")


if __name__ == "__main__":
    main()
