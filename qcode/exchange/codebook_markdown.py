"""The codebook as a Markdown document: for a paper's appendix or a team meeting.

Every field is there: an outline of the tree first, then one numbered section per code
(heading level follows depth) with its short label, definition, when to use it, when
not to, the example with its source, its colour, whether it is a folder, and its GUID.
Text is escaped only where Markdown would otherwise change it (a ``#`` or ``*`` in a
name stays a ``#`` or ``*``).
"""

from __future__ import annotations

import re

from qcode.core.codebook.model import Codebook, CodeSpec

_SPECIAL = re.compile(r"([\\`*_\[\]<>#|])")
_FIELDS = (
    ("short", "Short"),
    ("definition", "Definition"),
    ("when_to_use", "When to use"),
    ("when_not_to_use", "When not to use"),
)


def escape(text: str) -> str:
    """``text`` with the characters Markdown would act on backslash-escaped."""
    return _SPECIAL.sub(r"\\\1", text)


def write_markdown(codebook: Codebook) -> bytes:
    """A readable Markdown codebook (UTF-8)."""
    numbers = _numbers(codebook)
    title = escape(codebook.name) + (f" (version {escape(codebook.version)})"
                                     if codebook.version else "")
    out = [f"# {title}", ""]
    if codebook.description:
        out += [_paragraphs(codebook.description), ""]
    if codebook.source:
        out += [f"*Source:* {escape(codebook.source)}", ""]
    count = len(codebook)
    out += [f"{count} code{'s' if count != 1 else ''}.", "", "## Contents", ""]
    for spec, _parent, depth in codebook.walk():
        out.append(f"{'  ' * depth}- {numbers[spec.guid]} {escape(spec.name)}")
    out += ["", "## Codes", ""]
    for spec, parent, depth in codebook.walk():
        out += _section(spec, parent, depth, numbers[spec.guid])
    return ("\n".join(out).rstrip() + "\n").encode("utf-8")


def _numbers(codebook: Codebook) -> dict[str, str]:
    numbers: dict[str, str] = {}
    for index, spec in enumerate(codebook.codes, 1):
        stack = [(spec, str(index))]
        while stack:
            code, number = stack.pop()
            numbers[code.guid] = number
            stack.extend((c, f"{number}.{i}") for i, c in enumerate(code.children, 1))
    return numbers


def _section(spec: CodeSpec, parent: CodeSpec | None, depth: int, number: str) -> list[str]:
    level = "#" * min(3 + depth, 6)
    lines = [f"{level} {number} {escape(spec.name)}", ""]
    facts = [f"GUID `{spec.guid}`"]
    if parent is not None:
        facts.append(f"under *{escape(parent.name)}*")
    if spec.colour:
        facts.append(f"colour `{spec.colour}`")
    if not spec.codable:
        facts.append("folder (not codable)")
    lines += [" · ".join(facts), ""]
    for key, label in _FIELDS:
        value = getattr(spec, key)
        if value:
            lines += [f"**{label}:** {_paragraphs(value)}", ""]
    if spec.example or spec.example_ref:
        quote = _paragraphs(spec.example).replace("\n", "\n> ") if spec.example else ""
        source = f" — {escape(spec.example_ref)}" if spec.example_ref else ""
        lines += ["**Example:**", "", f"> {quote}{source}".rstrip(), ""]
    return lines


def _paragraphs(text: str) -> str:
    """Escaped text whose single line breaks survive Markdown (two trailing spaces)."""
    lines = escape(text).split("\n")
    return "\n".join(
        line + "  " if line and index + 1 < len(lines) and lines[index + 1] else line
        for index, line in enumerate(lines)
    )
