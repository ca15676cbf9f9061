"""A separate process that writes to a project and says what it finished.

Run as ``python -m tests.robustness.worker KIND PROJECT ARGS...``; it prints one
``done ...`` line (flushed) after each change is committed, so a test that kills it
knows exactly which changes were acknowledged.
"""

from __future__ import annotations

import sys
from pathlib import Path

from qcode import Project


def tag_burst(project_path: str, coder: str, count: str) -> None:
    """Tag paragraphs 1..count of the first document with the first code, one by one."""
    with Project.open(project_path) as project:
        doc = project.documents()[0].document
        code = project.codes()[0]
        for paragraph in project.paragraphs(doc.id, limit=int(count)):
            project.tag([paragraph.id], [code.id], coder=coder)
            print(f"done {paragraph.id}", flush=True)


def cli(*args: str) -> None:
    """Run the ``qcode`` command itself, with its progress reported as ``progress N``
    lines (flushed) instead of a bar, so a test can kill it mid-operation."""
    import contextlib
    from collections.abc import Callable, Iterator

    from qcode.cli import main, progress

    @contextlib.contextmanager
    def counted(_description: str) -> Iterator[Callable[[int, int], None]]:
        yield lambda done, _total: print(f"progress {done}", flush=True)

    progress.counted_progress = counted  # type: ignore[assignment]
    main(list(args), standalone_mode=False)
    print("done command", flush=True)


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


def edit(*args: str) -> None:
    """Run ``qcode edit`` saying "applying N" (flushed) as each row change of the
    correction is applied, inside its transaction, so a kill can land mid-edit."""
    from qcode.core.store import changes

    applied = changes.apply
    count = 0

    def counted(conn: object, change: changes.Change) -> changes.Change:
        nonlocal count
        count += 1
        print(f"applying {count}", flush=True)
        return applied(conn, change)  # type: ignore[arg-type]

    changes.apply = counted  # type: ignore[assignment]
    cli(*args)


if __name__ == "__main__":
    kind, *args = sys.argv[1:]
    {"tags": tag_burst, "cli": cli, "publish": publish_again, "sync": sync,
     "edit": edit}[kind](*args)
