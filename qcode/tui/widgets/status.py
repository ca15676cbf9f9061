"""The status line: project, coder, document, position, filter, and what the last
action did.

It never wraps, and never changes height as messages come and go (that would lay
the screen out again and rewrap the reader, for a key): on a terminal narrower than
:data:`WIDE` it is two lines, always — the place on the first, the message on the
second (blank when there is none); from :data:`WIDE` on it is one line, the message
after the place. Parts that do not fit are
shortened in a fixed order — the project name first, then the document's name, then
the filter's — and the place (§12 · 2/3 (18/56)) is kept whole.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.cells import cell_len
from rich.text import Text
from textual.widgets import Static

from qcode.tui.session import Session
from qcode.tui.widgets.reader import Reader
from qcode.tui.wording import middle

# The project name is cut to twice this many cells at most, then to this many when
# the line is short of room.
PROJECT_WIDTH = 24
# From this width on the message shares the first line when it fits.
WIDE = 120


@dataclass(frozen=True)
class Status:
    """What the status line shows."""

    project: str
    coder: str
    blind: bool
    readonly: bool
    document: str | None
    place: str
    mode: str
    message: str


def describe(session: Session, reader: Reader, message: str) -> Status:
    """The status line's parts for what the reader shows now."""
    view = session.view
    place = ""
    current = reader.current
    if view is not None and current is not None:
        number, shown = reader.position
        part = reader.part
        screens = f" · {part[0]}/{part[1]}" if part else ""
        place = f"{current.ref}{screens} ({number}/{shown})"
    modes = []
    if reader.filter is not None:
        modes.append(f"only {reader.filter.label}")
    if reader.selecting:
        modes.append(f"{len(reader.selected_ids())} selected")
    return Status(project=session.project.name, coder=session.coder, blind=session.blind,
                  readonly=session.project.readonly,
                  document=view.document.name if view else None, place=place,
                  mode=", ".join(modes), message=message)


class StatusBar(Static):
    """The bottom line of the coding screen (two on a narrow terminal)."""

    last_message: str = ""
    plain: str = ""
    _shown: Status | None = None
    _lines = 0

    def show(self, status: Status) -> None:
        """Redraw from its parts."""
        self._shown = status
        self._draw()

    def on_resize(self) -> None:
        """Fit the parts to the new width."""
        self._draw()

    def _draw(self) -> None:
        shown = self._shown
        if shown is None:
            return
        width = self.size.width or self.app.size.width
        if width >= WIDE:
            lines = [self._one_line(shown, width)]
        else:
            line = self._fit(shown, width)
            # Too long for its line: the middle goes, so that both what happened (the
            # start) and to what (a file name, "u undoes it": the end) stay readable.
            said = Text(" " + middle(shown.message, max(width - 1, 1)), style="italic")
            lines = [line, said]
        # A relayout of the screen only when the line count changes (it costs more
        # than the rest of a key press).
        self.update(Text("\n").join(lines), layout=len(lines) != self._lines)
        self._lines = len(lines)
        self.last_message = shown.message
        self.plain = "\n".join(text.plain for text in lines)

    @classmethod
    def _one_line(cls, shown: Status, width: int) -> Text:
        """The place and the message on one line: the place's parts are shortened
        first (down to half the line) to make room for the message, whose middle goes
        if it still does not fit."""
        if not shown.message:
            return cls._fit(shown, width)
        said = cell_len(shown.message) + 3  # " │ " before it
        line = cls._fit(shown, max(width - said, width // 2))
        room = width - line.cell_len - 3
        line.append(" │", style="dim")
        line.append_text(Text(" " + middle(shown.message, max(room, 1)), style="italic"))
        line.truncate(width, overflow="ellipsis")
        return line

    @staticmethod
    def _fit(shown: Status, width: int) -> Text:
        """The first line, its parts shortened until it fits ``width``."""
        room_document = cell_len(shown.document or "")
        room_mode = cell_len(shown.mode)
        # (project width, document width): each try gives up a little more.
        tries = [(2 * PROJECT_WIDTH, room_document), (PROJECT_WIDTH, room_document),
                 (12, room_document), (12, 24), (0, 24), (0, 16), (0, 10)]
        line = Text()
        for project_width, document_width in tries:
            line = StatusBar._line(shown, project_width, document_width, room_mode)
            if line.cell_len <= width:
                return line
        # Still too long: the filter gives what it must, down to a few cells.
        spare = line.cell_len - width
        line = StatusBar._line(shown, 0, 10, max(room_mode - spare, 8))
        line.truncate(width, overflow="ellipsis")
        return line

    @staticmethod
    def _line(shown: Status, project_width: int, document_width: int, mode_width: int
              ) -> Text:
        line = Text(no_wrap=True, overflow="ellipsis")
        if project_width:
            line.append(f" {middle(shown.project, project_width)} ", style="bold reverse")
        if shown.readonly:
            line.append(" read-only ", style="bold on dark_red")
        line.append(f" {shown.coder}", style="bold")
        if shown.blind:
            line.append(" (blind)", style="italic")
        if shown.document:
            line.append(f" │ {middle(shown.document, document_width)} ")
            line.append(shown.place, style="bold")
        if shown.mode:
            line.append(" │ ")
            line.append(middle(shown.mode, mode_width), style="bold yellow")
        return line
