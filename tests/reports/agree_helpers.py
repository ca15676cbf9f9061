"""Small projects for the agreement tests: documents of labelled paragraphs, tagging."""

from __future__ import annotations

from collections.abc import Iterable

from qcode import Project
from qcode.core.model import Block, compose

ALICE, BOB, CAROL = "alice", "bob", "carol"


def add_document(project: Project, name: str, labels: Iterable[str]) -> None:
    blocks = [Block("heading", f"{name} section")]
    blocks += [Block("paragraph", f"{name}: paragraph {label}, with enough words to quote.",
                     label=label) for label in labels]
    project.add_document(compose(name, blocks), coder=ALICE, name=name)


def tag(project: Project, document: str, labels: Iterable[str], code: str, coder: str) -> None:
    doc = project.document(document)
    ids = [project.paragraph(doc, label).id for label in labels]
    project.tag(ids, [project.code(code).id], coder=coder)
