"""The ``qcode`` command group: click's definition of the whole command line (help,
errors, every command and option). :func:`qcode.cli.entry_point` hands it every
command line but the plain scripted ``qcode tag`` / ``untag`` it can run without
loading click (:mod:`qcode.cli.scripted`).
"""

from __future__ import annotations

from typing import Any

import click

from qcode import __version__
from qcode.cli.common import shared
from qcode.cli.plain import interrupted
from qcode.core.errors import QcodeError

# Which module defines each command. A command's module (and what it imports: reports,
# REFI-QDA, the terminal UI…) loads only when that command runs, so `qcode tag` starts
# in a fraction of the time loading them all took.
COMMANDS = {
    "init": "project", "status": "project",
    "import": "documents", "documents": "documents", "show": "documents",
    "codebook": "codebook",
    "tag": "coding", "untag": "coding", "undo": "coding", "redo": "coding", "log": "coding",
    "merge": "merge", "sync": "sync",
    "check": "maintenance", "backup": "maintenance",
    "tui": "tui",
    "export": "exchange",
    "report": "report",
    "agree": "agree", "reviewed": "agree",
    "consensus": "consensus",
    "memo": "memo",
    "search": "search", "autocode": "autocode",
    "similar": "similar",
    "edit": "edit",
}


class QcodeGroup(click.Group):
    """Loads a command's module when the command is used; routes library errors that
    escape a command to one line and exit 2."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        """Every command, without loading any."""
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        """The command, loading the module that defines it on first use."""
        if cmd_name not in self.commands and cmd_name in COMMANDS:
            import importlib

            importlib.import_module(f"qcode.cli.{COMMANDS[cmd_name]}").register(self)
        return super().get_command(ctx, cmd_name)

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        """Parse the group's own options, ``qcode -p FILE …`` taking the direct path."""
        # click tries "-p" as a long option first and, on the miss, makes a "no such
        # option" error whose suggestions import difflib: a millisecond of every
        # scripted `qcode -p FILE tag …`. "--project" is the same option, found at once.
        if len(args) >= 2 and args[0] == "-p":
            args = ["--project", *args[1:]]
        return super().parse_args(ctx, args)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except QcodeError as exc:
            from qcode.cli.common import fail

            fail(str(exc), exc.exit_code)
        except KeyboardInterrupt:
            interrupted()


@click.group(cls=QcodeGroup, invoke_without_command=True,
             context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="qcode")
@shared()
def main(ctx: click.Context) -> None:
    """Qualitative coding of interviews in the terminal.

    With no command, opens the terminal UI on the project (./qcode.db by default).
    """
    if ctx.invoked_subcommand is None:
        from qcode.cli.tui import launch

        launch(ctx)
