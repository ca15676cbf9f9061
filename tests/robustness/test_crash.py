"""kill -9 at random moments: the project stays healthy and keeps every change that
was reported done."""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from qcode import Project
from qcode.core.store.check import check
from tests.robustness.test_concurrency import make_project

# Minutes, not seconds: `pytest -m "not slow"` is the quick loop.
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
ROUNDS = 6


def run_and_kill(args: list[str], *, after: int = 0, delay: float = 0.0,
                 module: str = "tests.robustness.worker", marker: str = "done ") -> list[str]:
    """Start a worker; SIGKILL it once it reported ``after`` changes done, plus ``delay``
    seconds (so the kill lands mid-change at a random point); return what it finished."""
    worker = subprocess.Popen(
        [sys.executable, "-m", module, *args],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert worker.stdout is not None
    done: list[str] = []
    while len(done) < after:
        line = worker.stdout.readline()
        if not line:
            break
        if line.startswith(marker):
            done.append(line.split(" ", 1)[1].strip())
    time.sleep(delay)
    if worker.poll() is None:
        os.kill(worker.pid, signal.SIGKILL)
    worker.wait(timeout=60)
    # Through the same text wrapper readline() used: communicate() with a timeout reads
    # the raw pipe and would lose lines readline() had already buffered.
    out = worker.stdout.read()
    done += [line.split(" ", 1)[1] for line in out.splitlines() if line.startswith(marker)]
    return done


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_kill_during_tag_burst(tmp_path: Path, round_: int) -> None:
    path = make_project(tmp_path, 400)
    rng = random.Random(round_)
    done = run_and_kill(["tags", str(path), "alice", "400"], after=rng.randint(5, 300),
                        delay=rng.uniform(0, 0.002))
    assert len(done) < 400, "the kill must land mid-burst"
    with Project.open(path) as project:
        report = check(project.conn)
        assert report.healthy, report.problems
        coded = {r[0] for r in project.conn.execute("SELECT paragraph_id FROM codings")}
        assert {int(d) for d in done} <= coded
        # At most the one change in flight when the process died is beyond what it said.
        assert len(coded) - len(done) in (0, 1)


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_kill_qcode_import_mid_import(tmp_path: Path, round_: int) -> None:
    """`qcode import` itself (its bulk path: every file checked, then one transaction per
    document), killed after it reported some documents imported: those are there, every
    document there is whole, and the import had not finished."""
    path = make_project(tmp_path, 5)
    folder = tmp_path / "transcripts"
    folder.mkdir()
    rng = random.Random(100 + round_)
    files = []
    for n in range(20):
        turns = "\n\n".join(
            f"{'Q' if i % 2 == 0 else 'A'}: Turn {i} of interview {n}, слово {rng.random():.6f}."
            for i in range(1500))
        files.append(folder / f"interview{n:02d}.txt")
        files[-1].write_text(turns, encoding="utf-8")
    said = run_and_kill(["cli", "-p", str(path), "import", *map(str, files)],
                        module="tests.robustness.worker", marker="imported ",
                        after=rng.randint(1, 8), delay=rng.uniform(0, 0.01))
    done = {line.split()[0] for line in said}
    assert done, "the kill must come after the first document was reported"
    with Project.open(path) as project:
        assert check(project.conn).healthy
        imported = {s.document.name: s.paragraphs for s in project.documents()
                    if s.document.name.startswith("interview")}
    assert done <= set(imported)
    assert len(imported) < 20, "the kill must land before the import finished"
    assert set(imported.values()) <= {1500}, "a document is whole or absent"


@pytest.mark.parametrize("round_", range(3))
def test_kill_qcode_merge_mid_merge(tmp_path: Path, round_: int) -> None:
    """`qcode merge` itself, killed after it reported placing codings: the merge is one
    transaction, so the project holds none of them (a partial count is impossible) —
    or, had it finished and said so, all of them."""
    path = make_project(tmp_path, 30000)
    other = tmp_path / "other.db"
    shutil.copy(path, other)
    with Project.open(other) as theirs:
        doc = theirs.documents()[0].document
        ids = [p.id for p in theirs.paragraphs(doc.id)]
        theirs.tag(ids, [theirs.codes()[0].id], coder="bob")
    said = run_and_kill(["cli", "-p", str(path), "merge", str(other), "--coder", "lead"],
                        marker="progress ", after=1,
                        delay=random.Random(round_).uniform(0, 0.005))
    assert said, "the kill must come after the merge started placing codings"
    with Project.open(path) as project:
        assert check(project.conn).healthy
        count = project.conn.execute("SELECT COUNT(*) FROM codings").fetchone()[0]
    assert count == 0, "killed mid-merge: nothing of it may be there"


@pytest.mark.parametrize("round_", range(3))
def test_kill_the_tui_while_it_tags(tmp_path: Path, round_: int) -> None:
    """What the screen acknowledged is on disk: the status line said "tagged §N", then
    the process was killed; §N's coding is there."""
    path = make_project(tmp_path, 60)
    rng = random.Random(300 + round_)
    shown = run_and_kill([str(path)], after=rng.randint(2, 25), delay=rng.uniform(0, 0.2),
                         module="tests.robustness.tui_worker", marker="shown ")
    assert 2 <= len(shown) < 60, "the kill must land while the app is tagging"
    with Project.open(path) as project:
        assert check(project.conn).healthy
        tagged = {r[0] for r in project.conn.execute(
            "SELECT p.label FROM codings c JOIN paragraphs p ON p.id = c.paragraph_id")}
        assert set(shown) <= tagged
        assert len(tagged) - len(shown) in (0, 1)


def _kill_after(args: list[str], marker: str, delay: float) -> list[str]:
    """Start a worker, SIGKILL it ``delay`` seconds after it printed a line starting
    with ``marker``; every line it printed (before and after the kill)."""
    worker = subprocess.Popen([sys.executable, "-m", "tests.robustness.worker", *args],
                              cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                              text=True)
    assert worker.stdout is not None
    seen: list[str] = []
    while True:
        line = worker.stdout.readline()
        if not line:
            break
        seen.append(line.strip())
        if line.startswith(marker):
            break
    time.sleep(delay)
    if worker.poll() is None:
        os.kill(worker.pid, signal.SIGKILL)
    worker.wait(timeout=60)
    return seen + [line.strip() for line in worker.stdout.read().splitlines()]


@pytest.mark.parametrize("round_", range(3))
def test_kill_during_publishing_leaves_no_partial_file_under_its_name(
        tmp_path: Path, round_: int) -> None:
    from qcode.core.sync_files import SkipFile, header, private_copy, stamp

    path = make_project(tmp_path, 30000)
    folder = tmp_path / "Dropbox"
    folder.mkdir()
    rng = random.Random(400 + round_)
    # The second publication is under way (its first copy step reported) when it is
    # killed; the first one is in place.
    seen = _kill_after(["publish", str(path), str(folder), "3"], "copying 1",
                       rng.uniform(0, 0.01))
    first = next(line for line in seen if line.startswith("done 0 "))
    assert "copying 1" in seen and not any(line.startswith("done 1") for line in seen), \
        "the kill must land while the second publication is being written"
    published = [p for p in folder.iterdir() if p.name.endswith(".qcode")]
    assert len(published) == 1
    # Under its name: the first publication, whole; the second exists only as a partial.
    assert stamp(header(published[0])) == int(first.split()[2])
    private = tmp_path / "private"
    private.mkdir()
    with Project.open(private_copy(published[0], private)) as copy:
        assert check(copy.conn).healthy
        assert copy.paragraph_count(copy.documents()[0].document.id) == 30000
    partials = [p for p in folder.iterdir() if ".backup-partial" in p.name]
    assert partials, "the copy in progress was killed, so its partial file is there"
    with pytest.raises(SkipFile):
        private_copy(partials[0], private)  # nowhere near whole: never a project to merge
    # The next publication removes what the killed one left.
    done = _kill_after(["publish", str(path), str(folder), "1"], "done 0", 5.0)
    assert any(line.startswith("done 0") for line in done)
    assert sorted(p.name for p in folder.iterdir()) == [published[0].name]


def test_kill_during_a_syncs_merge_leaves_the_project_before_or_after(
        tmp_path: Path) -> None:
    from qcode.core.sync_files import publish, published_name

    lead = make_project(tmp_path, 30000)
    folder = tmp_path / "Dropbox"
    folder.mkdir()
    bob = tmp_path / "bob.db"
    shutil.copy(lead, bob)
    with Project.open(bob) as theirs:
        doc = theirs.documents()[0].document
        theirs.tag([p.id for p in theirs.paragraphs(doc.id)], [theirs.codes()[0].id],
                   coder="bob")
        publish(theirs.conn, folder / published_name(theirs.meta("guid") or "", "bob"),
                {"coder": "bob"})
    counts = []
    for round_ in range(3):
        carol = tmp_path / f"carol{round_}.db"
        shutil.copy(lead, carol)
        # Killed once it reported placing codings: inside the merge's transaction.
        seen = _kill_after(["sync", str(carol), str(folder)], "placing",
                           random.Random(500 + round_).uniform(0, 0.05))
        assert any(line.startswith("placing") for line in seen)
        with Project.open(carol) as project:
            report = check(project.conn)
            assert report.healthy, report.problems
            count = project.conn.execute("SELECT COUNT(*) FROM codings").fetchone()[0]
        assert count in (0, 30000), "a merge lands whole or not at all"
        if "done sync" in seen:
            assert count == 30000
        counts.append(count)
    assert 0 in counts, "at least one kill must land mid-merge (and roll it back)"
