"""An import of many files commits them in batches, one event per document, and tells
its caller of a document only once it is committed; it holds a bounded number of
parsed documents whatever the number of files."""

from __future__ import annotations

import gc
import os
import signal
import sqlite3
import subprocess
import sys
import time
import weakref
from pathlib import Path

import pytest

from qcode import Project
from qcode.core.errors import ImportFailed
from qcode.core.model import ParsedDocument
from qcode.core.project import NewDocument
from qcode.core.store.changes import INDEX_BUFFER_BYTES
from qcode.ingest import importer


def transcripts(folder: Path, count: int, turns: int = 10) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for n in range(count):
        path = folder / f"interview-{n:03d}.txt"
        path.write_text("\n\n".join(f"Q: Question {n}.{i}?\n\nA: Answer {n}.{i}, at length."
                                    for i in range(turns)) + "\n", encoding="utf-8")
        paths.append(path)
    return paths


def test_documents_are_committed_in_batches_one_event_each(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(importer, "BATCH_PARAGRAPHS", 100)  # five files of 20 each
    monkeypatch.setattr(importer, "STEPS", 1)
    paths = transcripts(tmp_path / "t", 12)
    db = tmp_path / "p.db"
    seen_committed: list[int] = []
    with Project.create(db) as project:
        other = sqlite3.connect(db)

        def done(item: importer.PreparedFile, document: object) -> None:
            # Another connection sees only committed rows: the document is there.
            seen_committed.append(other.execute(
                "SELECT COUNT(*) FROM documents WHERE name = ?", (item.path.stem,)).fetchone()[0])

        importer.write(project, importer.prepare(project, paths), coder="alice", done=done)
        other.close()
        events = project.conn.execute(
            "SELECT summary FROM events WHERE action = 'import' ORDER BY id").fetchall()
        assert [e[0] for e in events] == [f"import {p.stem} (20 paragraphs)" for p in paths]
        hits = project.conn.execute(
            "SELECT COUNT(*) FROM paragraphs_fts WHERE paragraphs_fts MATCH 'answer'").fetchone()
        assert hits[0] == 12 * 10
    assert seen_committed == [1] * 12
    with Project.open(db) as project:
        assert project.check().healthy
        project.undo(coder="alice")  # takes back the last document only
        assert len(project.documents()) == 11


def test_a_stop_hears_of_every_document_committed(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A caller that stops at the first document it hears of (the app's Stop, Ctrl-C)
    still hears of every document its batch committed, so its tally is the truth."""
    monkeypatch.setattr(importer, "BATCH_PARAGRAPHS", 60)
    monkeypatch.setattr(importer, "STEPS", 1)
    paths = transcripts(tmp_path / "t", 10)
    told: list[str] = []

    class Stop(Exception):
        pass

    def done(item: importer.PreparedFile, document: object) -> None:
        told.append(item.path.stem)
        raise Stop

    with Project.create(tmp_path / "p.db") as project:
        with pytest.raises(Stop):
            importer.write(project, importer.prepare(project, paths), coder="alice", done=done)
        names = [d.document.name for d in project.documents()]
    assert names == told == [p.stem for p in paths[:3]]


@pytest.mark.parametrize("kept", [0, 20])
def test_at_most_a_few_parsed_documents_are_held_at_once(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kept: int) -> None:
    """Memory stays flat: besides what was kept from the check (within its budget),
    the write holds the document being written and those parsed ahead, whatever the
    number of files."""
    paths = transcripts(tmp_path / "t", 40)
    one = importer.KeptDocument.keep(importer.read_document(paths[0]))
    assert one is not None
    alive: set[int] = set()
    most = 0
    real = importer.read_document

    def tracked(path: Path, **kwargs: object) -> ParsedDocument:
        nonlocal most
        document = real(path, **kwargs)  # type: ignore[arg-type]
        key = id(document)
        alive.add(key)
        weakref.finalize(document, alive.discard, key)
        most = max(most, len(alive))
        return document

    monkeypatch.setattr(importer, "read_document", tracked)
    with Project.create(tmp_path / "p.db") as project:
        prepared = importer.prepare(project, paths, keep=kept * one.size)
        held = sum(item.document is not None for item in prepared)
        assert held == 0 if kept == 0 else 0 < held < 40
        most = 0  # counted from here: parsed while writing
        importer.write(project, prepared, coder="alice")
        assert len(project.documents()) == 40
    gc.collect()
    assert most <= importer.PARSE_AHEAD + 2, most


def test_a_small_import_commits_document_by_document(tmp_path: Path) -> None:
    """At least :data:`importer.STEPS` commits: in an import of a few files each is
    its own, so a stop lands right after the document it was asked at."""
    paths = transcripts(tmp_path / "t", 10)
    told: list[str] = []

    def done(item: importer.PreparedFile, document: object) -> None:
        told.append(item.path.stem)
        if len(told) == 2:
            raise KeyboardInterrupt

    with Project.create(tmp_path / "p.db") as project:
        with pytest.raises(KeyboardInterrupt):
            importer.write(project, importer.prepare(project, paths), coder="alice", done=done)
        names = [d.document.name for d in project.documents()]
    assert names == told == [p.stem for p in paths[:2]]


def test_files_already_in_are_told_in_their_place(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(importer, "STEPS", 1)
    paths = transcripts(tmp_path / "t", 8)
    told: list[tuple[str, bool]] = []
    with Project.create(tmp_path / "p.db") as project:
        importer.write(project, importer.prepare(project, paths[2:4]), coder="alice")
        importer.write(project, importer.prepare(project, paths, skip_existing=True),
                       coder="alice",
                       done=lambda item, doc: told.append((item.path.stem, doc is not None)))
    assert told == [(p.stem, n not in (2, 3)) for n, p in enumerate(paths)]


def _rows(db: Path) -> list[tuple[object, ...]]:
    with Project.open(db) as project:
        paragraphs = project.conn.execute(
            'SELECT document_id, ordinal, label, section, speaker, text, start, "end", '
            "text_hash, preceding FROM paragraphs ORDER BY id").fetchall()
        documents = project.conn.execute(
            "SELECT name, sha256, trailing, kind FROM documents ORDER BY id").fetchall()
    return [tuple(r) for r in [*paragraphs, *documents]]


def test_files_checked_in_reader_processes_import_as_parsed_here(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The compact rows built from what reader processes send back are the rows the
    parsed documents make (text hashes, what lies between paragraphs, the kind)."""
    paths = transcripts(tmp_path / "t", 6)
    (tmp_path / "t" / "headed.txt").write_text(
        "# A heading\n\nQ: One?\n\nA: Two, three.\n\nÉTÉ INDIEN\n\nA: Crème brûlée.\n\n\n",
        encoding="utf-8")
    paths.append(tmp_path / "t" / "headed.txt")
    with Project.create(tmp_path / "parsed.db") as project:
        project.add_documents([NewDocument(importer.read_document(p), attributes={"k": "v"})
                               for p in paths], coder="alice")
    for pool_files, db in ((1, "readers.db"), (10**6, "inline.db")):
        monkeypatch.setattr(importer, "POOL_FILES", pool_files)
        with Project.create(tmp_path / db) as project:
            importer.write(project, importer.prepare(project, paths, attributes={"k": "v"}),
                           coder="alice")
        assert _rows(tmp_path / db) == _rows(tmp_path / "parsed.db"), db


def test_a_bad_file_found_by_a_reader_process_stops_the_check(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(importer, "POOL_FILES", 1)
    paths = transcripts(tmp_path / "t", 5)
    paths[3].write_text("\n\n\n", encoding="utf-8")
    with Project.create(tmp_path / "p.db") as project:
        with pytest.raises(ImportFailed, match=r"interview-003\.txt: the file is empty"):
            importer.prepare(project, paths)
        assert project.documents() == []


def test_an_import_indexes_a_batch_in_one_segment_and_finds_it(tmp_path: Path) -> None:
    """The index gathers a batch's terms in memory (INDEX_BUFFER_BYTES) before it
    writes them; what it wrote is found."""
    paths = transcripts(tmp_path / "t", 3)
    with Project.create(tmp_path / "p.db") as project:
        importer.write(project, importer.prepare(project, paths), coder="alice")
        buffer = project.conn.execute(
            "SELECT v FROM paragraphs_fts_config WHERE k = 'hashsize'").fetchone()
        assert buffer is not None and buffer[0] == INDEX_BUFFER_BYTES
        hits = project.conn.execute(
            "SELECT COUNT(*) FROM paragraphs_fts WHERE paragraphs_fts MATCH 'question'"
        ).fetchone()[0]
        assert hits == 3 * 10
        assert project.check().healthy


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads /proc")
def test_reader_processes_end_when_the_import_is_killed(tmp_path: Path) -> None:
    """A killed import (SIGKILL: nothing of it runs) leaves no reader process behind
    waiting for work."""
    paths = transcripts(tmp_path / "t", 4)
    script = (
        "import multiprocessing, sys, time\n"
        "from pathlib import Path\n"
        "from qcode.ingest import importer\n"
        "importer.POOL_FILES = 1\n"
        "if __name__ == '__main__':\n"
        "    checked = importer._checked([Path(p) for p in sys.argv[1:]], None)\n"
        "    next(checked)\n"
        "    print(' '.join(str(c.pid) for c in multiprocessing.active_children()), flush=True)\n"
        "    time.sleep(600)\n")
    child = subprocess.Popen([sys.executable, "-c", script, *map(str, paths)],
                             stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None
    readers = [int(pid) for pid in child.stdout.readline().split()]
    assert readers
    child.kill()
    child.wait()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and any(_running(pid) for pid in readers):
        time.sleep(0.1)
    left = [pid for pid in readers if _running(pid)]
    for pid in left:  # not left behind by a failing run either
        os.kill(pid, signal.SIGKILL)
    assert not left


def _running(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie, ended and not yet reaped, does not)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return False
    return "\nState:\tZ" not in status
