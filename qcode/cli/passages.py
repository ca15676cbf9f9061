"""How a found paragraph is printed by the commands that list them (``search``,
``similar``, ``autocode --preview``): its place, then its text with the matches marked.
Rich is loaded when a listing is printed, not when the command starts."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from qcode.core.model import Paragraph, format_time

if TYPE_CHECKING:
    from rich.text import Text


def heading(document: str, paragraph: Paragraph, *, lead: Text | None = None) -> Text:
    """"DOC §12 · speaker · 00:01:23 · section" (after ``lead``, e.g. a mark)."""
    from rich.text import Text

    head = lead.copy() if lead is not None else Text()
    head.append(f"{document} {paragraph.ref}", style="bold cyan")
    for part in (paragraph.speaker, format_time(paragraph.time_ms), paragraph.section):
        if part:
            head.append(f" · {part}", style="dim")
    return head


def marked(snippet: str, highlights: Iterable[tuple[int, int]], *, indent: int = 2) -> Text:
    """The snippet indented, its matches in reverse video."""
    from rich.text import Text

    body = Text(" " * indent + snippet)
    for start, end in highlights:
        body.stylize("bold reverse", start + indent, end + indent)
    return body


__all__ = ["heading", "marked"]
