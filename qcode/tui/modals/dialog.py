"""The base of qcode's dialogs: a modal screen over the coding screen, dimmed.

Textual draws a modal screen's translucent backdrop by rendering the whole screen
beneath through Rich (every cell of it turned into segments, split into lines and
cropped again) and tinting each segment with a colour blend of its own. That is done
again whenever anything on either screen is refreshed, three or four times as a dialog
opens: at 160×45 it was half the CPU of opening ``f`` (some 50 ms). :class:`Dialog`
draws the same backdrop from the lines the screen beneath has already rendered, and
blends each of its few styles once.
"""

from __future__ import annotations

import asyncio
from typing import TypeVar

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.color import Color
from textual.renderables.background_screen import BackgroundScreen
from textual.screen import ModalScreen
from textual.strip import Strip
from textual.widget import AwaitMount
from textual.widgets import Static

R = TypeVar("R")

# Styles blended with a tint, kept per dialog; the coding screen uses a few hundred.
_TINTS_KEPT = 4096
# Turns of the event loop :meth:`Dialog.prepare` gives the widgets to answer a layout.
SETTLING_TURNS = 50
# Layouts it does at most: a dialog settles in two (the second for what sizes changed).
LAYOUTS = 4


class Dialog(ModalScreen[R]):
    """A modal screen whose dimmed backdrop looks as Textual's does, at a fraction of
    the cost."""

    def __init__(self) -> None:
        super().__init__()
        self._backdrop: list[Strip] | None = None
        self._tints: dict[Style | None, Style] = {}
        self._tint_colour: Color | None = None
        self._base = Style()
        self._beneath: list[Strip] = []  # the lines beneath, as last tinted
        self._styled_for: int | None = None  # the app's styles this dialog last took

    def _on_screen_resume(self, event: events.ScreenResume) -> None:
        """Shown again (a kept dialog, :meth:`MainScreen.dialog`): apply the styles
        to every node again only when the app's styles changed since (a theme
        switched). Textual applies them on every resume; each list's scrollbars then
        repaint a frame after the rest, a third of the time ``f`` and ``/`` took to
        open, for styles that are the same."""
        # Runs before Screen's own handler (a subclass's comes first), which reads it.
        generation = self.app._css_update_count
        if self._styled_for == generation:
            event.refresh_styles = False
        self._styled_for = generation

    def reset(self) -> None:
        """Show again as if new: what a dialog kept for reuse does before it is
        opened again (nothing, unless it keeps what was typed or chosen)."""

    async def prepare(self) -> None:
        """Get this dialog ready before it is first opened, while the app is idle: its
        widgets composed and mounted, styled, laid out at the terminal's size and drawn
        once off screen. Its first opening is then as quick as the next ones (it took
        three frames and some 100 ms at 160×45: layouts that settle sizes in turn, and
        every line drawn for the first time). Stops as soon as the dialog is opened."""
        app = self.app
        if not self.is_running:
            await AwaitMount(self, app._register(app, self))
        if self._styled_for is None:
            self.update_node_styles(animate=False)
            self._styled_for = app._css_update_count
        # A layout sends its widgets their sizes, and drawing a list works out its
        # lines: what they do then (a label's wrap, a list's height) may ask for
        # another layout, as Textual would lay the dialog out again on screen.
        for _layout in range(LAYOUTS):
            if self in app.screen_stack:
                return
            self._layout_required = False
            self._refresh_layout(app.size)
            self._compositor.render_update(full=True, screen_stack=[app.screen])
            await self._settled()
            if not self._layout_required:
                return

    async def _settled(self) -> None:
        """Wait until this dialog's widgets have handled what they were sent (their
        new sizes), a few turns of the event loop."""
        for _turn in range(SETTLING_TURNS):
            await asyncio.sleep(0)
            if all(node._message_queue.empty()
                   for node in self.walk_children(with_self=True)):
                return

    def render_line(self, y: int) -> Strip:
        """One line of the backdrop (Textual's line API; the dialog's own widgets are
        drawn over it by the compositor)."""
        # As Widget.render_line: a refresh of this screen marks it dirty; render anew.
        if self._dirty_regions or self._backdrop is None:
            self._backdrop = self._tinted_backdrop()
            if self._backdrop is None:
                return super().render_line(y)  # no screen beneath, or an opaque tint
            self._dirty_regions.clear()
        if y < len(self._backdrop):
            return self._backdrop[y]
        return Strip.blank(self.size.width, self.visual_style.rich_style)

    def _tinted_backdrop(self) -> list[Strip] | None:
        rendered = self.render()  # Textual's choice: a tinted screen beneath, or not
        if not isinstance(rendered, BackgroundScreen) or rendered.color.a == 0:
            return None
        colour, base = rendered.color, self.visual_style.rich_style
        if (colour, base) != (self._tint_colour, self._base) or len(self._tints) > _TINTS_KEPT:
            self._tints.clear()
            self._tint_colour, self._base = colour, base
            self._beneath, self._backdrop = [], None
        tint, before, drawn = self._tint, self._beneath, self._backdrop or []
        beneath = rendered.screen._compositor.render_strips(self.size)
        # A line as it was keeps its tinted strip: Textual keeps what it derives from
        # a strip (cropped, filtered) on the strip, so a line that did not change costs
        # nothing more to draw again.
        backdrop = [
            drawn[y] if y < len(before) and y < len(drawn) and strip == before[y] else
            Strip([segment if segment.control else Segment(segment.text,
                                                           tint(segment.style))
                   for segment in strip], strip.cell_length)
            for y, strip in enumerate(beneath)
        ]
        self._beneath = beneath
        return backdrop

    def _tint(self, style: Style | None) -> Style:
        """The style blended with the backdrop's tint, as Textual's BackgroundScreen
        blends it (links and click actions dropped), each style once."""
        tinted = self._tints.get(style)
        if tinted is None:
            colour = self._tint_colour
            assert colour is not None
            plain = Style() if style is None else style.clear_meta_and_links()
            # Under the screen's own style, as Textual's rendering of it puts it.
            tinted = self._base + plain + Style.from_color(
                (Color.from_rich_color(plain.color) + colour).rich_color
                if plain.color is not None else None,
                (Color.from_rich_color(plain.bgcolor) + colour).rich_color
                if plain.bgcolor is not None else None,
            )
            self._tints[style] = tinted
        return tinted


def show_line(label: Static, text: str) -> None:
    """Put ``text`` in a dialog's label of a line or two (a hint, an error), laying the
    dialog out again only when the label's height may change. A label's update lays
    out its dialog by default, and a dialog's list repaints its scrollbar after every
    layout, a frame after the rest: opening ``f`` or ``/`` took two frames for it."""
    before = str(label.content)
    if before == text:
        return
    width = label.content_region.width
    # Markup counted as text: a line that fits so counted fits as shown.
    same_height = width > 0 and cell_len(before) <= width and cell_len(text) <= width
    label.update(text, layout=not same_height)


def show_error(label: Static, error: str | None, hint: str) -> None:
    """A dialog's last line: its ``hint``, or, in its place and in the error's colour,
    what went wrong. One line for both: a line kept empty for an error that is not
    there cost the list above it a row at 80×24."""
    show_line(label, error or hint)
    label.set_class(bool(error), "error")


__all__ = ["Dialog", "show_error", "show_line"]
