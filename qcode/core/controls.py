"""Control characters: what a terminal must never receive raw, and what no name may hold.

A transcript, a code name or a document name from someone else's file can carry
``ESC ] 0 ; title BEL`` or ``ESC [ 2 J``: printed raw, it retitles or clears the
terminal, or worse. Text keeps such characters where its source had them (a transcript
is evidence, and REFI-QDA positions count every character), but every terminal output
shows them as visible symbols (:func:`printable`) or drops them (:func:`without_controls`),
and names -- of documents, codes and coders -- refuse them outright (:func:`check_name`).
"""

from __future__ import annotations

import re

from qcode.core.errors import QcodeError

# C0 controls except tab and newline, DEL, and the C1 controls (U+0080-U+009F: some
# terminals take U+009B as ESC [).
CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# In a name, tab and newline are controls too.
NAME_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f]")


def _symbol(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code < 0x20:
        return chr(0x2400 + code)  # the Control Pictures block: ␛ ␇ ␍ …
    if code == 0x7F:
        return "\u2421"  # ␡
    return "\ufffd"  # C1 has no pictures


def printable(text: str) -> str:
    """``text`` with each control character (but tab and newline) replaced by one
    visible symbol, ESC by ␛ and BEL by ␇: safe to print, and the oddity shows."""
    return CONTROLS.sub(_symbol, text)


def without_controls(text: str) -> str:
    """``text`` with the control characters (but tab and newline) removed; for output
    already laid out, where a control character was given no width."""
    return CONTROLS.sub("", text)


def check_name(name: str, what: str, where: str = "",
               error: type[QcodeError] = QcodeError) -> str:
    """``name`` if it can name a document, code or coder: not blank, and without
    control characters (C0, DEL, C1, tab and newline included). Otherwise ``error``,
    naming ``where`` the name came from."""
    prefix = f"{where}: " if where else ""
    if not name.strip():
        raise error(f"{prefix}a {what} needs a name; this one is empty")
    found = NAME_CONTROLS.search(name)
    if found is not None:
        raise error(f"{prefix}{what} name {name!r} contains a control character "
                         f"(U+{ord(found.group()):04X}); names cannot hold control characters")
    return name
