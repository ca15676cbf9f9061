"""Helpers for driving the app with Textual's Pilot and reading what it shows."""

from __future__ import annotations

import asyncio
import functools
import io
from collections.abc import Awaitable, Callable
from typing import Any

from rich.console import Console
from textual.pilot import Pilot
from textual.widgets import Input, OptionList

from qcode import Project
from qcode.tui import QcodeApp
from qcode.tui.screens.main import MainScreen
from qcode.tui.widgets.codebook import CodebookPane
from qcode.tui.widgets.entry_list import EntryList
from qcode.tui.widgets.reader import Reader
from qcode.tui.widgets.status import StatusBar

CODER = "alice"
SIZE = (100, 40)


def pilot_test(test: Callable[..., Awaitable[None]]) -> Callable[..., None]:
    """Run an async test body to completion (no async plugin needed)."""

    @functools.wraps(test)
    def run(*args: Any, **kwargs: Any) -> None:
        asyncio.run(test(*args, **kwargs))

    return run


async def press(pilot: Pilot[Any], *keys: str) -> None:
    """Press keys one by one, letting the app settle after each."""
    for key in keys:
        await pilot.press(key)
        await pilot.pause()


async def settle(pilot: Pilot[Any]) -> None:
    """Let workers finish and the screen catch up."""
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.pause()


def main_screen(app: QcodeApp) -> MainScreen:
    """The coding screen, whatever is open on top of it."""
    return next(s for s in app.screen_stack if isinstance(s, MainScreen))


def reader(app: QcodeApp) -> Reader:
    """The reader of the coding screen."""
    return main_screen(app).query_one(Reader)


def reader_lines(app: QcodeApp) -> list[str]:
    """What the reader shows, line by line (without the scrollbar column)."""
    widget = reader(app)
    width = widget.size.width - 1
    return [widget.render_line(y).crop(0, width).text.rstrip()
            for y in range(widget.size.height)]


def status(app: QcodeApp) -> str:
    """The status line as plain text."""
    return main_screen(app).query_one(StatusBar).plain


def plain(renderable: Any, width: int = 80) -> str:
    """Any rich renderable as plain text."""
    console = Console(width=width, file=io.StringIO(), color_system=None)
    with console.capture() as captured:
        console.print(renderable, end="")
    return captured.get()


def options(app: QcodeApp, selector: str) -> list[str]:
    """The entries of an option list (on whichever screen has it), as plain text."""
    screen = next(s for s in reversed(app.screen_stack) if s.query(selector))
    widget = screen.query_one(selector)
    if isinstance(widget, EntryList):
        return [text.plain for _id, text in widget.entries]
    assert isinstance(widget, OptionList)
    return [plain(o.prompt) for o in widget.options]


def codings(project: Project, coder: str = CODER) -> set[tuple[str, str]]:
    """(paragraph ref, code name) of the coder's codings, read straight from SQLite."""
    rows = project.conn.execute(
        "SELECT COALESCE(p.label, '¶' || p.ordinal), k.name FROM codings c "
        "JOIN paragraphs p ON p.id = c.paragraph_id JOIN codes k ON k.id = c.code_id "
        "JOIN coders r ON r.id = c.coder_id WHERE r.name = ?", (coder,))
    return {(r[0], r[1]) for r in rows}


def notifications(app: QcodeApp) -> list[str]:
    """The messages of the notifications shown so far."""
    return [n.message for n in app._notifications]


def code_labels(app: QcodeApp) -> list[str]:
    """The codebook pane's entries (key, name, count), in tree order."""
    tree = main_screen(app).query_one(CodebookPane).code_tree
    labels = []
    stack = list(tree.root.children)
    while stack:
        node = stack.pop(0)
        labels.append(str(node.label))
        stack[:0] = node.children
    return labels


async def answer(pilot: Pilot[Any], text: str) -> None:
    """Type ``text`` into the open prompt (replacing what is there) and press Enter."""
    pilot.app.screen.query_one(Input).value = text
    await press(pilot, "enter")
