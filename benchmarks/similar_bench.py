"""`qcode similar`: quality and speed of qcode's way (FTS5 bm25 over the source's salient
stems, then a tf-idf cosine re-rank) beside plain SQLite doing the same FTS work and
beside scikit-learn's TF-IDF cosine over every paragraph (when it is installed; it is
not a qcode dependency).

    .venv/bin/python benchmarks/similar_bench.py --db /tmp/bench/full/study.db
    .venv/bin/python benchmarks/similar_bench.py --small        # seconds; a small study

Quality, on the bundled article: six paraphrases written for this benchmark (fictional,
the same meaning in other words, sharing a few content words) are imported beside it;
for each, the rank of the paraphrase among the paragraphs like its original (1 = first).

Speed, on a copy of the given project (never the file itself; a 200,000-paragraph
study from benchmarks/run.py --keep): per query, warm (p50, p95 over many source
paragraphs) and a new process's first; plain sqlite3 running the very MATCH expression
qcode builds (ORDER BY bm25, the same LIMIT) on the same index; scikit-learn's fit time
(what it needs before a first query, and after every import or edit) and query time,
and how many of qcode's top 10 its exhaustive cosine also puts in its top 10.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("XDG_STATE_HOME", tempfile.mkdtemp(prefix="qcode-bench-state-"))

from benchmarks.synth import Study  # noqa: E402
from qcode import Project  # noqa: E402
from qcode.core import similar as engine  # noqa: E402
from qcode.core.similar import similar_to  # noqa: E402

ARTICLE = ROOT / "corpus" / "sieca-kozlowski-2009.md"
_SCRIPT = Path(sys.executable).with_name("qcode")
QCODE = [str(_SCRIPT)] if _SCRIPT.exists() else [sys.executable, "-m", "qcode"]

# Fictional paraphrases of the article's paragraphs, written for this benchmark.
PARAPHRASES = {
    "§13": "Nearly every organisation we talked to had been quietly targeted: landlords "
           "pushed to throw them out of their offices, inspectors turning up again and "
           "again, intimidation and threats. Once the new NGO law passed, some staff were "
           "stopped at the door of the building where their programme ran, and a month of "
           "distrust followed. Friends high up rarely helped.",
    "§16": "A prize from overseas is what makes people at home take you seriously. Until "
           "some jury outside the country hands you an award, nobody here counts you as a "
           "real organisation; backing from outside also shows you can work with officials "
           "even when they are unwilling.",
    "§17": "Every group we spoke to lives on money from foreign donors. For a few of them "
           "the grants shrink year after year; others keep theirs. Yet being funded from "
           "abroad can backfire: when the presidential campaign painted Britain and America "
           "as enemies, organisations that had long been funded by them lost the sympathy "
           "of ordinary people.",
    "§22": "The district police of the capital now work with thousands of civic groups. "
           "They began partnering because the public hotline was swamped with grievances "
           "about officers breaking the law: from a couple of dozen calls a day the line "
           "went to more than sixty.",
    "§25": "Officers and rights activists walking the beat together turned out to be the "
           "best way to expose abuses against ordinary people. Since 2005 these shared "
           "patrols are compulsory, and two volunteer groups have joined more than a "
           "hundred of them, hoping to teach the police courtesy toward the people they stop.",
    "§29": "Activists look down on the state-sponsored groups, calling them a relic of Soviet "
           "times. Those who applied in vain for grants from the Public Chamber are the most "
           "bitter and refuse any further dealings with it; they doubt the competence of its "
           "members and how it spends money, and find its application forms far too "
           "demanding.",
}


def percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {"p50": statistics.median(ordered),
            "p95": ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))],
            "max": ordered[-1]}


def timed(call: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = call()
    return time.perf_counter() - start, result


def sklearn_available() -> bool:
    try:
        import sklearn  # noqa: F401
    except ImportError:
        return False
    return True


def qcode_analyzer(text: str) -> list[str]:
    """qcode's own terms and stems, so that scikit-learn computes the same model."""
    return [engine.stem(t) for t, n in engine._terms(text).items() for _ in range(n)]


# -- quality ------------------------------------------------------------------------------


