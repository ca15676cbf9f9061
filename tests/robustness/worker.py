"""A separate process that writes to a project and says what it finished.

Run as ``python -m tests.robustness.worker KIND PROJECT ARGS...``; it prints one
``done ...`` line (flushed) after each change is committed, so a test that kills it
knows exactly which changes were acknowledged.
"""

from __future__ import annotations

import sys

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


if __name__ == "__main__":
    kind, *args = sys.argv[1:]
    {"tags": tag_burst, "cli": cli}[kind](*args)
