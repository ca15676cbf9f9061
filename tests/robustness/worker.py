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


def publish_again(project_path: str, folder: str, count: str) -> None:
    """Publish the project into a sync folder ``count`` times over, saying "copying N"
    as each copy step of publication N is made and "done N STAMP" once it is in place.
    Each step waits 5 ms, as a slow network share would: the copy takes long enough
    for a kill to land inside it."""
    import time

    from qcode.core.sync_files import publish, published_name

    def copying(n: int) -> None:
        print(f"copying {n}", flush=True)
        time.sleep(0.005)

    with Project.open(project_path) as project:
        target = Path(folder) / published_name(project.meta("guid") or "", "alice")
        for n in range(int(count)):
            stamp = publish(project.conn, target, {"coder": "alice"},
                            step=lambda _left, _pages, n=n: copying(n))
            print(f"done {n} {stamp}", flush=True)


def sync(project_path: str, folder: str) -> None:
    """Sync through a folder as carol, saying "placing N" as codings are placed (inside
    the merge's transaction) and "done" when the sync is over."""
    from qcode.core.sync import sync as run_sync

    with Project.open(project_path) as project:
        run_sync(project, Path(folder), coder="carol",
                 progress=lambda what, done, _total: print(
                     f"placing {done}" if what.startswith("placing") else f"reading {done}",
                     flush=True))
        print("done sync", flush=True)


if __name__ == "__main__":
    kind, *args = sys.argv[1:]
    {"tags": tag_burst, "import": import_many, "merge": merge, "publish": publish_again,
     "sync": sync}[kind](*args)
