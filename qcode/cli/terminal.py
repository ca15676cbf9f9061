"""What the CLI prints can hold text from other people's files: a code name, a document
name, a paragraph. Control characters in it must not reach the terminal raw (``ESC ] 0``
retitles the window, ``ESC [ 2 J`` clears it), so every console the CLI prints through
shows them as visible symbols (:func:`qcode.core.controls.printable`), and so does the
raw text it echoes (CSV, Markdown, JSON on stdout). Files written with ``-o`` keep the
text exactly."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from qcode.core.controls import printable

if TYPE_CHECKING:
    from rich.console import Console

# Inside a JSON string, json.dumps escapes C0 but not DEL and C1; \\u escapes keep the
# value exact.
_JSON_UNESCAPED = re.compile("[\x7f-\x9f]")


def safe_console(**options: Any) -> Console:
    """A rich Console that never prints a raw control character (rich loads here: a
    short command that prints a plain line never needs it)."""
    from rich.console import Console, ConsoleOptions, RenderableType, RenderHook, RenderResult
    from rich.segment import Segment

    class Printable:
        """A renderable whose text segments show control characters as symbols. Rich's
        own control segments (cursor moves of a progress bar) pass as they are."""

        def __init__(self, renderable: RenderableType) -> None:
            self.renderable = renderable

        def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
            for segment in console.render(self.renderable, options):
                if segment.control or not segment.text:
                    yield segment
                else:
                    yield Segment(printable(segment.text), segment.style)

    class PrintableHook(RenderHook):
        def process_renderables(self, renderables: list[Any]) -> list[Any]:
            return [Printable(r) for r in renderables]

    # No emoji codes: a code named "reply :smile:" or a transcript quoting a chat
    # prints as typed, not as a picture.
    console = Console(**{"emoji": False, **options})
    console.push_render_hook(PrintableHook())
    return console


def echo(text: str, *, nl: bool = True) -> None:
    """``click.echo`` of text that may hold other people's characters."""
    import click  # here: the plain output of qcode.cli.plain comes here for rich, not click

    click.echo(printable(text), nl=nl)


def json_text(text: str) -> str:
    """JSON text with DEL and C1 characters escaped too (the value is unchanged)."""
    return _JSON_UNESCAPED.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


__all__ = ["echo", "json_text", "safe_console"]
