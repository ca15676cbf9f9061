"""The line breaks a text had before qcode kept it with ``\\n`` only.

qcode keeps every text with ``\\n`` line breaks (search, paragraphs and offsets are
simpler for it), but a text from another tool may have had ``\\r\\n`` (Windows: NVivo)
or a lone ``\\r``, and that tool's positions count them. The document remembers which
(``documents.line_breaks``) so an export can write the text back exactly as it came:
NULL when every break was ``\\n``, ``"crlf"`` or ``"cr"`` when every break was that, and
otherwise one letter per break of the text, in order (``n``, ``w`` for CRLF, ``r``).
"""

from __future__ import annotations

import re

_BREAK = re.compile(r"\r\n|\r|\n")
_LETTERS = {"\n": "n", "\r\n": "w", "\r": "r"}
_BREAKS = {letter: text for text, letter in _LETTERS.items()}
UNIFORM = {"crlf": "\r\n", "cr": "\r"}


def normalise(raw: str) -> tuple[str, str | None]:
    """``raw`` with ``\\n`` line breaks only, and what it had instead (see the module)."""
    letters = "".join(_LETTERS[m.group()] for m in _BREAK.finditer(raw))
    text = raw.replace("\r\n", "\n").replace("\r", "\n")
    if not letters.strip("n"):
        return text, None
    for name, kind in UNIFORM.items():
        if letters == _LETTERS[kind] * len(letters):
            return text, name
    return text, letters


def restore(text: str, breaks: str | None) -> str:
    """The text as it came: ``text`` with its original line breaks put back."""
    if breaks is None:
        return text
    if breaks in UNIFORM:
        return text.replace("\n", UNIFORM[breaks])
    pieces = text.split("\n")
    out = [pieces[0]]
    for letter, piece in zip(breaks, pieces[1:], strict=True):
        out.append(_BREAKS[letter])
        out.append(piece)
    return "".join(out)


def fits(text: str, breaks: str | None) -> bool:
    """Whether ``breaks`` describes the line breaks of ``text`` (for ``qcode check``)."""
    if breaks is None or breaks in UNIFORM:
        return True
    return len(breaks) == text.count("\n") and not set(breaks) - set(_BREAKS)


__all__ = ["fits", "normalise", "restore"]
