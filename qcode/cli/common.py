"""What every command shares: opening the project, the coder, output, errors."""

from __future__ import annotations

import functools
import json
import sqlite3
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from qcode.cli.terminal import echo, json_text
from qcode.core import settings
from qcode.core.controls import printable
from qcode.core.errors import QcodeError

if TYPE_CHECKING:
    from rich.console import Console

    from qcode.core.project import Project

F = TypeVar("F", bound=Callable[..., Any])

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

def default_coder() -> str:
    """$QCODE_CODER, else the login name."""
    return settings.coder()


def project_path(ctx: click.Context) -> Path:
    """The project file chosen by -p/--project (command or group), $QCODE_PROJECT or default."""
    value = ctx.params.get("project")
    while value is None and ctx.parent is not None:
        ctx = ctx.parent
        value = ctx.params.get("project")
    return settings.project_path(value)


def open_project(ctx: click.Context, *, readonly: bool = False) -> Project:
    """Open the chosen project (errors become one line and exit 2); the first time it
    is opened from a synced or network folder, say why that is unsafe."""
    from qcode.core.project import Project

    path = project_path(ctx)
    project = Project.open(path, readonly=readonly)
    ctx.call_on_close(project.close)
    warn_if_shared(path)
    return project


_WARNING = "qcode.shared-folder-warning"


def warn_if_shared(path: Path) -> None:
    """When the project sits in a folder a sync client manages or on a network file
    system, say so on stderr once per file and machine — after the command succeeds
    (:func:`handle_errors`), so a refusal stays one line and the warning comes next time."""
    from qcode.core.shared_folder import pending_warning

    message = pending_warning(path)
    if message is not None:
        click.get_current_context().meta[_WARNING] = (path, message)


def _say_warning() -> None:
    ctx = click.get_current_context(silent=True)
    pending = ctx.meta.pop(_WARNING, None) if ctx is not None else None
    if pending is not None:
        from qcode.core.shared_folder import mark_warned

        path, message = pending
        click.echo(f"qcode: warning: {printable(message)}", err=True)
        mark_warned(path)


project_option = click.option(
    "-p", "--project", type=click.Path(dir_okay=False, path_type=Path), default=None,
    help="Project file (default: $QCODE_PROJECT or ./qcode.db).",
)
coder_option = click.option(
    "--coder", default=default_coder, show_default="$QCODE_CODER or login name",
    help="Who is coding: changes are recorded under this name.",
)
json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")


def say(text: str, *, dim: str | None = None) -> None:
    """One plain line on stdout, with an optional dimmed tail: what short commands print
    (rich, for tables, takes longer to load than `qcode tag` takes to run)."""
    tail = " " + click.style(printable(dim), dim=True) if dim else ""
    click.echo(printable(text) + tail)


def shared(*, coder: bool = False, as_json: bool = False) -> Callable[[F], F]:
    """The options and handling every command shares, in one decorator: ``-p/--project``
    (read through :func:`open_project`, never passed on), ``--coder`` when the command
    records changes (passed as ``coder``), ``--json`` when it lists data (passed as
    ``as_json``), the click context as the first argument, and library errors as one
    line on stderr with their exit status."""

    def decorate(func: F) -> F:
        @functools.wraps(func)
        def without_project(*args: Any, project: Path | None = None, **kwargs: Any) -> Any:
            return func(*args, **kwargs)

        command: Any = click.pass_context(handle_errors(without_project))
        if as_json:
            command = json_option(command)
        if coder:
            command = coder_option(command)
        return project_option(command)  # type: ignore[no-any-return]

    return decorate


def emit_json(data: Any) -> None:
    """Write ``data`` as JSON on stdout (UTF-8, not escaped: Cyrillic stays readable)."""
    echo(json_text(json.dumps(data, ensure_ascii=False, indent=2, default=str)))


def fail(message: str, code: int = 2) -> None:
    """One line on stderr, then exit."""
    err_console.print(f"[bold red]qcode:[/] {message}", markup=True, soft_wrap=True)
    sys.exit(code)


def handle_errors(func: F) -> F:
    """Turn a :class:`QcodeError` into one line on stderr and its exit status."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            result = func(*args, **kwargs)
            _say_warning()
            return result
        except QcodeError as exc:
            fail(_escape(str(exc)), exc.exit_code)
        except sqlite3.Error as exc:
            # A read that met a damaged page or a missing table: still one line.
            from qcode.core.store.db import translate

            error = translate(exc, project_path(click.get_current_context()))
            fail(_escape(str(error)), error.exit_code)

    return wrapper  # type: ignore[return-value]


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(text)
