"""The ``qcode`` command line: a thin front end over :class:`qcode.Project`.

Every command parses its arguments, calls the library, and formats the result; any
:class:`qcode.QcodeError` becomes one line on stderr and exit status 2.

click defines the command line (:mod:`qcode.cli.group`, reached here as ``main``).
The console script, :func:`entry_point`, first offers the command line to
:mod:`qcode.cli.scripted`, which runs the plain form of ``qcode tag`` and
``qcode untag`` that scripts call in loops without importing click (importing click
alone took longer than the tagging); everything else goes to click.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from qcode.cli.group import COMMANDS as COMMANDS
    from qcode.cli.group import QcodeGroup as QcodeGroup
    from qcode.cli.group import main as main

# Names kept here for `from qcode.cli import main` (tests, CliRunner), loaded on use.
_FROM_GROUP = frozenset({"COMMANDS", "QcodeGroup", "main"})


def entry_point(args: Sequence[str] | None = None) -> None:
    """The ``qcode`` console script (and ``python -m qcode``): the plain scripted
    ``qcode tag`` / ``untag`` run directly, anything else through click."""
    from qcode.cli.scripted import run_scripted

    status = run_scripted(sys.argv[1:] if args is None else list(args))
    if status is not None:
        sys.exit(status)
    from qcode.cli.group import main

    main(args)


def __getattr__(name: str) -> Any:
    # The click group is imported only when asked for: the scripted path never is.
    if name in _FROM_GROUP:
        from qcode.cli import group

        return getattr(group, name)
    raise AttributeError(f"module 'qcode.cli' has no attribute {name!r}")
