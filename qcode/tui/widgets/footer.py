"""The key hints at the bottom of a screen: Textual's footer, rebuilt only when what it
shows changes.

Textual's :class:`~textual.widgets.Footer` rebuilds all its keys (new widgets, their
styles, a layout of the screen and one more frame) whenever the screen says its
bindings *may* have changed: on every change of focus and whenever a dialog opens or
closes over the screen. Opening ``f`` or ``/`` changes nothing the coding screen's
footer shows, yet its rebuild was a third frame of the opening (some 15 ms at 160×45,
and a repaint of the dialog above it).
"""

from __future__ import annotations

from typing import Any

from textual.widgets import Footer


class KeyFooter(Footer):
    """A footer that rebuilds its keys only when the keys it would show differ."""

    _composed: list[Any] | None = None

    def _shown(self) -> list[Any]:
        """What :meth:`Footer.compose` builds its keys from: each binding shown, whether
        it is enabled and its tooltip, and the command palette's key."""
        active = self.screen.active_bindings
        shown: list[Any] = [(binding, enabled, tooltip)
                            for _node, binding, enabled, tooltip in active.values()
                            if binding.show]
        if self.show_command_palette and self.app.ENABLE_COMMAND_PALETTE:
            shown.append(active.get(self.app.COMMAND_PALETTE_BINDING, (None,))[1:])
        return shown

    async def recompose(self) -> None:
        """Build the keys again, unless they would be the ones already shown."""
        if not self.is_attached:
            return
        shown = self._shown()
        if shown == self._composed:
            return
        self._composed = shown
        await super().recompose()


__all__ = ["KeyFooter"]
