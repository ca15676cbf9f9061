"""The ``qcode`` command line: a thin front end over :class:`qcode.Project`.

Every command parses its arguments, calls the library, and formats the result; any
:class:`qcode.QcodeError` becomes one line on stderr and exit status 2.
"""

from __future__ import annotations

import sys
from typing import Any

import click

from qcode import __version__
from qcode.cli.common import handle_errors, project_option
from qcode.core.errors import QcodeError


class QcodeGroup(click.Group):
    """Routes library errors that escape a command to one line and exit 2."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except QcodeError as exc:
            from qcode.cli.common import fail

            fail(str(exc), exc.exit_code)
        except KeyboardInterrupt:
            click.echo("interrupted; nothing half-written (each change commits whole)", err=True)
            sys.exit(130)


@click.group(cls=QcodeGroup, invoke_without_command=True,
             context_settings={"help_option_names": ["-h", "--help"]})
@project_option
@click.version_option(__version__, prog_name="qcode")
@click.pass_context
@handle_errors
def main(ctx: click.Context, project: Any) -> None:
    """Qualitative coding of interviews in the terminal.

    With no command, opens the terminal UI on the project (./qcode.db by default).
    """
    if ctx.invoked_subcommand is None:
        from qcode.cli.tui import launch

        launch(ctx)


# Each module adds its commands with register(main); one line here per module.
COMMAND_MODULES = ("project", "documents", "codebook", "coding", "merge", "maintenance", "tui",
                   "exchange", "report", "agree")


def _register() -> None:
    import importlib

    for name in COMMAND_MODULES:
        importlib.import_module(f"qcode.cli.{name}").register(main)


_register()
