"""Where each coder left off, and their number keys, kept outside the project.

These are preferences, not research data: keeping them out of the project file keeps
them out of the event log, so undo never "undoes" a scroll position or a key. The file
is ``tui.json`` in qcode's state folder (:func:`qcode.core.settings.state_folder`;
``~/.local/state/qcode/tui.json`` on Linux), keyed by the project's GUID and the coder.
Losing it loses nothing but a place.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from qcode.core import settings


@dataclass
class Place:
    """A coder's place in a project: document GUID, paragraph ordinal, and which code
    GUID each number key toggles (``keys``; None when never saved). ``pins`` is how
    earlier versions kept the keys (pinned codes first), read to carry them over."""

    document: str | None = None
    paragraph: int | None = None
    keys: dict[int, str] | None = None
    pins: list[str] = field(default_factory=list)


@runtime_checkable
class Remembers(Protocol):
    """The app: keeps each coder's place and number keys."""

    def save_place(self) -> None:
        """Remember the current coder's place and keys."""

    def restore_keys(self) -> None:
        """Put the current coder's saved keys back."""


STATE = "tui.json"


def state_file() -> Path:
    """The preferences file."""
    return settings.state_folder() / STATE


def _read() -> dict[str, Any]:
    return settings.read_state(STATE)


def load(project_guid: str, coder: str) -> Place:
    """The coder's saved place (an empty one if none was saved or the file is unreadable)."""
    entry = _read().get(f"{project_guid}:{coder}")
    if not isinstance(entry, dict):
        return Place()
    paragraph = entry.get("paragraph")
    pins = entry.get("pins")
    keys = entry.get("keys")
    return Place(
        document=entry.get("document") if isinstance(entry.get("document"), str) else None,
        paragraph=paragraph if isinstance(paragraph, int) else None,
        keys=({int(k): g for k, g in keys.items()
               if isinstance(k, str) and k.isdigit() and isinstance(g, str)}
              if isinstance(keys, dict) else None),
        pins=[p for p in pins if isinstance(p, str)] if isinstance(pins, list) else [],
    )


def save(project_guid: str, coder: str, place: Place) -> bool:
    """Remember the place (atomically); False if the file could not be written."""
    data = _read()
    entry: dict[str, Any] = {"document": place.document, "paragraph": place.paragraph}
    if place.keys is not None:
        entry["keys"] = {str(k): g for k, g in sorted(place.keys.items())}
    data[f"{project_guid}:{coder}"] = entry
    return settings.write_state(STATE, data)
