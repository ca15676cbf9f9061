"""Benchmark `qcode sync`: 3 coders x 200 interviews x 40,000 codings each, one folder.

The team is made the way a team makes one: the lead imports the transcripts
(`Project.add_document`) and loads the codebook; each coder gets a copy and codes
40,000 paragraph-code pairs through the bulk path (`Project.tag_many`, a batch of
documents per event). No raw SQL, no ANALYZE. Then each coder runs `qcode sync` as a
process, in turn, three rounds (the first brings what the others published before,
the second the rest, the third nothing), each on "their machine" (a state folder of
their own). Figures: wall time and peak memory (RSS) of each `qcode sync` process, the
published file's size, and two floors in bare sqlite3 — copying the project with the
online backup API (what publishing must do at least), and bringing one coder's
codings in with one INSERT … SELECT from the attached file (what merging must do at
least). Checked: after two rounds all three projects hold the same 120,000 codings.

    .venv/bin/python benchmarks/sync_bench.py              # the issue's size
    .venv/bin/python benchmarks/sync_bench.py --small      # seconds; what the tests run
    .venv/bin/python benchmarks/sync_bench.py --json out.json
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.synth import Study  # noqa: E402
from qcode import Project  # noqa: E402
from qcode.ingest import read_document  # noqa: E402

CODERS = ("alice", "bob", "carol")
_SCRIPT = Path(sys.executable).with_name("qcode")
QCODE = [str(_SCRIPT)] if _SCRIPT.exists() else [sys.executable, "-m", "qcode"]


def build(root: Path, study: Study, codings: int) -> dict[str, Path]:
    """The lead's project, then one copy per coder, each coded by its coder."""
    transcripts = study.write_transcripts(root / "transcripts")
    lead = root / "lead.db"
    with Project.create(lead, name="sync benchmark") as project:
        for path in transcripts:
            project.add_document(read_document(path), coder="lead")
        project.load_codebook(study.codebook(), coder="lead")
    projects = {}
    for number, coder in enumerate(CODERS):
        path = root / coder / "study.db"
        path.parent.mkdir()
        (root / coder / "state").mkdir()
        with Project.open(lead) as source:
            source.backup(path)
        with Project.open(path) as project:
            codable = [c.id for c in project.codes() if c.codable]
            documents = [d.document.id for d in project.documents()]
            rng = random.Random(study.seed + number)
            by_document = {d: [r[0] for r in project.paragraph_outline(d)] for d in documents}
            every = [p for d in documents for p in by_document[d]]
            chosen: set[tuple[int, int]] = set()
            while len(chosen) < min(codings, len(every) * len(codable)):
                chosen.add((rng.choice(every), rng.choice(codable)))
            # A batch of 20 documents per event, in paragraph order.
            ordered = sorted(chosen)
            edges = [by_document[d][0] for d in documents[::20]][1:]
            start = 0
            for edge in [*edges, float("inf")]:
                stop = next((i for i in range(start, len(ordered)) if ordered[i][0] >= edge),
                            len(ordered))
                if stop > start:
                    project.tag_many(ordered[start:stop], coder=coder)
                start = stop
        projects[coder] = path
    return projects


