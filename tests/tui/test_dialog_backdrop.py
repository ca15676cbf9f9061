"""Every dialog's dimmed backdrop is drawn as Textual draws it, segment for segment
(qcode draws it from the lines the screen beneath already rendered)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from textual._context import visible_screen_stack
from textual.screen import ModalScreen
from tui_helpers import CODER, SIZE, press

from qcode import Project
from qcode.tui import QcodeApp
from qcode.tui.modals.dialog import Dialog


@pytest.mark.parametrize("keys", [("j", "5", "f"), ("slash",), ("question_mark",),
                                  ("c",)])
def test_the_backdrop_is_textuals_own(study: Project, keys: tuple[str, ...]) -> None:
    async def run() -> None:
        app = QcodeApp(study, CODER)
        async with app.run_test(size=SIZE) as pilot:
            await press(pilot, *keys)
            dialog = app.screen
            assert isinstance(dialog, Dialog)

            def lines(render_line: Any) -> list[list[Any]]:
                dialog.refresh()
                visible_screen_stack.set(list(app._background_screens))
                cache = dialog._styles_cache
                drawn = cache.render(
                    dialog.styles, dialog.region.size, *dialog.background_colors,
                    render_line, dialog.get_line_filters(), None, None,
                    content_size=dialog.content_region.size,
                    padding=dialog.styles.padding, crop=dialog.size.region,
                    opacity=dialog.opacity, ansi_theme=app.ansi_theme,
                    native_ansi=app.native_ansi_color)
                cache.clear()
                return [list(strip) for strip in drawn]

            ours = lines(dialog.render_line)
            again = lines(dialog.render_line)  # unchanged lines kept, still the same
            textuals = lines(lambda y: ModalScreen.render_line(dialog, y))
            assert ours == again == textuals and len(ours) == SIZE[1]

    asyncio.run(run())
