"""What qcode takes from the environment, read in this one place.

- ``QCODE_PROJECT``: the project file when a command names none (else ``./qcode.db``);
- ``QCODE_CODER``: who is coding, when ``--coder`` is not given (else the login name);
- ``QCODE_BUSY_TIMEOUT_MS``: how long a write waits for another process's lock;
- the folder for preferences kept outside projects (where each coder left off, pins):
  the platform's user state folder (``$XDG_STATE_HOME/qcode``, by default
  ``~/.local/state/qcode`` on Linux), as platformdirs finds it.
"""

from __future__ import annotations

import getpass
import os
from pathlib import Path

# The project file when nothing names one.
DEFAULT_PROJECT = Path("qcode.db")

# Another coder's write holds the lock for milliseconds; wait well past that before
# giving up, but not so long that a stuck process freezes a screen.
BUSY_TIMEOUT_MS = 10_000


def project_path(explicit: Path | str | None = None) -> Path:
    """The project file: ``explicit`` if given, else $QCODE_PROJECT, else ./qcode.db."""
    if explicit:
        return Path(explicit)
    return Path(os.environ.get("QCODE_PROJECT") or DEFAULT_PROJECT)


def coder() -> str:
    """Who is coding: $QCODE_CODER, else the login name."""
    name = os.environ.get("QCODE_CODER")
    if name:
        return name
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "coder"


def busy_timeout_ms() -> int:
    """How long a write waits for another process's lock ($QCODE_BUSY_TIMEOUT_MS)."""
    try:
        return int(os.environ.get("QCODE_BUSY_TIMEOUT_MS", BUSY_TIMEOUT_MS))
    except ValueError:
        return BUSY_TIMEOUT_MS


def state_folder() -> Path:
    """Where qcode keeps preferences outside any project."""
    from platformdirs import user_state_path

    return user_state_path("qcode", appauthor=False)
