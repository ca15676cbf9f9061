"""A separate process that writes to a project and says what it finished.

Run as ``python -m tests.robustness.worker KIND PROJECT ARGS...``; it prints one
``done ...`` line (flushed) after each change is committed, so a test that kills it
knows exactly which changes were acknowledged.
"""

from __future__ import annotations

import sys
from pathlib import Path

from qcode import Project
from qcode.ingest import read_document


def tag_burst(project_path: str, coder: str, count: str) -> None:
    """Tag paragraphs 1..count of the first document with the first code, one by one."""
    with Project.open(project_path) as project:
        doc = project.documents()[0].document
        code = project.codes()[0]
        for paragraph in project.paragraphs(doc.id, limit=int(count)):
            project.tag([paragraph.id], [code.id], coder=coder)
            print(f"done {paragraph.id}", flush=True)


def import_many(project_path: str, folder: str) -> None:
    """Import every .txt file in a folder, one document (and transaction) at a time."""
    with Project.open(project_path) as project:
        for path in sorted(Path(folder).glob("*.txt")):
            project.add_document(read_document(path), coder="importer")
            print(f"done {path.stem}", flush=True)


def merge(project_path: str, other: str) -> None:
    """Merge another project file in, as one event."""
    with Project.open(project_path) as project:
        report = project.merge_project(other, coder="lead")
        print(f"done {report.codings_added}", flush=True)


if __name__ == "__main__":
    kind, *args = sys.argv[1:]
    {"tags": tag_burst, "import": import_many, "merge": merge}[kind](*args)
