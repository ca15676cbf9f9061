"""Where coders differ: every (paragraph, code) among the units on which some reviewing
coders applied the code and others did not, with what a person needs to look at it
(``qcode agree --disagreements``, the consensus review)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from qcode.core.agreement.tallies import split_mask
from qcode.core.agreement.units import Scope, disputed
from qcode.core.codebook.tree import code_tree
from qcode.core.reading import ProjectReader


@dataclass(frozen=True)
class Disagreement:
    """A paragraph where some reviewing coders applied a code and others did not."""

    code: str
    code_path: str
    document: str
    ref: str
    ordinal: int
    section: str | None
    text: str
    with_code: tuple[str, ...]
    without_code: tuple[str, ...]
    paragraph_id: int

    @property
    def excerpt(self) -> str:
        """The paragraph's first words, on one line (at most 100 characters)."""
        return excerpt(self.text)

    def record(self) -> dict[str, Any]:
        """A flat dict for CSV/JSON; coders joined with "; " in CSV-friendly cells."""
        return {"code": self.code, "code_path": self.code_path, "document": self.document,
                "paragraph": self.ref, "ordinal": self.ordinal, "section": self.section,
                "with_code": "; ".join(self.with_code),
                "without_code": "; ".join(self.without_code),
                "excerpt": self.excerpt, "paragraph_id": self.paragraph_id}


@dataclass(frozen=True)
class Disagreements:
    """The disagreements among ``coders``, in document, paragraph and codebook order."""

    coders: tuple[str, ...]
    rows: list[Disagreement]


def excerpt(text: str, limit: int = 100) -> str:
    """``text`` on one line, cut at a word boundary with "…" when longer than ``limit``."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat[:limit - 1].rsplit(" ", 1)[0] or flat[:limit - 1]
    return cut.rstrip(" ,;:") + "…"


def disagreements(project: ProjectReader, scope: Scope) -> Disagreements:
    """The disagreements among the scope's coders, in document, paragraph and codebook
    order (coders who did not review the document are not listed)."""
    return Disagreements(tuple(c.name for c in scope.coders),
                         _describe(project, scope, disputed(project, scope)))


def _describe(project: ProjectReader, scope: Scope, found: list[tuple[int, int, int, int]]
              ) -> list[Disagreement]:
    nodes = code_tree(project)
    rank = {node.id: i for i, node in enumerate(nodes.nodes)}
    names = [c.name for c in scope.coders]
    details: dict[int, Any] = {}
    ids = sorted({f[0] for f in found})
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        for row in project.conn.execute(
                "SELECT p.id, p.ordinal, p.label, p.section, p.text, d.name FROM paragraphs p "
                "JOIN documents d ON d.id = p.document_id "
                f"WHERE p.id IN ({', '.join('?' * len(chunk))})", chunk):
            details[row[0]] = row
    found.sort(key=lambda f: (details[f[0]][5].casefold(), details[f[0]][1], rank[f[1]]))
    result = []
    # Only a handful of (reviewed, applied) mask pairs exist; name each once.
    split: dict[tuple[int, int], tuple[tuple[str, ...], tuple[str, ...]]] = {}
    for paragraph_id, code_id, s, mask in found:
        row, node = details[paragraph_id], nodes.by_id[code_id]
        if (mask, s) not in split:
            split[mask, s] = split_mask(names, mask, s)
        with_code, without = split[mask, s]
        result.append(Disagreement(
            code=node.name, code_path=node.path, document=row[5],
            ref=row[2] or f"¶{row[1]}", ordinal=row[1], section=row[3], text=row[4],
            with_code=with_code, without_code=without, paragraph_id=paragraph_id))
    return result
