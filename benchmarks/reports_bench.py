"""How fast are the reports on a big project? Prints figures; asserts only correctness.

Builds a project of 200,000 paragraphs in 50 documents and 1,000,000 codings by three
coders over the study codebook (35 codes, two levels), seeded, through qcode itself
(documents added, codings through the bulk path; no ANALYZE). Then it times, in the
same run:

- ``frequencies(project)``, the library function the CLI and the TUI call;
- the bare SQL: the very statements that call sent to SQLite (captured with a trace
  callback), replayed on a plain connection with no Python around them;
- the textbook single ``GROUP BY`` with ``COUNT(DISTINCT ...)``, for comparison, and to
  check that it gives the same numbers as the library;
- the grouped and filtered variants, co-occurrence and the summary.

Usage: python benchmarks/reports_bench.py [--paragraphs N] [--codings N] [--seed N]
"""

from __future__ import annotations

import argparse
import random
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

from qcode import Project  # noqa: E402
from qcode.core.model import Block, compose  # noqa: E402
from qcode.exchange.formats import read_codebook  # noqa: E402
from qcode.reports.cooccurrence import cooccurrence  # noqa: E402
from qcode.reports.filters import ReportFilter  # noqa: E402
from qcode.reports.frequencies import frequencies  # noqa: E402
from qcode.reports.summary import summary  # noqa: E402

CODEBOOK = ROOT / "codebooks" / "ngos-power-ministries.yaml"
DOCUMENTS = 50
CODERS = ("alice", "bob", "carol")
GENERATIONS = ("Soviet-era", "post-Soviet", "international")

NAIVE = """
WITH RECURSIVE tree(ancestor, code_id) AS (
    SELECT id, id FROM codes
    UNION ALL SELECT t.ancestor, c.id FROM tree t JOIN codes c ON c.parent_id = t.code_id)
SELECT t.ancestor, COUNT(DISTINCT k.paragraph_id), COUNT(DISTINCT p.document_id), COUNT(*),
       COUNT(DISTINCT CASE WHEN t.ancestor = t.code_id THEN k.paragraph_id END),
       COUNT(DISTINCT CASE WHEN t.ancestor = t.code_id THEN p.document_id END),
       SUM(t.ancestor = t.code_id)
  FROM tree t JOIN codings k ON k.code_id = t.code_id JOIN paragraphs p ON p.id = k.paragraph_id
 GROUP BY t.ancestor
"""


def build(path: Path, paragraphs: int, codings: int, seed: int) -> None:
    """The big project, made through qcode: documents imported with an attribute, then
    the codings through the bulk path, a coder at a time (no ANALYZE)."""
    rng = random.Random(seed)
    with Project.create(path, name="reports benchmark") as project:
        project.load_codebook(read_codebook(CODEBOOK), coder=CODERS[0])
        per_document = paragraphs // DOCUMENTS
        with project.bulk():
            for d in range(1, DOCUMENTS + 1):
                blocks = [Block("paragraph", f"paragraph {i} of interview {d}", label=f"§{i}")
                          for i in range(1, per_document + 1)]
                project.add_document(compose(f"interview-{d:03d}", blocks), coder=CODERS[0],
                                     attributes={"generation": GENERATIONS[d % 3]})
        ids = [r[0] for r in project.conn.execute("SELECT id FROM paragraphs ORDER BY id")]
        codes = [c.id for c in project.codes() if c.codable]
        # Some themes are far more common than others, as in real studies.
        weights = [1.0 / (1 + i) ** 0.7 for i in range(len(codes))]
        rng.shuffle(weights)
        chosen: set[tuple[int, int, int]] = set()
        while len(chosen) < codings:
            n = codings - len(chosen)
            chosen.update(zip(
                rng.choices(range(len(CODERS)), [5, 3, 2], k=n),
                (rng.choice(ids) for _ in range(n)),
                rng.choices(codes, weights, k=n), strict=True))
        for index, coder in enumerate(CODERS):
            project.tag_many([(p, c) for k, p, c in chosen if k == index], coder=coder,
                             summary=f"{coder}'s codings")


def timed(func: Callable[[], Any], repeat: int) -> tuple[float, float, Any]:
    """(best, median) seconds over ``repeat`` calls, and the last result."""
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = func()
        times.append(time.perf_counter() - start)
    return min(times), statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--paragraphs", type=int, default=200_000)
    parser.add_argument("--codings", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=2009)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.db"
        start = time.perf_counter()
        build(path, args.paragraphs, args.codings, args.seed)
        print(f"setup: {args.paragraphs:,} paragraphs, {args.codings:,} codings, "
              f"{DOCUMENTS} documents, 35 codes, 3 coders in {time.perf_counter() - start:.1f} s")
        with Project.open(path, readonly=True) as project:
            report(project, path, args.repeat)


def report(project: Project, path: Path, repeat: int) -> None:
    statements: list[str] = []
    project.conn.set_trace_callback(statements.append)
    rows = frequencies(project)
    project.conn.set_trace_callback(None)
    bare = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)

    def replay() -> None:
        for sql in statements:
            bare.execute(sql).fetchall()

    lib_best, lib_median, rows = timed(lambda: frequencies(project), repeat)
    sql_best, sql_median, _ = timed(replay, repeat)
    naive_best, _, naive = timed(lambda: bare.execute(NAIVE).fetchall(), 1)
    ids = {r[1]: r[0] for r in bare.execute("SELECT id, name FROM codes")}
    mine = {ids[r.code]: (r.paragraphs, r.documents, r.codings, r.own_paragraphs,
                          r.own_documents, r.own_codings) for r in rows}
    theirs = {r[0]: tuple(r[1:]) for r in naive}
    if mine != {c: theirs.get(c, (0,) * 6) for c in mine}:
        raise SystemExit("MISMATCH: the library and the textbook query disagree")
    print(f"frequencies(project)          best {lib_best:6.3f} s   median {lib_median:6.3f} s")
    print(f"  same SQL, bare sqlite3       best {sql_best:6.3f} s   median {sql_median:6.3f} s"
          f"   ({len(statements)} statements)")
    print(f"  library / bare SQL           {lib_best / sql_best:6.2f}x (best)  "
          f"{lib_median / sql_median:6.2f}x (median)")
    print(f"  textbook single GROUP BY     {naive_best:6.3f} s   (same numbers: yes)")
    for label, call in [
        ("frequencies --by coder", lambda: frequencies(project, by="coder")),
        ("frequencies --by generation", lambda: frequencies(project, by="generation")),
        ("frequencies --by document", lambda: frequencies(project, by="document")),
        ("frequencies --coder bob", lambda: frequencies(project, ReportFilter(coders=("bob",)))),
        ("frequencies --coder alice --coder bob",
         lambda: frequencies(project, ReportFilter(coders=("alice", "bob")))),
        ("frequencies --attribute generation=post-Soviet", lambda: frequencies(
            project, ReportFilter(attributes=(("generation", "post-Soviet"),)))),
        ("summary", lambda: summary(project)),
        ("cooccurrence", lambda: cooccurrence(project)),
        ("cooccurrence --rollup", lambda: cooccurrence(project, rollup=True)),
    ]:
        best, _, _ = timed(call, 1 if label.startswith("cooccurrence") else 3)
        print(f"{label:46} best {best:6.3f} s")
    bare.close()


if __name__ == "__main__":
    main()
