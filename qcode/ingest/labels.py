"""Paragraph labels ("§12") and interview speakers at the start of a paragraph, shared
by every importer.

Transcripts come in many styles: ``Q:``/``A:``, ``INTERVIEWER:``, ``Dr. Ortiz:``,
``resp-2:``, ``P03:``, ``moderator:``, with a timestamp before or after the label
(``[00:01:23] Moderator:``, ``Moderator (1:23):``, ``P03: [00:01:23]``) or on a header
line of its own (``Speaker 1  0:03`` then the text, as Otter writes). A label is taken
for a speaker when it has a speaker's shape (an interview role, a name in capitals, two
or three capitalised words), when it recurs at the start of paragraphs, or when a
timestamp comes with it; "However:" once in running prose is not a speaker. The
timestamp becomes the paragraph's time (kept out of its text, in the document's). Turns
on consecutive lines, with no blank line between them, are split at their labels.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

from qcode.core.model import Block

# "§12", "§ 12", "§8.1" and "[12]" are always labels.
_EXPLICIT = re.compile(r"^(?:§\s?(?P<sect>\d+(?:\.\d+)*[a-z]?)|\[(?P<brack>\d+)\])\s+(?=\S)")
# A bare "12" or "12." is a label only in a numbered document (see annotate()).
_BARE = re.compile(r"^(?P<num>\d{1,4})[.)]?\s+(?=\S)")

# Clock times: 1:23, 01:23, 00:01:23, with milliseconds after "." or "," (SubRip).
_CLOCK = r"(?:\d{1,2}:)?\d{1,2}:\d{2}(?:[.,]\d{1,3})?"
# Bracketed, any clock; bare, only with hours ("5:30 in the morning" stays text).
_FIRM = rf"(?:\[{_CLOCK}\]|\({_CLOCK}\)|\d{{1,2}}:\d{{2}}:\d{{2}}(?:[.,]\d{{1,3}})?)"
_ANY = rf"(?:\[{_CLOCK}\]|\({_CLOCK}\)|{_CLOCK})"
# A name: a letter, then up to 39 letters, digits, spaces, dots, hyphens, apostrophes.
_NAME = r"[^\W\d_][\w.'’ -]{0,39}?"
_OPENING = re.compile(
    rf"^(?:(?P<before>{_ANY})[ \t]+)?"
    rf"(?:(?P<name>{_NAME})(?:[ \t]+(?P<after>{_ANY}))?[ \t]?:[ \t]+(?:(?P<inside>{_FIRM})\s+)?"
    rf"|(?P<header>{_NAME})[ \t]+(?P<headtime>{_ANY})[ \t]*\n\s*)"
    r"(?=\S)"
)
_TIME_ALONE = re.compile(rf"^(?P<time>{_FIRM})\s+(?=\S)")
_MAX_WORDS = 4

_ROLES = {
    "q", "a", "interviewer", "interviewee", "respondent", "moderator", "participant",
    "question", "answer", "вопрос", "ответ", "интервьюер", "респондент",
}
_ROLE_NUMBERED = re.compile(r"^[^\W\d_]+[ -]?\d{1,3}$")


@dataclass(frozen=True)
class Opening:
    """What opens a paragraph before its words: a speaker's label, a timestamp, or both.

    ``marker`` is the text they take up (it stays in the document's text, not in the
    paragraph's); ``time_ms`` the timestamp in milliseconds.
    """

    name: str | None
    time_ms: int | None
    marker: str


def split_label(text: str) -> tuple[str | None, str, str]:
    """(label, marker, rest) for an explicit label ("§12", "[12]") at the start."""
    match = _EXPLICIT.match(text)
    if match is None:
        return None, "", text
    number = match.group("sect") or match.group("brack")
    return f"§{number}", match.group(0), text[match.end():]


def split_bare_number(text: str) -> tuple[int | None, str, str]:
    """(number, marker, rest) for a bare leading number ("12 ", "12. ")."""
    match = _BARE.match(text)
    if match is None:
        return None, "", text
    return int(match.group("num")), match.group(0), text[match.end():]


def parse_time(stamp: str) -> int:
    """Milliseconds of a timestamp: "[00:01:23]", "(1:23)", "00:01:23,500" -> 83500."""
    clock = stamp.strip("[]() ")
    whole, _dot, fraction = clock.replace(",", ".").partition(".")
    seconds = 0
    for part in whole.split(":"):
        seconds = seconds * 60 + int(part)
    return seconds * 1000 + (int(fraction.ljust(3, "0")[:3]) if fraction else 0)


def opening(text: str) -> Opening | None:
    """A candidate label and/or timestamp at the start of ``text`` (None when neither).

    Whether a label is a speaker is decided over the whole document (see annotate()).
    """
    match = _OPENING.match(text)
    if match is not None:
        # One call for all the groups: this runs on every paragraph of every file.
        name, header, before, after, inside, headtime = match.group(
            "name", "header", "before", "after", "inside", "headtime")
        name = (name or header or "").strip()
        if name and len(name.split()) <= _MAX_WORDS:
            stamp = before or after or inside or headtime
            return Opening(name, parse_time(stamp) if stamp else None, match.group(0))
    alone = _TIME_ALONE.match(text)
    if alone is not None:
        return Opening(None, parse_time(alone.group("time")), alone.group(0))
    return None


def _openings(texts: list[str | None]) -> list[Opening | None]:
    """:func:`opening` of each text (None for None), the same :class:`Opening` for
    each text the label pattern matches with the same marker.

    A transcript repeats a few markers ("Q: ", "A: ") hundreds of times; what the
    pattern finds in a match depends only on the text it matched (its one lookahead
    is at the end, past every group), so the marker says it all.
    """
    found: list[Opening | None] = []
    seen: dict[str, Opening | None] = {}
    for text in texts:
        if text is None:
            found.append(None)
            continue
        match = _OPENING.match(text)
        if match is not None:
            marker = match.group(0)
            if marker not in seen:
                seen[marker] = opening(text)
            known = seen[marker]
            if known is not None and known.marker == marker:
                found.append(known)
                continue
        found.append(opening(text))
    return found


def speaker_shape(name: str) -> bool:
    """A label that is a speaker even once: Q/A and interview roles ("Interviewer"),
    numbered ones ("P1", "resp-2", "Speaker 3"), a name in capitals ("MELNIKOVA"), or
    two or three capitalised words ("Valentina Melnikova"). A single capitalised word
    ("However") is not."""
    words = name.split()
    letters = [c for c in name if c.isalpha()]
    is_role = name.casefold() in _ROLES or bool(_ROLE_NUMBERED.match(name))
    is_caps = bool(letters) and all(c.isupper() for c in letters) and len(words) <= 3
    is_title = 2 <= len(words) <= 3 and all(w[0].isupper() for w in words)
    return is_role or is_caps or is_title


def split_speaker(text: str) -> tuple[str | None, str, str]:
    """(speaker, marker, rest) when the text opens with a label of a speaker's shape
    (:func:`speaker_shape`), whatever the rest of the document holds."""
    found = opening(text)
    if found is None or found.name is None or not speaker_shape(found.name):
        return None, "", text
    return found.name, found.marker, text[len(found.marker):]


def _speakers(openings: list[Opening | None]) -> dict[str, str]:
    """folded label -> the speaker's name, for the labels that are speakers here: of a
    speaker's shape, recurring (two paragraphs or more) or timestamped. The name is
    the most used spelling ("Interviewer" over one "INTERVIEWER")."""
    spellings: dict[str, dict[str, int]] = {}
    evidence: dict[str, bool] = {}
    for found in openings:
        if found is None or found.name is None:
            continue
        key = found.name.casefold()
        seen = spellings.get(key)
        if seen is None:
            spellings[key] = {found.name: 1}
            # Shape is checked once per label, not once per paragraph.
            evidence[key] = found.time_ms is not None or speaker_shape(found.name)
            continue
        seen[found.name] = seen.get(found.name, 0) + 1
        evidence[key] = True  # it recurs
    return {key: max(names, key=names.__getitem__) for key, names in spellings.items()
            if evidence[key]}


def split_turn_lines(blocks: list[Block]) -> list[Block]:
    """Split paragraphs that hold several turns on consecutive lines (transcripts with
    no blank line between turns) at each line opening with a speaker's label.

    A paragraph is split only when two or more of its lines open with a label that is a
    speaker in this document, so a wrapped line that happens to start "Note:" stays.
    """
    if not any("\n" in b.text for b in blocks if b.kind == "paragraph"):
        return blocks  # one line per paragraph: nothing to split (most transcripts)
    lines = [line for b in blocks if b.kind == "paragraph" for line in b.text.split("\n")]
    known = _speakers([opening(line) for line in lines])
    if not known:
        return blocks

    def starts_turn(line: str) -> bool:
        found = opening(line)
        return found is not None and found.name is not None and found.name.casefold() in known

    result: list[Block] = []
    for block in blocks:
        parts = block.text.split("\n")
        if block.kind != "paragraph" or sum(starts_turn(p) for p in parts) < 2:
            result.append(block)
            continue
        turn: list[str] = []
        for part in parts:
            if turn and starts_turn(part):
                result.append(Block("paragraph", "\n".join(turn).strip()))
                turn = []
            turn.append(part)
        result.append(Block("paragraph", "\n".join(turn).strip()))
    return result


def annotate(blocks: list[Block]) -> list[Block]:
    """Fill in labels, speakers and times of paragraph blocks that have none yet.

    Bare leading numbers become labels only when the document is numbered: at least
    half of its paragraphs open with a number and those numbers ascend. Otherwise
    "15 people came" stays text. A speaker carries over to the following untagged
    paragraphs of the same turn, until the next tag or heading; a time does not.
    """
    paragraphs = [b for b in blocks if b.kind == "paragraph"]
    numbers = [int(m.group("num")) for b in paragraphs if (m := _BARE.match(b.text))]
    numbered = (
        len(numbers) >= 2
        and len(numbers) * 2 >= len(paragraphs)
        and all(a < b for a, b in itertools.pairwise(numbers))
    )
    for block in paragraphs:
        # An explicit label starts with "§" or "[": the others need no regex.
        if block.label is None and (numbered or block.text.startswith(("§", "["))):
            label, marker, rest = split_label(block.text)
            if label is None and numbered:
                number, marker, rest = split_bare_number(block.text)
                label = f"§{number}" if number is not None else None
            if label is not None:
                block.label, block.marker, block.text = label, block.marker + marker, rest
    openings = _openings([b.text if b.speaker is None else None for b in paragraphs])
    known = _speakers(openings)
    found_at = iter(openings)  # in step with the paragraphs among the blocks
    speaker: str | None = None
    for block in blocks:
        if block.kind == "heading":
            speaker = None
            continue
        found = next(found_at)
        if block.speaker is not None:
            speaker = block.speaker
            continue
        if found is not None and (found.name is None or found.name.casefold() in known):
            if found.name is not None:
                speaker = known[found.name.casefold()]
            block.marker += found.marker
            block.text = block.text[len(found.marker):]
            if block.time_ms is None:
                block.time_ms = found.time_ms
        block.speaker = speaker
    return blocks


__all__ = [
    "Opening", "annotate", "opening", "parse_time", "speaker_shape", "split_bare_number",
    "split_label", "split_speaker", "split_turn_lines",
]
