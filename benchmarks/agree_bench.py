"""Benchmark `qcode agree`: 200,000 paragraphs x 3 coders x 40 codes (the issue's target).

Builds a seeded project the way a team makes one (imports, bulk codings, review
marks; no ANALYZE), then times :func:`qcode.reports.agreement.agreement` and prints
the figures. Run from the repository root:

    .venv/bin/python benchmarks/agree_bench.py [--paragraphs 200000] [--keep FILE]

The target is under 2 s for all agreement figures (percent agreement, Fleiss' kappa,
Krippendorff's alpha per code and overall) on this machine.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from qcode.core.codebook.model import Codebook, CodeSpec  # noqa: E402
from qcode.core.model import Block, compose  # noqa: E402
from qcode.core.project import Project  # noqa: E402
from qcode.reports.agreement import agreement, disagreements  # noqa: E402

CODERS = ("alice", "bob", "carol")


def build(path: Path, *, paragraphs: int = 200_000, per_document: int = 200, codes: int = 40,
          seed: int = 0) -> dict[str, int]:
    """Create a project at ``path`` with seeded synthetic coding; return row counts.

    Made the way a team makes one: documents imported, each coder's codings applied
    through the bulk path a batch of documents at a time, review marks set by the
    coders; no statistics gathered unless qcode gathers them.

    Each code has a base rate between 1% and 15%; a paragraph truly carries a code with
    that probability, and each coder applies a true code with probability 0.85 and a
    wrong one with probability 0.02. carol skips one document in ten (missing data);
    alice and bob mark every document reviewed, carol only those she coded.
    """
    rng = random.Random(seed)
    with Project.create(path, name="agreement benchmark") as project:
        project.load_codebook(Codebook(name="agreement", codes=[
            CodeSpec(name=f"theme {i + 1:02d}") for i in range(codes)]), coder="lead")
        code_ids = [c.id for c in project.codes()]
        rates = [rng.uniform(0.01, 0.15) for _ in code_ids]
        n_docs = -(-paragraphs // per_document)
        pending: dict[str, list[tuple[int, int]]] = {name: [] for name in CODERS}
        documents = []
        made = 0
        with project.bulk():
            for d in range(n_docs):
                size = min(per_document, paragraphs - made)
                blocks = [Block("paragraph", f"paragraph {i + 1} of interview {d}",
                                label=f"§{i + 1}") for i in range(size)]
                doc = project.add_document(compose(f"interview-{d:05d}", blocks), coder="lead")
                documents.append(doc)
                ids = [row[0] for row in project.paragraph_outline(doc.id)]
                carol_here = rng.random() >= 0.1
                active = [c for c in CODERS if c != "carol" or carol_here]
                for p in ids:
                    for code, rate in zip(code_ids, rates, strict=True):
                        truth = rng.random() < rate
                        for coder in active:
                            if rng.random() < (0.85 if truth else 0.02):
                                pending[coder].append((p, code))
                made += size
                if d % 100 == 99 or d == n_docs - 1:
                    for coder, pairs in pending.items():
                        if pairs:
                            project.tag_many(pairs, coder=coder, summary=f"{coder}'s batch")
                        pairs.clear()
            for doc in documents:
                for coder in CODERS[:2]:
                    project.mark_reviewed(doc, coder=coder)
        return {table: project.conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
                for table in ("documents", "paragraphs", "codes", "codings", "reviews")}


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
