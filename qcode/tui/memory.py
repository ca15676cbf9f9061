"""The cycle collector while the terminal UI runs.

Python's cycle collector walks every object the app holds (Textual's styles, widgets,
the reader's wrapped lines, the kept dialogs); left to its defaults, that put pauses of
50-100 ms into one key press in twenty. What the first screen and the kept dialogs
build lives as long as the app, so it is frozen out of the walk (:func:`settle`), and
the thresholds are raised while the app runs.
"""

from __future__ import annotations

import gc

# Python's defaults are 700, 10, 10. Measured over filter cycles on a 10,000-paragraph
# document: (10_000, 20, 100) made every young collection 5-10 ms and the middle one
# 65-90 ms; the defaults ran a full collection (10-35 ms) every few keys; these keep
# every pause under ~10 ms.
THRESHOLDS = (2_000, 10, 100)

_before: tuple[int, int, int] | None = None


def settle() -> None:
    """Collect, freeze what survives (it lives as long as the app), and run the
    collector with :data:`THRESHOLDS`. Called once the first screen is drawn and again
    once the kept dialogs are ready; at idle, as a full collection takes 20-50 ms."""
    global _before
    gc.collect()
    gc.freeze()
    if _before is None:
        _before = gc.get_threshold()
    gc.set_threshold(*THRESHOLDS)


def restore() -> None:
    """The app is closing: unfreeze and put the thresholds back."""
    global _before
    gc.unfreeze()
    if _before is not None:
        gc.set_threshold(*_before)
        _before = None
