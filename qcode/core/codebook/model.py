"""The codebook as data: a named, versioned tree of codes.

The fields follow MacQueen et al. (1998), "Codebook development for team-based
qualitative analysis": each code has a short and a full definition, when to use it,
when not to, and an example.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import field
from pathlib import Path

from qcode.core.controls import check_name
from qcode.core.errors import ImportFailed
from qcode.core.ids import fold, new_guid
from qcode.core.record import record

TEXT_FIELDS = ("short", "definition", "when_to_use", "when_not_to_use", "example", "example_ref")
# How each text field is named to a researcher (screens, diffs and merge plans alike).
FIELD_LABELS = {"short": "short", "definition": "definition", "when_to_use": "when to use",
                "when_not_to_use": "when not to use", "example": "example",
                "example_ref": "example source"}


@record
class CodeSpec:
    """One code of a codebook (not yet, or not necessarily, in a project)."""

    name: str
    guid: str = field(default_factory=new_guid)
    colour: str | None = None
    short: str | None = None
    definition: str | None = None
    when_to_use: str | None = None
    when_not_to_use: str | None = None
    example: str | None = None
    example_ref: str | None = None
    codable: bool = True
    children: list[CodeSpec] = field(default_factory=list)


@record
class Codebook:
    """A named, versioned tree of codes."""

    name: str = "codebook"
    version: str | None = None
    description: str | None = None
    source: str | None = None
    codes: list[CodeSpec] = field(default_factory=list)

    def walk(self) -> Iterator[tuple[CodeSpec, CodeSpec | None, int]]:
        """Every code depth-first as (code, parent, depth), in codebook order."""
        stack: list[tuple[CodeSpec, CodeSpec | None, int]] = [
            (c, None, 0) for c in reversed(self.codes)
        ]
        while stack:
            code, parent, depth = stack.pop()
            yield code, parent, depth
            stack.extend((child, code, depth + 1) for child in reversed(code.children))

    def __len__(self) -> int:
        return sum(1 for _ in self.walk())



def check_codebook(codebook: Codebook, path: Path | str) -> None:
    """Names present and free of control characters; GUIDs unique; sibling names
    unique (case- and accent-insensitive)."""
    seen: dict[str, str] = {}
    for code, parent, _depth in codebook.walk():
        where = f"{path}: under {parent.name!r}" if parent is not None else str(path)
        check_name(code.name, "code", where, ImportFailed)
        if code.guid in seen:
            raise ImportFailed(
                f"{path}: codes {seen[code.guid]!r} and {code.name!r} share GUID {code.guid}"
            )
        seen[code.guid] = code.name
    for siblings in [codebook.codes] + [c.children for c, _p, _d in codebook.walk()]:
        names: set[str] = set()
        for code in siblings:
            key = fold(code.name)
            if key in names:
                raise ImportFailed(f"{path}: code {code.name!r} appears twice at the same level")
            names.add(key)
