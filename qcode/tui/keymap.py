"""Which code each number key toggles: a map the coder owns, that never reshuffles.

Keys 1–9 are muscle memory. A coder who has learnt that 3 is "denunciation" must find
it there tomorrow, after pinning another code, after a colleague added codes above it
and after a restart. So the map changes only when the coder says so (``P``), and a
key is only ever filled, never shifted:

* the first time a coder opens a project, keys 1–9 take the first nine codable codes;
* ``P`` puts a code on the key the coder names (or the lowest free one) — the code
  that was there loses its key, no other key moves;
* a code that is deleted (or becomes a folder) leaves its key free;
* a code created in the app takes the lowest free key, if there is one;
* a map left with no code on any key (a project whose codebook came later) starts
  again from the first nine codable codes.

The map is kept per coder and project in the preferences file (:mod:`qcode.tui.prefs`),
by code GUID, so it survives renames and moves.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from qcode.core.errors import QcodeError
from qcode.core.model import Code

SLOTS = 9


class KeyMap:
    """Key (1–9) -> code id."""

    def __init__(self) -> None:
        self._keys: dict[int, int] = {}

    def __len__(self) -> int:
        return len(self._keys)

    def items(self) -> list[tuple[int, int]]:
        """(key, code id) in key order."""
        return sorted(self._keys.items())

    def code_on(self, key: int) -> int | None:
        """The code id on a key, if any."""
        return self._keys.get(key)

    def key_of(self, code_id: int) -> int | None:
        """The key a code sits on, if any."""
        return next((k for k, c in self._keys.items() if c == code_id), None)

    def lowest_free(self) -> int | None:
        """The lowest key without a code (None when all nine have one)."""
        return next((k for k in range(1, SLOTS + 1) if k not in self._keys), None)

    # -- changes the coder asks for ----------------------------------------------------

    def put(self, key: int, code: Code, names: Mapping[int, Code]) -> str:
        """Put ``code`` on ``key``; the code that was there loses its key, no other key
        moves. Returns what happened, for the status line."""
        if not 1 <= key <= SLOTS:
            raise QcodeError(f"keys go from 1 to {SLOTS}, not {key}")
        if not code.codable:
            raise QcodeError(f"{code.name!r} is a folder (not codable); put one of its codes "
                             "on a key")
        before = self.key_of(code.id)
        if before == key:
            return f"{code.name!r} is already on key {key}"
        replaced = self._keys.get(key)
        if before is not None:
            del self._keys[before]
        self._keys[key] = code.id
        said = f"key {key}: {code.name!r}"
        if replaced is not None and replaced in names:
            said += f" (was {names[replaced].name!r})"
        if before is not None:
            said += f"; key {before} free"
        return said

    def take_off(self, code: Code) -> str:
        """Free the key a code sits on."""
        key = self.key_of(code.id)
        if key is None:
            return f"{code.name!r} is on no key"
        del self._keys[key]
        return f"key {key} is free ({code.name!r} taken off it)"

    def give_free_key(self, code: Code) -> int | None:
        """A new code takes the lowest free key, if there is one; returns it."""
        key = self.lowest_free()
        if key is not None and code.codable and self.key_of(code.id) is None:
            self._keys[key] = code.id
            return key
        return None

    # -- keeping the map valid ---------------------------------------------------------

    def fit(self, codes: Mapping[int, Code], codable: Iterable[Code]) -> None:
        """Drop keys whose code is gone or became a folder; an empty map starts from the
        first nine codable codes."""
        self._keys = {k: c for k, c in self._keys.items()
                      if 1 <= k <= SLOTS and c in codes and codes[c].codable}
        if not self._keys:
            self.set_default(codable)

    def set_default(self, codable: Iterable[Code]) -> None:
        """Keys 1–9 on the first nine codable codes."""
        self._keys = {}
        for key, code in zip(range(1, SLOTS + 1), codable, strict=False):
            self._keys[key] = code.id

    def load(self, keys: Mapping[int, str], by_guid: Mapping[str, int]) -> None:
        """Take a saved map (key -> code GUID); codes no longer there are left out."""
        self._keys = {k: by_guid[g] for k, g in keys.items()
                      if 1 <= k <= SLOTS and g in by_guid}

    def saved(self, codes: Mapping[int, Code]) -> dict[int, str]:
        """The map as it is saved: key -> code GUID."""
        return {k: codes[c].guid for k, c in self.items() if c in codes}


__all__ = ["SLOTS", "KeyMap"]