def sync(root: Path, coder: str, project: Path, folder: Path) -> dict[str, Any]:
    """`qcode sync` as the coder, on their machine: seconds, peak MB, what it said."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env |= {"QCODE_CODER": coder, "XDG_STATE_HOME": str(root / coder / "state")}
    start = time.perf_counter()
    child = subprocess.Popen([*QCODE, "-p", str(project), "sync", str(folder)], env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, err = child.communicate()
    seconds = time.perf_counter() - start
    if child.returncode:
        raise RuntimeError(f"sync as {coder}: exit {child.returncode}: {err.decode()[-500:]}")
    return {"seconds": seconds, "said": out.decode()}


def measured_sync(root: Path, coder: str, project: Path, folder: Path) -> dict[str, Any]:
    """:func:`sync` from a helper process whose only child is the sync, so that the
    children's peak RSS the helper reads is the sync's own."""
    code = ("import json, resource, sys; from pathlib import Path; "
            "sys.path.insert(0, sys.argv[1]); from benchmarks.sync_bench import sync; "
            "r = sync(Path(sys.argv[2]), sys.argv[3], Path(sys.argv[4]), Path(sys.argv[5])); "
            "r['peak_mb'] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024; "
            "print(json.dumps(r))")
    done = subprocess.run([sys.executable, "-c", code, str(ROOT), str(root), coder,
                           str(project), str(folder)], capture_output=True, text=True,
                          check=False)
    if done.returncode:
        raise RuntimeError(done.stderr[-800:])
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def floors(root: Path, projects: dict[str, Path]) -> dict[str, float]:
    """Bare sqlite3 doing the least each step must: a backup-API copy of a coder's
    project; one coder's codings into another's copy by one INSERT … SELECT that
    matches paragraphs by document hash and ordinal, codes by GUID."""
    source = sqlite3.connect(projects["alice"])
    start = time.perf_counter()
    copy = sqlite3.connect(root / "floor-copy.db")
    source.backup(copy)
    copy.close()
    backup_seconds = time.perf_counter() - start
    source.close()
    target = root / "floor-merge.db"
    shutil.copy(projects["bob"], target)
    conn = sqlite3.connect(target, isolation_level=None)
    start = time.perf_counter()
    conn.execute("ATTACH ? AS other", (str(projects["alice"]),))
    conn.execute("BEGIN")
    conn.execute("INSERT OR IGNORE INTO coders (guid, name, created_at) "
                 "SELECT guid, name, created_at FROM other.coders")
    conn.execute(
        "INSERT OR IGNORE INTO codings (guid, paragraph_id, code_id, coder_id, memo, created_at) "
        "SELECT c.guid, p.id, k.id, r.id, c.memo, c.created_at FROM other.codings c "
        "JOIN other.paragraphs op ON op.id = c.paragraph_id "
        "JOIN other.documents od ON od.id = op.document_id "
        "JOIN main.documents d ON d.sha256 = od.sha256 "
        "JOIN main.paragraphs p ON p.document_id = d.id AND p.ordinal = op.ordinal "
        "AND p.text_hash = op.text_hash "
        "JOIN other.codes oc ON oc.id = c.code_id JOIN main.codes k ON k.guid = oc.guid "
        "JOIN other.coders ok ON ok.id = c.coder_id JOIN main.coders r ON r.guid = ok.guid")
    conn.execute("COMMIT")
    merge_seconds = time.perf_counter() - start
    conn.close()
    return {"backup_copy": backup_seconds, "merge_one_file": merge_seconds}


def codings(path: Path) -> set[tuple[str, int, str, str]]:
    """Every coding as (document hash, ordinal, code GUID, coder), read plainly."""
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return set(conn.execute(
            "SELECT d.sha256, p.ordinal, k.guid, r.name FROM codings c "
            "JOIN paragraphs p ON p.id = c.paragraph_id JOIN documents d ON d.id = p.document_id "
            "JOIN codes k ON k.id = c.code_id JOIN coders r ON r.id = c.coder_id"))
    finally:
        conn.close()


def main() -> None:
    """Build the team, run three rounds of syncs, print (and optionally save) figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", action="store_true", help="a few seconds' worth")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    interviews, paragraphs, per_coder = (10, 20, 300) if args.small else (200, 100, 40_000)
    study = Study(interviews=interviews, paragraphs=paragraphs, codes=40, coders=3,
                  codings=per_coder)
    with tempfile.TemporaryDirectory(prefix="qcode-sync-bench-") as tmp:
        root = Path(tmp)
        started = time.perf_counter()
        projects = build(root, study, per_coder)
        built = time.perf_counter() - started
        folder = root / "Dropbox"
        folder.mkdir()
        rounds: list[dict[str, dict[str, Any]]] = []
        for _round in range(3):
            rounds.append({coder: measured_sync(root, coder, projects[coder], folder)
                           for coder in CODERS})
        held = [codings(projects[c]) for c in CODERS]
        correct = held[0] == held[1] == held[2] and len(held[0]) == 3 * per_coder
        published = {p.name.split(".")[1]: p.stat().st_size for p in folder.glob("*.qcode")}
        figures = {
            "study": {"interviews": interviews, "paragraphs": interviews * paragraphs,
                      "codings_per_coder": per_coder, "coders": len(CODERS)},
            "build_seconds": built,
            "rounds": [{c: {"seconds": r["seconds"], "peak_mb": r["peak_mb"]}
                        for c, r in one.items()} for one in rounds],
            "published_mb": {c: size / 2**20 for c, size in published.items()},
            "floor": floors(root, projects),
            "correct": correct,
            "codings_each": len(held[0]),
        }
    print(f"sync benchmark: {len(CODERS)} coders x {interviews} interviews "
          f"({interviews * paragraphs:,} paragraphs) x {per_coder:,} codings each "
          f"(built in {built:.1f} s)")
    for number, one in enumerate(figures["rounds"], start=1):
        row = ", ".join(f"{c} {r['seconds']:.2f} s / {r['peak_mb']:.0f} MB"
                        for c, r in one.items())
        print(f"  round {number}: {row}")
    sizes = ", ".join(f"{c} {mb:.1f} MB" for c, mb in figures["published_mb"].items())
    print(f"  published files: {sizes}")
    floor = figures["floor"]
    print(f"  bare sqlite3 floor: backup-API copy {floor['backup_copy']:.2f} s, "
          f"one file's codings by INSERT…SELECT {floor['merge_one_file']:.2f} s")
    print(f"  every project holds the same {figures['codings_each']:,} codings: "
          f"{'yes' if correct else 'NO'}")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=1))
    if not correct:
        sys.exit(1)


if __name__ == "__main__":
    main()
