"""What changed between two codebooks: codes added, removed, renamed, moved, re-described.

Codes are paired by :func:`qcode.core.codebook.match.match_codes` (GUID, then name,
then name similarity with its score), so a code renamed in one copy shows as renamed,
not as removed plus added. Text fields come with a word diff: runs of words kept,
removed and inserted.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import asdict, dataclass, field
from typing import Any

from qcode.core.codebook.match import DEFAULT_THRESHOLD, CodeRef, match_codes
from qcode.core.codebook.model import TEXT_FIELDS, Codebook

_TOKEN = re.compile(r"\s+|[^\s]+")
KINDS = ("added", "removed", "renamed", "moved", "text", "colour", "codable")


@dataclass(frozen=True)
class DiffEntry:
    """One difference. ``a`` and ``b`` are the code in each codebook (None if absent)."""

    kind: str
    a: CodeRef | None
    b: CodeRef | None
    field: str | None = None
    before: Any = None
    after: Any = None
    method: str | None = None
    score: float | None = None
    words: list[tuple[str, str]] | None = None

    @property
    def name(self) -> str:
        """The code's name as the newer codebook (B) has it, else as A has it."""
        ref = self.b or self.a
        assert ref is not None
        return ref.name


@dataclass
class CodebookDiff:
    """The differences from codebook A to codebook B."""

    a_label: str
    b_label: str
    a_count: int
    b_count: int
    entries: list[DiffEntry] = field(default_factory=list)
    unchanged: int = 0

    def of_kind(self, kind: str) -> list[DiffEntry]:
        """The entries of one kind, in codebook order."""
        return [e for e in self.entries if e.kind == kind]

    def to_json(self) -> dict[str, Any]:
        """Plain data for ``--json``."""
        return {
            "a": {"label": self.a_label, "codes": self.a_count},
            "b": {"label": self.b_label, "codes": self.b_count},
            "unchanged": self.unchanged,
            "changes": [_entry_json(e) for e in self.entries],
        }


def _entry_json(entry: DiffEntry) -> dict[str, Any]:
    data = asdict(entry)
    if entry.words is not None:
        data["words"] = [list(pair) for pair in entry.words]
    return {k: v for k, v in data.items() if v is not None}


def word_diff(before: str, after: str) -> list[tuple[str, str]]:
    """Runs of ``("=", kept)``, ``("-", removed)``, ``("+", inserted)`` text, in order;
    joining the ``=`` and ``-`` runs gives ``before``, the ``=`` and ``+`` runs ``after``."""
    a, b = _TOKEN.findall(before), _TOKEN.findall(after)
    runs: list[tuple[str, str]] = []
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            runs.append(("=", "".join(a[i1:i2])))
            continue
        if i2 > i1:
            runs.append(("-", "".join(a[i1:i2])))
        if j2 > j1:
            runs.append(("+", "".join(b[j1:j2])))
    return runs


def diff_codebooks(a: Codebook, b: Codebook, *, a_label: str = "A", b_label: str = "B",
                   threshold: float = DEFAULT_THRESHOLD) -> CodebookDiff:
    """Everything that differs between ``a`` and ``b``, code by code."""
    matching = match_codes(a, b, threshold)
    ours, theirs = matching.ours, matching.theirs
    result = CodebookDiff(a_label, b_label, len(a), len(b))
    result.entries += [DiffEntry("removed", ours.ref(g), None) for g in matching.only_ours()]
    position = {g: i for i, g in enumerate(theirs.order)}
    partner = {p.ours: p.theirs for p in matching.pairs}
    for pair in sorted(matching.pairs, key=lambda p: position[p.theirs]):
        ref_a, ref_b = ours.ref(pair.ours), theirs.ref(pair.theirs)
        spec_a, spec_b = ours.spec[pair.ours], theirs.spec[pair.theirs]
        found: list[DiffEntry] = []
        if spec_a.name != spec_b.name:
            found.append(DiffEntry("renamed", ref_a, ref_b, before=spec_a.name,
                                   after=spec_b.name, method=pair.method,
                                   score=round(pair.score, 1)))
        parent_a, parent_b = ours.parent[pair.ours], theirs.parent[pair.theirs]
        # A parent without a partner is gone from B, so the code has moved regardless.
        if (partner.get(parent_a, "") if parent_a else None) != parent_b:
            found.append(DiffEntry("moved", ref_a, ref_b, before=ours.parent_path(pair.ours),
                                   after=theirs.parent_path(pair.theirs)))
        for key in TEXT_FIELDS:
            old, new = getattr(spec_a, key), getattr(spec_b, key)
            if (old or None) != (new or None):
                found.append(DiffEntry("text", ref_a, ref_b, field=key, before=old, after=new,
                                       words=word_diff(old or "", new or "")))
        if spec_a.colour != spec_b.colour:
            found.append(DiffEntry("colour", ref_a, ref_b, before=spec_a.colour,
                                   after=spec_b.colour))
        if spec_a.codable != spec_b.codable:
            found.append(DiffEntry("codable", ref_a, ref_b, before=spec_a.codable,
                                   after=spec_b.codable))
        result.entries += found
        result.unchanged += not found
    result.entries += [DiffEntry("added", None, theirs.ref(g)) for g in matching.only_theirs()]
    return result
