"""Which unit a REFI-QDA writer counted text positions in, and converting them.

The standard says Unicode code points from 0, end exclusive. Real tools differ: NVivo
counts UTF-16 code units (a character outside the Basic Multilingual Plane, such as an
emoji, counts 2) and a CRLF line break as 2, after skipping the byte-order mark;
ATLAS.ti is reported to count CRLF as 1. A wrong guess shifts every selection after the
first emoji or line break, so the unit is chosen per source: each candidate is tried
and the one whose selections start and end on word boundaries wins, with the writer's
known habit (from the project's ``origin``) breaking ties. Positions are converted to
code points in the stored text, whose line breaks are ``\\n`` only.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from qcode.core import linebreaks


@dataclass(frozen=True)
class Unit:
    """A way of counting positions in a text (``key``: how a document records it)."""

    name: str
    utf16: bool
    crlf_as_one: bool
    key: str = ""


CODE_POINTS = Unit("code points (the REFI-QDA standard)", utf16=False, crlf_as_one=False,
                   key="code-points")
UTF16 = Unit("UTF-16 code units, CRLF as 2 (NVivo)", utf16=True, crlf_as_one=False,
             key="utf-16")
CODE_POINTS_LF = Unit("code points, CRLF as 1 (ATLAS.ti)", utf16=False, crlf_as_one=True,
                      key="code-points-crlf-as-1")
UTF16_LF = Unit("UTF-16 code units, CRLF as 1", utf16=True, crlf_as_one=True,
                key="utf-16-crlf-as-1")
UNITS = (CODE_POINTS, UTF16, CODE_POINTS_LF, UTF16_LF)


def unit_by_key(key: str | None) -> Unit:
    """The unit a document recorded (code points when it recorded none, or one this
    qcode does not know)."""
    return next((unit for unit in UNITS if unit.key == key), CODE_POINTS)

_ASTRAL = re.compile("[\U00010000-\U0010FFFF]")


def unit_for_origin(origin: str | None) -> Unit:
    """The unit a writer is known to use, from the project's ``origin`` attribute."""
    text = (origin or "").casefold()
    if "nvivo" in text:
        return UTF16
    if "atlas.ti" in text or "atlasti" in text:
        return CODE_POINTS_LF
    return CODE_POINTS


def normalise(raw: str) -> str:
    """Line breaks as ``\\n`` (CRLF and lone CR alike), nothing else changed."""
    return raw.replace("\r\n", "\n").replace("\r", "\n")


class SourceText:
    """A source's text as the writer counted it, and the same text as qcode keeps it
    (with the line breaks it had, :mod:`qcode.core.linebreaks`)."""

    def __init__(self, raw: str) -> None:
        self.raw = raw
        self.text, self.line_breaks = linebreaks.normalise(raw)
        # Where each CRLF's CR stands in ``raw``: every one before a position shifts it.
        self._crlf = [m.start() for m in re.finditer("\r\n", raw)]
        self._text_crlf = [c - i for i, c in enumerate(self._crlf)]
        self._astral = {False: _astral_units(raw), True: _astral_units(self.text)}

    @property
    def ambiguous(self) -> bool:
        """True when the units disagree on this text (it has CRLF or astral characters)."""
        return bool(self._crlf or self._astral[False])

    def to_text(self, position: int, unit: Unit) -> int | None:
        """``position`` in ``unit`` as a code-point offset into :attr:`text`; None when
        it lies outside the text."""
        base = self.text if unit.crlf_as_one else self.raw
        astral = self._astral[unit.crlf_as_one]
        limit = len(base) + (len(astral) if unit.utf16 else 0)
        if position < 0 or position > limit:
            return None
        # A position inside a surrogate pair or a CRLF falls back to the character's start.
        point = position - bisect.bisect_left(astral, position) if unit.utf16 else position
        if not unit.crlf_as_one:
            point -= bisect.bisect_left(self._crlf, point)
        return point

    def from_text(self, point: int, unit: Unit) -> int:
        """The position ``unit`` gives code point ``point`` of :attr:`text` (the first
        of the positions :meth:`to_text` takes to it)."""
        if not unit.crlf_as_one:
            # Every CRLF before the character adds its CR: the i-th CRLF's CR stands at
            # raw offset c_i, which is c_i - i in the text.
            point += bisect.bisect_left(self._text_crlf, point)
        if unit.utf16:
            astral = self._astral[unit.crlf_as_one]
            # Each astral character before adds one unit; solve on the unit offsets.
            low, high = point, point + len(astral)
            while low < high:
                middle = (low + high) // 2
                if middle - bisect.bisect_left(astral, middle) < point:
                    low = middle + 1
                else:
                    high = middle
            point = low
        return point

    def boundary_score(self, selections: list[tuple[int, int]], unit: Unit) -> int:
        """How many selection ends fall on a word boundary when read in ``unit``."""
        score = 0
        for start, end in selections:
            for position in (start, end):
                point = self.to_text(position, unit)
                if point is not None and _at_boundary(self.text, point):
                    score += 1
        return score


@dataclass(frozen=True)
class UnitChoice:
    """The unit chosen for one source, and why."""

    unit: Unit
    reason: str


def choose_unit(source: SourceText, selections: list[tuple[int, int]], prior: Unit) -> UnitChoice:
    """The unit that lines ``selections`` up with word boundaries; ``prior`` on a tie."""
    if not source.ambiguous:
        return UnitChoice(prior, "every unit agrees on this text (no CRLF, no emoji)")
    if not selections:
        return UnitChoice(prior, "no selections to check; the writer's usual unit")
    ends = 2 * len(selections)
    scores = {unit: source.boundary_score(selections, unit) for unit in UNITS}
    best = max(scores.values())
    if scores[prior] == best:
        return UnitChoice(prior, f"the writer's usual unit; {best} of {ends} selection ends "
                                 "fall on word boundaries")
    chosen = next(unit for unit in UNITS if scores[unit] == best)
    return UnitChoice(chosen, f"{best} of {ends} selection ends fall on word boundaries, "
                              f"against {scores[prior]} counting {prior.name}")


def _astral_units(text: str) -> list[int]:
    """UTF-16 offsets at which the characters needing two code units start."""
    return [m.start() + n for n, m in enumerate(_ASTRAL.finditer(text))]


def _at_boundary(text: str, point: int) -> bool:
    if point <= 0 or point >= len(text):
        return True
    return not (text[point - 1].isalnum() and text[point].isalnum())