def quality(folder: Path) -> dict[str, Any]:
    """Rank of each paraphrase for its original: qcode, bm25 alone, scikit-learn."""
    db = folder / "quality.db"
    subprocess.run([*QCODE, "-p", str(db), "init"], check=True, capture_output=True)
    paths = []
    for ref, text in PARAPHRASES.items():
        path = folder / f"paraphrase-{ref.strip('§')}.md"
        path.write_text(f"# Fictional paraphrase of {ref}\n\n{text}\n", encoding="utf-8")
        paths.append(path)
    subprocess.run([*QCODE, "-p", str(db), "import", str(ARTICLE), *map(str, paths)],
                   check=True, capture_output=True)
    ranks: dict[str, dict[str, int]] = {"qcode": {}, "qcode's model, exhaustive": {},
                                        "bm25 only": {}}
    with Project.open(db, readonly=True) as project:
        article = project.document(ARTICLE.stem)
        texts = {r["id"]: r["text"] for r in project.conn.execute(
            "SELECT id, text FROM paragraphs")}
        for ref in PARAPHRASES:
            source = project.paragraph(article, ref)
            wanted = project.paragraph(project.document(f"paraphrase-{ref.strip('§')}"), "¶1")
            found = [f.paragraph.id for f in similar_to(project, source.id, limit=1000)]
            ranks["qcode"][ref] = rank_of(wanted.id, found)
            with exhaustive():
                every = [f.paragraph.id for f in similar_to(project, source.id, limit=1000)]
            ranks["qcode's model, exhaustive"][ref] = rank_of(wanted.id, every)
            ranks["bm25 only"][ref] = rank_of(wanted.id, bm25_order(project, source.id))
        if sklearn_available():
            for name, options in (("scikit-learn (defaults, English stop words)",
                                   {"stop_words": "english", "sublinear_tf": True}),
                                  ("scikit-learn (qcode's terms and stems)",
                                   {"analyzer": qcode_analyzer, "sublinear_tf": True})):
                ranks[name] = {}
                order = sklearn_ranking(texts, options)
                for ref in PARAPHRASES:
                    source = project.paragraph(article, ref)
                    wanted = project.paragraph(
                        project.document(f"paraphrase-{ref.strip('§')}"), "¶1")
                    ranks[name][ref] = rank_of(wanted.id, order(source.id))
    return {name: {"ranks": r, "first": sum(v == 1 for v in r.values()),
                   "mrr": round(statistics.mean(1 / v for v in r.values()), 3)}
            for name, r in ranks.items()}


@contextlib.contextmanager
def exhaustive() -> Iterator[None]:
    """qcode's own model without its pruning: every stem of the source in the query,
    every paragraph sharing one re-ranked (what the FTS shortcut may lose)."""
    saved = {k: getattr(engine, k) for k in ("SALIENT", "POSTINGS", "COMMON",
                                             "CANDIDATES", "CANDIDATES_MAX")}
    for key in saved:
        setattr(engine, key, 10**9)
    try:
        yield
    finally:
        for key, value in saved.items():
            setattr(engine, key, value)


def rank_of(wanted: int, order: list[int]) -> int:
    return order.index(wanted) + 1 if wanted in order else 10_000


def bm25_order(project: Project, paragraph_id: int) -> list[int]:
    """The candidates in FTS5's bm25 order, before qcode's re-rank."""
    expression = expression_for(project, paragraph_id)
    if expression is None:
        return []
    return [r[0] for r in project.conn.execute(
        "SELECT rowid FROM paragraphs_fts WHERE paragraphs_fts MATCH ? AND rowid != ? "
        "ORDER BY bm25(paragraphs_fts) LIMIT 1000", (expression, paragraph_id))]


def expression_for(project: Project, paragraph_id: int) -> str | None:
    """The MATCH expression qcode builds for a paragraph (its internals, for the floor)."""
    source = project.paragraph_by_id(paragraph_id)
    weights = engine._Weights(engine.vocabulary(project), engine.paragraph_total(project.conn))
    normal = engine._normalised(weights.vector(engine._terms(source.text)))
    return engine._query(weights, normal, True)


def sklearn_ranking(texts: dict[int, str], options: dict[str, Any]
                    ) -> Callable[[int], list[int]]:
    from sklearn.feature_extraction.text import TfidfVectorizer

    ids = list(texts)
    matrix = TfidfVectorizer(**options).fit_transform([texts[i] for i in ids])
    row = {pid: n for n, pid in enumerate(ids)}

    def order(paragraph_id: int) -> list[int]:
        scores = (matrix @ matrix[row[paragraph_id]].T).toarray().ravel()
        ranked = sorted(range(len(ids)), key=lambda n: -scores[n])
        return [ids[n] for n in ranked if ids[n] != paragraph_id and scores[n] > 0]

    return order


# -- speed --------------------------------------------------------------------------------


