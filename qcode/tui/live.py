"""Noticing what other processes write while the app is open: another coder's app, a
``qcode tag`` in a terminal, a merge run from a script.

SQLite's ``PRAGMA data_version`` changes on a connection whenever *another* connection
commits to the file, and never for the connection's own commits, so reading it every
couple of seconds is an exact and nearly free test. When it has changed, the events
committed since the last look say who did what, for the status line; every open screen
that shows project data then re-reads it (:class:`Refreshes`).
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from qcode.core.model import Event
from qcode.core.project import Project
from qcode.tui.wording import plural

POLL_SECONDS = 2.0
# Enough to name who changed what; a burst bigger than this is summed up by count.
RECENT = 200


@runtime_checkable
class Refreshes(Protocol):
    """A screen that re-reads what it shows when another process wrote."""

    def outside_changes(self, message: str) -> None:
        """Re-read from the project (cursor, selection and choices stay) and say so."""


@runtime_checkable
class Watching(Protocol):
    """The app: looks for other processes' writes (ctrl+l asks it to, now)."""

    def check_for_changes(self, *, force: bool = False) -> str | None:
        """Let every open screen re-read the project if someone wrote (or ``force``)."""

    def importing_starts(self) -> None:
        """An import writes on a connection of its own: its commits are ours."""

    def importing_ends(self) -> None:
        """The import is over: count its commits as seen, watch again."""


class Watcher:
    """Tells whether other connections committed since the last look, and what."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self.version = self._version()
        self.last_event = self._last_event()

    def _version(self) -> int:
        return self.project.data_version()

    def _last_event(self) -> int:
        return self.project.latest_event_id()

    def news(self) -> list[Event] | None:
        """The events committed since the last call, oldest first, when another
        connection committed meanwhile; None when none did.

        This connection's own events are skipped by moving the mark forward on every
        quiet look, so only a write made in the same interval can slip in.
        """
        version = self._version()
        if version == self.version:
            self.last_event = self._last_event()
            return None
        self.version = version
        events = [e for e in self.project.log(limit=RECENT) if e.id > self.last_event]
        self.last_event = self._last_event()
        return list(reversed(events))

    def absorb(self) -> None:
        """Count writes this process made on a connection of its own (an import in a
        worker) as seen, so they are not announced as someone else's."""
        self.version = self._version()
        self.last_event = self._last_event()


def describe(events: list[Event], coder: str) -> str:
    """The status line after other processes wrote: who, and what when it is one thing."""
    others = [e for e in events if e.coder != coder]
    if others:
        if len(others) == 1:
            return f"updated: another coder's changes ({others[0].coder}: {others[0].summary})"
        names = ", ".join(dict.fromkeys(e.coder for e in others))
        return f"updated: another coder's changes ({len(others)} by {names})"
    if events:
        what = events[-1].summary if len(events) == 1 else plural(len(events), "change")
        return f"updated: your changes from another window ({what})"
    return "updated: changes made elsewhere"


__all__ = ["POLL_SECONDS", "Refreshes", "Watcher", "Watching", "describe"]
