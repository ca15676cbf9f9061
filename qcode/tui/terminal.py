"""No raw control character reaches the terminal from the TUI.

Every widget draws text from the project -- paragraphs, document, code and coder names,
notifications quoting them -- and Textual passes a control character in that text
straight to the terminal (``ESC ] 0 ;`` would retitle it, ``ESC [ 2 J`` clear it).
Rather than trust each of the many places that show such text, the one point where
Textual turns a laid-out line (a :class:`~textual.strip.Strip`) into terminal output
drops them. Control characters take no cells in a layout, so dropping them there
moves nothing on screen. Textual's own escape sequences are added after this point,
from the segments' styles, and are untouched.
"""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.segment import Segment
from textual.strip import Strip

from qcode.core.controls import CONTROLS, without_controls

_render = Strip.render


def _render_without_controls(self: Strip, console: Console) -> str:
    if self._render_cache is None and any(
            not control and CONTROLS.search(text) for text, _style, control in self._segments):
        clean = Strip([Segment(text if control else without_controls(text), style, control)
                       for text, style, control in self._segments], self._cell_length)
        self._render_cache = _render(clean, console)
    return _render(self, console)


def install() -> None:
    """Route every line the TUI draws through :func:`_render_without_controls` (once)."""
    if Strip.render is not _render_without_controls:
        setattr(Strip, "render", _render_without_controls)  # noqa: B010 (typed Any below)


def installed() -> bool:
    """Whether the filter is in place (a test checks it survives a Textual upgrade)."""
    current: Any = Strip.render
    return current is _render_without_controls
