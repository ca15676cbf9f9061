"""Running a project call from a key press: refusals become notifications."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from textual.app import App

from qcode.core.errors import NothingToDo, QcodeError
from qcode.core.store.db import translate

T = TypeVar("T")


def attempt(app: App[object], path: Path, action: Callable[[], T]) -> tuple[T | None, str]:
    """Run ``action``; on a :class:`QcodeError` (or a raw SQLite error, translated)
    show a notification instead of a traceback. Returns (result, error message)."""
    try:
        return action(), ""
    except NothingToDo as exc:
        app.notify(str(exc), severity="warning")
        return None, ""
    except QcodeError as exc:
        message = str(exc)
    except sqlite3.Error as exc:
        message = str(translate(exc, path))
    app.notify(message, severity="error", timeout=8)
    return None, message
