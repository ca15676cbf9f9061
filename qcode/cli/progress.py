"""Progress bars for long commands: counts and time left, on stderr, only on a terminal."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator

from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from qcode.cli.common import err_console


@contextlib.contextmanager
def progress_bar(enabled: bool, description: str,
                 total: int | None = None) -> Iterator[Callable[[int], None]]:
    """Yield ``advance(n)``; draws a bar when ``enabled`` and stderr is a terminal."""
    if not enabled or not err_console.is_terminal:
        yield lambda _n: None
        return
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn(), TextColumn("left"), TimeRemainingColumn())
    with Progress(*columns, console=err_console, transient=True) as progress:
        task = progress.add_task(description, total=total)
        yield lambda n: progress.advance(task, n)


@contextlib.contextmanager
def counted_progress(description: str) -> Iterator[Callable[..., None]]:
    """Yield ``update(done, total, what=None)`` for library calls that report their own
    counts (``what``: a new description for the bar, as a sync goes from file to file)."""
    if not err_console.is_terminal:
        yield lambda _done, _total, _what=None: None
        return
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn(), TextColumn("left"), TimeRemainingColumn())
    with Progress(*columns, console=err_console, transient=True) as progress:
        task = progress.add_task(description, total=None)

        def update(done: int, total: int, what: str | None = None) -> None:
            if what is None:
                progress.update(task, completed=done, total=total)
            else:
                progress.update(task, completed=done, total=total, description=what)

        yield update