def speed(db: Path, queries: int, seed: int, with_sklearn: bool,
          exhaustive_queries: int) -> dict[str, Any]:
    figures: dict[str, Any] = {}
    with Project.open(db, readonly=True) as project:
        total = engine.paragraph_total(project.conn)
        ids = [r[0] for r in project.conn.execute("SELECT id FROM paragraphs")]
        rng = random.Random(seed)
        sources = [rng.choice(ids) for _ in range(queries)]
        figures["paragraphs"] = total
        figures["cold"] = cold_query(db, sources[0])
        similar_to(project, sources[0], limit=20)  # the vocabulary, loaded once per process
        warm, tops = [], {}
        for pid in sources:
            seconds, found = timed(lambda pid=pid: similar_to(project, pid, limit=20))
            warm.append(seconds)
            tops[pid] = [f.paragraph.id for f in found[:10]]
        figures["qcode"] = percentiles(warm)
        agree, slow = [], []
        for pid in sources[:exhaustive_queries]:
            with exhaustive():
                seconds, every = timed(lambda pid=pid: similar_to(project, pid, limit=10))
            slow.append(seconds)
            if tops[pid]:
                best = {f.paragraph.id for f in every}
                agree.append(len(best & set(tops[pid])) / len(tops[pid]))
        if agree:
            figures["exhaustive"] = {"agreement_at_10": statistics.mean(agree),
                                     "queries": len(agree), **percentiles(slow)}
        expressions = {pid: expression_for(project, pid) for pid in sources}
        code = project.conn.execute(
            "SELECT code_id, COUNT(*) FROM codings GROUP BY code_id ORDER BY 2 DESC "
            "LIMIT 1").fetchone()
        if code is not None:
            scope = engine.code_scope(project, str(project.code_by_id(code[0]).name))
            code_times = [timed(lambda: engine.similar_to_code(project, scope, limit=20))[0]
                          for _ in range(3)]
            figures["code"] = {"codings": code[1], **percentiles(code_times)}
    figures["bare"] = bare_fts(db, expressions)
    if with_sklearn and sklearn_available():
        figures["sklearn"] = sklearn_speed(db, sources, tops)
    return figures


def cold_query(db: Path, paragraph_id: int) -> float:
    """A new process: open the project, then its first query (vocabulary load included)."""
    script = (
        "import sys, time\n"
        "from qcode import Project\n"
        "from qcode.core.similar import similar_to\n"
        f"project = Project.open({str(db)!r}, readonly=True)\n"
        "start = time.perf_counter()\n"
        f"similar_to(project, {paragraph_id}, limit=20)\n"
        "print(time.perf_counter() - start)\n"
    )
    out = subprocess.run([sys.executable, "-c", script], check=True, capture_output=True,
                         text=True)
    return float(out.stdout)


def bare_fts(db: Path, expressions: dict[int, str | None]) -> dict[str, dict[str, float]]:
    """Plain sqlite3, the same FTS work: qcode's MATCH expression, the same number of
    candidates by bm25, their text fetched; as FTS5's documentation writes it (ORDER BY
    rank) and as qcode does (ORDER BY bm25(), which SQLite sorts with a bounded heap:
    FTS5's rank order sorts every match first)."""
    conn = sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True)
    queries = {
        "rank": "SELECT id, text FROM paragraphs WHERE id IN (SELECT rowid FROM "
                "paragraphs_fts WHERE paragraphs_fts MATCH ? AND rowid != ? "
                "ORDER BY rank LIMIT ?)",
        "bm25": "SELECT id, text FROM paragraphs WHERE id IN (SELECT rowid FROM "
                "paragraphs_fts WHERE paragraphs_fts MATCH ? AND rowid != ? "
                "ORDER BY bm25(paragraphs_fts) LIMIT ?)",
    }
    found: dict[str, dict[str, float]] = {}
    for name, sql in queries.items():
        samples = []
        for pid, expression in expressions.items():
            if expression is None:
                continue
            seconds, _rows = timed(lambda e=expression, p=pid, q=sql: conn.execute(
                q, (e, p, engine.CANDIDATES)).fetchall())
            samples.append(seconds)
        found[name] = percentiles(samples)
    conn.close()
    return found


