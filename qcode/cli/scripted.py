"""``qcode tag`` and ``qcode untag`` as a script calls them, run without importing click.

A script that tags from the shell starts one process per coding, and importing click
took longer than the tagging itself (issue 11). So :func:`run_scripted` recognises the
plain form of these two commands and runs them through the same bodies the click
commands run (:mod:`qcode.cli.tagging`), printing and failing through the same code
(:mod:`qcode.cli.plain`). The plain form is::

    qcode [-p FILE | --project FILE | --project=FILE]... (tag|untag) ARGUMENT...
          [--coder X | --coder=X | --memo M | -p FILE | --project FILE | --]...

Anything else -- help, ``--version``, an option the command lacks, a missing argument,
an option value that starts with ``-``, ``-pFILE`` -- is not recognised, and click
handles it: click stays the one definition of the command line, and every help text
and usage error is click's. The grammar below is a table that a test derives again
from the click commands (tests/cli/test_scripted.py), so the two cannot drift apart.
"""

from __future__ import annotations

import codecs
import errno
import os
import stat
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qcode.cli import plain, tagging
from qcode.core import settings

if TYPE_CHECKING:
    from qcode.core.project import Project

# A command's positional arguments, in order, as click declares them: (parameter name,
# nargs), nargs 1 or -1 ("one or more": click's nargs=-1 with required=True). Every
# argument is required.
Arguments = tuple[tuple[str, int], ...]
# Options that take one value: option string -> the parameter it sets.
Options = dict[str, str]

# The group's options before the command name (`qcode -p FILE tag …`).
GROUP_OPTIONS: Options = {"-p": "project", "--project": "project"}

_CODING_ARGUMENTS: Arguments = (("document", 1), ("paragraph", 1), ("codes", -1))
COMMANDS: dict[str, tuple[Arguments, Options]] = {
    "tag": (_CODING_ARGUMENTS, {"--memo": "memo", "--coder": "coder",
                                "-p": "project", "--project": "project"}),
    "untag": (_CODING_ARGUMENTS, {"--coder": "coder", "-p": "project", "--project": "project"}),
}

BODIES: dict[str, Callable[..., None]] = {"tag": tagging.tag, "untag": tagging.untag}


def run_scripted(args: Sequence[str]) -> int | None:
    """Run ``args`` (the command line after ``qcode``) when they are the plain form of
    ``qcode tag`` or ``qcode untag``, and return the exit status; None, having done
    nothing, for any other command line: click's to run."""
    if not _plain_environment():
        return None
    parsed = parse(args)
    if parsed is None:
        return None
    name, values, project = parsed
    _defer_import("inspect")
    try:
        try:
            # As click does for the option's default: $QCODE_CODER or the login name.
            if "coder" in values and values["coder"] is None:
                values["coder"] = settings.coder()
            path = settings.project_path(project)
            _run(name, path, values)
        except KeyboardInterrupt:
            plain.interrupted()
    except OSError as exc:
        # As click's main: a reader that went away (`qcode tag … | head -0`) ends the
        # command quietly with status 1.
        if exc.errno != errno.EPIPE:
            raise
        _silence_stdout()
        return 1
    return 0


def _run(name: str, path: Path, values: dict[str, Any]) -> None:
    """Open the project, run the command's body, warn of a shared folder after success:
    what :func:`qcode.cli.common.open_project` and ``handle_errors`` do for click."""
    with plain.one_line_errors(lambda: path):
        from qcode.core.project import Project

        project: Project = Project.open(path)
        try:
            pending = plain.shared_folder_warning(path)
            BODIES[name](project, **values)
            plain.say_shared_folder_warning(pending)
        finally:
            project.close()


def parse(args: Sequence[str]) -> tuple[str, dict[str, Any], Path | None] | None:
    """(command, its parameters by name, the project file given) for the plain form of
    a command in :data:`COMMANDS`; None for anything else. Options not given are None;
    a project file given both before and after the command is the one after, as in
    :func:`qcode.cli.common.project_path`."""
    group: dict[str, str] = {}
    at = 0
    while at < len(args) and args[at] not in COMMANDS:
        # click parses the group's options up to the command name.
        taken = _option(args, at, GROUP_OPTIONS, group)
        if taken is None:
            return None
        at = taken
    if at == len(args):
        return None
    name = args[at]
    arguments, options = COMMANDS[name]
    given: dict[str, str] = {}
    positional: list[str] = []
    at += 1
    ended = False  # after "--", everything is an argument
    while at < len(args):
        arg = args[at]
        if not ended and arg == "--":
            ended, at = True, at + 1
        elif not ended and arg.startswith("-") and arg != "-":
            taken = _option(args, at, options, given)
            if taken is None:
                return None
            at = taken
        else:
            positional.append(arg)
            at += 1
    values = _arguments(arguments, positional)
    if values is None:
        return None
    for parameter in options.values():
        if parameter != "project":
            values[parameter] = given.get(parameter)
    project = None
    for level in (group, given):
        # click.Path(dir_okay=False) checks each value given, whichever is used.
        if "project" in level:
            project = _project_file(level["project"])
            if project is None:
                return None
    return name, values, project


