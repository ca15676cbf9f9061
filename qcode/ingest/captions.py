"""Timed transcripts: WebVTT (.vtt) and SubRip (.srt), as Zoom, Teams, Otter and Whisper
write them.

Each cue is a few seconds of speech; a researcher codes turns. Consecutive cues of one
speaker join into one paragraph whose time is the first cue's start. The speaker comes
from a WebVTT voice tag (``<v Alice Smith>``, Teams) or from a label at the start of
the cue text (``Alice Smith: …``, Zoom and Otter), recognised by the same rules as in
any transcript (:mod:`qcode.ingest.labels`); a cue without one continues the turn. Cues
with no speaker at all (Whisper) join until a pause of two seconds or a long paragraph.

The composed document reads as a transcript ("[00:01:23] Alice Smith: …"), so its text
alone says who spoke when. A file with a broken cue is refused with the line number,
before anything is written.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from pathlib import Path

from qcode.core.errors import ImportFailed
from qcode.core.model import Block, ParsedDocument, compose, format_time
from qcode.core.textfile import decode, read_bytes
from qcode.ingest.labels import opening, speaker_shape

# (hh:)mm:ss.ttt; SubRip writes a comma, some tools one-digit hours or fewer digits.
_STAMP = r"(?:(\d+):)?(\d{1,2}):(\d{2})[.,](\d{1,3})"
_TIMING = re.compile(rf"^\s*{_STAMP}\s*-->\s*{_STAMP}(?:\s+.*)?$")
# A line that starts like a timing line is one, however broken ("00:01.000 -> …").
_TIMED = re.compile(r"^\s*(?:\d+:)?\d{1,2}:\d{2}[.,]\d")
_VOICE = re.compile(r"<v(?:\.[^\s>]*)?\s+([^>]*)>")
_TAG = re.compile(r"</?[A-Za-z][^>]*>|<\d[\d:.]*>")
_HEADER = re.compile(r"^WEBVTT(?:[ \t].*)?$")
_SKIPPED = re.compile(r"^(?:NOTE|STYLE|REGION)(?:\s|$)")
# Without speakers (Whisper), a pause this long or a paragraph this long starts another.
PAUSE_MS = 2000
LONG_PARAGRAPH = 1000


@dataclass
class Cue:
    """One cue: when it starts (ms), the line it starts on, its speaker and words."""

    start_ms: int
    line: int
    speaker: str | None
    text: str
    end_ms: int = 0


def _ms(hours: str | None, minutes: str, seconds: str, fraction: str) -> int:
    return ((int(hours or 0) * 60 + int(minutes)) * 60 + int(seconds)) * 1000 + int(
        fraction.ljust(3, "0"))


def _timing(line: str, number: int, path: Path) -> tuple[int, int]:
    match = _TIMING.match(line)
    if match is None:
        raise ImportFailed(f"{path}: line {number}: expected a cue timing such as "
                           f"'00:00:01.000 --> 00:00:04.000', found {line.strip()[:60]!r}")
    groups = match.groups()
    clocks = (groups[1], groups[2], groups[5], groups[6])  # minutes and seconds
    if any(int(part) >= 60 for part in clocks):
        raise ImportFailed(f"{path}: line {number}: a timestamp with 60 or more "
                           f"minutes or seconds ({line.strip()[:60]!r})")
    start, end = _ms(*groups[:4]), _ms(*groups[4:])
    if end < start:
        raise ImportFailed(f"{path}: line {number}: the cue ends before it starts "
                           f"({line.strip()[:60]!r})")
    return start, end


def parse_cues(text: str, path: Path, *, webvtt: bool) -> list[Cue]:
    """Every cue of a WebVTT or SubRip text, in order; a broken one is refused with
    its line number. WebVTT's NOTE, STYLE and REGION blocks are skipped."""
    lines = text.removeprefix("\ufeff").split("\n")
    if webvtt and not (lines and _HEADER.match(lines[0])):
        raise ImportFailed(f"{path}: line 1: a WebVTT file starts with 'WEBVTT', "
                           f"found {lines[0].strip()[:60]!r}")
    cues: list[Cue] = []
    blocks = _blocks(lines)
    if webvtt:
        header = blocks.pop(0)[1]
        if any("-->" in line for line in header):
            at = next(i for i, line in enumerate(header) if "-->" in line)
            raise ImportFailed(f"{path}: line {at + 1}: a blank line must separate the "
                               "WEBVTT header from the first cue")
    for first, block in blocks:
        head = block[0].strip()
        if webvtt and _SKIPPED.match(head):
            continue
        # An identifier line (a number in SubRip, any text in WebVTT) may come first.
        at = 0 if "-->" in block[0] or _TIMED.match(block[0]) else 1
        if at >= len(block):
            raise ImportFailed(f"{path}: line {first + 1}: a cue with no timing line "
                               f"(found only {head[:60]!r})")
        start, end = _timing(block[at], first + at + 1, path)
        payload = [line for line in block[at + 1:] if line.strip()]
        if any("-->" in line for line in payload):
            extra = first + at + 2 + next(i for i, line in enumerate(block[at + 1:])
                                          if "-->" in line)
            raise ImportFailed(f"{path}: line {extra}: a second timing line in one cue "
                               "(a blank line is missing between cues)")
        speaker, words = _words(payload)
        if words:
            cues.append(Cue(start, first + 1, speaker, words, end))
    return cues


