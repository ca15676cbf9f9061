"""The status line: project, coder, document, position, and what the last action did."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

# The project name is cut to this many cells so the position and message still fit.
PROJECT_WIDTH = 24


class StatusBar(Static):
    """The bottom line of the coding screen (two on a narrow terminal)."""

    last_message: str = ""
    plain: str = ""

    def show(
        self,
        *,
        project: str,
        coder: str,
        blind: bool,
        readonly: bool,
        document: str | None,
        place: str,
        mode: str,
        message: str,
    ) -> None:
        """Redraw the line from its parts."""
        line = Text(no_wrap=True, overflow="ellipsis")
        short = project if len(project) <= PROJECT_WIDTH else project[: PROJECT_WIDTH - 1] + "…"
        line.append(f" {short} ", style="bold reverse")
        if readonly:
            line.append(" read-only ", style="bold on dark_red")
        line.append(f" {coder}", style="bold")
        if blind:
            line.append(" (blind)", style="italic")
        if document:
            line.append(f" │ {document} {place}")
        if mode:
            line.append(f" │ {mode}", style="bold yellow")
        said = Text(message, style="italic")
        # On a narrow terminal the message gets a line of its own rather than being cut.
        if message and line.cell_len + 3 + said.cell_len <= self.app.size.width:
            line.append(" │ ")
            line.append_text(said)
        elif message:
            line.append("\n ")
            line.append_text(said)
        self.update(line)
        self.last_message = message
        self.plain = line.plain