def _option(args: Sequence[str], at: int, options: Options,
            into: dict[str, str]) -> int | None:
    """Read the option at ``args[at]`` into ``into`` (by parameter; a repeated option's
    last value wins, as in click) and return where the next token is; None when it is
    not one of ``options`` in a plain form."""
    arg = args[at]
    flag, equals, value = arg.partition("=")
    if equals and flag.startswith("--") and flag in options:
        parameter, after = options[flag], at + 1
    elif arg in options and at + 1 < len(args):
        parameter, value, after = options[arg], args[at + 1], at + 2
    else:
        return None
    if value.startswith("-"):
        # click would take "--coder -x" as the coder "-x"; a person more likely forgot a
        # value. Leave the reading to click.
        return None
    into[parameter] = value
    return after


def _arguments(arguments: Arguments, positional: list[str]) -> dict[str, Any] | None:
    """The positional arguments by parameter (nargs -1 as a tuple), or None when there
    are too few or too many for click to accept."""
    values: dict[str, Any] = {}
    rest = list(positional)
    for index, (parameter, nargs) in enumerate(arguments):
        if nargs == 1:
            if not rest:
                return None
            values[parameter] = rest.pop(0)
        else:
            # One or more, taking what the arguments after it leave (none, here).
            keep = len(arguments) - index - 1
            taken = rest[:len(rest) - keep]
            if not taken:
                return None
            values[parameter] = tuple(taken)
            rest = rest[len(taken):]
    return values if not rest else None


def _project_file(value: str) -> Path | None:
    """``-p`` as ``click.Path(dir_okay=False)`` reads it, or None where click refuses it
    (a folder, an unreadable file) or would fail some other way."""
    try:
        found = os.stat(value)
    except OSError:
        return Path(value)  # a missing file: Project.open says so, as with click
    except ValueError:
        return None  # a NUL in the name
    if stat.S_ISDIR(found.st_mode) or not os.access(value, os.R_OK):
        return None
    return Path(value)


def _plain_environment() -> bool:
    """Whether the process is one where click would do nothing special: no shell
    completion asked for, and standard streams click would write to as they are
    (click rewraps a stream whose encoding is ASCII)."""
    for key in os.environ:
        if key.startswith("_") and key.endswith("_COMPLETE"):
            return False
    for stream in (sys.stdout, sys.stderr):
        encoding = getattr(stream, "encoding", None)
        if not encoding:
            return False
        try:
            if codecs.lookup(encoding).name == "ascii":
                return False
        except LookupError:
            return False
    return True


def _defer_import(name: str) -> None:
    """Put off importing module ``name`` until an attribute of it is used.

    For ``inspect``: dataclasses imports it -- and with it ast, dis and tokenize, a
    tenth of what a scripted `qcode tag` runs -- for one call, the signature it writes
    as the docstring of a dataclass that has none; every record has one. So the module
    is a stand-in that imports the real one on first use and takes on its contents (the
    importer keeps the stand-in; later importers get the real module). Only here, in a
    process that runs one command on one thread. (importlib.util.LazyLoader cannot do
    this on Python 3.11: the import statement itself reads the module's ``__spec__``.)
    """
    if name in sys.modules:
        return
    import importlib
    import importlib.machinery
    import types

    stand_in = types.ModuleType(name)
    stand_in.__spec__ = importlib.machinery.ModuleSpec(name, None)

    def __getattr__(attribute: str) -> Any:
        if sys.modules.get(name) is stand_in:
            del sys.modules[name]
        real = importlib.import_module(name)
        vars(stand_in).update(vars(real))
        return getattr(real, attribute)

    stand_in.__getattr__ = __getattr__  # type: ignore[method-assign]
    sys.modules[name] = stand_in


def _silence_stdout() -> None:
    """Point stdout at /dev/null, so that flushing it at exit meets no closed pipe."""
    null = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(null, sys.stdout.fileno())
    finally:
        os.close(null)
