"""What every command shares: opening the project, the coder, output, errors."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

# What commands print and how they fail is click-free (the scripted `qcode tag` shares
# it without loading click); commands import it from here with the rest.
from qcode.cli.plain import console as console
from qcode.cli.plain import err_console as err_console
from qcode.cli.plain import fail as fail
from qcode.cli.plain import one_line_errors, say_shared_folder_warning, shared_folder_warning
from qcode.cli.plain import say as say
from qcode.cli.terminal import echo, json_text
from qcode.core import settings

if TYPE_CHECKING:
    from qcode.core.project import Project

F = TypeVar("F", bound=Callable[..., Any])


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
    pending = shared_folder_warning(path)
    if pending is not None:
        click.get_current_context().meta[_WARNING] = pending


def _say_warning() -> None:
    ctx = click.get_current_context(silent=True)
    say_shared_folder_warning(ctx.meta.pop(_WARNING, None) if ctx is not None else None)


project_option = click.option(
    "-p", "--project", type=click.Path(dir_okay=False, path_type=Path), default=None,
    help="Project file (default: $QCODE_PROJECT or ./qcode.db).",
)
coder_option = click.option(
    "--coder", default=default_coder, show_default="$QCODE_CODER or login name",
    help="Who is coding: changes are recorded under this name.",
)
json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")


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


def handle_errors(func: F) -> F:
    """Turn a :class:`QcodeError` into one line on stderr and its exit status."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with one_line_errors(lambda: project_path(click.get_current_context())):
            result = func(*args, **kwargs)
            _say_warning()
            return result

    return wrapper  # type: ignore[return-value]
