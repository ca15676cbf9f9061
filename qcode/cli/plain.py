"""What a command prints and how it fails, without click: one implementation shared by
the click commands (:mod:`qcode.cli.common`) and the scripted ``qcode tag`` /
``qcode untag`` that run without loading click (:mod:`qcode.cli.scripted`; importing
click takes longer than tagging does).

Each piece writes what click wrote before it, byte for byte: a plain line on stdout
(``click.echo``), a dimmed tail styled as ``click.style(dim=True)`` styles it and, as
``click.echo`` does, left unstyled when stdout is not a terminal; errors as one line on
stderr through rich, as they always were.
"""

from __future__ import annotations

import contextlib
import sqlite3
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from qcode.core.controls import printable
from qcode.core.errors import QcodeError

if TYPE_CHECKING:
    from rich.console import Console

# click.style(text, dim=True): the dim attribute, then a reset of every attribute.
_DIM, _RESET = "\x1b[2m", "\x1b[0m"

INTERRUPTED = "interrupted; nothing half-written (each change commits whole)"


class _LazyConsole:
    """A rich Console made on first use: rich takes longer to load than a short command
    like `qcode tag` takes to run."""

    def __init__(self, *, stderr: bool) -> None:
        self._stderr = stderr
        self._console: Console | None = None

    def __getattr__(self, name: str) -> Any:
        if self._console is None:
            from qcode.cli.terminal import safe_console

            # Never a raw control character from someone's file on the terminal.
            self._console = safe_console(stderr=self._stderr, highlight=False)
        return getattr(self._console, name)


console: Console = _LazyConsole(stderr=False)  # type: ignore[assignment]
err_console: Console = _LazyConsole(stderr=True)  # type: ignore[assignment]


def _write_line(text: str, *, err: bool = False) -> None:
    """``click.echo(text, err=err)`` of text holding no ANSI code: the line, flushed."""
    stream = sys.stderr if err else sys.stdout
    if stream is None:  # no standard stream (pythonw): click.echo writes nothing either
        return
    stream.write(text + "\n")
    stream.flush()


def _isatty(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except Exception:  # as click's isatty: a stream that cannot say is not a terminal
        return False


def say(text: str, *, dim: str | None = None) -> None:
    """One plain line on stdout, with an optional dimmed tail: what short commands print
    (rich, for tables, takes longer to load than `qcode tag` takes to run)."""
    tail = ""
    if dim:
        # click.echo strips styles when stdout is not a terminal; so does this.
        tail = " " + (f"{_DIM}{printable(dim)}{_RESET}" if _isatty(sys.stdout)
                      else printable(dim))
    _write_line(printable(text) + tail)


def fail(message: str, code: int = 2) -> NoReturn:
    """One line on stderr (rich markup in ``message``), then exit with ``code``."""
    err_console.print(f"[bold red]qcode:[/] {message}", markup=True, soft_wrap=True)
    sys.exit(code)


def escape(text: str) -> str:
    """``text`` with rich markup escaped, to print as it is through :func:`fail`."""
    from rich.markup import escape as escape_markup

    return escape_markup(text)


@contextlib.contextmanager
def one_line_errors(project_path: Callable[[], Path]) -> Iterator[None]:
    """Turn a :class:`QcodeError` raised inside into one line on stderr and its exit
    status; an SQLite error too, translated for the project at ``project_path()`` (a
    read that met a damaged page or a missing table)."""
    try:
        yield
    except QcodeError as exc:
        fail(escape(str(exc)), exc.exit_code)
    except sqlite3.Error as exc:
        from qcode.core.store.db import translate

        error = translate(exc, project_path())
        fail(escape(str(error)), error.exit_code)


def interrupted() -> NoReturn:
    """Ctrl-C during a command: say that nothing was half-written, exit 130."""
    _write_line(INTERRUPTED, err=True)
    sys.exit(130)


def shared_folder_warning(path: Path) -> tuple[Path, str] | None:
    """The warning due for a project in a synced or network folder, if this machine has
    not yet given it for this file; say it with :func:`say_shared_folder_warning` after
    the command succeeds, so that a refusal stays one line."""
    from qcode.core.shared_folder import pending_warning

    message = pending_warning(path)
    return None if message is None else (path, message)


def say_shared_folder_warning(pending: tuple[Path, str] | None) -> None:
    """Print a warning :func:`shared_folder_warning` found, and remember it was given."""
    if pending is None:
        return
    from qcode.core.shared_folder import mark_warned

    path, message = pending
    _write_line(f"qcode: warning: {printable(message)}", err=True)
    mark_warned(path)
