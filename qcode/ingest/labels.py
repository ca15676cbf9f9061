"""Paragraph labels ("§12") and interview speakers ("Q:", "Name Surname:") at the start
of a paragraph, shared by every importer."""

from __future__ import annotations

import itertools
import re

from qcode.core.model import Block

# "§12", "§ 12", "§8.1" and "[12]" are always labels.
_EXPLICIT = re.compile(r"^(?:§\s?(?P<sect>\d+(?:\.\d+)*[a-z]?)|\[(?P<brack>\d+)\])\s+(?=\S)")
# A bare "12" or "12." is a label only in a numbered document (see annotate()).
_BARE = re.compile(r"^(?P<num>\d{1,4})[.)]?\s+(?=\S)")
# A speaker tag: up to 40 characters of name, then a colon and text.
_SPEAKER = re.compile(r"^(?P<name>[^\W\d_][\w.'’ -]{0,39}?)\s?:\s+(?=\S)")
_ROLES = {
    "q", "a", "interviewer", "interviewee", "respondent", "moderator", "participant",
    "question", "answer", "вопрос", "ответ", "интервьюер", "респондент",
}
_ROLE_NUMBERED = re.compile(r"^(?:[A-Z]|[A-Za-z]+ ?)\d{1,3}$")


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


def split_speaker(text: str) -> tuple[str | None, str, str]:
    """(speaker, marker, rest) when the text opens with a speaker tag.

    Accepted: Q/A and interview roles ("Interviewer:", "P1:"), a name in capitals
    ("MELNIKOVA:"), or two or three capitalised words ("Valentina Melnikova:"). A single
    capitalised word ("However: ...") is not taken for a speaker.
    """
    match = _SPEAKER.match(text)
    if match is None:
        return None, "", text
    name = match.group("name").strip()
    words = name.split()
    letters = [c for c in name if c.isalpha()]
    is_role = name.casefold() in _ROLES or bool(_ROLE_NUMBERED.match(name))
    is_caps = bool(letters) and all(c.isupper() for c in letters) and len(words) <= 3
    is_title = 2 <= len(words) <= 3 and all(w[0].isupper() for w in words)
    if not (is_role or is_caps or is_title):
        return None, "", text
    return name, match.group(0), text[match.end():]


def annotate(blocks: list[Block]) -> list[Block]:
    """Fill in labels and speakers of paragraph blocks that have none yet.

    Bare leading numbers become labels only when the document is numbered: at least
    half of its paragraphs open with a number and those numbers ascend. Otherwise
    "15 people came" stays text. A speaker carries over to the following untagged
    paragraphs of the same turn, until the next tag or heading.
    """
    paragraphs = [b for b in blocks if b.kind == "paragraph"]
    bare = [split_bare_number(b.text)[0] for b in paragraphs]
    numbers = [n for n in bare if n is not None]
    numbered = (
        len(numbers) >= 2
        and len(numbers) * 2 >= len(paragraphs)
        and all(a < b for a, b in itertools.pairwise(numbers))
    )
    speaker: str | None = None
    for block in blocks:
        if block.kind == "heading":
            speaker = None
            continue
        if block.label is None:
            label, marker, rest = split_label(block.text)
            if label is None and numbered:
                number, marker, rest = split_bare_number(block.text)
                label = f"§{number}" if number is not None else None
            if label is not None:
                block.label, block.marker, block.text = label, block.marker + marker, rest
        if block.speaker is None:
            name, marker, rest = split_speaker(block.text)
            if name is not None:
                speaker = name
                block.marker += marker
                block.text = rest
            block.speaker = speaker
        else:
            speaker = block.speaker
    return blocks
