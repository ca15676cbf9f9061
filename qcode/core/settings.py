"""What qcode takes from the environment, read in this one place.

- ``QCODE_PROJECT``: the project file when a command names none (else ``./qcode.db``);
- ``QCODE_CODER``: who is coding, when ``--coder`` is not given (else the login name);
- ``QCODE_BUSY_TIMEOUT_MS``: how long a write waits for another process's lock;
- the folder for preferences kept outside projects (where each coder left off, pins):
  the platform's user state folder (``$XDG_STATE_HOME/qcode``, by default
  ``~/.local/state/qcode`` on Linux), as platformdirs finds it;
- ``QCODE_SYNC``: the shared folder ``qcode sync`` uses when none is given, else the
  one this machine last synced the project through (``sync.json`` in the state
  folder). It is a per-machine setting, not a project one: the same shared folder is
  ``~/Dropbox/study`` on one laptop and ``D:\\Dropbox\\study`` on another, and the
  project file travels between machines (in the published copies) while the path
  means nothing on the next one. Keeping it out of the project also keeps it out of
  the event log: undo never "undoes" where a machine syncs.
"""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path
from typing import Any

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
    import getpass  # here: with --coder or $QCODE_CODER, a command never needs it

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


def read_state(name: str) -> dict[str, Any]:
    """One JSON file of the state folder as a dict (empty when missing or unreadable:
    what is kept there is bookkeeping, never research data)."""
    try:
        data = json.loads((state_folder() / name).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def write_state(name: str, data: dict[str, Any]) -> bool:
    """Replace one JSON file of the state folder, whole or not at all; False when it
    could not be written (a read-only home folder loses bookkeeping, nothing else)."""
    path = state_folder() / name
    partial = path.with_name(f"{path.name}.{os.getpid()}.partial")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
        os.replace(partial, path)
    except OSError:
        with contextlib.suppress(OSError):
            partial.unlink()
        return False
    return True


SYNC_STATE = "sync.json"


def sync_folder(project_guid: str) -> Path | None:
    """The shared folder to sync the project through: $QCODE_SYNC, else the one this
    machine last synced it through, else None."""
    given = os.environ.get("QCODE_SYNC")
    if given:
        return Path(given).expanduser()
    folders = read_state(SYNC_STATE).get("folders")
    folder = folders.get(project_guid) if isinstance(folders, dict) else None
    return Path(folder) if isinstance(folder, str) and folder else None


def remember_sync_folder(project_guid: str, folder: Path) -> bool:
    """Make ``folder`` the project's sync folder on this machine."""
    data = read_state(SYNC_STATE)
    folders = data.get("folders")
    folders = folders if isinstance(folders, dict) else {}
    folders[project_guid] = str(folder.expanduser().resolve())
    data["folders"] = folders
    return write_state(SYNC_STATE, data)
