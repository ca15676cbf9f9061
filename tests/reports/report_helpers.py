"""Small projects with known answers, and a slow-but-obvious reference for the counts.

The reference walks every coding in Python with sets: no SQL cleverness, so a
disagreement with :func:`qcode.reports.frequencies.frequencies` points at the library.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass

from qcode import Project
from qcode.core.model import Block, compose

CODER = "alice"


def add_document(project: Project, name: str, labels: Iterable[str],
                 attributes: dict[str, str] | None = None,
                 section: str | None = None, speaker: str | None = None) -> int:
    """A document whose paragraphs carry ``labels``; returns its id."""
    blocks = [Block("heading", section)] if section else []
    blocks += [Block("paragraph", f"{name}: the paragraph labelled {label}.", label=label,
                     speaker=speaker) for label in labels]
    parsed = compose(name, blocks)
    return project.add_document(parsed, coder=CODER, name=name, attributes=attributes).id


def tag(project: Project, document: str, label: str, code: str, coder: str = CODER,
        memo: str | None = None) -> None:
    """Tag one paragraph (by label) with one code (by name) as ``coder``."""
    doc = project.document(document)
    paragraph = project.paragraph(doc, label)
    project.tag([paragraph.id], [project.code(code).id], coder=coder, memo=memo)


@dataclass
class Small:
    """The small project: names to build expectations from."""

    project: Project
    total: int


# Codes: A > B > C > D, A > E; F and G at the top; G is never used.
TREE = {"A": None, "B": "A", "C": "B", "D": "C", "E": "A", "F": None, "G": None}
# (document, label, code, coder)
CODINGS = [
    ("d1", "§1", "B", "alice"), ("d1", "§1", "C", "alice"), ("d1", "§1", "D", "bob"),
    ("d1", "§2", "D", "alice"), ("d1", "§2", "D", "bob"),
    ("d1", "§3", "F", "alice"),
    ("d2", "§1", "A", "alice"), ("d2", "§1", "E", "bob"),
    ("d2", "§2", "C", "alice"), ("d2", "§2", "F", "bob"),
    ("d3", "§1", "E", "alice"),
    ("d3", "§2", "D", "carol"),
]


def build_small(project: Project) -> Small:
    """Three documents (9 paragraphs), a four-level tree, three coders."""
    for name, parent in TREE.items():
        project.add_code(name, coder=CODER, parent=project.code(parent) if parent else None)
    add_document(project, "d1", ["§1", "§2", "§3", "§4"],
                 {"generation": "old", "organisation": "X"}, section="Part one")
    add_document(project, "d2", ["§1", "§2", "§3"], {"generation": "new", "organisation": "Y"})
    add_document(project, "d3", ["§1", "§2"], {"organisation": "X"}, speaker="Q")
    for document, label, code, coder in CODINGS:
        tag(project, document, label, code, coder)
    return Small(project, 9)


def codings_rows(project: Project) -> list[tuple[int, int, int, int]]:
    """(paragraph, document, code, coder) for every coding."""
    return [tuple(r) for r in project.conn.execute(
        "SELECT k.paragraph_id, p.document_id, k.code_id, k.coder_id "
        "FROM codings k JOIN paragraphs p ON p.id = k.paragraph_id")]


def reference(
    project: Project, *, coders: set[int] | None = None, documents: set[int] | None = None,
) -> dict[int, tuple[int, int, int, int, int, int]]:
    """code id -> (paragraphs, documents, codings, own paragraphs, own documents, own codings)."""
    parent = {r[0]: r[1] for r in project.conn.execute("SELECT id, parent_id FROM codes")}

    def ancestors(code: int) -> list[int]:
        chain = [code]
        while parent[chain[-1]] is not None:
            chain.append(parent[chain[-1]])
        return chain

    rolled: dict[int, tuple[set[int], set[int], list[int]]] = {c: (set(), set(), [])
                                                               for c in parent}
    own: dict[int, tuple[set[int], set[int], list[int]]] = {c: (set(), set(), [])
                                                            for c in parent}
    for paragraph, document, code, coder in codings_rows(project):
        if coders is not None and coder not in coders:
            continue
        if documents is not None and document not in documents:
            continue
        own[code][0].add(paragraph)
        own[code][1].add(document)
        own[code][2].append(coder)
        for up in ancestors(code):
            rolled[up][0].add(paragraph)
            rolled[up][1].add(document)
            rolled[up][2].append(coder)
    return {c: (len(rolled[c][0]), len(rolled[c][1]), len(rolled[c][2]),
                len(own[c][0]), len(own[c][1]), len(own[c][2])) for c in parent}


def build_random(project: Project, seed: int, *, documents: int = 4, codes: int = 9) -> None:
    """A random tree, documents with attributes, and codings by three coders."""
    rng = random.Random(seed)
    names: list[str] = []
    for i in range(codes):
        parent = project.code(rng.choice(names)) if names and rng.random() < 0.7 else None
        names.append(f"code {i}")
        project.add_code(names[-1], coder=CODER, parent=parent)
    ids: list[int] = []
    for d in range(documents):
        doc = add_document(project, f"doc {d}", [f"§{i}" for i in range(1, rng.randint(2, 9))],
                           {"group": rng.choice(["a", "b"])} if rng.random() < 0.8 else {})
        ids.extend(p.id for p in project.paragraphs(doc))
    for coder in ("alice", "bob", "carol"):
        for name in names:
            if rng.random() < 0.6:
                chosen = rng.sample(ids, rng.randint(1, max(1, len(ids) // 3)))
                project.tag(chosen, [project.code(name).id], coder=coder)
