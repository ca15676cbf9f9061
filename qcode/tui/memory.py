"""The cycle collector while the terminal UI runs.

Python's cycle collector walks every object the app holds (Textual's styles, widgets,
the reader's wrapped lines, the kept dialogs); left to its defaults, that put pauses of
50-100 ms into one key press in twenty. What the first screen and the kept dialogs
build lives as long as the app, so it is frozen out of the walk (:func:`settle`).

What a key press leaves behind is collected between key presses, not during one:
:func:`tidy` runs once each key's frame is drawn (:func:`after_key`), and on a timer
(every :data:`TICK` seconds, for the mouse and the app's own work). It collects the
young objects once there are a few hundred, which takes well under a millisecond (a
key at 160×45 leaves some 2,000), and runs the full collection when it is due and no
key came for a second. The thresholds are raised so that Python's own collections
(which took 7-10 ms in one key press in ten) come only in long work between ticks.
"""

from __future__ import annotations

import gc
import time

# Python's defaults are 700, 10, 10: they ran a full collection (10-35 ms) every few
# keys. (2_000, 10, 100) left a middle collection of 7-10 ms in one j in ten at
# 160×45; with tidy() between keys, Python's own collections are a safety net for long
# work (an import, a filter over 200,000 paragraphs).
THRESHOLDS = (20_000, 20, 1_000)
# Seconds between looks; a key repeated at 30 a second leaves ~6,000 young objects a
# tick, far under THRESHOLDS[0].
TICK = 0.1
# Young objects worth a collection.
YOUNG = 500
# Young collections before a full one is due (10 s of keys at least); it takes 5-60
# ms, so it waits until nothing was pressed or collected for QUIET seconds.
FULL_AFTER = 100
QUIET = 1.0

_clock = time.monotonic
_busy_at = 0.0

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


def tidy() -> None:
    """Between key presses: collect the young objects if there are enough to be worth
    it, or, when the app has been quiet for :data:`QUIET` seconds and a full
    collection is due, run it."""
    global _busy_at
    young, _middle, since_full = gc.get_count()
    now = _clock()
    if young >= YOUNG:
        gc.collect(1)
        _busy_at = now
    elif since_full >= FULL_AFTER and now - _busy_at >= QUIET:
        gc.collect()


def after_key() -> None:
    """A key's frame is drawn: what it left is collected now, and the app is busy."""
    global _busy_at
    _busy_at = _clock()
    tidy()


def restore() -> None:
    """The app is closing: unfreeze and put the thresholds back."""
    global _before
    gc.unfreeze()
    if _before is not None:
        gc.set_threshold(*_before)
        _before = None
