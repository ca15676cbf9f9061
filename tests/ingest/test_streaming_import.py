"""Importing many files keeps memory flat: every file is read and checked first, but only
as many parsed documents are kept as fit a budget; the rest are read again when written,
and one whose text changed in between is refused (the documents before it stay whole).
"""

from __future__ import annotations

import tracemalloc
from pathlib import Path

import pytest

from qcode import Project
from qcode.core.errors import ImportFailed
from qcode.ingest import importer

# Minutes, not seconds: `pytest -m "not slow"` is the quick loop.
pytestmark = pytest.mark.slow

ANSWER = ("We started working with the prison administration in the early nineties, "
          "and the regional police chief agreed to meet us only after a long wait. ")


def transcripts(folder: Path, count: int) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for n in range(count):
        path = folder / f"interview-{n:04d}.txt"
        turns = [f"Q: Question {n}.{i}?\n\nA: {ANSWER * 6}Interview {n}, turn {i}."
                 for i in range(20)]
        path.write_text("\n\n".join(turns) + "\n", encoding="utf-8")
        paths.append(path)
    return paths


def import_peak(project_path: Path, paths: list[Path], keep: int) -> int:
    """Peak Python memory (bytes) of checking and writing ``paths``."""
    with Project.create(project_path) as project:
        tracemalloc.start()
        try:
            prepared = importer.prepare(project, paths, keep=keep)
            importer.write(project, prepared, coder="alice")
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()


def test_peak_memory_does_not_grow_with_the_number_of_files(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Both imports read their files as a large one does (in reader processes, a fixed
    # number of files ahead), so that what differs is the number of files only.
    monkeypatch.setattr(importer, "POOL_FILES", 1)
    few = transcripts(tmp_path / "few", 20)
    many = transcripts(tmp_path / "many", 200)
    small = import_peak(tmp_path / "few.db", few, keep=0)
    large = import_peak(tmp_path / "many.db", many, keep=0)
    # Each extra file costs a small record (path, hash, counts), not its text: a tenth
    # of its text's size at most (holding it parsed costs several times that).
    per_file = (large - small) / (len(many) - len(few))
    assert per_file < 0.1 * len(many[0].read_text(encoding="utf-8")), (small, large)
    kept_all = import_peak(tmp_path / "kept.db", many, keep=10**9)
    assert kept_all > 10 * large, (kept_all, large)


def test_a_small_import_reads_each_file_once(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    paths = transcripts(tmp_path / "t", 5)
    reads: list[Path] = []
    real = importer.read_document

    def counting(path: Path, **kwargs: object) -> object:
        reads.append(path)
        return real(path, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(importer, "read_document", counting)
    with Project.create(tmp_path / "p.db") as project:
        importer.write(project, importer.prepare(project, paths), coder="alice")
        assert len(project.documents()) == 5
    assert reads == paths


def test_a_file_changed_between_check_and_write_is_refused(tmp_path: Path) -> None:
    paths = transcripts(tmp_path / "t", 4)
    with Project.create(tmp_path / "p.db") as project:
        prepared = importer.prepare(project, paths, keep=0)
        paths[2].write_text("Q: something else entirely?\n\nA: yes.\n", encoding="utf-8")
        with pytest.raises(ImportFailed, match="changed while it was being imported"):
            importer.write(project, prepared, coder="alice")
        names = sorted(d.document.name for d in project.documents())
        assert names == ["interview-0000", "interview-0001"]
        assert all(d.paragraphs == 40 for d in project.documents())
