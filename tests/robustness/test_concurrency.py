"""Several processes writing one project at once: every write lands, none fails."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from qcode import Project
from qcode.core.codebook.model import Codebook, CodeSpec
from qcode.core.store.check import check
from qcode.ingest import read_document

# Minutes, not seconds: `pytest -m "not slow"` is the quick loop.
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]


def make_project(tmp_path: Path, paragraphs: int) -> Path:
    path = tmp_path / "shared.db"
    text = "\n\n".join(f"§{n} Paragraph number {n} of the shared transcript." for n in range(1, paragraphs + 1))
    source = tmp_path / "shared.txt"
    source.write_text(text, encoding="utf-8")
    with Project.create(path) as project:
        project.add_document(read_document(source), coder="lead")
        project.load_codebook(Codebook(codes=[CodeSpec(name="theme")]), coder="lead")
    return path


def test_processes_tagging_at_once_all_land(tmp_path: Path) -> None:
    processes, tags = 4, 40
    path = make_project(tmp_path, tags)
    workers = [
        subprocess.Popen(
            [sys.executable, "-m", "tests.robustness.worker", "tags", str(path), f"coder{i}",
             str(tags)],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        for i in range(processes)
    ]
    outputs = [w.communicate(timeout=120) for w in workers]
    for worker, (out, err) in zip(workers, outputs, strict=True):
        assert worker.returncode == 0, err
        assert "locked" not in err
        assert out.count("done") == tags
    with Project.open(path) as project:
        codings = project.conn.execute("SELECT COUNT(*) FROM codings").fetchone()[0]
        tag_events = project.conn.execute(
            "SELECT COUNT(*) FROM events WHERE action = 'tag'").fetchone()[0]
        assert codings == processes * tags
        assert tag_events == processes * tags
        per_coder = dict(project.conn.execute(
            "SELECT k.name, COUNT(*) FROM codings c JOIN coders k ON k.id = c.coder_id "
            "GROUP BY k.name"))
        assert per_coder == {f"coder{i}": tags for i in range(processes)}
        assert check(project.conn).healthy


def test_backup_while_another_process_writes(tmp_path: Path) -> None:
    path = make_project(tmp_path, 200)
    worker = subprocess.Popen(
        [sys.executable, "-m", "tests.robustness.worker", "tags", str(path), "busy", "200"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    copies = []
    with Project.open(path) as project:
        for n in range(5):
            copies.append(project.backup(tmp_path / f"copy{n}.db"))
    _out, err = worker.communicate(timeout=120)
    assert worker.returncode == 0, err
    for copy in copies:
        with Project.open(copy) as snapshot:
            report = check(snapshot.conn)
            assert report.healthy, report.problems