def sklearn_speed(db: Path, sources: list[int], tops: dict[int, list[int]]
                  ) -> dict[str, Any]:
    """Fit once on every paragraph (default analyzer: its fastest), query by sparse
    product; then the same model as qcode's (its terms and stems) for agreement."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    conn = sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True)
    rows = conn.execute("SELECT id, text FROM paragraphs ORDER BY id").fetchall()
    conn.close()
    ids = [r[0] for r in rows]
    row = {pid: n for n, pid in enumerate(ids)}
    texts = [r[1] for r in rows]
    result: dict[str, Any] = {}
    for name, options in (("default", {"sublinear_tf": True}),
                          ("qcode terms", {"analyzer": qcode_analyzer, "sublinear_tf": True})):
        vectorizer = TfidfVectorizer(**options)
        fit, matrix = timed(lambda v=vectorizer: v.fit_transform(texts))
        samples, agree = [], []
        for pid in sources:
            def query(pid: int = pid, v: Any = vectorizer, m: Any = matrix) -> list[int]:
                vector = v.transform([texts[row[pid]]])
                scores = (m @ vector.T).toarray().ravel()
                scores[row[pid]] = -1
                best = scores.argsort()[::-1][:10]
                return [ids[n] for n in best if scores[n] > 0]
            seconds, best = timed(query)
            samples.append(seconds)
            mine = tops[pid]
            if mine:
                agree.append(len(set(mine) & set(best)) / len(mine))
        result[name] = {"fit": fit, **percentiles(samples),
                        "matrix_mb": (matrix.data.nbytes + matrix.indices.nbytes
                                      + matrix.indptr.nbytes) / 1e6,
                        "agreement_at_10": statistics.mean(agree) if agree else 0.0}
    return result


def small_study(folder: Path) -> Path:
    """A small synthetic study (benchmarks/synth.py), imported by qcode."""
    study = Study(interviews=20, paragraphs=50, codes=8, coders=2, codings=500, seed=2009,
                  vocabulary=5_000)
    paths = study.write_transcripts(folder / "transcripts")
    db = folder / "study.db"
    with Project.create(db, name="synthetic study") as project:
        project.load_codebook(study.codebook(), coder="lead")
    subprocess.run([*QCODE, "-p", str(db), "import", *map(str, paths)], check=True,
                   capture_output=True)
    with Project.open(db) as project:
        study.code(project)
    return db


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, help="a project to time on (copied first)")
    parser.add_argument("--small", action="store_true", help="a small synthetic study")
    parser.add_argument("--queries", type=int, default=50)
    parser.add_argument("--exhaustive", type=int, default=5,
                        help="queries compared with qcode's model without pruning")
    parser.add_argument("--no-sklearn", action="store_true", help="skip scikit-learn")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--seed", type=int, default=16)
    args = parser.parse_args()
    if args.db is None and not args.small:
        parser.error("give --db PROJECT (a large study) or --small")
    figures: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="qcode-similar-") as tmp:
        folder = Path(tmp)
        figures["quality"] = quality(folder)
        print("quality: rank of the paraphrase for its original (1 = first)")
        for name, q in figures["quality"].items():
            ranks = " ".join(f"{ref}:{r}" for ref, r in q["ranks"].items())
            print(f"  {name:<46} first {q['first']}/{len(PARAPHRASES)}  MRR {q['mrr']:.3f}"
                  f"  {ranks}")
        if args.small:
            db = small_study(folder)
        else:
            db = folder / "study.db"
            shutil.copyfile(args.db, db)
            with Project.open(db) as project:  # upgrades the copy, keeps its terms
                engine.vocabulary(project)
        s = speed(db, 5 if args.small else args.queries, args.seed, not args.no_sklearn,
                  args.exhaustive)
        figures["speed"] = s
    print(f"\nspeed: {s['paragraphs']:,} paragraphs, {args.queries if not args.small else 5}"
          " source paragraphs, limit 20")
    ms = 1000
    print(f"  qcode similar, warm             p50 {s['qcode']['p50'] * ms:7.1f} ms   "
          f"p95 {s['qcode']['p95'] * ms:7.1f} ms   max {s['qcode']['max'] * ms:7.1f} ms")
    print(f"  qcode similar, new process      first query {s['cold'] * ms:7.1f} ms")
    for name, b in s["bare"].items():
        print(f"  plain sqlite3, same FTS query, ORDER BY {name:<4}  p50 {b['p50'] * ms:7.1f} ms"
              f"   p95 {b['p95'] * ms:7.1f} ms")
    if "code" in s:
        print(f"  qcode similar --code ({s['code']['codings']:,} codings)  "
              f"p50 {s['code']['p50'] * ms:7.1f} ms")
    if "exhaustive" in s:
        e = s["exhaustive"]
        print(f"  qcode's model, exhaustive       p50 {e['p50'] * ms:7.1f} ms   top-10 "
              f"agreement with qcode {e['agreement_at_10']:.0%} ({e['queries']} queries)")
    for name, k in s.get("sklearn", {}).items():
        print(f"  scikit-learn ({name}): fit {k['fit']:.1f} s, matrix {k['matrix_mb']:.0f} MB,"
              f" query p50 {k['p50'] * ms:.1f} ms p95 {k['p95'] * ms:.1f} ms, "
              f"top-10 agreement with qcode {k['agreement_at_10']:.0%}")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
