"""Benchmark `qcode edit`: correcting one long transcript that carries many codings.

A document of N paragraphs (10,000 by default; 20–60 words each) with every other
paragraph coded, and every tenth coding an exact selection. One corrected file: a new
first paragraph (so every paragraph after it moves: ordinal, offsets, spans), a word
fixed in the middle, a coded paragraph split in two, two joined. Figures: the plan
(parse + alignment + row changes), applying it as one event (made again under the
write lock), one undo, `qcode check` afterwards; all checked healthy.

    .venv/bin/python benchmarks/edit_bench.py
    .venv/bin/python benchmarks/edit_bench.py --paragraphs 1000
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from qcode import Project  # noqa: E402
from qcode.core import transcript_edit as te  # noqa: E402
from qcode.core.spans import Span, dump  # noqa: E402
from qcode.core.store.check import check  # noqa: E402
from qcode.ingest import read_document  # noqa: E402

WORDS = [
    "the", "of", "and", "to", "in", "that", "was", "for", "with", "as", "on", "at", "by",
    "from", "they", "which", "were", "there", "would", "their", "been", "when", "who", "more",
    "about", "into", "than", "them", "only", "other", "some", "could", "these", "then",
    "first", "people", "police", "prison", "officials", "region", "ministry", "rights",
    "interview",
]


def build(folder: Path, count: int) -> tuple[Project, str]:
    rng = random.Random(1)
    paragraphs = [" ".join(rng.choice(WORDS) for _ in range(rng.randint(20, 60))).capitalize()
                  + "." for _ in range(count)]
    source = folder / "long.txt"
    source.write_text("\n\n".join(paragraphs) + "\n", encoding="utf-8")
    project = Project.create(folder / "bench.db")
    project.add_document(read_document(source), coder="alice")
    code = project.add_code("theme", coder="alice")
    document = project.document("long")
    rows = project.paragraphs(document.id)
    project.tag([p.id for p in rows[::2]], [code.id], coder="alice")
    selections = []
    for coding_id, start, text in project.conn.execute(
            "SELECT c.id, p.start, p.text FROM codings c JOIN paragraphs p "
            "ON p.id = c.paragraph_id WHERE c.id % 10 = 0").fetchall():
        selections.append({"op": "update", "table": "codings", "key": {"id": coding_id},
                           "before": {"spans": None},
                           "after": {"spans": dump([Span(start + 4, start + len(text) - 4)])}})
    with project.writing():
        project.record("alice", "select", "selections", selections)
    text = te.render(project, document)
    marks = te.markers(te.old_paragraphs(project, document.id))
    text = text.replace(f"[[{marks[0]}]]\n", f"[[new]]\nA first paragraph.\n\n[[{marks[0]}]]\n",
                        1)
    middle = rows[count // 2].text
    text = text.replace(middle, middle.replace(" the ", " teh ", 1), 1)
    split = rows[(count * 3) // 5 // 2 * 2].text  # a coded one
    words = split.split(" ")
    text = text.replace(split, " ".join(words[: len(words) // 2]) + "\n\n"
                        + " ".join(words[len(words) // 2:]), 1)
    text = text.replace(f"\n\n[[{marks[(count * 7) // 10 + 1]}]]\n", " ", 1)
    return project, text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--paragraphs", type=int, default=10_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        project, corrected = build(Path(folder), args.paragraphs)
        document = project.document("long")
        started = time.perf_counter()
        plan = te.plan(project, document, corrected)
        planned = time.perf_counter()
        te.apply(project, plan, coder="alice")
        applied = time.perf_counter()
        assert check(project.conn).healthy
        checked = time.perf_counter()
        project.undo(coder="alice")
        undone = time.perf_counter()
        assert check(project.conn).healthy
        print(f"{args.paragraphs} paragraphs, {len(plan.changes)} row changes: "
              f"{plan.summary()}")
        print(f"plan {planned - started:.2f} s, apply {applied - planned:.2f} s, "
              f"check {checked - applied:.2f} s, undo {undone - checked:.2f} s")
        project.close()


if __name__ == "__main__":
    main()