def _blocks(lines: list[str]) -> list[tuple[int, list[str]]]:
    """(index of first line, lines) of each run of non-blank lines."""
    found: list[tuple[int, list[str]]] = []
    current: list[str] = []
    start = 0
    for index, line in enumerate([*lines, ""]):
        if line.strip():
            if not current:
                start = index
            current.append(line)
        elif current:
            found.append((start, current))
            current = []
    return found


def _words(payload: list[str]) -> tuple[str | None, str]:
    """The voice tag's speaker (if any) and the cue's words without markup."""
    joined = " ".join(line.strip() for line in payload)
    voice = _VOICE.search(joined)
    speaker = voice.group(1).strip() if voice else None
    plain = html.unescape(_TAG.sub("", joined))
    return speaker or None, re.sub(r"\s+", " ", plain).strip()


def _labels(cues: list[Cue]) -> None:
    """Take "Name: …" at the start of cue text for the speaker when the name is a
    speaker's (of its shape, or recurring over the cues)."""
    found = [opening(c.text) if c.speaker is None else None for c in cues]
    counts: dict[str, int] = {}
    for item in found:
        if item is not None and item.name is not None:
            counts[item.name.casefold()] = counts.get(item.name.casefold(), 0) + 1
    for cue, item in zip(cues, found, strict=True):
        if item is None or item.name is None:
            continue
        if counts[item.name.casefold()] >= 2 or speaker_shape(item.name):
            cue.speaker = item.name
            cue.text = cue.text[len(item.marker):].strip()


def turns(cues: list[Cue]) -> list[Block]:
    """Consecutive cues of one speaker as one paragraph block, with its start time."""
    _labels(cues)
    voiced = any(c.speaker for c in cues)
    blocks: list[Block] = []
    speaker: str | None = None
    words: list[str] = []
    start = end = 0
    for cue in cues:
        current = cue.speaker or speaker
        same = bool(words) and current == speaker
        if same and not voiced:
            same = cue.start_ms - end < PAUSE_MS and sum(map(len, words)) < LONG_PARAGRAPH
        if not same and words:
            blocks.append(_block(speaker, words, start))
            words = []
        if not words:
            start = cue.start_ms
        speaker, end = current, cue.end_ms
        words.append(cue.text)
    if words:
        blocks.append(_block(speaker, words, start))
    return blocks


def _block(speaker: str | None, words: list[str], start_ms: int) -> Block:
    marker = f"[{format_time(start_ms)}] " + (f"{speaker}: " if speaker else "")
    return Block("paragraph", " ".join(words), speaker=speaker, marker=marker,
                 time_ms=start_ms)


def _read(path: Path, encoding: str | None, *, webvtt: bool) -> ParsedDocument:
    text = decode(read_bytes(path), path, encoding)
    cues = parse_cues(text, path, webvtt=webvtt)
    if not cues:
        raise ImportFailed(f"{path}: no cues with text found")
    return compose(path.stem, turns(cues))


def read_vtt(path: Path, *, encoding: str | None = None) -> ParsedDocument:
    """Import a WebVTT file (.vtt)."""
    return _read(path, encoding, webvtt=True)


def read_srt(path: Path, *, encoding: str | None = None) -> ParsedDocument:
    """Import a SubRip file (.srt)."""
    return _read(path, encoding, webvtt=False)


__all__ = ["Cue", "parse_cues", "read_srt", "read_vtt", "turns"]
