"""The error family every front end turns into one line for a person.

A :class:`QcodeError` carries a message that names the file, line or thing at fault.
The CLI prints it on stderr and exits with status 2; the TUI shows it as a notification.
A failed operation changes nothing in the project. (Exit status 1 is kept for
``qcode check`` finding problems; a command with nothing to do because the project
already is as asked -- a tag already there, a merge with nothing new -- exits 0.)
"""

from __future__ import annotations


class QcodeError(Exception):
    """Base class: bad input or a state the user can act on (never a bug)."""

    exit_code = 2


class NotFoundError(QcodeError):
    """A document, paragraph, code, coder or file that does not exist."""


class ImportFailed(QcodeError):
    """A file that cannot be read as the format it claims to be."""


class DuplicateImport(QcodeError):
    """The same text is already in the project."""


class ProjectError(QcodeError):
    """The project file itself: missing, locked, read-only, newer, not a project."""


class DamagedProject(ProjectError):
    """The project file cannot be read as SQLite wrote it (or lost a table)."""


class NothingToDo(QcodeError):
    """Undo with nothing to undo, redo with nothing to redo: a refusal like any other
    (exit status 2), shown to a person as a warning rather than an error."""


class ConflictError(QcodeError):
    """An undo/redo or edit that would overwrite someone else's later change."""
